"""Routes of funding, status, public link and exports."""

from sprintboard.extensions import db
from tests import factories

ROUTES = {
    "funding.index": ("p", "view"),
    "funding.table": ("p", "view"),
    "funding.show": ("p", "view"),
    "funding.export_csv": ("p", "view"),
    "funding.new": ("p", "edit"),
    "funding.edit": ("p", "edit"),
    "funding.move": ("p", "edit"),
    "funding.delete": ("p", "edit"),
    "status.show": ("p", "view"),
    "status.create_link": ("p", "manage"),
    "status.revoke_link": ("p", "manage"),
    "status.public": "public",
    "status.overview": "admin",
    "exports.cards_csv": ("p", "view"),
    "exports.backup_json": ("p", "manage"),
    "exports.create_feed": ("p", "view"),
    "exports.revoke_feed": ("p", "view"),
    "exports.feed": "public",
}


def params(world) -> dict:
    idea = factories.funding_idea(world.partnership, actor=world.users["member"])
    db.session.commit()
    return {"fid": idea.id}


def foreign(world) -> dict:
    idea = factories.funding_idea(world.other, actor=world.users["outsider"])
    db.session.commit()
    return {"fid": idea.id}
