"""Facilitation during a workshop: timebox, freeze; dot votes and the retrospective live in
views/voting.py on the same blueprint."""

from flask import Blueprint, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import access, htmx, navigation
from ..extensions import db
from ..forms.base import ConfirmForm
from ..forms.facilitation import TimeboxForm, VoteSessionForm
from ..models import Card
from ..services import facilitation

bp = Blueprint("facilitation", __name__, url_prefix="/p/<int:pid>/facilitation")
navigation.add_tab("facilitation.index", _l("Facilitation"), 45)


@bp.app_template_global()
def timebox_state(partnership):
    """What templates/facilitation/_timebox.html shows: None, or end time and seconds left."""
    remaining = facilitation.timebox_remaining(partnership)
    if remaining is None:
        return None
    return {
        "ends_at": partnership.timebox_ends_at,
        "remaining": remaining,
        "label": partnership.timebox_label,
        "clock": f"{remaining // 60:02d}:{remaining % 60:02d}",
    }


@bp.app_template_global()
def board_is_frozen_for(partnership, user):
    """True when `user` sees the board read-only because a facilitator froze it."""
    return facilitation.is_frozen_for(partnership, user)


def _card_choices(partnership):
    from ..forms import options

    cards = db.session.scalars(
        db.select(Card)
        .where(Card.partnership_id == partnership.id, Card.archived_at.is_(None))
        .order_by(Card.title)
    )
    return options((c.id, c.title) for c in cards)


def _index(partnership, timebox_form=None, vote_form=None, status=200):
    vote_form = vote_form or VoteSessionForm(formdata=None)
    vote_form.cards.choices = _card_choices(partnership)
    return render_template(
        "facilitation/index.html",
        partnership=partnership,
        timebox_form=timebox_form or TimeboxForm(formdata=None),
        vote_form=vote_form,
        sessions=facilitation.vote_sessions(partnership),
        confirm=ConfirmForm(),
        may_manage=access.can(current_user, "manage", partnership),
    ), status


@bp.get("/")
def index(pid):
    return _index(access.get_partnership_or_404(pid))


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
        return _index(partnership, timebox_form=form, status=422)
    facilitation.start_timebox(partnership, form.minutes.data, form.label.data or "", actor=current_user)
    db.session.commit()
    return _panel(partnership, "_timebox_panel")


@bp.post("/timebox/stop")
def stop_timebox(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    if not ConfirmForm().validate_on_submit():
        return _index(partnership, status=422)
    facilitation.stop_timebox(partnership, actor=current_user)
    db.session.commit()
    return _panel(partnership, "_timebox_panel")


@bp.post("/freeze")
def freeze(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    if not ConfirmForm().validate_on_submit():
        return _index(partnership, status=422)
    facilitation.freeze_board(partnership, actor=current_user)
    db.session.commit()
    return _panel(partnership, "_freeze_panel")


@bp.post("/unfreeze")
def unfreeze(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    if not ConfirmForm().validate_on_submit():
        return _index(partnership, status=422)
    facilitation.unfreeze_board(partnership, actor=current_user)
    db.session.commit()
    return _panel(partnership, "_freeze_panel")


def _panel(partnership, fragment):
    if not htmx.is_htmx():
        return htmx.redirect_to(url_for("facilitation.index", pid=partnership.id))
    return render_template(
        f"facilitation/{fragment}.html",
        partnership=partnership,
        timebox_form=TimeboxForm(formdata=None),
        may_manage=True,
    )


from . import voting  # noqa: E402,F401  (dot votes and retrospective on this blueprint)
