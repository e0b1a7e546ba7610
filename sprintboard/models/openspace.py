"""Open-space events (BarCamps): rooms × time slots, participants, proposed sessions, interest dots.

An event belongs to a partnership or stands on its own (a BarCamp open to many partnerships, where
people register by a public link). Guests are participants without an account.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import link_table, utcnow

SESSION_FORMATS = ("talk", "discussion", "workshop", "hands_on")
SESSION_NEEDS = ("projector", "flip_chart")
# Languages a session is held in and participants speak (ISO 639-1; names come from Babel).
SESSION_LANGUAGES = ("en", "de", "ru", "uk", "be", "pl", "lt", "lv", "fr")
PARTICIPANT_ROLES = ("participant", "facilitator")

session_hosts = link_table(
    "openspace_session_hosts",
    ("session_id", "openspace_sessions"),
    ("participant_id", "openspace_participants"),
)


def _codes(value: str | None) -> list[str]:
    return [c for c in (value or "").split(",") if c]


class OpenSpace(db.Model):
    """One open-space event or BarCamp."""

    __tablename__ = "openspace_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True
    )
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshops.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(300), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Berlin")
    dots_per_person: Mapped[int] = mapped_column(default=3)
    votes_visible: Mapped[bool] = mapped_column(default=False)
    registration_open: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int | None]  # registered participants at most (None: no limit)
    # Random salts the public links are signed with: a new salt revokes the old links.
    link_salt: Mapped[str] = mapped_column(String(32))
    feed_salt: Mapped[str] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partnership: Mapped[Partnership | None] = relationship()  # noqa: F821
    workshop: Mapped[Workshop | None] = relationship()  # noqa: F821
    rooms: Mapped[list[SpaceRoom]] = relationship(
        back_populates="event", order_by="[SpaceRoom.position, SpaceRoom.id]", cascade="all, delete-orphan"
    )
    slots: Mapped[list[SpaceSlot]] = relationship(
        back_populates="event",
        order_by="[SpaceSlot.day, SpaceSlot.starts, SpaceSlot.id]",
        cascade="all, delete-orphan",
    )
    sessions: Mapped[list[SpaceSession]] = relationship(
        back_populates="event", order_by="SpaceSession.id", cascade="all, delete-orphan"
    )
    participants: Mapped[list[SpaceParticipant]] = relationship(
        back_populates="event", order_by="SpaceParticipant.id", cascade="all, delete-orphan"
    )


class SpaceRoom(db.Model):
    __tablename__ = "openspace_rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("openspace_events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    capacity: Mapped[int] = mapped_column(default=20)
    accessible: Mapped[bool] = mapped_column(default=True)
    online_url: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[OpenSpace] = relationship(back_populates="rooms")


class SpaceSlot(db.Model):
    """A time slot, in the event's time zone (wall-clock times of the venue)."""

    __tablename__ = "openspace_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("openspace_events.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    starts: Mapped[time]
    ends: Mapped[time]

    event: Mapped[OpenSpace] = relationship(back_populates="slots")

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.day, self.starts)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.day, self.ends)


class SpaceParticipant(db.Model):
    """Someone taking part: a user (member of a partnership) or a registered guest (no account)."""

    __tablename__ = "openspace_participants"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("openspace_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(120), default="")
    languages: Mapped[str] = mapped_column(String(100), default="")  # comma-separated codes
    needs_access: Mapped[bool] = mapped_column(default=False)
    role: Mapped[str] = mapped_column(String(20), default="participant")
    registered: Mapped[bool] = mapped_column(default=False)  # came through the registration link
    # SHA-256 of a guest's personal key (the signed cookie and the personal link carry the key).
    key_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[OpenSpace] = relationship(back_populates="participants")
    user: Mapped[User | None] = relationship()  # noqa: F821

    @property
    def language_codes(self) -> list[str]:
        return _codes(self.languages)

    @property
    def is_guest(self) -> bool:
        return self.user_id is None


class SpaceSession(db.Model):
    """A proposed session; placed when it has a room and a slot."""

    __tablename__ = "openspace_sessions"
    __table_args__ = (UniqueConstraint("room_id", "slot_id"),)  # one session per cell

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("openspace_events.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(20), default="discussion")
    languages: Mapped[str] = mapped_column(String(100), default="")
    needs: Mapped[str] = mapped_column(String(100), default="")
    proposer_id: Mapped[int | None] = mapped_column(
        ForeignKey("openspace_participants.id", ondelete="SET NULL")
    )
    room_id: Mapped[int | None] = mapped_column(ForeignKey("openspace_rooms.id", ondelete="SET NULL"))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("openspace_slots.id", ondelete="SET NULL"))
    # Documentation, written during the session (Markdown), with an optimistic lock.
    notes: Mapped[str] = mapped_column(Text, default="")
    notes_languages: Mapped[str] = mapped_column(String(100), default="")
    outcome: Mapped[str] = mapped_column(String(500), default="")
    notes_version: Mapped[int] = mapped_column(default=0)
    notes_by: Mapped[str] = mapped_column(String(120), default="")
    notes_at: Mapped[datetime | None]
    # What the session became afterwards.
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("match_entries.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[OpenSpace] = relationship(back_populates="sessions")
    proposer: Mapped[SpaceParticipant | None] = relationship()
    hosts: Mapped[list[SpaceParticipant]] = relationship(
        secondary=session_hosts, order_by="SpaceParticipant.id"
    )
    room: Mapped[SpaceRoom | None] = relationship()
    slot: Mapped[SpaceSlot | None] = relationship()
    card: Mapped[Card | None] = relationship()  # noqa: F821
    entry: Mapped[MatchEntry | None] = relationship()  # noqa: F821

    @property
    def language_codes(self) -> list[str]:
        return _codes(self.languages)

    @property
    def need_codes(self) -> list[str]:
        return _codes(self.needs)

    @property
    def notes_language_codes(self) -> list[str]:
        return _codes(self.notes_languages)

    @property
    def is_placed(self) -> bool:
        return self.room_id is not None and self.slot_id is not None


class SpaceDot(db.Model):
    """One interest dot of a participant on a session (several on one session are allowed)."""

    __tablename__ = "openspace_dots"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("openspace_events.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("openspace_sessions.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("openspace_participants.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
