"""The board: columns, card positions and moves.

Positions are integers with gaps of GAP inside a column, so a move writes one row; the
column is renumbered only when two neighbours leave no room between them.
"""

from __future__ import annotations

import functools

from flask import has_request_context
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update

from ..extensions import db
from ..models import BoardColumn, Card, Partnership
from ..models.base import utcnow
from . import Conflict, DomainError
from .activity import describes, log
from .facilitation import ensure_not_frozen

GAP = 1 << 16


class WipLimitReached(Conflict):
    def __init__(self, column: BoardColumn):
        super().__init__(
            ngettext(
                "“%(column)s” is at its limit of %(num)d card. Finish a card there first.",
                "“%(column)s” is at its limit of %(num)d cards. Finish a card there first.",
                column.wip_limit,
                column=column.shown_name,
            )
        )
        self.column = column


class StaleEdit(Conflict):
    """The card changed since the form was opened; `card` holds the current version."""

    def __init__(self, card: Card):
        super().__init__(_("Someone else changed this card while you were editing it."))
        self.card = card


# Columns -----------------------------------------------------------------------------------


# The columns of a new board, named in the language of whoever creates the partnership (after
# that they are the partnership's own names: renaming or translating them is up to its people).
DEFAULT_COLUMN_NAMES = (_l("Backlog"), _l("To do"), _l("In progress"), _l("Review"), _l("Done"))


def default_column_names(language: str) -> list[str]:
    with force_locale(language):
        return [str(name) for name in DEFAULT_COLUMN_NAMES]


def create_default_columns(partnership: Partnership, language: str | None = None) -> list[BoardColumn]:
    """The columns of a new board, named in `language` (the creator's); their names come
    translated into the other languages, and each can be translated further like content."""
    from ..i18n import LANGUAGES
    from .translations import translate_default_columns

    language = language if language in LANGUAGES else "en"
    names = default_column_names(language)
    columns = [
        BoardColumn(
            partnership=partnership, name=name, position=i, is_done=(i == len(names) - 1), language=language
        )
        for i, name in enumerate(names)
    ]
    db.session.add_all(columns)
    db.session.flush()
    translate_default_columns(columns, {code: default_column_names(code) for code in LANGUAGES})
    return columns


def backlog_column(columns: list[BoardColumn]) -> BoardColumn | None:
    """Where new work goes: the column named "Backlog" in any of the languages (boards are
    created in their creator's), else the first open column, else the first."""
    from ..i18n import LANGUAGES

    backlog = {default_column_names(code)[0].casefold() for code in LANGUAGES}
    return next(
        (c for c in columns if c.name.casefold() in backlog),
        next((c for c in columns if not c.is_done), columns[0] if columns else None),
    )


def columns_of(partnership: Partnership) -> list[BoardColumn]:
    """The board's columns in order; in a request, each with its name as the reader sees it
    (`shown_name`: translated into their language when someone has)."""
    if not has_request_context():
        return list(db.session.scalars(_statements()["columns"], {"pid": partnership.id}))
    from .translations import name_columns

    language = str(get_locale())
    rows = db.session.execute(_statements()["named columns"], {"pid": partnership.id, "language": language})
    columns, names = [], {}
    for column, text, digest in rows:
        columns.append(column)
        if text is not None:
            names[column.id] = (text, digest)
    return name_columns(columns, language, names)


def open_count(column: BoardColumn) -> int:
    return db.session.scalar(_statements()["open_count"], {"column_id": column.id})


@functools.cache
def _statements() -> dict:
    """The statements every move (and board) runs, built once (building and keying a statement costs more
    than running it); their values are parameters."""
    from .translations import with_column_names

    column_id, card_id = bindparam("column_id"), bindparam("card_id")
    columns = (
        select(BoardColumn)
        .where(BoardColumn.partnership_id == bindparam("pid"))
        .order_by(BoardColumn.position, BoardColumn.id)
    )
    return {
        "columns": columns,
        # (in a request: with their names in the reader's language, in the same round trip)
        "named columns": with_column_names(columns),
        "open_count": select(func.count(Card.id)).where(
            Card.column_id == column_id, Card.archived_at.is_(None)
        ),
        "end": select(func.max(Card.position)).where(Card.column_id == column_id),
        "end_excluding": select(func.max(Card.position)).where(
            Card.column_id == column_id, Card.id != card_id
        ),
        "lock_column": select(BoardColumn.id).where(BoardColumn.id == column_id).with_for_update(),
    }


# Cards -------------------------------------------------------------------------------------


def end_position(column: BoardColumn) -> int:
    top = db.session.scalar(_statements()["end"], {"column_id": column.id})
    return (top or 0) + GAP


def claim_version(card: Card, expected: int) -> None:
    """Compare-and-set the card's version (the edit lock): raise StaleEdit unless it is still
    `expected`. An edit changes what the card shows, so its revision grows too."""
    result = db.session.execute(
        update(Card)
        .where(Card.id == card.id, Card.version == expected)
        .values(version=expected + 1, revision=Card.revision + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(card)
        raise StaleEdit(card)
    db.session.refresh(card, ["version", "revision", "updated_at"])


def move_card(
    card: Card,
    column: BoardColumn,
    *,
    before: Card | None = None,
    after: Card | None = None,
    actor,
    override_wip: bool = False,
) -> tuple[BoardColumn, BoardColumn]:
    """Move `card` into `column`, just before `before` or just after `after` (else to the end).

    Returns (old column, new column). Writes one card row unless the column must be renumbered.
    """
    ensure_not_frozen(card.partnership, actor)
    if column.partnership_id != card.partnership_id:
        raise DomainError(_("That column belongs to another board."))
    for neighbour in (before, after):
        if neighbour is not None and (neighbour.column_id != column.id or neighbour.archived_at is not None):
            raise DomainError(_("The card to place it next to is not in that column any more."))
    if card.archived_at is not None:
        raise DomainError(_("Restore the card before moving it."))
    _lock_column(column)
    old_column = card.column
    if (
        column.id != card.column_id
        and column.wip_limit
        and not override_wip
        and open_count(column) >= column.wip_limit
    ):
        raise WipLimitReached(column)

    if before is not None and before.id == card.id or after is not None and after.id == card.id:
        position = card.position
    else:
        position = _position_between(column, card, before=before, after=after)
    changed_column = column.id != card.column_id
    card.column_id = column.id
    card.column = column
    card.position = position
    became_done = column.is_done and card.done_at is None
    if became_done:
        card.done_at = utcnow()
    elif not column.is_done and card.done_at is not None:
        card.done_at = None
    # (not flushed here: the next query or the commit sends the card's new place with the log
    # row and the undo offer, in one flush)
    if changed_column:
        log(
            actor,
            "card.moved",
            card,
            partnership=card.partnership,
            title=card.title,
            frm=old_column.name,
            to=column.name,
            frm_id=old_column.id,
            to_id=column.id,
        )
        if became_done:
            from . import alerts

            alerts.card_done(card, actor=actor, frm=old_column.name, to=column.name)
    else:
        log(actor, "card.reordered", card, partnership=card.partnership, title=card.title, column=column.name)
    return old_column, column


def _lock_column(column: BoardColumn) -> None:
    """Serialise moves into the same column (PostgreSQL; SQLite's BEGIN IMMEDIATE does it): the
    place a card takes there and the column's WIP count are read under this lock. Moves out of
    a column take nothing from it that another move could get wrong, so its lock is not taken
    (moves between two columns in both directions do not wait for each other)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_statements()["lock_column"], {"column_id": column.id}).all()


def _neighbour_position(column: BoardColumn, card: Card, pivot: Card, below: bool) -> int | None:
    """The position of the card right above (below=False) or below `pivot`, skipping `card`."""
    query = select(Card.position).where(Card.column_id == column.id, Card.id != card.id)
    if below:
        query = query.where(Card.position > pivot.position).order_by(Card.position.asc())
    else:
        query = query.where(Card.position < pivot.position).order_by(Card.position.desc())
    return db.session.scalar(query.limit(1))


def _position_between(column, card, *, before=None, after=None) -> int:
    if before is None and after is None:
        return end_position(column) if card.column_id != column.id else _end_excluding(column, card)
    if before is not None:
        high = before.position
        low = _neighbour_position(column, card, before, below=False)
        low = high - 2 * GAP if low is None else low
    else:
        low = after.position
        high = _neighbour_position(column, card, after, below=True)
        high = low + 2 * GAP if high is None else high
    if high - low >= 2:
        return (low + high) // 2
    _renumber(column, exclude=card)
    db.session.refresh(before or after, ["position"])
    return _position_between(column, card, before=before, after=after)


def _end_excluding(column, card) -> int:
    top = db.session.scalar(_statements()["end_excluding"], {"column_id": column.id, "card_id": card.id})
    return (top or 0) + GAP


def _renumber(column: BoardColumn, *, exclude: Card) -> None:
    """Spread the column's positions out again (rare: only when a gap is used up)."""
    ids = db.session.scalars(
        select(Card.id)
        .where(Card.column_id == column.id, Card.id != exclude.id)
        .order_by(Card.position, Card.id)
    ).all()
    db.session.execute(
        update(Card),
        [{"id": card_id, "position": (i + 1) * GAP} for i, card_id in enumerate(ids)],
    )


@describes("card.created")
def _card_created(d, who):
    return _(
        "%(who)s created “%(title)s” in %(column)s",
        who=who,
        title=d.get("title", ""),
        column=d.get("column", ""),
    )


@describes("card.moved")
def _card_moved(d, who):
    return _(
        "%(who)s moved “%(title)s” from %(frm)s to %(to)s",
        who=who,
        title=d.get("title", ""),
        frm=d.get("frm", ""),
        to=d.get("to", ""),
    )


@describes("card.reordered")
def _card_reordered(d, who):
    return _(
        "%(who)s reordered “%(title)s” in %(column)s",
        who=who,
        title=d.get("title", ""),
        column=d.get("column", ""),
    )
