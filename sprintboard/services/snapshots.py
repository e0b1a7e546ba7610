"""Online backups of the whole instance, and restoring one into an empty instance.

A snapshot is a folder `sprintboard-<UTC time>/` in BACKUP_DIR (default instance/backups) with
- `sprintboard.db`: SQLite, copied with SQLite's online backup API (consistent while the app
  writes; never a file copy), then checked with `PRAGMA integrity_check`; or `sprintboard.dump`:
  PostgreSQL, `pg_dump --format=custom` (a consistent export of one transaction);
- `uploads/`: the instance's uploaded files (UPLOAD_DIR, default instance/uploads; files kept in S3 are not
  part of the snapshot: back up the bucket with its own tools), if any;
- `manifest.json`: when, which schema revision, and the row count of every table.
The newest BACKUP_KEEP snapshots are kept (default 7); older ones are removed after a good one.

`restore` refuses a database that has tables with rows, so it can never overwrite an instance.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..extensions import db

log = logging.getLogger(__name__)

PREFIX = "sprintboard-"
MANIFEST = "manifest.json"
SQLITE_FILE = "sprintboard.db"
PG_FILE = "sprintboard.dump"


class SnapshotError(Exception):
    """The backup or restore cannot be done; nothing was changed (the message says why)."""


def backup_dir() -> Path:
    configured = current_app.config.get("BACKUP_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "backups"


def uploads_dir() -> Path:
    configured = current_app.config.get("UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def backup(dest: Path | None = None, keep: int | None = None) -> Path:
    """Make a verified snapshot in `dest` (default BACKUP_DIR); keep the newest `keep`."""
    dest = Path(dest) if dest else backup_dir()
    keep = int(keep if keep is not None else current_app.config.get("BACKUP_KEEP", 7))
    dest.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    partial = dest / f".{PREFIX}{stamp}.partial"
    partial.mkdir(mode=0o700)
    try:
        url = db.engine.url
        if url.get_backend_name() == "sqlite":
            counts = _backup_sqlite(url.database, partial / SQLITE_FILE)
        elif url.get_backend_name() == "postgresql":
            counts = _backup_postgresql(partial / PG_FILE)
        else:
            raise SnapshotError(f"backups of {url.get_backend_name()} databases are not supported")
        uploads = uploads_dir()
        if uploads.is_dir():
            shutil.copytree(uploads, partial / "uploads")
        manifest = {
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": url.get_backend_name(),
            "revision": _revision(),
            "rows": counts,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        final = dest / f"{PREFIX}{stamp}"
        partial.rename(final)  # only a complete, verified snapshot carries the name
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    _rotate(dest, keep)
    log.info("backup: %s (%d tables)", final, len(counts))
    return final


def snapshots(dest: Path | None = None) -> list[Path]:
    """The snapshots in `dest`, oldest first."""
    dest = Path(dest) if dest else backup_dir()
    if not dest.is_dir():
        return []
    return sorted(p for p in dest.iterdir() if p.is_dir() and p.name.startswith(PREFIX))


def _rotate(dest: Path, keep: int) -> None:
    if keep < 1:
        return
    for old in snapshots(dest)[:-keep]:
        shutil.rmtree(old)


def _revision() -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None


def _backup_sqlite(source: str, target: Path) -> dict[str, int]:
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step: one consistent read of the database
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        check = dst.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            raise SnapshotError(f"the copy failed its integrity check: {check[:3]}")
        counts = _sqlite_counts(dst)
    finally:
        dst.close()
        src.close()
    os.chmod(target, 0o600)
    return counts


def _sqlite_counts(conn) -> dict[str, int]:
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def _libpq_url() -> str:
    url = db.engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SnapshotError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def _backup_postgresql(target: Path) -> dict[str, int]:
    """pg_dump of one snapshot of the database: this transaction exports its snapshot, counts
    the rows in it, and pg_dump reads the very same snapshot (--snapshot) while it stays open."""
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            exported = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            counts = _table_counts(conn)
            subprocess.run(  # noqa: S603 - fixed arguments, no shell
                [
                    _pg_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={exported}",
                    "--file",
                    str(target),
                    _libpq_url(),
                ],
                check=True,
                capture_output=True,
            )
    os.chmod(target, 0o600)
    listing = subprocess.run(  # noqa: S603 - the dump must be readable by pg_restore
        [_pg_tool("pg_restore"), "--list", str(target)], check=True, capture_output=True, text=True
    )
    if "TABLE DATA" not in listing.stdout:
        raise SnapshotError("the dump holds no table data")
    return counts


def _table_counts(conn=None) -> dict[str, int]:
    if conn is None:
        with db.engine.connect() as conn:
            return _table_counts(conn)
    return {
        t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()  # noqa: S608
        for t in sorted(sa.inspect(conn).get_table_names())
    }


# Restore ----------------------------------------------------------------------------------


def restore(snapshot: Path) -> dict:
    """Restore `snapshot` into this instance's database and uploads folder, both empty."""
    snapshot = Path(snapshot)
    manifest_path = snapshot / MANIFEST
    if not manifest_path.is_file():
        raise SnapshotError(f"{snapshot} is not a snapshot (no {MANIFEST})")
    manifest = json.loads(manifest_path.read_text())
    backend = db.engine.url.get_backend_name()
    if manifest.get("database") != backend:
        raise SnapshotError(f"a {manifest.get('database')} snapshot cannot be restored into {backend}")
    if any(n for t, n in _table_counts().items() if t != "alembic_version"):
        raise SnapshotError("the database is not empty: restore only into a new instance")
    uploads = uploads_dir()
    if uploads.is_dir() and any(uploads.iterdir()):
        raise SnapshotError(f"the uploads folder {uploads} is not empty")
    db.session.remove()
    db.engine.dispose()
    if backend == "sqlite":
        _restore_sqlite(snapshot / SQLITE_FILE, db.engine.url.database)
    else:
        subprocess.run(  # noqa: S603
            [
                _pg_tool("pg_restore"),
                "--no-owner",
                "--clean",
                "--if-exists",
                "--dbname",
                _libpq_url(),
                str(snapshot / PG_FILE),
            ],
            check=True,
            capture_output=True,
        )
    if (snapshot / "uploads").is_dir():
        shutil.copytree(snapshot / "uploads", uploads, dirs_exist_ok=True)
    restored = _table_counts()
    expected = manifest["rows"]
    if {t: restored.get(t) for t in expected} != expected:
        raise SnapshotError("the restored row counts differ from the snapshot's")
    return manifest


def _restore_sqlite(source: Path, target: str) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
