"""The Undo button of the toast."""

from sprintboard.extensions import db
from sprintboard.services import undo

ROUTES = {
    "undo.undo": ("p", "edit"),  # and only the person who made the change (tests/views/test_undo.py)
}


def _offer(partnership, actor):
    action = undo.offer(partnership, "card.archive", {"card_id": 0}, actor=actor)
    db.session.commit()
    return action


def params(world) -> dict:
    return {"undo_id": _offer(world.partnership, world.users["member"]).id}


def foreign(world) -> dict:
    return {"undo_id": _offer(world.other, world.users["outsider"]).id}
