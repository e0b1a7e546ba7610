"""A match: entries of different cities that belong together."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import link_table, utcnow
from .entry import MatchEntry
from .theme import Theme

MATCH_STATUSES = ("proposed", "accepted")

match_entry_links = link_table("match_entry_links", ("match_id", "matches"), ("entry_id", "match_entries"))
# Which dot-vote item (services.facilitation) stands for which match.
match_vote_items = link_table("match_vote_items", ("match_id", "matches"), ("item_id", "vote_items"))


class Match(db.Model):
    """Entries of different cities that belong together: a pair, or a group across >2 cities."""

    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partnership: Mapped[Partnership] = relationship()  # noqa: F821
    theme: Mapped[Theme | None] = relationship()
    project: Mapped[Project | None] = relationship()  # noqa: F821
    created_by: Mapped[User | None] = relationship()  # noqa: F821
    entries: Mapped[list[MatchEntry]] = relationship(secondary=match_entry_links, order_by="MatchEntry.id")
