"""One-time request keys: the first answer to a write is kept for a day, so the same key sent
again (a double click, a browser retry, a replayed offline change) is answered without applying
the write twice. Keys are per person: another person's key is a different key."""

from __future__ import annotations

import functools
import re
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, select, update

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


def latest_claim(user_id: int) -> int:
    """The id of this person's most recent claimed key (0: none). A page served before it may
    hold a key used since; one served after holds only unused keys (see compression.py)."""
    return db.session.scalar(_latest_statement(), {"user_id": user_id}) or 0


@functools.cache
def _latest_statement():
    # (built once: every page asks; building and keying a statement costs more than the query)
    return select(func.max(RequestKey.id)).where(RequestKey.user_id == bindparam("user_id"))


def find(user_id: int, key: str) -> RequestKey | None:
    """The live (not expired) record of `key` for this person."""
    return db.session.scalar(
        select(RequestKey).where(
            RequestKey.user_id == user_id, RequestKey.key == key, RequestKey.expires_at >= utcnow()
        )
    )


def claim_key(user_id: int, key: str, *, method: str, path: str) -> RequestKey:
    """Claim `key` for a write about to run (an expired record of it is dropped first). Flushes:
    when another request claimed the same key first, the unique constraint raises IntegrityError."""
    now = utcnow()
    db.session.execute(
        delete(RequestKey).where(
            RequestKey.user_id == user_id, RequestKey.key == key, RequestKey.expires_at < now
        )
    )
    record = RequestKey(
        user_id=user_id, key=key, method=method, path=path[:500], created_at=now, expires_at=now + TTL
    )
    db.session.add(record)
    db.session.flush()
    return record


def record_answer(record_id: int, status: int, headers: dict[str, str], body: bytes) -> None:
    """Keep the first answer to a claimed key."""
    kept = {name: value for name, value in headers.items() if name in KEPT_HEADERS}
    db.session.execute(
        update(RequestKey).where(RequestKey.id == record_id).values(status=status, headers=kept, body=body)
    )


def release_key(record_id: int) -> None:
    """The write failed before it could answer: the key may be used again."""
    db.session.execute(delete(RequestKey).where(RequestKey.id == record_id, RequestKey.status.is_(None)))


def purge_expired() -> int:
    """Answers older than a day are no longer needed (nightly)."""
    return db.session.execute(delete(RequestKey).where(RequestKey.expires_at < utcnow())).rowcount
