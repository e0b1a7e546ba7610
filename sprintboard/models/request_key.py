"""The first answer to each one-time request key, so that a replayed write applies once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class RequestKey(db.Model):
    """One write sent with a request key by one person: claimed when it starts (`status` None),
    answered when it ends. The same key again gets this answer back (see services.request_keys)."""

    __tablename__ = "request_keys"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        # A person's latest claimed key (read with every login session: services.request_keys
        # .latest_claim) from the end of this index, however many keys a busy day left.
        Index("ix_request_keys_user_latest", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    status: Mapped[int | None]  # None while the first request is still being answered
    headers: Mapped[dict | None] = mapped_column(JSON)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
