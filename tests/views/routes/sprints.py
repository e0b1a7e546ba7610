"""Routes of sprints and charts."""

from sprintboard.extensions import db
from tests import factories

ROUTES = {
    "sprints.index": ("p", "view"),
    "sprints.create": ("p", "manage"),
    "sprints.show": ("p", "view"),
    "sprints.pull": ("p", "manage"),
    "sprints.remove": ("p", "manage"),
    "sprints.edit": ("p", "manage"),
    "sprints.start": ("p", "manage"),
    "sprints.close": ("p", "manage"),
    "sprints.charts_page": ("p", "view"),
}


def _setup(p, actor):
    card = factories.card(p, "Sprint card", estimate=3, actor=actor)
    sprint = factories.sprint(p, "Sprint 1", actor=actor, cards=[card])
    return sprint, card


def params(world) -> dict:
    sprint, card = _setup(world.partnership, world.users["facilitator"])
    db.session.commit()
    return {"sid": sprint.id, "card_id": card.id}


def foreign(world) -> dict:
    sprint, card = _setup(world.other, world.users["outsider"])
    db.session.commit()
    return {"sid": sprint.id, "card_id": card.id}
