"""A column of a partnership's board (with its WIP limit; `is_done` marks the done column)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

DEFAULT_COLUMNS = ("Backlog", "To do", "In progress", "Review", "Done")


class BoardColumn(db.Model):
    __tablename__ = "board_columns"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)
    wip_limit: Mapped[int | None]
    is_done: Mapped[bool] = mapped_column(default=False)

    partnership: Mapped[Partnership] = relationship()  # noqa: F821
