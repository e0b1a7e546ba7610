"""The search index: one row per searchable thing (card, comment, workshop, actor …).

Kept in step by services/search_index.py in the same transaction as the change. SQLite searches
it through the FTS5 table `search_fts` (migration 0220_search: external content, kept by
triggers); PostgreSQL through `document`, a tsvector with a GIN index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow

SEARCH_KINDS = ("card", "comment", "project", "workshop", "actor", "entry", "funding", "method")


class SearchEntry(db.Model):
    __tablename__ = "search_entries"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        Index("ix_search_entries_partnership_kind", "partnership_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: visible to everyone who may search (the toolbox).
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int]
    ref_key: Mapped[str | None] = mapped_column(String(80))  # a method's slug
    # A card's or comment's card: its entries go when the card goes (database cascade).
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id", ondelete="SET NULL"))
    language: Mapped[str | None] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    # Folded words and their stems (services/search_terms.py), what FTS5 indexes.
    title_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    document: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))
