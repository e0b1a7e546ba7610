"""The open-space grid as plain data: "suggest a schedule" and the conflicts of a placement.

Both are pure functions of plain values (no database, no request), so they can be tested for their
properties with hypothesis: the suggestion never puts a host in two sessions of one slot, never
places more sessions than there are cells, and gives the same answer for the same input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

Cell = tuple[int, int]  # (room id, slot id)


@dataclass(frozen=True)
class RoomInfo:
    id: int
    capacity: int
    accessible: bool = True
    position: int = 0


@dataclass(frozen=True)
class SessionInfo:
    id: int
    dots: int = 0  # interest dots (a person may give several)
    hosts: frozenset[int] = frozenset()  # participant ids
    audience: frozenset[int] = frozenset()  # participant ids who marked interest
    needs_access: bool = False  # a host or someone interested needs an accessible room
    pinned: Cell | None = None  # where the facilitator put it (kept when possible)

    @property
    def people(self) -> int:
        return len(self.audience)


@dataclass(frozen=True)
class PersonInfo:
    id: int
    languages: frozenset[str] = frozenset()
    needs_access: bool = False


@dataclass(frozen=True)
class Conflict:
    kind: str  # "host" | "small" | "language" | "access"
    session_id: int
    people: tuple[int, ...] = ()  # who is affected (hosts in two places, people needing access …)
    count: int = 0  # interest against capacity, or how many understand none of the languages
    other: int | None = None  # the session in the same slot (host clashes)


@dataclass
class _Grid:
    rooms: list[RoomInfo]
    slots: list[int]
    taken: dict[Cell, int] = field(default_factory=dict)
    busy: dict[int, set[int]] = field(default_factory=dict)  # slot -> hosts busy in it
    heard: dict[int, set[int]] = field(default_factory=dict)  # slot -> audience of its sessions

    def free(self, session: SessionInfo, cell: Cell) -> bool:
        return cell not in self.taken and not (self.busy.get(cell[1], set()) & session.hosts)

    def put(self, session: SessionInfo, cell: Cell) -> None:
        self.taken[cell] = session.id
        self.busy.setdefault(cell[1], set()).update(session.hosts)
        self.heard.setdefault(cell[1], set()).update(session.audience)


def _priority(session: SessionInfo) -> tuple:
    return (-session.dots, -session.people, session.id)


def suggest(
    sessions: Iterable[SessionInfo], rooms: Iterable[RoomInfo], slots: Iterable[int]
) -> dict[int, Cell]:
    """A placement {session id: (room id, slot id)}: the most wanted sessions into the largest
    rooms, spread over the slots, hosts never in two places at once.

    Pinned sessions stay where they are unless their cell is gone, taken by a session that
    comes first, or clashes with its hosts; sessions that find no free cell are left out.
    `slots` are ids in time order. The result depends only on the input's values, not its order.
    """
    rooms = sorted(rooms, key=lambda r: (-r.capacity, r.position, r.id))
    grid = _Grid(rooms=rooms, slots=list(slots))
    cells = {(r.id, s) for r in rooms for s in grid.slots}
    ordered = sorted(sessions, key=_priority)
    placement: dict[int, Cell] = {}
    for session in ordered:
        cell = session.pinned
        if cell is not None and cell in cells and grid.free(session, cell):
            grid.put(session, cell)
            placement[session.id] = cell
    for session in ordered:
        if session.id in placement:
            continue
        cell = _best_cell(session, grid)
        if cell is not None:
            grid.put(session, cell)
            placement[session.id] = cell
    return placement


def _best_cell(session: SessionInfo, grid: _Grid) -> Cell | None:
    """The largest room with a free slot (accessible rooms first when needed); in it, the slot
    whose sessions share the fewest interested people with this one, then the earliest."""
    rooms = grid.rooms
    if session.needs_access:
        rooms = [r for r in rooms if r.accessible] + [r for r in rooms if not r.accessible]
    for room in rooms:
        options = [
            (len(grid.heard.get(slot, set()) & session.audience), index, slot)
            for index, slot in enumerate(grid.slots)
            if grid.free(session, (room.id, slot))
        ]
        if options:
            return room.id, min(options)[2]
    return None


def conflicts(
    placement: dict[int, Cell],
    sessions: Iterable[SessionInfo],
    rooms: Iterable[RoomInfo],
    people: Iterable[PersonInfo],
    languages: dict[int, frozenset[str]],
) -> dict[int, list[Conflict]]:
    """What is wrong with a placement, per session id: a host in two sessions of one slot, a room
    smaller than the interest, a session in languages none of the people interested in it speak
    (`languages`: session id -> codes; people who gave no languages are not counted), someone
    who needs an accessible room in one that is not."""
    sessions = {s.id: s for s in sessions}
    rooms = {r.id: r for r in rooms}
    people = {p.id: p for p in people}
    found: dict[int, list[Conflict]] = {}
    by_slot: dict[int, list[int]] = {}
    for sid, (_room, slot) in sorted(placement.items()):
        by_slot.setdefault(slot, []).append(sid)
    for sid, (room_id, slot) in sorted(placement.items()):
        session, room = sessions.get(sid), rooms.get(room_id)
        if session is None or room is None:
            continue
        mine = found.setdefault(sid, [])
        for other in by_slot[slot]:
            shared = session.hosts & sessions[other].hosts if other != sid and other in sessions else set()
            if shared:
                mine.append(Conflict("host", sid, people=tuple(sorted(shared)), other=other))
        if session.people > room.capacity:
            mine.append(Conflict("small", sid, count=session.people))
        spoken = languages.get(sid) or frozenset()
        listeners = [people[p] for p in sorted(session.audience - session.hosts) if p in people]
        listeners = [p for p in listeners if p.languages]  # who gave no languages is not counted
        if spoken and listeners and not any(p.languages & spoken for p in listeners):
            mine.append(
                Conflict("language", sid, people=tuple(p.id for p in listeners), count=len(listeners))
            )
        needing = [
            p for p in sorted(session.audience | session.hosts) if p in people and people[p].needs_access
        ]
        if needing and not room.accessible:
            mine.append(Conflict("access", sid, people=tuple(needing), count=len(needing)))
        if not mine:
            del found[sid]
    return found
