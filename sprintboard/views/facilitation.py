"""Facilitation during a workshop: timebox, freeze (the facilitation page); dot votes and the
retrospective are views/voting.py, which re-renders this page with `index_page`."""

from flask import Blueprint, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import access, htmx, navigation
from ..extensions import db
from ..forms import options
from ..forms.base import ConfirmForm
from ..forms.facilitation import TimeboxForm, VoteSessionForm
from ..services import DomainError, cards, facilitation, voting

bp = Blueprint("facilitation", __name__, url_prefix="/p/<int:pid>/facilitation")
navigation.add_tab("facilitation.index", _l("Facilitation"), 45)


def card_choices(partnership):
    return options(cards.card_choices(partnership))


def index_page(partnership, timebox_form=None, vote_form=None, status=200, **context):
    vote_form = vote_form or VoteSessionForm(formdata=None)
    vote_form.cards.choices = card_choices(partnership)
    return render_template(
        "facilitation/index.html",
        partnership=partnership,
        timebox_form=timebox_form or TimeboxForm(formdata=None),
        vote_form=vote_form,
        sessions=voting.vote_sessions(partnership),
        confirm=ConfirmForm(),
        may_manage=access.can(current_user, "manage", partnership),
        **context,
    ), status


@bp.get("/")
def index(pid):
    return index_page(access.get_partnership_or_404(pid))


@bp.get("/timebox")
def timebox(pid):
    """The timebox: a fragment the board polls, and opened directly a page with a large clock
    (for a projector or a second screen)."""
    partnership = access.get_partnership_or_404(pid)
    return htmx.render("facilitation/timebox.html", "facilitation/_timebox.html", partnership=partnership)


@bp.post("/timebox")
def start_timebox(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    form = TimeboxForm()
    if not form.validate_on_submit():
        if not htmx.is_htmx():
            return index_page(partnership, timebox_form=form, status=422)
        return _panel(partnership, "_timebox_panel", 422, timebox_form=form)
    facilitation.start_timebox(partnership, form.minutes.data, form.label.data or "", actor=current_user)
    db.session.commit()
    return _panel(partnership, "_timebox_panel")


@bp.post("/timebox/stop")
def stop_timebox(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    if not ConfirmForm().validate_on_submit():
        return index_page(partnership, status=422)
    facilitation.stop_timebox(partnership, actor=current_user)
    db.session.commit()
    return _panel(partnership, "_timebox_panel")


@bp.post("/freeze")
def freeze(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    if not ConfirmForm().validate_on_submit():
        return index_page(partnership, status=422)
    try:
        facilitation.freeze_board(partnership, actor=current_user)
    except DomainError as error:
        return _freeze_refused(partnership, error)
    db.session.commit()
    return _panel(partnership, "_freeze_panel")


@bp.post("/unfreeze")
def unfreeze(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    if not ConfirmForm().validate_on_submit():
        return index_page(partnership, status=422)
    try:
        facilitation.unfreeze_board(partnership, actor=current_user)
    except DomainError as error:
        return _freeze_refused(partnership, error)
    db.session.commit()
    return _panel(partnership, "_freeze_panel")


def _freeze_refused(partnership, error):
    """Frozen or unfrozen meanwhile (409): the panel as it now is, and why nothing changed."""
    db.session.rollback()
    if not htmx.is_htmx():
        return index_page(partnership, status=error.status, freeze_error=error.message)
    return _panel(partnership, "_freeze_panel", error.status, freeze_error=error.message)


def _panel(partnership, fragment, status=200, timebox_form=None, **context):
    """The panel after a change (htmx; a browser goes back to the page), or refused (`status`)."""
    if status == 200 and not htmx.is_htmx():
        return htmx.redirect_to(url_for("facilitation.index", pid=partnership.id))
    return render_template(
        f"facilitation/{fragment}.html",
        partnership=partnership,
        timebox_form=timebox_form or TimeboxForm(formdata=None),
        may_manage=True,
        **context,
    ), status
