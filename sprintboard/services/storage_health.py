"""Whether this server can save: the database and the upload folder writable, space left.

A write that fails because storage is read-only or full is recorded here (per process, with the
time) by the engine's error hook (database.py); the administrators' pages show the condition
(`condition()`), and /readyz reports it. Checks are cheap system calls, no database needed.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app

from ..models.base import utcnow

log = logging.getLogger(__name__)

READ_ONLY = "read-only"
FULL = "full"
# What SQLite and PostgreSQL say when storage, not the request, is the problem.
_SIGNS = {
    "readonly database": READ_ONLY,
    "read-only file system": READ_ONLY,
    "read-only transaction": READ_ONLY,
    "database or disk is full": FULL,
    "no space left on device": FULL,
    "could not extend file": FULL,
    "disk i/o error": FULL,
}
_PG_CODES = {"53100": FULL, "25006": READ_ONLY}  # disk_full, read_only_sql_transaction


@dataclass
class Failure:
    kind: str
    at: datetime


_last: Failure | None = None
_lock = threading.Lock()


def classify(error: BaseException) -> str | None:
    """READ_ONLY or FULL when a database error is a storage failure, else None."""
    code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if code in _PG_CODES:
        return _PG_CODES[code]
    text = str(error).lower()
    return next((kind for sign, kind in _SIGNS.items() if sign in text), None)


def record(kind: str) -> None:
    global _last
    with _lock:
        _last = Failure(kind, utcnow())
    log.error("storage failure: the database could not be written (%s)", kind)


def last_failure() -> Failure | None:
    return _last


def _folders(app) -> list[Path]:
    folders = []
    uri = app.config.get("SQLALCHEMY_DATABASE_URI", "")
    if uri.startswith("sqlite:///") and ":memory:" not in uri:
        folders.append(Path(uri.removeprefix("sqlite:///")).parent)
    if app.config.get("UPLOAD_DIR") and not app.config.get("S3_BUCKET"):
        folders.append(Path(app.config["UPLOAD_DIR"]))
    return folders


def condition() -> dict:
    """{"state": "ok" | READ_ONLY | FULL, "free_bytes": …, "last_failure": Failure | None}: the
    folders the app writes to, checked now, and the last failed write of this process."""
    app = current_app
    minimum = int(app.config.get("STORAGE_MIN_FREE_BYTES", 50 * 2**20))
    state, free = "ok", None
    for folder in _folders(app):
        folder = folder if folder.exists() else folder.parent
        if not folder.exists():
            continue
        space = shutil.disk_usage(folder).free
        free = space if free is None else min(free, space)
        if not os.access(folder, os.W_OK) or _mounted_read_only(folder):
            state = READ_ONLY
        elif space < minimum and state == "ok":
            state = FULL
    return {"state": state, "free_bytes": free, "last_failure": _last}


def _mounted_read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False
