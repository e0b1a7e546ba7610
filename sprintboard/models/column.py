"""A column of a partnership's board (with its WIP limit; `is_done` marks the done column)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class BoardColumn(db.Model):
    __tablename__ = "board_columns"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)
    wip_limit: Mapped[int | None]
    is_done: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str | None] = mapped_column(String(8))  # original language of the name

    # The name in the reader's language where someone translated it (set for one render by
    # services.translations.name_columns; not stored here).
    reader_name = None

    @property
    def shown_name(self) -> str:
        """The name as the reader sees it: translated when a current translation exists."""
        return self.reader_name or self.name

    partnership: Mapped[Partnership] = relationship()  # noqa: F821
