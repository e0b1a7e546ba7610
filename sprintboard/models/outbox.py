"""Every email the app sends."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow


class Outbox(db.Model):
    """Every email the app sends; without an SMTP server it is where messages wait."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "sent_at", "failed_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(500))  # the last failure (no secrets in it)
    html: Mapped[str | None] = mapped_column(Text)  # the HTML part beside the plain text `body`
    headers: Mapped[dict | None] = mapped_column(JSON)  # e.g. List-Unsubscribe (RFC 8058)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]  # back-off after a failure (None: at once)
    # A worker claims a batch before sending (see services.outbox); a claim older than its lease
    # (a worker that died mid-send) may be taken over.
    claim: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_until: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]  # gave up after MAX_ATTEMPTS

    @property
    def status(self) -> str:
        if self.sent_at is not None:
            return "sent"
        if self.failed_at is not None:
            return "failed"
        return "retrying" if self.attempts else "waiting"
