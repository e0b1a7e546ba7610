"""Funding ideas: money a partnership is looking for, in a pipeline from idea to decision."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column as SAColumn
from sqlalchemy import ForeignKey, Index, Numeric, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

# The pipeline, in the order its columns are shown.
FUNDING_STATUSES = ("idea", "researching", "drafting", "submitted", "granted", "rejected", "withdrawn")
OPEN_FUNDING_STATUSES = ("idea", "researching", "drafting", "submitted")

# ISO 4217 codes we accept (a fixed list: no silent conversion, no typos like "EURO").
CURRENCIES = (
    "EUR",
    "BYN",
    "RUB",
    "UAH",
    "PLN",
    "USD",
    "GBP",
    "CHF",
    "SEK",
    "NOK",
    "DKK",
    "CZK",
    "HUF",
    "RON",
    "BGN",
    "MDL",
    "GEL",
    "AMD",
    "AZN",
    "KZT",
    "TRY",
    "JPY",
    "CAD",
)

funding_idea_projects = Table(
    "funding_idea_projects",
    db.Model.metadata,
    SAColumn("funding_idea_id", ForeignKey("funding_ideas.id", ondelete="CASCADE"), primary_key=True),
    SAColumn("project_id", ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class FundingIdea(db.Model):
    __tablename__ = "funding_ideas"
    __table_args__ = (Index("ix_funding_ideas_partnership_deadline", "partnership_id", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    funder: Mapped[str] = mapped_column(String(200), default="")
    programme: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    cofunding: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    deadline: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="idea")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    next_step: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str | None] = mapped_column(String(8))  # original language of the text
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    partnership: Mapped[Partnership] = relationship()  # noqa: F821
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])  # noqa: F821
    projects: Mapped[list[Project]] = relationship(  # noqa: F821
        secondary=funding_idea_projects, order_by="Project.title"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_FUNDING_STATUSES


class CalendarFeed(db.Model):
    """A person's secret calendar link for one partnership; only the token's SHA-256 is kept."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (db.UniqueConstraint("user_id", "partnership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()  # noqa: F821
    partnership: Mapped[Partnership] = relationship()  # noqa: F821
