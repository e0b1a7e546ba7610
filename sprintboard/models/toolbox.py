"""The toolbox: methods and formats for twin-city work, each with translations side by side."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

PHASES = ("kickoff", "match", "sprint", "succeed", "any")
# A member's proposal waits for programme staff ("proposed"), then is "published" or "declined".
METHOD_STATES = ("proposed", "published", "declined")
METHOD_LOCALES = ("en", "de", "ru", "uk", "be")


class Method(db.Model):
    __tablename__ = "methods"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)  # stable across export/import
    phase: Mapped[str] = mapped_column(String(20), default="any")
    duration_minutes: Mapped[int] = mapped_column(default=60)
    group_min: Mapped[int] = mapped_column(default=2)
    group_max: Mapped[int] = mapped_column(default=30)
    licence: Mapped[str] = mapped_column(String(100), default="CC BY-SA 4.0")
    author: Mapped[str] = mapped_column(String(200), default="")
    original_language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Shared methods (partnership None) are kept by programme staff and seen by everyone; a
    # partnership's own copy ("adapted") is seen and edited by that partnership only.
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True
    )
    adapted_from_id: Mapped[int | None] = mapped_column(ForeignKey("methods.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default="published", server_default="published")
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    review_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    reviewed_at: Mapped[datetime | None] = mapped_column()

    adapted_from: Mapped[Method | None] = relationship(remote_side=[id])
    partnership: Mapped[Partnership | None] = relationship()  # noqa: F821
    proposed_by: Mapped[User | None] = relationship()  # noqa: F821
    translations: Mapped[list[MethodTranslation]] = relationship(
        back_populates="method", cascade="all, delete-orphan", order_by="MethodTranslation.locale"
    )

    @property
    def is_shared(self) -> bool:
        """In the shared toolbox: no partnership's own copy, and not a proposal under review."""
        return self.partnership_id is None and self.state == "published"

    @property
    def languages(self) -> list[str]:
        have = {t.locale for t in self.translations}
        return [loc for loc in METHOD_LOCALES if loc in have]

    def text(self, locale: str | None = None) -> MethodTranslation | None:
        """The translation in `locale`, else the original, else any."""
        by_locale = {t.locale: t for t in self.translations}
        return (
            by_locale.get(locale or "")
            or by_locale.get(self.original_language)
            or next(iter(by_locale.values()), None)
        )


class MethodTranslation(db.Model):
    __tablename__ = "method_translations"
    __table_args__ = (UniqueConstraint("method_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    method_id: Mapped[int] = mapped_column(ForeignKey("methods.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    materials: Mapped[str] = mapped_column(Text, default="")
    steps: Mapped[str] = mapped_column(Text, default="")  # Markdown

    method: Mapped[Method] = relationship(back_populates="translations")
