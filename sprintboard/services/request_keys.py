"""One-time request keys: the first answer to a write is kept for a day, so the same key sent
again (a double click, a browser retry, a replayed offline change) is answered without applying
the write twice. Keys are per person: another person's key is a different key."""

from __future__ import annotations

import functools
import re
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import RequestKey
from ..models.base import utcnow

TTL = timedelta(hours=24)
KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# What a replay needs of the first answer's headers (never cookies).
KEPT_HEADERS = (
    "Content-Type",
    "Location",
    "Retry-After",
    "HX-Location",
    "HX-Redirect",
    "HX-Refresh",
    "HX-Push-Url",
    "HX-Replace-Url",
    "HX-Retarget",
    "HX-Reswap",
    "HX-Reselect",
    "HX-Trigger",
    "HX-Trigger-After-Swap",
    "HX-Trigger-After-Settle",
)


def valid_key(key: str | None) -> bool:
    return bool(key) and KEY.match(key) is not None


def latest_claim(user) -> int:
    """The id of this person's most recent claimed key (0: none). A page served before it may
    hold a key used since; one served after holds only unused keys (see compression.py).
    Read with the login session (`latest_claim_of`: no round trip of its own) unless this
    request claimed a key since (only writes claim one)."""
    known = getattr(user, "latest_claim", None)
    if known is not None:
        return known
    return db.session.scalar(_latest_statement(), {"user_id": user.id}) or 0


def latest_claim_of(user_id_column):
    """`latest_claim` of the person in `user_id_column`, as a column of another query (the login
    session's: accounts.user_for_session)."""
    return select(func.max(RequestKey.id)).where(RequestKey.user_id == user_id_column).scalar_subquery()


@functools.cache
def _latest_statement():
    # (built once: every page asks; building and keying a statement costs more than the query)
    return select(latest_claim_of(bindparam("user_id")))


def find(user_id: int, key: str) -> RequestKey | None:
    """The live (not expired) record of `key` for this person."""
    return db.session.scalar(
        select(RequestKey).where(
            RequestKey.user_id == user_id, RequestKey.key == key, RequestKey.expires_at >= utcnow()
        )
    )


def claim_key(user_id: int, key: str, *, method: str, path: str) -> int | None:
    """Claim `key` for a write about to run: its record's id, or None when the key is claimed
    already (a repeat, or the same key sent twice at once: the first answers both). One
    statement: an expired record of the key is taken over, a live one left alone."""
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    values = dict(user_id=user_id, key=key, method=method, path=path[:500], now=now, expires_at=now + TTL)
    return db.session.connection().scalar(_claim_statement(dialect), values)  # (Core: no ORM objects)


@functools.cache
def _claim_statement(dialect: str):
    """INSERT … ON CONFLICT (SQLite and PostgreSQL both have it), built once per database kind:
    building it costs more than running it."""
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(RequestKey).values(
        user_id=bindparam("user_id"),
        key=bindparam("key"),
        method=bindparam("method"),
        path=bindparam("path"),
        created_at=bindparam("now"),
        expires_at=bindparam("expires_at"),
    )
    taken_over = {name: insert.excluded[name] for name in ("method", "path", "created_at", "expires_at")}
    return insert.on_conflict_do_update(
        index_elements=[RequestKey.user_id, RequestKey.key],
        set_={**taken_over, "status": None, "headers": None, "body": None},
        where=RequestKey.expires_at < bindparam("now"),
    ).returning(RequestKey.id)


def record_answer(record_id: int, status: int, headers: dict[str, str], body: bytes) -> None:
    """Keep the first answer to a claimed key."""
    kept = {name: value for name, value in headers.items() if name in KEPT_HEADERS}
    values = {"record_id": record_id, "status": status, "headers": kept, "body": body}
    db.session.connection().execute(_answer_statement(), values)


@functools.cache
def _answer_statement():
    return (
        update(RequestKey)
        .where(RequestKey.id == bindparam("record_id"))
        .values(status=bindparam("status"), headers=bindparam("headers"), body=bindparam("body"))
    )


def release_key(record_id: int) -> None:
    """The write failed before it could answer: the key may be used again."""
    db.session.execute(delete(RequestKey).where(RequestKey.id == record_id, RequestKey.status.is_(None)))


def purge_expired() -> int:
    """Answers older than a day are no longer needed (nightly)."""
    return db.session.execute(delete(RequestKey).where(RequestKey.expires_at < utcnow())).rowcount
