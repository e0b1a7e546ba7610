"""Routes of a partnership's own versions of toolbox methods."""

from sprintboard.extensions import db
from sprintboard.services import toolbox_copies

ROUTES = {
    "toolbox_copies.adapt": ("p", "manage"),
    "toolbox_copies.show": ("p", "view"),
    "toolbox_copies.edit": ("p", "manage"),
    "toolbox_copies.delete": ("p", "manage"),
}


def _copy(partnership, actor):
    from sprintboard.services import toolbox
    from tests.services.test_toolbox import make_method

    method = toolbox.shared_by_slug("adapted-method") or make_method(actor, slug="adapted-method")
    copy, _made = toolbox_copies.adapt_method(method, partnership, actor=actor)
    db.session.commit()
    return copy


def params(world) -> dict:
    return {"method_id": _copy(world.partnership, world.users["facilitator"]).id}


def foreign(world) -> dict:
    return {"method_id": _copy(world.other, world.users["outsider"]).id}
