"""Routes around a card and the board's configuration: projects, columns, labels, cards."""

from sprintboard.extensions import db
from sprintboard.services import board, cards
from tests import factories

ROUTES = {
    "projects.index": ("p", "view"),
    "projects.show": ("p", "view"),
    "projects.create": ("p", "edit"),
    "projects.edit": ("p", "edit"),
    "columns.settings": ("p", "view"),
    "columns.add_column": ("p", "manage"),
    "columns.confirm_columns": ("p", "manage"),
    "columns.update_column": ("p", "manage"),
    "columns.move_column": ("p", "manage"),
    "columns.delete_column": ("p", "manage"),
    "columns.create_label": ("p", "edit"),
    "columns.update_label": ("p", "edit"),
    "columns.delete_label": ("p", "edit"),
    "cards.show": ("p", "view"),
    "cards.edit": ("p", "edit"),
    "cards.move_form": ("p", "edit"),
    "cards.add_checklist_item": ("p", "edit"),
    "cards.toggle_checklist_item": ("p", "edit"),
    "cards.delete_checklist_item": ("p", "edit"),
    "cards.add_comment": ("p", "edit"),
    "cards.edit_comment": ("p", "edit"),
    "cards.delete_comment": ("p", "edit"),
    "cards.archive": ("p", "edit"),
    "cards.restore": ("p", "edit"),
    "cards.archived": ("p", "view"),
}


def _objects(p, actor):
    project = factories.project(p, actor=actor)
    label = factories.label(p, actor=actor)
    card = factories.card(p, project=project, actor=actor)
    item = cards.add_checklist_item(card, "Book a room", actor=actor)
    comment = cards.add_comment(card, "Who books the room?", language="en", actor=actor)
    column = board.columns_of(p)[0]
    db.session.commit()
    return {
        "project_id": project.id,
        "label_id": label.id,
        "card_id": card.id,
        "item_id": item.id,
        "column_id": column.id,
        "comment_id": comment.id,
    }


def params(world) -> dict:
    return _objects(world.partnership, world.users["facilitator"])


def foreign(world) -> dict:
    return _objects(world.other, world.users["outsider"])
