"""Routes of translations: the queue, the side-by-side page, machine suggestions."""

from sprintboard.extensions import db
from tests import factories

ROUTES = {
    "translations.index": ("p", "view"),
    "translations.edit": ("p", "view"),
    "translations.save": ("p", "edit"),
    "translations.suggest": ("p", "edit"),
}


def params(world) -> dict:
    card = factories.card(world.partnership, "Закупить краски", actor=world.users["member"], language="ru")
    db.session.commit()
    return {"tkind": "card", "tid": card.id, "tlang": "de"}


def foreign(world) -> dict:
    card = factories.card(world.other, "Купить кисти", actor=world.users["outsider"], language="ru")
    db.session.commit()
    return {"tid": card.id}
