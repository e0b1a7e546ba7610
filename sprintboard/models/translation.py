"""Translations of user-written text: one row per object × field × language.

One table for every kind of content (cards, comments, projects, workshops …) rather than
per-field JSON: the translation queue is one indexed query per partnership and language, a
translation can be outdated on its own (it records the hash and text of the original it
translated), and adding a kind needs no migration.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

# pending: a machine translation is asked for (the worker fills it in); failed: the machine
# service did not answer (error says why); ready: text to show (machine=True until a person
# accepts or corrects it).
TRANSLATION_STATUSES = ("pending", "failed", "ready")


class Translation(db.Model):
    __tablename__ = "translations"
    __table_args__ = (
        UniqueConstraint("kind", "object_id", "field", "language"),
        Index("ix_translations_queue", "partnership_id", "language", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # card, comment, project …
    object_id: Mapped[int]
    field: Mapped[str] = mapped_column(String(20))  # title, body …
    language: Mapped[str] = mapped_column(String(8))  # the language translated into
    text: Mapped[str] = mapped_column(Text, default="")
    # The original this translation was made from: when the original's hash differs, the
    # translation is outdated, and the diff from source_text shows what changed since.
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    source_text: Mapped[str] = mapped_column(Text, default="")
    machine: Mapped[bool] = mapped_column(default=False)
    provider: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="ready")
    error: Mapped[str | None] = mapped_column(String(40))
    translator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    translator: Mapped[User | None] = relationship()  # noqa: F821
