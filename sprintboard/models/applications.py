"""The call for applications: calls, applications, review criteria and scores."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

STATUSES = ("received", "shortlisted", "selected", "declined")
DEFAULT_COUNTRIES = ["BY", "DE", "RU", "UA"]


class Call(db.Model):
    """A call for applications; open until its deadline (stored as naive UTC plus the call's zone)."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    countries: Mapped[list] = mapped_column(JSON, default=list)  # ISO 3166-1 alpha-2 codes
    languages: Mapped[list] = mapped_column(JSON, default=list)  # locale codes
    deadline: Mapped[datetime]  # naive UTC
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")  # IANA name
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    applications: Mapped[list[Application]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Application.id"
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Criterion.position"
    )

    def is_open(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) < self.deadline

    @property
    def local_deadline(self) -> datetime:
        """The deadline as an aware datetime in the call's own time zone."""
        return self.deadline.replace(tzinfo=UTC).astimezone(ZoneInfo(self.timezone))


class Application(db.Model):
    """One city's application together with its partner city; personal data for admins only."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    applicant_city: Mapped[str] = mapped_column(String(120))
    applicant_country: Mapped[str] = mapped_column(String(2))
    partner_city: Mapped[str] = mapped_column(String(120))
    partner_country: Mapped[str] = mapped_column(String(2))
    institution: Mapped[str] = mapped_column(String(300))
    contact_person: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(60), default="")
    social: Mapped[str] = mapped_column(String(300), default="")
    partner_contact_person: Mapped[str] = mapped_column(String(200), default="")
    partner_email: Mapped[str] = mapped_column(String(254), default="")
    answer_who: Mapped[str] = mapped_column(Text)
    answer_hopes: Mapped[str] = mapped_column(Text)
    answer_motivation: Mapped[str] = mapped_column(Text)
    answer_other: Mapped[str] = mapped_column(Text, default="")
    self_declaration: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(20), default="received", index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnerships.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    call: Mapped[Call] = relationship(back_populates="applications")
    partnership: Mapped[Partnership | None] = relationship()  # noqa: F821
    reviews: Mapped[list[Review]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="Review.id"
    )

    def review_by(self, user) -> Review | None:
        """`user`'s own review of this application, if they have scored it."""
        return next((r for r in self.reviews if r.reviewer_id is not None and r.reviewer_id == user.id), None)


class Criterion(db.Model):
    """A review criterion of a call; scores are 0–5, multiplied by the weight."""

    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    weight: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)

    call: Mapped[Call] = relationship(back_populates="criteria")


class Review(db.Model):
    """One reviewer's score of an application: 0–5 per criterion, and an optional note.

    A review without a reviewer is a legacy score, given before each reviewer scored on their own
    (or by someone whose account has gone)."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="reviews")
    reviewer: Mapped[User | None] = relationship()  # noqa: F821
    scores: Mapped[list[Score]] = relationship(back_populates="review", cascade="all, delete-orphan")

    def score_for(self, criterion: Criterion) -> int | None:
        return next((s.value for s in self.scores if s.criterion_id == criterion.id), None)

    @property
    def total(self) -> int:
        """The weighted sum of this reviewer's scores."""
        weights = {c.id: c.weight for c in self.application.call.criteria}
        return sum(s.value * weights.get(s.criterion_id, 0) for s in self.scores)


class Score(db.Model):
    """One criterion's 0–5 value within a review."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"))
    value: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    review: Mapped[Review] = relationship(back_populates="scores")
