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
    "openspace_settings.settings": ("o", "manage"),
    "openspace_settings.update": ("o", "manage"),
    "openspace_settings.delete": ("o", "manage"),
    "openspace_settings.add_room": ("o", "manage"),
    "openspace_settings.update_room": ("o", "manage"),
    "openspace_settings.delete_room": ("o", "manage"),
    "openspace_settings.add_slot": ("o", "manage"),
    "openspace_settings.update_slot": ("o", "manage"),
    "openspace_settings.delete_slot": ("o", "manage"),
    "openspace_settings.renew_link": ("o", "manage"),
    "openspace_settings.renew_feed": ("o", "manage"),
    "openspace_sessions.propose": ("o", "take_part"),
    "openspace_sessions.create_session": ("o", "take_part"),
    "openspace_sessions.session": ("o", "view"),
    "openspace_sessions.edit_session": ("o", "take_part"),
    "openspace_sessions.update_session": ("o", "take_part"),
    "openspace_sessions.withdraw_session": ("o", "take_part"),
    "openspace_sessions.add_dot": ("o", "take_part"),
    "openspace_sessions.remove_dot": ("o", "take_part"),
    "openspace_sessions.save_notes": ("o", "take_part"),
    "openspace_report.to_card": ("o", "manage"),
    "openspace_report.to_entry": ("o", "manage"),
    "openspace_grid.grid": ("o", "view"),
    "openspace_grid.place": ("o", "manage"),
    "openspace_grid.suggest": ("o", "manage"),
    "openspace_grid.wall": ("o", "view"),
    "openspace_grid.now": ("o", "view"),
    "openspace_grid.print_schedule": ("o", "view"),
    "openspace_grid.stream": ("o", "view"),
    "openspace_people.profile": ("o", "take_part"),
    "openspace_people.update_profile": ("o", "take_part"),
    "openspace_people.leave": ("o", "take_part"),
    "openspace_people.people": ("o", "manage"),
    "openspace_people.remove_person": ("o", "manage"),
    "openspace_people.set_role": ("o", "manage"),
    "openspace_report.report": ("o", "view"),
    "openspace_report.export_json": ("o", "manage"),
    "openspace_report.export_csv": ("o", "manage"),
    # Reached by a link: registration, a guest's personal link, the calendar feed.
    "openspace_people.join": "public",
    "openspace_people.register": "public",
    "openspace_people.personal_link": "public",
    "openspace_report.feed": "public",
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
