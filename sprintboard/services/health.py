"""Readiness of this process for a load balancer: the database answers (within READYZ_TIMEOUT),
its schema is at the newest migration, the data folders are writable with space left (storage),
Redis answers when configured, and the oldest due email has not waited longer than
READYZ_QUEUE_MAX_AGE seconds (0: the age is reported, never fails).

Each check gives a short code ("ok", "unreachable", "behind", "too old" …) and never an error
text: the answer is public and must not show hosts, URLs or credentials. Details go to the log.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from ..extensions import db
from ..models import Outbox
from ..models.base import utcnow

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# Checks run here so a hanging database costs a request READYZ_TIMEOUT, not a worker thread
# forever; two threads: a stuck check never holds up more than one more.
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readyz")
_redis_clients: dict[str, object] = {}
_redis_lock = threading.Lock()


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The newest migration(s) this code knows (read once per process)."""
    return frozenset(ScriptDirectory(str(MIGRATIONS)).get_heads())


def readiness() -> tuple[bool, dict]:
    """(ready, {"status": …, "checks": {name: code}, …}) for /readyz."""
    app = current_app._get_current_object()
    timeout = float(app.config.get("READYZ_TIMEOUT", 1.0))
    checks: dict[str, str] = {}
    details: dict[str, object] = {}
    head_revisions()  # (read here, once, outside the time limit)

    database = _bounded(lambda: _database(app), timeout, "database")
    if database is None:
        checks["database"] = "unreachable"
    else:
        checks["database"] = "ok"
        checks["migrations"] = "ok" if database["current"] else "behind"
        age = database["queue_age"]
        if age is not None:
            details["queue_age_seconds"] = age
            max_age = int(app.config.get("READYZ_QUEUE_MAX_AGE") or 0)
            checks["queue"] = "too old" if max_age and age > max_age else "ok"
    from . import storage_health

    checks["storage"] = storage_health.condition()["state"]  # ok, read-only or full
    if app.config.get("REDIS_URL"):
        checks["redis"] = "ok" if _bounded(lambda: _redis(app), timeout, "redis") else "unreachable"
    ready = all(code == "ok" for code in checks.values())
    return ready, {"status": "ready" if ready else "unavailable", "checks": checks, **details}


def _bounded(fn, timeout: float, name: str):
    """fn() in the check pool; None when it raised or took longer than `timeout` seconds."""
    try:
        return _pool.submit(fn).result(timeout=timeout)
    except FutureTimeout:
        log.warning("readyz: %s did not answer within %.1f s", name, timeout)
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        log.warning("readyz: %s failed: %s", name, type(error).__name__)
    return None


def _database(app) -> dict:
    """Whether the schema is current, and how long the oldest due email has waited (seconds;
    None when the schema is not current: its tables may not be there yet)."""
    with app.app_context(), db.engine.connect() as conn:
        revisions = frozenset(MigrationContext.configure(conn).get_current_heads())
        if revisions != head_revisions():
            return {"current": False, "queue_age": None}
        now = utcnow()
        outbox = Outbox.__table__.c  # (Core, not ORM: no mapper set-up inside the time limit)
        waiting_since = sa.func.coalesce(outbox.next_attempt_at, outbox.created_at)
        oldest = conn.execute(
            sa.select(sa.func.min(waiting_since)).where(
                outbox.sent_at.is_(None),
                outbox.failed_at.is_(None),
                sa.or_(outbox.next_attempt_at.is_(None), outbox.next_attempt_at <= now),
            )
        ).scalar()
    queue_age = max(0, int((now - oldest).total_seconds())) if oldest is not None else 0
    return {"current": True, "queue_age": queue_age}


def _redis(app) -> bool:
    import redis

    url = app.config["REDIS_URL"]
    with _redis_lock:
        client = _redis_clients.get(url)
        if client is None:
            client = _redis_clients[url] = redis.Redis.from_url(
                url, socket_timeout=1, socket_connect_timeout=1
            )
    return bool(client.ping())
