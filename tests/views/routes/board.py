"""Routes of the board page, quick-add and moves."""

from sprintboard.extensions import db
from sprintboard.services import board, cards

ROUTES = {
    "board.show": ("p", "view"),
    "board.done": ("p", "view"),
    "board.cell": ("p", "view"),
    "board.add_card": ("p", "edit"),
    "board.move": ("p", "edit"),
    "board.save_view": ("p", "view"),  # each person's own view, observers too
    "board.fold_lane": ("p", "view"),
}


def _card(partnership, actor):
    column = board.columns_of(partnership)[0]
    card = cards.create_card(partnership, "A card", column=column, actor=actor)
    db.session.commit()
    return card


def params(world) -> dict:
    return {"card_id": _card(world.partnership, world.users["member"]).id}


def foreign(world) -> dict:
    return {"card_id": _card(world.other, world.users["outsider"]).id}
