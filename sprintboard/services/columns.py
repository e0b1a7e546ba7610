"""Board settings: columns (names, order, WIP limits, which mean "done") and labels."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, func, select, update

from ..extensions import db
from ..i18n import LANGUAGES
from ..models import LABEL_COLOURS, BoardColumn, Card, Label, Partnership, card_labels
from ..models.base import utcnow
from . import DomainError, translations
from .activity import describes, log
from .board import columns_of

COLUMN_NAME_MAX = 60
LABEL_NAME_MAX = 40


def _clean_name(name: str, limit: int, empty_message: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(str(empty_message))
    if len(name) > limit:
        raise DomainError(_("A name can have at most %(n)d characters.", n=limit))
    return name


def _check_wip(wip_limit: int | None) -> int | None:
    if wip_limit is not None and wip_limit < 1:
        raise DomainError(_("A WIP limit is a whole number of at least 1, or empty for none."))
    return wip_limit


# Columns -----------------------------------------------------------------------------------


def add_column(
    partnership: Partnership, name: str, *, actor, wip_limit: int | None = None, is_done: bool = False
) -> BoardColumn:
    """A new column at the right end of the board."""
    name = _clean_name(name, COLUMN_NAME_MAX, _l("A column needs a name."))
    columns = columns_of(partnership)
    column = BoardColumn(
        partnership=partnership,
        name=name,
        position=len(columns),
        wip_limit=_check_wip(wip_limit),
        is_done=is_done,
    )
    _normalise(columns)
    db.session.add(column)
    db.session.flush()
    log(actor, "column.added", column, partnership=partnership, name=name)
    return column


def update_column(
    column: BoardColumn, *, name: str, wip_limit: int | None, is_done: bool, actor
) -> list[str]:
    """Rename the column, set its WIP limit and whether it means "done"; returns what changed."""
    partnership = column.partnership
    name = _clean_name(name, COLUMN_NAME_MAX, _l("A column needs a name."))
    wip_limit = _check_wip(wip_limit)
    if is_done and not column.is_done:
        others_open = [c for c in columns_of(partnership) if c.id != column.id and not c.is_done]
        if not others_open:
            raise DomainError(_("At least one column must stay open (not “done”)."))
    changed = [
        field
        for field, value in (("name", name), ("wip_limit", wip_limit), ("is_done", is_done))
        if getattr(column, field) != value
    ]
    if not changed:
        return []
    old_name = column.name
    column.name, column.wip_limit = name, wip_limit
    if "is_done" in changed:
        column.is_done = is_done
        # Cards count as done while they are in a done column.
        db.session.execute(
            update(Card)
            .where(Card.column_id == column.id)
            .values(done_at=utcnow() if is_done else None)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    log(
        actor, "column.updated", column, partnership=partnership, name=name, old_name=old_name, fields=changed
    )
    return changed


def move_column(column: BoardColumn, direction: str, *, actor) -> None:
    """Swap the column with its left ("up") or right ("down") neighbour."""
    columns = columns_of(column.partnership)
    index = next(i for i, c in enumerate(columns) if c.id == column.id)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(columns):
        return
    columns[index], columns[other] = columns[other], columns[index]
    _normalise(columns)
    db.session.flush()
    log(actor, "column.moved", column, partnership=column.partnership, name=column.name)


def delete_column(column: BoardColumn, *, actor) -> None:
    """Delete an empty column; a board always keeps one column that is not "done"."""
    partnership = column.partnership
    cards = db.session.scalar(select(func.count(Card.id)).where(Card.column_id == column.id))
    if cards:
        raise DomainError(
            ngettext(
                "“%(name)s” still holds %(num)d card (archived ones count too). "
                "Move it to another column first.",
                "“%(name)s” still holds %(num)d cards (archived ones count too). "
                "Move them to another column first.",
                cards,
                name=column.name,
            )
        )
    others = [c for c in columns_of(partnership) if c.id != column.id]
    if not any(not c.is_done for c in others):
        raise DomainError(_("At least one column must stay open (not “done”)."))
    name = column.name
    log(actor, "column.deleted", column, partnership=partnership, name=name)
    translations.forget("column", [column.id])
    db.session.delete(column)
    _normalise(others)
    db.session.flush()


def restore_column(
    partnership: Partnership,
    *,
    column_id: int,
    name: str,
    wip_limit: int | None,
    is_done: bool,
    position: int,
    actor,
    language: str | None = None,
) -> BoardColumn:
    """A deleted (empty) column back where it was, in the language its name was written in
    (None: the page's), e.g. by Undo."""
    name = _clean_name(name, COLUMN_NAME_MAX, _l("A column needs a name."))
    columns = columns_of(partnership)
    free = db.session.get(BoardColumn, column_id) is None  # (SQLite hands out freed ids again)
    column = BoardColumn(
        id=column_id if free else None,
        partnership=partnership,
        name=name,
        position=position,
        wip_limit=_check_wip(wip_limit),
        is_done=is_done,
        language=language if language in LANGUAGES else None,
    )
    columns.insert(max(0, min(position, len(columns))), column)
    db.session.add(column)
    _normalise(columns)
    db.session.flush()
    log(actor, "column.added", column, partnership=partnership, name=name)
    return column


def _normalise(columns: list[BoardColumn]) -> None:
    for position, column in enumerate(columns):
        if column.position != position:
            column.position = position


# Labels ------------------------------------------------------------------------------------


def labels_of(partnership: Partnership) -> list[Label]:
    return list(
        db.session.scalars(
            select(Label).where(Label.partnership_id == partnership.id).order_by(Label.name, Label.id)
        )
    )


def _check_label(partnership: Partnership, name: str, colour: str, label: Label | None = None):
    name = _clean_name(name, LABEL_NAME_MAX, _l("A label needs a name."))
    if colour not in LABEL_COLOURS:
        raise DomainError(_("Choose one of the offered colours."))
    clash = [
        other
        for other in labels_of(partnership)
        if other.name.casefold() == name.casefold() and (label is None or other.id != label.id)
    ]
    if clash:
        raise DomainError(_("There is already a label called “%(name)s”.", name=name))
    return name


def create_label(partnership: Partnership, name: str, colour: str, *, actor) -> Label:
    name = _check_label(partnership, name, colour)
    label = Label(partnership_id=partnership.id, name=name, colour=colour)
    db.session.add(label)
    db.session.flush()
    log(actor, "label.created", label, partnership=partnership, name=name)
    return label


def update_label(label: Label, *, name: str, colour: str, actor, partnership: Partnership) -> bool:
    name = _check_label(partnership, name, colour, label)
    if (label.name, label.colour) == (name, colour):
        return False
    old_name = label.name
    label.name, label.colour = name, colour
    db.session.flush()
    log(actor, "label.updated", label, partnership=partnership, name=name, old_name=old_name)
    return True


def delete_label(label: Label, *, actor, partnership: Partnership) -> None:
    log(actor, "label.deleted", label, partnership=partnership, name=label.name)
    db.session.execute(delete(card_labels).where(card_labels.c.label_id == label.id))
    db.session.delete(label)
    db.session.flush()


def restore_label(
    partnership: Partnership, *, label_id: int, name: str, colour: str, card_ids: list[int], actor
) -> Label:
    """A deleted label back as it was (its id, and on the cards of the partnership that had it)."""
    name = _check_label(partnership, name, colour)
    free = db.session.get(Label, label_id) is None  # (SQLite hands out freed ids again)
    label = Label(id=label_id if free else None, partnership_id=partnership.id, name=name, colour=colour)
    db.session.add(label)
    db.session.flush()
    cards = db.session.scalars(
        select(Card).where(Card.partnership_id == partnership.id, Card.id.in_(card_ids or [0]))
    ).all()
    if cards:
        db.session.execute(
            card_labels.insert(), [{"card_id": card.id, "label_id": label.id} for card in cards]
        )
    log(actor, "label.created", label, partnership=partnership, name=name)
    return label


@describes("column.added")
def _column_added(d, who):
    return _("%(who)s added the column “%(name)s”", who=who, name=d.get("name", ""))


@describes("column.updated")
def _column_updated(d, who):
    return _("%(who)s changed the column “%(name)s”", who=who, name=d.get("name", ""))


@describes("column.moved")
def _column_moved(d, who):
    return _("%(who)s moved the column “%(name)s”", who=who, name=d.get("name", ""))


@describes("column.deleted")
def _column_deleted(d, who):
    return _("%(who)s deleted the column “%(name)s”", who=who, name=d.get("name", ""))


@describes("label.created")
def _label_created(d, who):
    return _("%(who)s created the label “%(name)s”", who=who, name=d.get("name", ""))


@describes("label.updated")
def _label_updated(d, who):
    return _("%(who)s changed the label “%(name)s”", who=who, name=d.get("name", ""))


@describes("label.deleted")
def _label_deleted(d, who):
    return _("%(who)s deleted the label “%(name)s”", who=who, name=d.get("name", ""))
