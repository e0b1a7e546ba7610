"""Notifications (the in-app inbox, and what email says), and who watches what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

# What a person can be told about; each has its own email setting (see DEFAULT_MODES).
KINDS = (
    "mention",
    "assigned",
    "comment",
    "done",
    "sprint",
    "workshop",
    "funding",
    "due",
    "webhook",
    "toolbox",
)
# How a kind reaches someone by email: at once, in the daily digest, or not at all (the inbox
# always shows it).
MODES = ("now", "digest", "off")
DEFAULT_MODES = {
    "mention": "now",
    "assigned": "now",
    "comment": "digest",
    "done": "digest",
    "sprint": "digest",
    "workshop": "now",
    "funding": "now",
    "due": "now",
    "webhook": "now",  # (facilitators: a webhook was switched off after repeated failures)
    "toolbox": "now",
}
DEFAULT_DIGEST_HOUR = 8


def mode_for(user, kind: str) -> str:
    """How email tells `user` about `kind`: their choice, else the default."""
    chosen = (user.mail_settings or {}).get(kind)
    return chosen if chosen in MODES else DEFAULT_MODES[kind]


def modes_of(user) -> dict[str, str]:
    return {kind: mode_for(user, kind) for kind in KINDS}


class Notification(db.Model):
    """One thing one person is told about. `key` names the event, so each event reaches each
    person once however often the code that reports it runs."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_notifications_user_id_id", "user_id", "id"),
        Index("ix_notifications_digest", "mail", "mailed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True
    )
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(120))
    path: Mapped[str] = mapped_column(String(300))  # where it links to (a path on this site)
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # what the sentence needs
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    mail: Mapped[str] = mapped_column(String(8), default="off")  # the mode when it was written
    mailed_at: Mapped[datetime | None]  # sent on its own or in a digest

    user: Mapped[User] = relationship(foreign_keys=[user_id])  # noqa: F821
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])  # noqa: F821
    partnership: Mapped[Partnership | None] = relationship()  # noqa: F821


class Watch(db.Model):
    """Someone follows a card, a project or a whole board (neither set) of a partnership."""

    __tablename__ = "watches"
    __table_args__ = (UniqueConstraint("user_id", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(40))  # "p5", "p5:project3", "p5:card9": one row each
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
