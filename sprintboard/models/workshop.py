"""The workshop series of a partnership: workshops, their agenda and attendance."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

WORKSHOP_KINDS = ("kickoff", "match_sprint", "sprint_succeed", "custom", "online")
WORKSHOP_STATUSES = ("planned", "held")


class Workshop(db.Model):
    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="custom")
    title: Mapped[str] = mapped_column(String(200))
    host_city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id", ondelete="SET NULL"))
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    # Wall-clock times in the partnership's zone (start on start_date, end on end_date): a workshop
    # at 10:00 stays at 10:00 local across a daylight saving change. None: all day.
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    venue: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="planned")
    outcomes: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(8))  # original language of the text
    position: Mapped[int] = mapped_column(default=0)
    held_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partnership: Mapped[Partnership] = relationship()  # noqa: F821
    host_city: Mapped[City | None] = relationship()  # noqa: F821
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="workshop", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan"
    )

    @property
    def is_held(self) -> bool:
        return self.status == "held"

    @property
    def last_day(self) -> date | None:
        return self.end_date or self.start_date


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    duration: Mapped[int | None]  # minutes
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(8))  # original language of the text
    # The toolbox method this item uses, if any.
    method_id: Mapped[int | None] = mapped_column(ForeignKey("methods.id", ondelete="SET NULL"), index=True)

    workshop: Mapped[Workshop] = relationship(back_populates="agenda")
    responsible: Mapped[User | None] = relationship()  # noqa: F821
    method: Mapped[Method | None] = relationship()  # noqa: F821


class Attendance(db.Model):
    __tablename__ = "workshop_attendance"
    __table_args__ = (UniqueConstraint("workshop_id", "city_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"))
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"))
    count: Mapped[int] = mapped_column(default=0)

    workshop: Mapped[Workshop] = relationship(back_populates="attendance")
    city: Mapped[City] = relationship()  # noqa: F821
