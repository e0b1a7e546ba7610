"""Routes of facilitation: timebox, freeze, dot votes, retrospective."""

from sprintboard.extensions import db
from sprintboard.services import facilitation

ROUTES = {
    "facilitation.index": ("p", "view"),
    "facilitation.timebox": ("p", "view"),
    "facilitation.start_timebox": ("p", "manage"),
    "facilitation.stop_timebox": ("p", "manage"),
    "facilitation.freeze": ("p", "manage"),
    "facilitation.unfreeze": ("p", "manage"),
    "facilitation.open_vote": ("p", "manage"),
    "facilitation.vote": ("p", "view"),
    "facilitation.cast": ("p", "edit"),
    "facilitation.retract": ("p", "edit"),
    "facilitation.reveal": ("p", "manage"),
    "facilitation.retro": ("p", "view"),
    "facilitation.add_note": ("p", "edit"),
    "facilitation.note_to_card": ("p", "edit"),
    "facilitation.delete_note": ("p", "manage"),
}


def _setup(p, actor):
    session = facilitation.open_vote(p, "Which first?", 3, ideas=["Choir", "Bikes"], actor=actor)
    note = facilitation.add_retro_note(p, "action", "Book the hall", actor=actor)
    return session, note


def params(world) -> dict:
    session, note = _setup(world.partnership, world.users["facilitator"])
    db.session.commit()
    return {"vid": session.id, "option_id": session.items[0].id, "nid": note.id}


def foreign(world) -> dict:
    session, note = _setup(world.other, world.users["outsider"])
    db.session.commit()
    return {"vid": session.id, "option_id": session.items[0].id, "nid": note.id}
