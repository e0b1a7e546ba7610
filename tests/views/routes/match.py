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


def _revealed_dot_vote(p):
    """A second match and a revealed dot vote on both: the match page shows the vote result
    (its form turning the ticked matches into projects) that match.make_projects gives back."""
    from sprintboard.services import match as service
    from sprintboard.services import voting

    factories.match(p, [factories.entry(p, 0, "Bike lanes"), factories.entry(p, 1, "Bike sharing")])
    session = service.open_dot_vote(p, actor=None)
    voting.reveal_vote(session, actor=None)
    db.session.commit()


def params(world) -> dict:
    found = _objects(world.partnership)
    _revealed_dot_vote(world.partnership)
    return found


def foreign(world) -> dict:
    return _objects(world.other)
