"""A card on the board, its assignees, labels and checklist."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column as SAColumn
from sqlalchemy import ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow
from .column import BoardColumn
from .label import Label

card_assignees = Table(
    "card_assignees",
    db.Model.metadata,
    SAColumn("card_id", ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True),
    SAColumn("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)

card_labels = Table(
    "card_labels",
    db.Model.metadata,
    SAColumn("card_id", ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True),
    SAColumn("label_id", ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True, index=True),
)

BOARD_CELL_ORDER = ("column_id", "position", "id")


class Card(db.Model):
    """A card. `version` is the edit lock: it grows with every edit of what the edit form holds
    (title, text, project, estimate, due date, language, assignees, labels). `revision` grows with
    every change to what the card shows on the board (the edits, and comments, checklist ticks,
    attachments, archiving): the render-cache key. A colleague's comment or tick changes the
    revision only, so it never makes an open edit form stale. Moves change `column_id`/`position`
    only. Positions are gapped integers ordered within a column."""

    __tablename__ = "cards"
    __table_args__ = (
        Index("ix_cards_board", "partnership_id", "archived_at", "column_id", "position"),
        Index("ix_cards_column_position", "column_id", "position"),
        # The board's cells (project and column) in order: the board ranks their cards in it.
        Index("ix_cards_board_cells", "partnership_id", "archived_at", "project_id", *BOARD_CELL_ORDER),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("board_columns.id"))
    sprint_id: Mapped[int | None] = mapped_column(ForeignKey("sprints.id", ondelete="SET NULL"), index=True)
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(8))
    estimate: Mapped[int | None]
    due_date: Mapped[date | None]
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    revision: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]
    # Counters kept by the services so the board needs no per-card queries.
    comment_count: Mapped[int] = mapped_column(default=0)
    attachment_count: Mapped[int] = mapped_column(default=0, server_default="0")
    checklist_total: Mapped[int] = mapped_column(default=0)
    checklist_done: Mapped[int] = mapped_column(default=0)

    partnership: Mapped[Partnership] = relationship()  # noqa: F821
    project: Mapped[Project | None] = relationship()  # noqa: F821
    column: Mapped[BoardColumn] = relationship()
    author: Mapped[User | None] = relationship()  # noqa: F821
    assignees: Mapped[list[User]] = relationship(  # noqa: F821
        secondary=card_assignees, order_by="User.name"
    )
    labels: Mapped[list[Label]] = relationship(secondary=card_labels, order_by="Label.name")
    checklist: Mapped[list[ChecklistItem]] = relationship(
        back_populates="card", order_by="ChecklistItem.position", cascade="all, delete-orphan"
    )
    comments: Mapped[list[Comment]] = relationship(  # noqa: F821
        back_populates="card", order_by="Comment.id", cascade="all, delete-orphan"
    )

    def touch(self) -> None:
        """Something the card shows changed but not what its edit form holds (a comment, a
        checklist tick, an attachment, archiving, a translation): a new revision, the same
        version, so an open edit form of the card stays valid."""
        self.revision = Card.revision + 1
        self.updated_at = utcnow()


class ChecklistItem(db.Model):
    __tablename__ = "checklist_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    done: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    card: Mapped[Card] = relationship(back_populates="checklist")
