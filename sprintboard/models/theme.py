"""A theme of a partnership's vocabulary (built in, or added by facilitators)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

# Built-in theme keys, seeded into every partnership; their names come from the message catalog.
BUILTIN_THEMES = (
    "culture",
    "youth",
    "environment",
    "mobility",
    "digital",
    "sport",
    "history",
    "economy",
    "social",
)


class Theme(db.Model):
    """A theme of a partnership's vocabulary. Built-in themes (`builtin`) are named by the
    message catalog; themes added by facilitators keep a name per locale in `names`."""

    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("partnership_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    builtin: Mapped[bool] = mapped_column(default=False)
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partnership: Mapped[Partnership] = relationship()  # noqa: F821
