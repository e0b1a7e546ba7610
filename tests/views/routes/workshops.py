"""Routes of the workshop timeline."""

from sprintboard.extensions import db
from sprintboard.services import workshops
from tests import factories

ROUTES = {
    "workshops.index": ("p", "view"),
    "workshops.create": ("p", "manage"),
    "workshops.show": ("p", "view"),
    "workshops.update": ("p", "manage"),
    "workshops.held": ("p", "manage"),
    "workshops.outcomes": ("p", "manage"),
    "workshops.attendance": ("p", "manage"),
    "workshop_agenda.add_item": ("p", "manage"),
    "workshop_agenda.update_item": ("p", "manage"),
    "workshop_agenda.move_item": ("p", "manage"),
    "workshop_agenda.delete_item": ("p", "manage"),
    "workshop_agenda.link": ("p", "manage"),
    "workshop_agenda.unlink": ("p", "manage"),
}


def _workshop_with_item(p, actor):
    workshop = workshops.timeline(p)[0]
    item = workshops.add_agenda_item(workshop, "Welcome", duration=15, actor=actor)
    return workshop, item


def params(world) -> dict:
    workshop, item = _workshop_with_item(world.partnership, world.users["facilitator"])
    factories.card(world.partnership, "Linked card")
    db.session.commit()
    return {"wid": workshop.id, "item_id": item.id}


def foreign(world) -> dict:
    workshop, item = _workshop_with_item(world.other, world.users["outsider"])
    db.session.commit()
    return {"wid": workshop.id, "item_id": item.id}
