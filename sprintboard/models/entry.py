"""An interest, need, potential or idea of one city (the raw material of matching)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import link_table, utcnow
from .theme import Theme

ENTRY_KINDS = ("interest", "need", "potential", "idea")

_ENTRY = ("entry_id", "match_entries")
entry_themes = link_table("match_entry_themes", _ENTRY, ("theme_id", "themes"))
project_entries = link_table("project_match_entries", ("project_id", "projects"), _ENTRY)


class MatchEntry(db.Model):
    """An interest, need, potential or idea of one city."""

    __tablename__ = "match_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(8))  # original language of the text
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partnership: Mapped[Partnership] = relationship()  # noqa: F821
    city: Mapped[City] = relationship()  # noqa: F821
    themes: Mapped[list[Theme]] = relationship(secondary=entry_themes, order_by="Theme.position")
