"""The JSON API for cards: list (filters, cursor), read with an ETag, comments."""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from .. import access
from ..extensions import db
from ..forms import api as schemas
from ..services import Conflict, board, cards
from ..services import api as api_service
from ..services.board import StaleEdit
from .api import rate_limited

bp = Blueprint("api_cards", __name__, url_prefix="/api/v1", description="Cards and their comments.")
rate_limited(bp)


def etag_of(card) -> str:
    return f'"card-{card.id}-v{card.version}"'


@bp.get("/partnerships/<int:pid>/cards")
@bp.arguments(schemas.CardQuerySchema, location="query", as_kwargs=True)
@bp.response(200, schemas.CardPageSchema)
def card_list(pid, **filters):
    """Cards by id, `limit` at a time: pass `next_cursor` as `cursor` for the next page."""
    items, next_cursor = api_service.card_page(access.get_api_partnership_or_404(pid), **filters)
    return {"items": items, "next_cursor": next_cursor}


@bp.get("/partnerships/<int:pid>/cards/<int:card_id>")
@bp.response(200, schemas.CardSchema, headers={"ETag": {"schema": {"type": "string"}}})
def card(pid, card_id):
    """A card; its `ETag` (or `version`) goes with an update as `If-Match`."""
    found = access.get_card_or_404(access.get_api_partnership_or_404(pid), card_id)
    return found, 200, {"ETag": etag_of(found)}


@bp.get("/partnerships/<int:pid>/cards/<int:card_id>/comments")
@bp.response(200, schemas.CommentSchema(many=True))
def comment_list(pid, card_id):
    found = access.get_card_or_404(access.get_api_partnership_or_404(pid), card_id)
    return api_service.comments_of(found)


# Writing (a write token, and the person's role must allow editing) ---------------------------


def _writable(pid, card_id, *, archived_ok=False):
    """The partnership and the card to change; an archived card is in no state for changes
    (409: restore it first) unless `archived_ok`."""
    partnership = access.get_api_partnership_or_404(pid, need="edit")
    card = access.get_card_or_404(partnership, card_id)
    if card.archived_at is not None and not archived_ok:
        raise Conflict(_("This card is archived. Restore it before changing it."))
    return partnership, card


def _answer(card, status=200):
    return card, status, {"ETag": etag_of(card)}


@bp.post("/partnerships/<int:pid>/cards")
@bp.arguments(schemas.CardCreateSchema)
@bp.response(201, schemas.CardSchema, headers={"ETag": {"schema": {"type": "string"}}})
def create_card(values, pid):
    """A new card at the end of a column."""
    partnership = access.get_api_partnership_or_404(pid, need="edit")
    if values.get("column_id"):
        column = access.get_column_or_404(partnership, values["column_id"])
    else:
        column = board.columns_of(partnership)[0]
    project = _project(partnership, values.get("project_id"))
    card = cards.create_card(
        partnership,
        values["title"],
        column=column,
        project=project,
        body=values["body"].replace("\r\n", "\n").strip(),
        actor=current_user,
    )
    db.session.commit()
    return _answer(card, 201)


@bp.patch("/partnerships/<int:pid>/cards/<int:card_id>")
@bp.arguments(schemas.CardUpdateSchema)
@bp.response(200, schemas.CardSchema, headers={"ETag": {"schema": {"type": "string"}}})
@bp.alt_response(412, description="The card changed since the ETag sent as `If-Match`.")
@bp.doc(parameters=[{"in": "header", "name": "If-Match", "schema": {"type": "string"}}])
def update_card(values, pid, card_id):
    """Change some of a card's fields, made on its `version` (and its ETag as `If-Match`, if sent)."""
    partnership, card = _writable(pid, card_id)
    if_match = request.headers.get("If-Match")
    if if_match is not None and if_match.strip() != etag_of(card):
        abort(412)
    version = values["version"]
    get = values.get
    try:
        cards.update_card(
            card,
            version=version,
            title=get("title", card.title),
            body=get("body", card.body),
            project=_project(partnership, get("project_id", card.project_id)),
            estimate=get("estimate", card.estimate),
            due_date=get("due_date", card.due_date),
            language=get("language", card.language),
            labels=[access.get_label_or_404(partnership, i) for i in get("label_ids", [])]
            if "label_ids" in values
            else list(card.labels),
            assignees=[access.get_member_or_404(partnership, i) for i in get("assignee_ids", [])]
            if "assignee_ids" in values
            else list(card.assignees),
            actor=current_user,
        )
    except StaleEdit:
        db.session.rollback()
        abort(412 if if_match is not None else 409)
    db.session.commit()
    return _answer(card)


def _project(partnership, project_id):
    return access.get_project_or_404(partnership, project_id) if project_id else None


@bp.post("/partnerships/<int:pid>/cards/<int:card_id>/move")
@bp.arguments(schemas.CardMoveSchema)
@bp.response(200, schemas.CardSchema, headers={"ETag": {"schema": {"type": "string"}}})
def move_card(values, pid, card_id):
    """Move a card into a column, next to another card there (else to the end)."""
    partnership, card = _writable(pid, card_id)
    column = access.get_column_or_404(partnership, values["column_id"])
    before = access.get_card_or_404(partnership, values["before_id"]) if values.get("before_id") else None
    after = access.get_card_or_404(partnership, values["after_id"]) if values.get("after_id") else None
    if any(n is not None and (n.column_id != column.id or n.archived_at) for n in (before, after)):
        # The neighbour has moved on since the client looked: a state conflict, not bad input.
        raise Conflict(_("The card to place it next to is not in that column any more."))
    board.move_card(card, column, before=before, after=after, actor=current_user)
    db.session.commit()
    return _answer(card)


@bp.post("/partnerships/<int:pid>/cards/<int:card_id>/archive")
@bp.response(200, schemas.CardSchema, headers={"ETag": {"schema": {"type": "string"}}})
def archive_card(pid, card_id):
    _partnership, card = _writable(pid, card_id, archived_ok=True)
    cards.archive_card(card, actor=current_user)
    db.session.commit()
    return _answer(card)


@bp.post("/partnerships/<int:pid>/cards/<int:card_id>/comments")
@bp.arguments(schemas.CommentCreateSchema)
@bp.response(201, schemas.CommentSchema)
def create_comment(values, pid, card_id):
    _partnership, card = _writable(pid, card_id)
    comment = cards.add_comment(card, values["body"], language=values.get("language"), actor=current_user)
    db.session.commit()
    return comment
