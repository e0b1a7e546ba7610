"""Routes of facilitation: timebox, freeze, dot votes, retrospective."""

from sprintboard.extensions import db
from sprintboard.services import voting

ROUTES = {
    "facilitation.index": ("p", "view"),
    "facilitation.timebox": ("p", "view"),
    "facilitation.start_timebox": ("p", "manage"),
    "facilitation.stop_timebox": ("p", "manage"),
    "facilitation.freeze": ("p", "manage"),
    "facilitation.unfreeze": ("p", "manage"),
    "voting.open_vote": ("p", "manage"),
    "voting.vote": ("p", "view"),
    "voting.cast": ("p", "edit"),
    "voting.retract": ("p", "edit"),
    "voting.reveal": ("p", "manage"),
    "voting.retro": ("p", "view"),
    "voting.add_note": ("p", "edit"),
    "voting.note_to_card": ("p", "edit"),
    "voting.delete_note": ("p", "manage"),
}


def _setup(p, actor):
    session = voting.open_vote(p, "Which first?", 3, ideas=["Choir", "Bikes"], actor=actor)
    note = voting.add_retro_note(p, "action", "Book the hall", actor=actor)
    return session, note


def params(world) -> dict:
    session, note = _setup(world.partnership, world.users["facilitator"])
    db.session.commit()
    return {"vid": session.id, "option_id": session.items[0].id, "nid": note.id}


def foreign(world) -> dict:
    session, note = _setup(world.other, world.users["outsider"])
    db.session.commit()
    return {"vid": session.id, "option_id": session.items[0].id, "nid": note.id}
