"""Dot votes and the retrospective, under the facilitation page's address."""

from flask import Blueprint, flash, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, htmx
from ..errors import rule_errors
from ..extensions import db
from ..forms.base import ConfirmForm
from ..forms.facilitation import RETRO_LABELS, RetroNoteForm, VoteSessionForm
from ..forms.projects import chosen_language
from ..services import DomainError, match, voting
from .facilitation import card_choices, index_page

bp = Blueprint("voting", __name__, url_prefix="/p/<int:pid>/facilitation")


@bp.post("/votes")
def open_vote(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    form = VoteSessionForm()
    form.cards.choices = card_choices(partnership)
    if not form.validate_on_submit():
        return index_page(partnership, vote_form=form, status=422)
    cards = [access.get_card_or_404(partnership, card_id) for card_id in form.cards.data or []]
    with rule_errors(form, "question"):
        session = voting.open_vote(
            partnership,
            form.question.data,
            form.votes_per_person.data,
            cards=cards,
            ideas=(form.ideas.data or "").splitlines(),
            actor=current_user,
        )
    if form.errors:
        return index_page(partnership, vote_form=form, status=422)
    db.session.commit()
    return htmx.redirect_to(url_for("voting.vote", pid=pid, vid=session.id))


def _vote_context(partnership, session):
    return dict(
        partnership=partnership,
        session=session,
        mine=voting.my_votes(session, current_user),
        used=voting.votes_used(session, current_user),
        voters=voting.voter_count(session),
        results=voting.results(session) if session.state == "revealed" else None,
        may_vote=access.can(current_user, "edit", partnership),
        may_manage=access.can(current_user, "manage", partnership),
        for_matches=session.state == "revealed" and match.is_match_vote(session),
    )


def _vote_response(partnership, session):
    if not htmx.is_htmx():
        return htmx.redirect_to(url_for("voting.vote", pid=partnership.id, vid=session.id))
    return render_template("facilitation/_vote.html", **_vote_context(partnership, session))


def _vote_refused(partnership, session, error, item=None):
    """The vote again with the reason (no votes left, none to take back, a frozen board); the
    item's buttons stay by it."""
    db.session.rollback()
    context = {**_vote_context(partnership, session), "error": error.message, "refused_item": item}
    return htmx.render("facilitation/vote.html", "facilitation/_vote.html", error.status, **context)


@bp.get("/votes/<int:vid>")
def vote(pid, vid):
    partnership = access.get_partnership_or_404(pid)
    session = access.get_vote_session_or_404(partnership, vid)
    return render_template("facilitation/vote.html", **_vote_context(partnership, session))


def _load_item(pid, vid, item_id, need):
    partnership = access.get_partnership_or_404(pid, need=need)
    session = access.get_vote_session_or_404(partnership, vid)
    return partnership, session, access.get_vote_item_or_404(session, item_id)


@bp.post("/votes/<int:vid>/items/<int:option_id>/vote")
def cast(pid, vid, option_id):
    partnership, session, item = _load_item(pid, vid, option_id, "edit")
    if not ConfirmForm().validate_on_submit():
        return _vote_response(partnership, session)
    try:
        voting.cast_vote(session, item, actor=current_user)
    except DomainError as error:
        return _vote_refused(partnership, session, error, item.id)
    db.session.commit()
    return _vote_response(partnership, session)


@bp.post("/votes/<int:vid>/items/<int:option_id>/unvote")
def retract(pid, vid, option_id):
    partnership, session, item = _load_item(pid, vid, option_id, "edit")
    if not ConfirmForm().validate_on_submit():
        return _vote_response(partnership, session)
    try:
        voting.retract_vote(session, item, actor=current_user)
    except DomainError as error:
        return _vote_refused(partnership, session, error, item.id)
    db.session.commit()
    return _vote_response(partnership, session)


@bp.post("/votes/<int:vid>/reveal")
def reveal(pid, vid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    session = access.get_vote_session_or_404(partnership, vid)
    if not ConfirmForm().validate_on_submit():
        return _vote_response(partnership, session)
    try:
        voting.reveal_vote(session, actor=current_user)
    except DomainError as error:  # (revealed meanwhile: the results, and why)
        return _vote_refused(partnership, session, error)
    db.session.commit()
    return _vote_response(partnership, session)


# Retrospective -------------------------------------------------------------------------------


def _retro(partnership, form=None, status=200, error=None):
    return htmx.render(
        "facilitation/retro.html",
        "facilitation/_retro.html",
        status,
        partnership=partnership,
        form=form or RetroNoteForm(formdata=None),
        notes=voting.retro_notes(partnership),
        labels=RETRO_LABELS,
        may_edit=access.can(current_user, "edit", partnership),
        may_manage=access.can(current_user, "manage", partnership),
        error=error,
    )


@bp.get("/retro")
def retro(pid):
    return _retro(access.get_partnership_or_404(pid))


def _back_to_retro(partnership):
    if htmx.is_htmx():
        return _retro(partnership)
    return htmx.redirect_to(url_for("voting.retro", pid=partnership.id))


@bp.post("/retro")
def add_note(pid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    form = RetroNoteForm()
    if not form.validate_on_submit():
        return _retro(partnership, form, 422)
    with rule_errors(form, "language"):
        voting.add_retro_note(
            partnership, form.kind.data, form.text.data, actor=current_user, **chosen_language(form.language)
        )
    if form.errors:
        return _retro(partnership, form, 422)
    db.session.commit()
    return _back_to_retro(partnership)


@bp.post("/retro/<int:nid>/card")
def note_to_card(pid, nid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    note = access.get_retro_note_or_404(partnership, nid)
    if not ConfirmForm().validate_on_submit():
        return _retro(partnership, status=422)
    try:
        card = voting.action_to_card(note, actor=current_user)
    except DomainError as error:  # (a frozen board, an action already a card: the retro, and why)
        db.session.rollback()
        return _retro(partnership, status=error.status, error=error.message)
    db.session.commit()
    message = _("“%(title)s” is now a card in the backlog.", title=card.title)
    if htmx.is_htmx():  # said now, in the flash region, not on the next page loaded
        html, status = _retro(partnership)
        return html + render_template("_flash_oob.html", category="success", message=message), status
    flash(message, "success")
    return _back_to_retro(partnership)


@bp.post("/retro/<int:nid>/delete")
def delete_note(pid, nid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    note = access.get_retro_note_or_404(partnership, nid)
    if not ConfirmForm().validate_on_submit():
        return _retro(partnership, status=422)
    voting.delete_retro_note(note, actor=current_user)
    db.session.commit()
    return _back_to_retro(partnership)
