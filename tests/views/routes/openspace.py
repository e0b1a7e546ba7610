"""Routes of open-space events. ("o", need): people with a part in the event in the URL, with at
least `need` (view: observer, take_part: participant or guest, manage: facilitator); their role
matrix (guests included) is walked in tests/views/test_openspace_routes.py."""

from datetime import date

from sprintboard.extensions import db
from sprintboard.services import openspace
from tests import factories

ROUTES = {
    "openspace.index": "login",
    "openspace.create": "login",
    "openspace.partnership_index": ("p", "view"),
    "openspace.show": ("o", "view"),
    "openspace.settings": ("o", "manage"),
    "openspace.update": ("o", "manage"),
    "openspace.delete": ("o", "manage"),
    "openspace.add_room": ("o", "manage"),
    "openspace.update_room": ("o", "manage"),
    "openspace.delete_room": ("o", "manage"),
    "openspace.add_slot": ("o", "manage"),
    "openspace.update_slot": ("o", "manage"),
    "openspace.delete_slot": ("o", "manage"),
    "openspace.renew_link": ("o", "manage"),
    "openspace.renew_feed": ("o", "manage"),
    "openspace.propose": ("o", "take_part"),
    "openspace.create_session": ("o", "take_part"),
    "openspace.session": ("o", "view"),
    "openspace.edit_session": ("o", "take_part"),
    "openspace.update_session": ("o", "take_part"),
    "openspace.withdraw_session": ("o", "take_part"),
    "openspace.add_dot": ("o", "take_part"),
    "openspace.remove_dot": ("o", "take_part"),
    "openspace.save_notes": ("o", "take_part"),
    "openspace.to_card": ("o", "manage"),
    "openspace.to_entry": ("o", "manage"),
    "openspace.grid": ("o", "view"),
    "openspace.place": ("o", "manage"),
    "openspace.suggest": ("o", "manage"),
    "openspace.wall": ("o", "view"),
    "openspace.now": ("o", "view"),
    "openspace.print_schedule": ("o", "view"),
    "openspace.stream": ("o", "view"),
    "openspace.profile": ("o", "take_part"),
    "openspace.update_profile": ("o", "take_part"),
    "openspace.leave": ("o", "take_part"),
    "openspace.people": ("o", "manage"),
    "openspace.remove_person": ("o", "manage"),
    "openspace.set_role": ("o", "manage"),
    "openspace.report": ("o", "view"),
    "openspace.export_json": ("o", "manage"),
    "openspace.export_csv": ("o", "manage"),
    # Reached by a link: registration, a guest's personal link, the calendar feed.
    "openspace.join": "public",
    "openspace.register": "public",
    "openspace.personal_link": "public",
    "openspace.feed": "public",
}


def _setup(p, actor):
    day = date(2026, 5, 4)
    event = factories.open_space(
        p,
        actor=actor,
        rooms=[("Aula", 40), ("Lab", 12)],
        slots=[(day, "10:00", "10:45"), (day, "11:00", "11:45")],
    )
    guest, key = factories.guest(event, "Anna Gast")
    session = factories.space_session(event, "Choir exchange", by=guest)
    return event, guest, key, session


def objects(p, actor) -> dict:
    """An event of `p` with rooms, slots, a guest and a session, as URL parameters (and the
    guest's personal key)."""
    event, guest, key, session = _setup(p, actor)
    db.session.commit()
    return {
        "eid": event.id,
        "session_id": session.id,
        "room_id": event.rooms[0].id,
        "slot_id": event.slots[0].id,
        "ptid": guest.id,
        "join_token": openspace.registration_token(event),
        "feed_token": openspace.feed_token(event),
        "guest_key": f"{guest.id}.{key}",
    }


def params(world) -> dict:
    return objects(world.partnership, world.users["facilitator"])


def foreign(world) -> dict:
    found = objects(world.other, world.users["outsider"])
    return {k: found[k] for k in ("session_id", "room_id", "slot_id", "ptid")}
