"""Facilitation during a workshop: dot votes and retrospective notes.

The timebox and the freeze are columns of Partnership (one of each per partnership).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

VOTE_STATES = ("open", "revealed")
RETRO_KINDS = ("well", "improve", "action")


class VoteSession(db.Model):
    __tablename__ = "vote_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(200))
    votes_per_person: Mapped[int] = mapped_column(default=3)
    state: Mapped[str] = mapped_column(String(20), default="open")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revealed_at: Mapped[datetime | None]

    partnership: Mapped[Partnership] = relationship()  # noqa: F821
    items: Mapped[list[VoteItem]] = relationship(
        back_populates="session", order_by="VoteItem.position", cascade="all, delete-orphan"
    )


class VoteItem(db.Model):
    """One thing to vote on: a card of the board or a free-text idea."""

    __tablename__ = "vote_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("vote_sessions.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)

    session: Mapped[VoteSession] = relationship(back_populates="items")
    card: Mapped[Card | None] = relationship()  # noqa: F821


class Vote(db.Model):
    """One dot: a person may put several on the same item, up to the session's budget."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("vote_sessions.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("vote_items.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RetroNote(db.Model):
    __tablename__ = "retro_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    sprint_id: Mapped[int | None] = mapped_column(ForeignKey("sprints.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(8))  # original language of the text
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()  # noqa: F821
