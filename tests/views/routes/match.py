"""Routes of the actor map and the match page."""

from sprintboard.extensions import db
from tests import factories

ROUTES = {
    "actors.index": ("p", "view"),
    "actors.export": ("p", "view"),
    "actors.create": ("p", "edit"),
    "actors.edit": ("p", "edit"),
    "actors.delete": ("p", "edit"),
    "actors.merge": ("p", "manage"),
    "actors.link": ("p", "edit"),
    "actors.unlink": ("p", "edit"),
    "match.index": ("p", "view"),
    "match.export": ("p", "view"),
    "match.create_match": ("p", "edit"),
    "match.open_dot_vote": ("p", "manage"),
    "match.accept": ("p", "manage"),
    "match.delete_match": ("p", "manage"),
    "match.make_project": ("p", "edit"),
    "match.make_projects": ("p", "edit"),
    "match.entries": ("p", "view"),
    "match.create_entry": ("p", "edit"),
    "match.edit_entry": ("p", "edit"),
    "match.delete_entry": ("p", "edit"),
    "match.theme_list": ("p", "view"),
    "match.add_theme": ("p", "manage"),
}


def _objects(p):
    actor = factories.actor(p, 0, themes=["culture"])
    a = factories.entry(p, 0, themes=["culture"])
    b = factories.entry(p, 1, themes=["culture"])
    match = factories.match(p, [a, b])
    db.session.commit()
    return {"actor_id": actor.id, "entry_id": a.id, "match_id": match.id}


def params(world) -> dict:
    return _objects(world.partnership)


def foreign(world) -> dict:
    return _objects(world.other)
