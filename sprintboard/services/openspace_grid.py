"""The room × slot grid of an open-space event: loading it in a fixed handful of queries, placing
sessions (by drag and drop, keyboard or form: the same call), and "suggest a schedule"."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..live import openspace as live
from ..models import OpenSpace, SpaceDot, SpaceParticipant, SpaceRoom, SpaceSession, SpaceSlot
from . import DomainError
from .activity import describes, log
from .openspace_schedule import Conflict, PersonInfo, RoomInfo, SessionInfo, conflicts, suggest


@dataclass
class Interest:
    dots: int = 0
    people: set[int] = field(default_factory=set)


@dataclass
class Grid:
    """What the grid pages show: plain data, loaded once."""

    event: OpenSpace
    rooms: list[SpaceRoom]
    slots: list[SpaceSlot]
    sessions: list[SpaceSession]  # every session, most wanted first
    cells: dict[tuple[int, int], SpaceSession]
    pool: list[SpaceSession]  # not placed yet, most wanted first
    interest: dict[int, Interest]
    conflicts: dict[int, list[Conflict]]
    people: dict[int, SpaceParticipant]

    def dots(self, session: SpaceSession) -> int:
        return self.interest.get(session.id, Interest()).dots

    def count(self, session: SpaceSession) -> int:
        return len(self.interest.get(session.id, Interest()).people)

    @property
    def cell_count(self) -> int:
        return len(self.rooms) * len(self.slots)


def _sessions(event: OpenSpace) -> list[SpaceSession]:
    return list(
        db.session.scalars(
            select(SpaceSession)
            .where(SpaceSession.event_id == event.id)
            .options(selectinload(SpaceSession.hosts))
            .order_by(SpaceSession.id)
        )
    )


def interest_of(event: OpenSpace) -> dict[int, Interest]:
    found: dict[int, Interest] = defaultdict(Interest)
    for session_id, participant_id in db.session.execute(
        select(SpaceDot.session_id, SpaceDot.participant_id).where(SpaceDot.event_id == event.id)
    ):
        found[session_id].dots += 1
        found[session_id].people.add(participant_id)
    return dict(found)


def _infos(sessions, interest, people) -> list[SessionInfo]:
    infos = []
    for s in sessions:
        got = interest.get(s.id, Interest())
        hosts = frozenset(h.id for h in s.hosts)
        audience = frozenset(got.people)
        infos.append(
            SessionInfo(
                id=s.id,
                dots=got.dots,
                hosts=hosts,
                audience=audience,
                needs_access=any(people[p].needs_access for p in hosts | audience if p in people),
                pinned=(s.room_id, s.slot_id) if s.is_placed else None,
            )
        )
    return infos


def _rooms(event: OpenSpace) -> list[RoomInfo]:
    return [RoomInfo(r.id, r.capacity, r.accessible, r.position) for r in event.rooms]


def load_grid(event: OpenSpace) -> Grid:
    sessions = _sessions(event)
    interest = interest_of(event)
    people = {
        p.id: p
        for p in db.session.scalars(select(SpaceParticipant).where(SpaceParticipant.event_id == event.id))
    }
    infos = _infos(sessions, interest, people)
    placement = {s.id: (s.room_id, s.slot_id) for s in sessions if s.is_placed}
    persons = [PersonInfo(p.id, frozenset(p.language_codes), p.needs_access) for p in people.values()]
    languages = {s.id: frozenset(s.language_codes) for s in sessions}
    found = conflicts(placement, infos, _rooms(event), persons, languages)
    rank = {info.id: n for n, info in enumerate(sorted(infos, key=lambda i: (-i.dots, -i.people, i.id)))}
    ordered = sorted(sessions, key=lambda s: rank[s.id])
    return Grid(
        event=event,
        rooms=list(event.rooms),
        slots=list(event.slots),
        sessions=ordered,
        cells={(s.room_id, s.slot_id): s for s in sessions if s.is_placed},
        pool=[s for s in ordered if not s.is_placed],
        interest=interest,
        conflicts=found,
        people=people,
    )


def _cell_text(room: SpaceRoom, slot: SpaceSlot) -> str:
    return f"{room.name}, {slot.starts:%H:%M}–{slot.ends:%H:%M}"


def place_session(
    session: SpaceSession, room: SpaceRoom | None, slot: SpaceSlot | None, *, actor, by: str = ""
):
    """Put `session` into the cell (room, slot), or take it off the grid (both None). A session
    already in that cell swaps places with it. Returns the other session moved, if any."""
    event = session.event
    if (room is None) != (slot is None):
        raise DomainError(
            _("Choose both a room and a time slot, or neither to take the session off the grid.")
        )
    if room is not None and (room.event_id != event.id or slot.event_id != event.id):
        raise DomainError(_("That belongs to another event."))
    old = (session.room_id, session.slot_id)
    new = (room.id, slot.id) if room is not None else (None, None)
    if old == new:
        return None
    other = None
    if room is not None:
        other = db.session.scalar(
            select(SpaceSession).where(SpaceSession.room_id == room.id, SpaceSession.slot_id == slot.id)
        )
    # One session per cell is a unique constraint: free both cells before filling them.
    session.room_id = session.slot_id = None
    if other is not None:
        other.room_id = other.slot_id = None
    db.session.flush()
    session.room_id, session.slot_id = new
    if other is not None:
        other.room_id, other.slot_id = old
    db.session.flush()
    where = _cell_text(room, slot) if room is not None else ""
    log(
        actor,
        "openspace.placed",
        session,
        partnership=event.partnership,
        title=session.title,
        where=where,
        by=by,
    )
    live.changed(event, "openspace.placed")
    return other


def apply_suggestion(event: OpenSpace, *, keep_placed: bool = True, actor, by: str = "") -> int:
    """Fill the grid from the interest dots (see openspace_schedule.suggest); with `keep_placed`
    the sessions already placed stay where they are. Returns how many sessions are placed."""
    if not event.rooms or not event.slots:
        raise DomainError(_("Add rooms and time slots first."))
    sessions = _sessions(event)
    people = {
        p.id: p
        for p in db.session.scalars(select(SpaceParticipant).where(SpaceParticipant.event_id == event.id))
    }
    infos = _infos(sessions, interest_of(event), people)
    if not keep_placed:
        infos = [SessionInfo(i.id, i.dots, i.hosts, i.audience, i.needs_access) for i in infos]
    placement = suggest(infos, _rooms(event), [s.id for s in event.slots])
    for s in sessions:
        s.room_id = s.slot_id = None
    db.session.flush()
    for s in sessions:
        s.room_id, s.slot_id = placement.get(s.id, (None, None))
    db.session.flush()
    log(actor, "openspace.suggested", event, partnership=event.partnership, placed=len(placement), by=by)
    live.changed(event, "openspace.suggested")
    return len(placement)


# Now and next -----------------------------------------------------------------------------------------


def local_now(event: OpenSpace, now: datetime | None = None) -> datetime:
    """The wall-clock time at the venue (naive, in the event's time zone)."""
    zone = ZoneInfo(event.timezone)
    moment = now.astimezone(zone) if now is not None else datetime.now(zone)
    return moment.replace(tzinfo=None)


def now_and_next(slots: list[SpaceSlot], at: datetime) -> tuple[SpaceSlot | None, SpaceSlot | None]:
    """The slot running at `at` (venue time) and the next one to start."""
    current = next((s for s in slots if s.start_at <= at < s.end_at), None)
    upcoming = next((s for s in sorted(slots, key=lambda s: s.start_at) if s.start_at > at), None)
    return current, upcoming


def sessions_in(grid: Grid, slot: SpaceSlot | None) -> list[tuple[SpaceRoom, SpaceSession]]:
    if slot is None:
        return []
    return [(room, grid.cells[room.id, slot.id]) for room in grid.rooms if (room.id, slot.id) in grid.cells]


@describes("openspace.placed")
def _placed(d, who):
    if d.get("where"):
        return _(
            "%(name)s put “%(title)s” into %(where)s",
            name=d.get("by") or who,
            title=d.get("title", ""),
            where=d["where"],
        )
    return _("%(name)s took “%(title)s” off the grid", name=d.get("by") or who, title=d.get("title", ""))


@describes("openspace.suggested")
def _suggested(d, who):
    return _("%(name)s filled the open-space grid from the interest dots", name=d.get("by") or who)
