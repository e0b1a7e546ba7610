"""Files attached to a card, a workshop (its outcomes) or a funding idea.

The bytes live in the file storage (sprintboard/storage.py) under a content-addressed key
(the SHA-256 of what is stored, never the user's file name); a row names one owner.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

ATTACHMENT_OWNERS = ("card", "workshop", "funding_idea")


class Attachment(db.Model):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_storage_key", "storage_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    # Exactly one owner is set (services/attachments.py).
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), index=True
    )
    funding_idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("funding_ideas.id", ondelete="CASCADE"), index=True
    )
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))  # as shown and offered for download
    content_type: Mapped[str] = mapped_column(String(120))  # sniffed from the bytes
    size: Mapped[int]  # bytes stored (after EXIF stripping / HEIC conversion)
    storage_key: Mapped[str] = mapped_column(String(64))  # SHA-256 hex of the stored bytes
    thumbnail_key: Mapped[str | None] = mapped_column(String(80))
    width: Mapped[int | None]
    height: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploader: Mapped[User | None] = relationship()  # noqa: F821

    @property
    def is_image(self) -> bool:
        return self.thumbnail_key is not None

    @property
    def thumbnail_size(self) -> tuple[int, int]:
        """The thumbnail's width and height (the image fitted into 480 × 480)."""
        width, height = self.width or 480, self.height or 480
        scale = min(1, 480 / max(width, height))
        return max(1, round(width * scale)), max(1, round(height * scale))

    @property
    def owner_kind(self) -> str:
        if self.card_id is not None:
            return "card"
        return "workshop" if self.workshop_id is not None else "funding_idea"
