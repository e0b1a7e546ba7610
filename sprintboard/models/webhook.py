"""Webhooks: a partnership's changes POSTed, signed, to a URL its facilitators chose."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

# What a webhook can be told about (the X-Sprintboard-Event header), and the Activity verbs
# behind each kind (services/webhooks.py turns log rows into deliveries).
WEBHOOK_EVENTS = {
    "card.created": ("card.created",),
    "card.updated": (
        "card.edited",
        "card.assigned",
        "card.checklist_added",
        "card.checklist_ticked",
        "card.checklist_unticked",
        "card.checklist_removed",
        "card.planned",
        "card.unplanned",
        "card.restored",
    ),
    "card.moved": ("card.moved", "card.reordered"),
    "card.archived": ("card.archived",),
    "comment.added": ("card.commented",),
    "sprint.started": ("sprint.started",),
    "sprint.closed": ("sprint.closed",),
    "funding.changed": ("funding.created", "funding.updated", "funding.moved", "funding.deleted"),
    "workshop.changed": (
        "workshop.created",
        "workshop.updated",
        "workshop.held",
        "workshop.reopened",
        "workshop.outcomes",
        "workshop.series_planned",
    ),
}
EVENT_OF_VERB = {verb: kind for kind, verbs in WEBHOOK_EVENTS.items() for verb in verbs}


class Webhook(db.Model):
    """The secret is kept as it is (it signs every delivery, so it cannot be hashed); only
    the partnership's facilitators see it."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(80))
    events: Mapped[list] = mapped_column(JSON, default=list)  # keys of WEBHOOK_EVENTS
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    failures: Mapped[int] = mapped_column(default=0)  # failed tries in a row (a success: 0)
    disabled_at: Mapped[datetime | None]  # after WEBHOOK_MAX_FAILURES failures in a row

    partnership: Mapped[Partnership] = relationship()  # noqa: F821

    @property
    def active(self) -> bool:
        return self.disabled_at is None


class WebhookDelivery(db.Model):
    """One event for one webhook: the body is fixed when the change commits; a worker claims
    it, POSTs it, and retries with back-off (services/webhooks.py)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "delivered_at", "failed_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)  # X-Sprintboard-Delivery
    event: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    claim: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_until: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]  # gave up (tries used up, or the webhook was disabled)

    webhook: Mapped[Webhook] = relationship()
    tries: Mapped[list[WebhookAttempt]] = relationship(
        back_populates="delivery",
        order_by="WebhookAttempt.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def status(self) -> str:
        if self.delivered_at is not None:
            return "delivered"
        if self.failed_at is not None:
            return "failed"
        return "retrying" if self.attempts else "waiting"


class WebhookAttempt(db.Model):
    """One POST of a delivery: what the receiver answered (or why there was no answer)."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(default=1)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(300))
    duration_ms: Mapped[int] = mapped_column(default=0)

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="tries")

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
