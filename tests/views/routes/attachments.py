"""Routes of attachments: uploads to cards, workshops and funding ideas; the files; deleting."""

import io

from PIL import Image

from sprintboard.extensions import db
from sprintboard.services import attachments
from tests import factories

ROUTES = {
    "attachments.upload_card": ("p", "edit"),
    "attachments.upload_workshop": ("p", "edit"),
    "attachments.upload_funding": ("p", "edit"),
    "attachments.file": ("p", "view"),
    "attachments.thumbnail": ("p", "view"),
    "attachments.delete": ("p", "edit"),
}


def _photo(p, actor):
    card = factories.card(p, "With a photo", actor=actor)
    png = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(png, "PNG")
    png.seek(0)
    limits = attachments.Limits.from_config()
    [attachment] = attachments.add_attachments(card, [("wall.png", png)], actor=actor, limits=limits)
    db.session.commit()
    return attachment


def params(world) -> dict:
    return {"aid": _photo(world.partnership, world.users["member"]).id}


def foreign(world) -> dict:
    return {"aid": _photo(world.other, world.users["outsider"]).id}
