"""Undo: for UNDO_SECONDS after a change, the person who made it may restore what was before.

The state before the change is kept server side (an UndoAction: kind + payload); undoing goes
through the same services as any change, inside activity.undoing(), so the history shows the
change and its undo, and live boards follow both.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, select, update

from ..extensions import db
from ..models import BoardColumn, Card, Partnership, UndoAction
from ..models.base import utcnow
from . import Conflict, DomainError, Forbidden, translations
from .activity import undoing

UNDO_SECONDS = 10
KEEP = timedelta(hours=1)  # expired records are cleared after this (they only answer "too late")


class UndoGone(DomainError):
    """Too late, or undone already (410)."""

    status = 410


# What the toast says after each kind of change.
MESSAGES = {
    "card.move": _l("Card moved."),
    "card.archive": _l("Card archived."),
    "comment.delete": _l("Comment deleted."),
    "checklist.delete": _l("Checklist item deleted."),
    "label.delete": _l("Label deleted."),
    "column.update": _l("Column changed."),
    "column.move": _l("Column moved."),
    "column.delete": _l("Column deleted."),
    "project.update": _l("Project changed."),
}


def message_of(action: UndoAction) -> str:
    return str(MESSAGES.get(action.kind, _l("Changed.")))


def offer(partnership: Partnership, kind: str, payload: dict, *, actor) -> UndoAction:
    """Keep `payload` (the state before a change of `kind`) so that `actor` can undo it."""
    now = utcnow()
    action = UndoAction(
        partnership_id=partnership.id,
        actor_id=actor.id,
        kind=kind,
        payload=payload,
        created_at=now,
        expires_at=now + timedelta(seconds=UNDO_SECONDS),
    )
    db.session.add(action)
    db.session.flush()
    return action


def purge_expired() -> int:
    """Remove offers expired more than KEEP ago (the hourly task undo.purge); returns how many."""
    return db.session.execute(delete(UndoAction).where(UndoAction.expires_at < utcnow() - KEEP)).rowcount


def is_open(action: UndoAction) -> bool:
    return action.undone_at is None and utcnow() < action.expires_at


def open_offer(action_id, actor) -> UndoAction | None:
    """The offer `action_id` if it is `actor`'s and can still be used."""
    action = db.session.get(UndoAction, action_id) if isinstance(action_id, int) else None
    if action is None or actor is None or action.actor_id != actor.id or not is_open(action):
        return None
    return action


def undo(action: UndoAction, *, actor, may_manage: bool) -> str:
    """Restore the state before `action`'s change; returns what the user is told."""
    if actor is None or action.actor_id != actor.id:
        raise Forbidden(_("Only the person who made this change can undo it."))
    if action.undone_at is not None:
        raise UndoGone(_("This change has already been undone."))
    if utcnow() >= action.expires_at:
        raise UndoGone(_("Too late to undo: a change can be undone for %(n)d seconds only.", n=UNDO_SECONDS))
    partnership = db.session.get(Partnership, action.partnership_id)
    kind = UNDOERS.get(action.kind)
    if kind is None:
        raise UndoGone(_("This change cannot be undone."))
    if kind[1] and not may_manage:
        raise Forbidden(_("Only facilitators can undo this change."))
    claimed = db.session.execute(  # once, even when two requests race for it
        update(UndoAction)
        .where(UndoAction.id == action.id, UndoAction.undone_at.is_(None))
        .values(undone_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise UndoGone(_("This change has already been undone."))
    with undoing():
        kind[0](partnership, action.payload, actor)
    db.session.flush()
    return _("Undone.")


def _card(partnership: Partnership, card_id) -> Card:
    card = db.session.get(Card, card_id) if card_id else None
    if card is None or card.partnership_id != partnership.id:
        raise Conflict(_("The card is gone: this change cannot be undone."))
    return card


def _column(partnership: Partnership, column_id) -> BoardColumn:
    column = db.session.get(BoardColumn, column_id) if column_id else None
    if column is None or column.partnership_id != partnership.id:
        raise Conflict(_("The column is gone: this change cannot be undone."))
    return column


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _unstamp(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# Card moves --------------------------------------------------------------------------------


def card_place(card: Card) -> dict:
    """Where the card stands now (before a move): its column, its neighbours there, done_at.
    (Both neighbours in one query: a move is a few statements, each of them counts.)"""
    above, below = db.session.execute(
        _neighbours_statement(),
        {"column_id": card.column_id, "card_id": card.id, "position": card.position},
    ).one()
    return {
        "card_id": card.id,
        "column_id": card.column_id,
        "position": card.position,
        "after_id": above,
        "before_id": below,
        "done_at": _stamp(card.done_at),
    }


@functools.cache
def _neighbours_statement():
    """(the card right above, right below) the position "position" in the column, besides the
    card itself; built once (building and keying a statement costs more than running it)."""
    position = bindparam("position")
    base = select(Card.id).where(
        Card.column_id == bindparam("column_id"), Card.archived_at.is_(None), Card.id != bindparam("card_id")
    )
    return select(
        base.where(Card.position <= position)
        .order_by(Card.position.desc(), Card.id.desc())
        .limit(1)
        .scalar_subquery(),
        base.where(Card.position > position).order_by(Card.position, Card.id).limit(1).scalar_subquery(),
    )


def _undo_move(partnership, payload, actor) -> None:
    from .board import move_card

    card = _card(partnership, payload.get("card_id"))
    column = _column(partnership, payload.get("column_id"))

    def neighbour(card_id):
        other = db.session.get(Card, card_id) if card_id else None
        if other is None or other.column_id != column.id or other.archived_at is not None:
            return None
        return other

    before = neighbour(payload.get("before_id"))
    after = None if before is not None else neighbour(payload.get("after_id"))
    move_card(card, column, before=before, after=after, actor=actor)
    if column.is_done and payload.get("done_at"):
        card.done_at = _unstamp(payload["done_at"])  # done when it was done, not now


# Archive -----------------------------------------------------------------------------------


def _undo_archive(partnership, payload, actor) -> None:
    from .cards import restore_card

    restore_card(_card(partnership, payload.get("card_id")), actor=actor)


# Deletes -----------------------------------------------------------------------------------


def comment_snapshot(comment) -> dict:
    return {
        "card_id": comment.card_id,
        "id": comment.id,
        "author_id": comment.author_id,
        "body": comment.body,
        "language": comment.language,
        "created_at": _stamp(comment.created_at),
        "edited_at": _stamp(comment.edited_at),
    }


def _undo_comment_delete(partnership, payload, actor) -> None:
    from .cards import restore_comment

    restore_comment(
        _card(partnership, payload.get("card_id")),
        comment_id=payload["id"],
        author_id=payload.get("author_id"),
        body=payload["body"],
        language=payload.get("language"),
        created_at=_unstamp(payload.get("created_at")),
        edited_at=_unstamp(payload.get("edited_at")),
        actor=actor,
    )


def checklist_item_snapshot(item) -> dict:
    return {
        "card_id": item.card_id,
        "id": item.id,
        "text": item.text,
        "done": item.done,
        "position": item.position,
    }


def _undo_checklist_delete(partnership, payload, actor) -> None:
    from .cards import restore_checklist_item

    restore_checklist_item(
        _card(partnership, payload.get("card_id")),
        item_id=payload["id"],
        text=payload["text"],
        done=bool(payload.get("done")),
        position=payload.get("position") or 0,
        actor=actor,
    )


def label_snapshot(label) -> dict:
    from ..models import card_labels

    card_ids = db.session.scalars(select(card_labels.c.card_id).where(card_labels.c.label_id == label.id))
    return {"id": label.id, "name": label.name, "colour": label.colour, "card_ids": sorted(card_ids)}


def _undo_label_delete(partnership, payload, actor) -> None:
    from .columns import restore_label

    restore_label(
        partnership,
        label_id=payload["id"],
        name=payload["name"],
        colour=payload["colour"],
        card_ids=payload.get("card_ids") or [],
        actor=actor,
    )


# Columns -----------------------------------------------------------------------------------


def column_snapshot(column: BoardColumn) -> dict:
    """A column's settings, and when its cards were done (changing "done" rewrites that)."""
    done = db.session.execute(
        select(Card.id, Card.done_at).where(Card.column_id == column.id, Card.done_at.is_not(None))
    ).all()
    return {
        "column_id": column.id,
        "name": column.name,
        "wip_limit": column.wip_limit,
        "is_done": column.is_done,
        "position": column.position,
        "done_at": {str(card_id): _stamp(done_at) for card_id, done_at in done},
    }


def deleted_column_snapshot(column: BoardColumn) -> dict:
    """`column_snapshot`, and what a deleted column takes with it: its name's language and its
    name's translations."""
    return {
        **column_snapshot(column),
        "language": column.language,
        "translations": translations.kept("column", column.id),
    }


def _undo_column_update(partnership, payload, actor) -> None:
    from .columns import update_column

    column = _column(partnership, payload.get("column_id"))
    changed = update_column(
        column,
        name=payload["name"],
        wip_limit=payload.get("wip_limit"),
        is_done=bool(payload.get("is_done")),
        actor=actor,
    )
    if "is_done" in changed and column.is_done:
        for card_id, done_at in (payload.get("done_at") or {}).items():
            db.session.execute(
                update(Card)
                .where(Card.id == int(card_id), Card.column_id == column.id)
                .values(done_at=_unstamp(done_at))
                .execution_options(synchronize_session=False)
            )


def _undo_column_move(partnership, payload, actor) -> None:
    from .columns import move_column

    column = _column(partnership, payload.get("column_id"))
    move_column(column, "down" if payload.get("direction") == "up" else "up", actor=actor)


def _undo_column_delete(partnership, payload, actor) -> None:
    from .columns import restore_column

    column = restore_column(
        partnership,
        column_id=payload["column_id"],
        name=payload["name"],
        language=payload.get("language"),
        wip_limit=payload.get("wip_limit"),
        is_done=bool(payload.get("is_done")),
        position=payload.get("position") or 0,
        actor=actor,
    )
    translations.restore("column", column, payload.get("translations") or [])


# Projects ----------------------------------------------------------------------------------


def project_snapshot(project) -> dict:
    return {
        "project_id": project.id,
        "title": project.title,
        "summary": project.summary,
        "lead_city_id": project.lead_city_id,
        "status": project.status,
        "language": project.language,
    }


def _undo_project_update(partnership, payload, actor) -> None:
    from ..models import City, Project
    from .projects import update_project

    project = db.session.get(Project, payload.get("project_id") or 0)
    if project is None or project.partnership_id != partnership.id:
        raise Conflict(_("The project is gone: this change cannot be undone."))
    city = db.session.get(City, payload["lead_city_id"]) if payload.get("lead_city_id") else None
    if city is not None and city.partnership_id != partnership.id:
        city = None
    update_project(
        project,
        title=payload["title"],
        summary=payload.get("summary") or "",
        lead_city=city,
        status=payload["status"],
        language=payload.get("language"),
        actor=actor,
    )


# kind -> (function(partnership, payload, actor), needs "manage")
UNDOERS = {
    "card.move": (_undo_move, False),
    "card.archive": (_undo_archive, False),
    "comment.delete": (_undo_comment_delete, False),
    "checklist.delete": (_undo_checklist_delete, False),
    "label.delete": (_undo_label_delete, False),
    "column.update": (_undo_column_update, True),
    "column.move": (_undo_column_move, True),
    "column.delete": (_undo_column_delete, True),
    "project.update": (_undo_project_update, False),
}
