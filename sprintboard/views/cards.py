"""A card's own page: details, editing (with conflict view), checklist, comments, archive."""

from __future__ import annotations

import functools
import json

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, htmx
from ..errors import rule_errors
from ..extensions import db
from ..forms.cards import CardForm, ChecklistItemForm, CommentEditForm, CommentForm
from ..forms.projects import STATUS_LABELS
from ..i18n import LANGUAGES
from ..ids import arg_int
from ..services import DomainError, actors, translations, watching
from ..services import cards as cards_service
from ..services import undo as undo_service
from ..services.board import StaleEdit
from ..services.columns import labels_of
from ..services.facilitation import BoardFrozen, ensure_not_frozen, is_frozen_for
from ..services.projects import projects_of
from . import undo
from .attachments import panel_for

bp = Blueprint("cards", __name__, url_prefix="/p/<int:pid>/cards")


def _card_form(partnership, card, submitted=False) -> CardForm:
    """The edit form: with the submitted values, or with the card's current ones."""
    data = {
        "version": card.version,
        "title": card.title,
        "body": card.body,
        "project": card.project_id,
        "estimate": card.estimate,
        "due_date": card.due_date,
        "language": card.language or "",
        "assignees": [u.id for u in card.assignees],
        "labels": [label.id for label in card.labels],
    }
    form = CardForm() if submitted else CardForm(formdata=None, data=data)
    members = cards_service.assignable_members(partnership)
    known = {user.id for user, _city in members}
    cities = cards_service.home_cities(partnership)
    members += [(u, cities[u.id][0]) for u in card.assignees if u.id not in known and u.id in cities]
    form.set_choices(projects_of(partnership), members, labels_of(partnership))
    return form


def move_url(pid: int, card_id: int) -> str | None:
    """Where the no-JS move form posts (the board's move endpoint, when the board is there)."""
    if "board.move" not in current_app.view_functions:
        return None
    return url_for("board.move", pid=pid, card_id=card_id)


def _context(
    partnership,
    card,
    *,
    form=None,
    checklist_form=None,
    comment_form=None,
    conflict=None,
    refused_comment_forms=None,
    refused=None,
    refused_at=None,
    **shown,
) -> dict:
    frozen = is_frozen_for(partnership, current_user)
    # (a form refused on a frozen board comes back as it was sent, with the message: `refused`)
    may_write = access.can(current_user, "edit", partnership) and (not frozen or refused is not None)
    may_edit = may_write and card.archived_at is None
    context = dict(
        partnership=partnership,
        card=card,
        conflict=conflict,
        h=_heading_level(),
        frozen=frozen,
        may_edit=may_edit,
        may_restore=may_write and card.archived_at is not None,
        may_manage=access.can(current_user, "manage", partnership),
        cities=cards_service.home_cities(partnership),
        history=cards_service.history(card),
        helpers=actors.actors_for_card(card),
        languages=LANGUAGES,
        status_labels=STATUS_LABELS,
        watch=watching.watched_scopes(current_user, partnership, card),
        **_translation_context(card),
        attachments=panel_for(
            partnership, card, may_upload=may_edit, error=refused if refused_at == "attachments" else None
        ),
        refused=refused,
        refused_at=refused_at,
    )
    if may_edit:
        context.update(
            form=form or _card_form(partnership, card),
            checklist_form=checklist_form or ChecklistItemForm(formdata=None, prefix="checklist"),
            comment_form=comment_form or CommentForm(formdata=None, prefix="comment"),
            comment_forms=_comment_forms(card, refused_comment_forms),
            move_targets=cards_service.move_targets(partnership, card),
            move_url=move_url(partnership.id, card.id),
        )
    context.update(shown)
    return context


def card_page_context(partnership, card, refused: str, **shown) -> dict:
    """The card page after a form of another area on it was refused (the board's move form):
    that form is shown as it was sent (`shown`), even on a frozen board."""
    return _context(partnership, card, refused=refused, refused_at="move", **shown)


def _translation_context(card) -> dict:
    """The card and its comments in the reader's language, unless they asked for the original."""
    reader = str(get_locale())
    translations.name_columns([card.column], reader)
    return {
        "reader": reader,
        "show_original": request.values.get("original") == "1",
        "card_tr": translations.version(card, reader),
        "comment_tr": translations.versions("comment", card.comments, reader),
    }


def _comment_forms(card, refused=None) -> dict:
    """comment id -> the edit form of each of the user's own comments; after a refused edit,
    that comment's form keeps what was typed and the error (the template opens it)."""
    forms = {
        comment.id: CommentEditForm(formdata=None, prefix=f"comment-{comment.id}", body=comment.body)
        for comment in card.comments
        if comment.author_id == current_user.id
    }
    return forms | (refused or {})


def _heading_level() -> int:
    """1 on the card's own page, 2 where the board shows the card inside its page. Requests
    made from within the card's fragment say which one they came from (data-hx-vals "hl")."""
    asked = request.values.get("hl", type=int)
    if asked in (1, 2):
        return asked
    return 2 if htmx.is_htmx() else 1


def _detail(partnership, card, status=200, **kw):
    return htmx.render("cards/show.html", "cards/_detail.html", status, **_context(partnership, card, **kw))


def _changed(response, card):
    """Tell the page (the board, if it shows this card) that the card changed."""
    response = current_app.make_response(response)
    response.headers["HX-Trigger"] = json.dumps({"sb:card-changed": {"id": card.id}})
    return response


def _load(pid, card_id, need):
    partnership = access.get_partnership_or_404(pid, need=need, card_id=card_id)
    return partnership, access.get_card_or_404(partnership, card_id)


def _frozen_in_place(fragment, at, retarget=None, sent=None):
    """A card's form sent while the board is frozen (423): the card page, or for htmx the
    fragment the form swaps (`retarget`: when the form's own target is smaller), with that form
    as it was sent and the message where the form is (`at`). `sent(partnership, card, **ids)`:
    the context that gives the sent form back."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(pid, card_id, **ids):
            try:
                return view(pid, card_id, **ids)
            except BoardFrozen as error:
                db.session.rollback()
                partnership, card = _load(pid, card_id, "edit")
                extra = sent(partnership, card, **ids) if sent else {}
                context = _context(partnership, card, refused=error.message, refused_at=at, **extra)
                if not htmx.is_htmx():
                    return render_template("cards/show.html", **context), 423
                headers = {"HX-Retarget": retarget, "HX-Reswap": "outerHTML"} if retarget else {}
                return render_template(fragment, **context), 423, headers

        return wrapper

    return decorate


def _editable(card):
    ensure_not_frozen(card.partnership, current_user)  # 423 before any form is looked at
    if card.archived_at is not None:
        raise DomainError(_("This card is archived. Restore it before changing it."))


@bp.get("/<int:card_id>")
def show(pid, card_id):
    partnership, card = _load(pid, card_id, "view")
    return _detail(partnership, card)


@bp.post("/<int:card_id>/edit")
@_frozen_in_place(
    "cards/_detail.html", "detail", sent=lambda p, c: {"form": _card_form(p, c, submitted=True)}
)
def edit(pid, card_id):
    partnership, card = _load(pid, card_id, "edit")
    _editable(card)
    form = _card_form(partnership, card, submitted=True)
    if not form.validate_on_submit():
        return _detail(partnership, card, 422, form=form)
    try:
        with rule_errors(form):
            cards_service.update_card(
                card,
                version=form.version.data,
                title=form.title.data,
                body=form.body.data or "",
                project=(
                    access.get_project_or_404(partnership, form.project.data) if form.project.data else None
                ),
                estimate=form.estimate.data,
                due_date=form.due_date.data,
                language=form.language.data or None,
                assignees=[access.get_member_or_404(partnership, i) for i in form.assignees.data],
                labels=[access.get_label_or_404(partnership, i) for i in form.labels.data],
                actor=current_user,
            )
    except StaleEdit as stale:
        return _conflict(partnership, stale.card, form)
    if form.errors:
        return _detail(partnership, card, 422, form=form)
    db.session.commit()
    if htmx.is_htmx():
        return _changed(_detail(partnership, card), card)
    return htmx.redirect_to(url_for("cards.show", pid=pid, card_id=card_id))


def _conflict(partnership, card, form):
    """409: their current version beside what the user sent, with a form to re-apply it."""
    mine = _submitted(partnership, form)
    form.version.data = card.version  # re-applying goes on top of the current version
    conflict = {"mine": mine, "theirs": _shown(card)}
    if htmx.is_htmx():
        body = render_template(
            "cards/_conflict.html", **_context(partnership, card, form=form, conflict=conflict)
        )
        return body, 409, {"HX-Retarget": "#card-edit", "HX-Reswap": "outerHTML"}
    return _detail(partnership, card, 409, form=form, conflict=conflict)


def _shown(card) -> dict:
    return {
        "title": card.title,
        "body": card.body,
        "project": card.project.title if card.project else "",
        "estimate": "" if card.estimate is None else str(card.estimate),
        "due_date": card.due_date,
        "language": LANGUAGES.get(card.language or "", ""),
        "assignees": ", ".join(sorted(u.name for u in card.assignees)),
        "labels": ", ".join(sorted(label.name for label in card.labels)),
    }


def _submitted(partnership, form) -> dict:
    """What the user sent, as the conflict view shows it."""
    labels = {str(c.value): str(c.label) for c in form.labels.choices}
    projects = {str(c.value): str(c.label) for c in form.project.choices}
    people = {u.id: u.name for u, _city in cards_service.assignable_members(partnership)}
    return {
        "title": " ".join((form.title.data or "").split()),
        "body": form.body.data or "",
        "project": projects.get(str(form.project.data), "") if form.project.data else "",
        "estimate": "" if form.estimate.data is None else str(form.estimate.data),
        "due_date": form.due_date.data,
        "language": LANGUAGES.get(form.language.data or "", ""),
        "assignees": ", ".join(sorted(people[i] for i in form.assignees.data or [] if i in people)),
        "labels": ", ".join(sorted(labels[str(i)] for i in form.labels.data or [] if str(i) in labels)),
    }


@bp.get("/<int:card_id>/move-form")
def move_form(pid, card_id):
    partnership, card = _load(pid, card_id, "edit")
    _editable(card)
    # `next`: where the board wants the browser back after a no-JS move (checked by board.move).
    return htmx.render(
        "cards/show.html",
        "cards/_move_form.html",
        **_context(partnership, card),
        move_next=request.args.get("next"),
    )


# Checklist ---------------------------------------------------------------------------------


def _after_card_change(partnership, card, fragment, anchor):
    """htmx: the changed fragment; browsers: back to the card page. (A comment or a checklist
    change leaves the card's version, the edit lock, alone: an open edit form stays valid.)"""
    if not htmx.is_htmx():
        return htmx.redirect_to(url_for("cards.show", pid=partnership.id, card_id=card.id) + anchor)
    return _changed(render_template(fragment, **_context(partnership, card)), card)


@bp.post("/<int:card_id>/checklist")
@_frozen_in_place(
    "cards/_checklist.html",
    "checklist",
    sent=lambda p, c: {"checklist_form": ChecklistItemForm(prefix="checklist")},
)
def add_checklist_item(pid, card_id):
    partnership, card = _load(pid, card_id, "edit")
    _editable(card)
    form = ChecklistItemForm(prefix="checklist")
    if form.validate_on_submit():
        with rule_errors(form, "text"):
            cards_service.add_checklist_item(card, form.text.data, actor=current_user)
    if form.errors:
        return htmx.render(
            "cards/show.html",
            "cards/_checklist.html",
            422,
            **_context(partnership, card, checklist_form=form),
        )
    db.session.commit()
    return _after_card_change(partnership, card, "cards/_checklist.html", "#card-checklist")


@bp.post("/<int:card_id>/checklist/<int:item_id>/toggle")
@_frozen_in_place("cards/_checklist.html", "checklist", retarget="#card-checklist")
def toggle_checklist_item(pid, card_id, item_id):
    partnership, card = _load(pid, card_id, "edit")
    item = access.get_checklist_item_or_404(card, item_id)
    _editable(card)
    cards_service.toggle_checklist_item(item, actor=current_user)
    db.session.commit()
    if not htmx.is_htmx():
        return htmx.redirect_to(url_for("cards.show", pid=pid, card_id=card_id) + "#card-checklist")
    html = render_template("cards/_checklist_item.html", item=item, **_context(partnership, card))
    html += render_template("cards/_checklist_progress.html", card=card, oob=True)
    return _changed(html, card)


@bp.post("/<int:card_id>/checklist/<int:item_id>/delete")
@_frozen_in_place("cards/_checklist.html", "checklist")
def delete_checklist_item(pid, card_id, item_id):
    partnership, card = _load(pid, card_id, "edit")
    item = access.get_checklist_item_or_404(card, item_id)
    _editable(card)
    before = undo_service.checklist_item_snapshot(item)
    cards_service.delete_checklist_item(item, actor=current_user)
    action = undo_service.offer(partnership, "checklist.delete", before, actor=current_user)
    db.session.commit()
    undo.offer(action)
    return _after_card_change(partnership, card, "cards/_checklist.html", "#card-checklist")


# Comments ----------------------------------------------------------------------------------


@bp.post("/<int:card_id>/comments")
@_frozen_in_place(
    "cards/_comments.html", "comments", sent=lambda p, c: {"comment_form": CommentForm(prefix="comment")}
)
def add_comment(pid, card_id):
    partnership, card = _load(pid, card_id, "edit")
    _editable(card)
    form = CommentForm(prefix="comment")
    if form.validate_on_submit():
        with rule_errors(form, "body"):
            cards_service.add_comment(card, form.body.data, language=str(get_locale()), actor=current_user)
    if form.errors:
        return htmx.render(
            "cards/show.html", "cards/_comments.html", 422, **_context(partnership, card, comment_form=form)
        )
    db.session.commit()
    return _after_card_change(partnership, card, "cards/_comments.html", "#card-comments")


def _sent_comment_edit(partnership, card, comment_id):
    comment = access.get_comment_or_404(card, comment_id)
    return {"refused_comment_forms": {comment.id: CommentEditForm(prefix=f"comment-{comment.id}")}}


@bp.post("/<int:card_id>/comments/<int:comment_id>/edit")
@_frozen_in_place("cards/_comments.html", "comments", sent=_sent_comment_edit)
def edit_comment(pid, card_id, comment_id):
    partnership, card = _load(pid, card_id, "edit")
    comment = access.get_comment_or_404(card, comment_id)
    cards_service.ensure_may_edit_comment(comment, current_user)  # (403 before the frozen board's 423)
    _editable(card)
    form = CommentEditForm(prefix=f"comment-{comment.id}")
    if form.validate_on_submit():
        with rule_errors(form, "body"):
            cards_service.edit_comment(comment, form.body.data, actor=current_user)
    if form.errors:
        db.session.rollback()
        return htmx.render(
            "cards/show.html",
            "cards/_comments.html",
            422,
            **_context(partnership, card, refused_comment_forms={comment.id: form}),
        )
    db.session.commit()
    return _after_card_change(partnership, card, "cards/_comments.html", f"#comment-{comment.id}")


@bp.post("/<int:card_id>/comments/<int:comment_id>/delete")
@_frozen_in_place("cards/_comments.html", "comments")
def delete_comment(pid, card_id, comment_id):
    partnership, card = _load(pid, card_id, "edit")
    comment = access.get_comment_or_404(card, comment_id)
    moderator = access.can(current_user, "manage", partnership)
    # (403 before the frozen board's 423)
    cards_service.ensure_may_delete_comment(comment, current_user, moderator=moderator)
    _editable(card)
    before = undo_service.comment_snapshot(comment)
    cards_service.delete_comment(comment, actor=current_user, moderator=moderator)
    action = undo_service.offer(partnership, "comment.delete", before, actor=current_user)
    db.session.commit()
    undo.offer(action)
    return _after_card_change(partnership, card, "cards/_comments.html", "#card-comments")


# Archive -----------------------------------------------------------------------------------


@bp.post("/<int:card_id>/archive")
@_frozen_in_place("cards/_detail.html", "detail", retarget="#card-detail")
def archive(pid, card_id):
    partnership, card = _load(pid, card_id, "edit")
    was_archived = card.archived_at is not None
    cards_service.archive_card(card, actor=current_user)
    action = None
    if not was_archived:
        action = undo_service.offer(partnership, "card.archive", {"card_id": card.id}, actor=current_user)
    db.session.commit()
    if action is not None:
        undo.offer(action)
    return _changed(htmx.redirect_to(url_for("cards.show", pid=pid, card_id=card_id)), card)


@bp.post("/<int:card_id>/restore")
@_frozen_in_place(
    "cards/_detail.html", "detail", retarget="#card-detail", sent=lambda p, c: {"may_restore": True}
)
def restore(pid, card_id):
    partnership, card = _load(pid, card_id, "edit")
    cards_service.restore_card(card, actor=current_user)
    db.session.commit()
    return _changed(htmx.redirect_to(url_for("cards.show", pid=pid, card_id=card_id)), card)


@bp.get("/archived")
def archived(pid):
    partnership = access.get_partnership_or_404(pid)
    query = (request.args.get("q") or "").strip()[:200]
    page = arg_int("page", 1)
    found, total = cards_service.search_archived(partnership, query, page)
    pages = max((total + cards_service.ARCHIVE_PAGE_SIZE - 1) // cards_service.ARCHIVE_PAGE_SIZE, 1)
    return htmx.render(
        "cards/archived.html",
        "cards/_archive_results.html",
        partnership=partnership,
        cards=found,
        total=total,
        query=query,
        page_no=page,
        pages=pages,
        may_edit=access.can(current_user, "edit", partnership),
    )
