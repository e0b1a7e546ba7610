"""Sprints: time boxes of work between workshops."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

SPRINT_STATES = ("planned", "active", "closed")


class Sprint(db.Model):
    __tablename__ = "sprints"
    __table_args__ = (
        # At most one active sprint per partnership, guarded by the database as well.
        Index(
            "ux_sprints_one_active",
            "partnership_id",
            unique=True,
            sqlite_where=text("state = 'active'"),
            postgresql_where=text("state = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    goal: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(8))  # original language of the text
    start_date: Mapped[date]
    end_date: Mapped[date]
    state: Mapped[str] = mapped_column(String(20), default="planned")
    started_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Points done when it closed: velocity does not change when cards move later.
    points_done: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partnership: Mapped[Partnership] = relationship()  # noqa: F821
