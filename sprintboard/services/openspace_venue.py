"""The venue of an open-space event: its rooms (places, step-free or not, online link) and its
time slots (wall-clock times at the venue, never overlapping on a day)."""

from __future__ import annotations

from datetime import date, time

from flask_babel import gettext as _

from ..extensions import db
from ..live import openspace as live
from ..models import OpenSpace, SpaceRoom, SpaceSlot
from . import DomainError
from .activity import describes, log

ROOM_CAPACITY_MAX = 10_000


def _clean(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


def _room_values(event: OpenSpace, room: SpaceRoom, name, capacity, accessible, online_url) -> None:
    name = _clean(name, 120)
    if not name:
        raise DomainError(_("Give the room a name."))
    if not 1 <= (capacity or 0) <= ROOM_CAPACITY_MAX:
        raise DomainError(_("A room holds from 1 to %(n)d people.", n=ROOM_CAPACITY_MAX))
    taken = {r.name.casefold() for r in event.rooms if r is not room}
    if name.casefold() in taken:
        raise DomainError(_("There is already a room called “%(name)s”.", name=name))
    room.name, room.capacity, room.accessible = name, capacity, bool(accessible)
    room.online_url = (online_url or "").strip()[:500] or None


def add_room(
    event: OpenSpace, name: str, capacity: int, accessible=True, online_url=None, *, actor
) -> SpaceRoom:
    room = SpaceRoom(position=len(event.rooms))
    _room_values(event, room, name, capacity, accessible, online_url)
    event.rooms.append(room)
    db.session.flush()
    log(actor, "openspace.room_added", event, partnership=event.partnership, name=room.name)
    live.changed(event, "openspace.room_added")
    return room


def update_room(room: SpaceRoom, name: str, capacity: int, accessible, online_url, *, actor) -> None:
    _room_values(room.event, room, name, capacity, accessible, online_url)
    db.session.flush()
    live.changed(room.event, "openspace.room_updated")


def delete_room(room: SpaceRoom, *, actor) -> None:
    """The room goes; its sessions go back to the unplaced ones."""
    event = room.event
    for session in event.sessions:
        if session.room_id == room.id:
            session.room_id = session.slot_id = None
    db.session.flush()
    event.rooms.remove(room)
    db.session.flush()
    log(actor, "openspace.room_deleted", event, partnership=event.partnership, name=room.name)
    live.changed(event, "openspace.room_deleted")


def _slot_values(event: OpenSpace, slot: SpaceSlot, day: date, starts: time, ends: time) -> None:
    if day is None or starts is None or ends is None:
        raise DomainError(_("A slot needs a day, a start and an end."))
    if ends <= starts:
        raise DomainError(_("A slot ends after it starts."))
    for other in event.slots:
        if other is not slot and other.day == day and other.starts < ends and starts < other.ends:
            raise DomainError(
                _(
                    "This overlaps the slot %(start)s–%(end)s on the same day.",
                    start=other.starts.strftime("%H:%M"),
                    end=other.ends.strftime("%H:%M"),
                )
            )
    slot.day, slot.starts, slot.ends = (
        day,
        starts.replace(second=0, microsecond=0),
        ends.replace(second=0, microsecond=0),
    )


def add_slot(event: OpenSpace, day: date, starts: time, ends: time, *, actor) -> SpaceSlot:
    slot = SpaceSlot()
    _slot_values(event, slot, day, starts, ends)
    event.slots.append(slot)
    db.session.flush()
    db.session.expire(event, ["slots"])  # read again in time order
    log(actor, "openspace.slot_added", event, partnership=event.partnership)
    live.changed(event, "openspace.slot_added")
    return slot


def update_slot(slot: SpaceSlot, day: date, starts: time, ends: time, *, actor) -> None:
    _slot_values(slot.event, slot, day, starts, ends)
    db.session.flush()
    db.session.expire(slot.event, ["slots"])  # read again in time order
    live.changed(slot.event, "openspace.slot_updated")


def delete_slot(slot: SpaceSlot, *, actor) -> None:
    event = slot.event
    for session in event.sessions:
        if session.slot_id == slot.id:
            session.room_id = session.slot_id = None
    db.session.flush()
    event.slots.remove(slot)
    db.session.flush()
    log(actor, "openspace.slot_deleted", event, partnership=event.partnership)
    live.changed(event, "openspace.slot_deleted")


@describes("openspace.room_added")
def _room_added(d, who):
    return _("%(who)s added the room %(name)s to the open space", who=who, name=d.get("name", ""))


@describes("openspace.room_deleted")
def _room_deleted(d, who):
    return _("%(who)s removed the room %(name)s from the open space", who=who, name=d.get("name", ""))


@describes("openspace.slot_added")
def _slot_added(d, who):
    return _("%(who)s added a time slot to the open space", who=who)


@describes("openspace.slot_deleted")
def _slot_deleted(d, who):
    return _("%(who)s removed a time slot from the open space", who=who)
