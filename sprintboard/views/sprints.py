"""Sprints: plan from the backlog, start, close with carry-over; the charts page."""

from flask import Blueprint, flash, render_template, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import access, htmx, navigation
from ..errors import rule_errors
from ..extensions import db
from ..forms import options
from ..forms.base import ConfirmForm
from ..forms.projects import chosen_language
from ..forms.sprints import CloseSprintForm, PullCardsForm, SprintForm
from ..services import DomainError, charts, sprints, translations

bp = Blueprint("sprints", __name__, url_prefix="/p/<int:pid>/sprints")
navigation.add_tab("sprints.index", _l("Sprints"), 40)


def _index(partnership, form=None, status=200):
    return render_template(
        "sprints/index.html",
        partnership=partnership,
        form=form or SprintForm(formdata=None),
        sprints=sprints.sprints_of(partnership),
        velocity=sprints.velocity(partnership),
        count=sprints.card_count,
        points=sprints.points,
        may_manage=access.can(current_user, "manage", partnership),
    ), status


@bp.get("/")
def index(pid):
    return _index(access.get_partnership_or_404(pid))


@bp.post("/")
def create(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    form = SprintForm()
    if not form.validate_on_submit():
        return _index(partnership, form, 422)
    with rule_errors(form, "name"):
        sprint = sprints.create_sprint(
            partnership,
            form.name.data,
            form.goal.data,
            form.start_date.data,
            form.end_date.data,
            actor=current_user,
            **chosen_language(form.language),
        )
    if form.errors:
        return _index(partnership, form, 422)
    db.session.commit()
    flash(_("The sprint has been created. Now pull cards from the backlog into it."), "success")
    return htmx.redirect_to(url_for("sprints.show", pid=pid, sid=sprint.id))


def _load(pid, sid, need="manage"):
    partnership = access.get_partnership_or_404(pid, need=need)
    return partnership, access.get_sprint_or_404(partnership, sid)


def _columns_as_read(cards):
    """The cards' columns named as the reader reads them (`column.shown_name`)."""
    translations.name_columns(list({c.column_id: c.column for c in cards}.values()), str(get_locale()))
    return cards


def _context(partnership, sprint, pull_form=None, error=None):
    cards = _columns_as_read(sprints.sprint_cards(sprint))
    backlog = sprints.backlog_cards(partnership) if sprint.state != "closed" else []
    pull_form = pull_form or PullCardsForm(formdata=None)
    pull_form.cards.choices = options((c.id, c.title) for c in backlog)
    burndown = None
    if sprint.state == "active":
        data = charts.burndown(sprint)
        burndown = {"data": data, "svg": charts.burndown_svg(data)}
    return dict(
        partnership=partnership,
        sprint=sprint,
        cards=cards,
        backlog=backlog,
        pull_form=pull_form,
        total=sprints.points(cards),
        velocity=sprints.velocity(partnership),
        burndown=burndown,
        may_manage=access.can(current_user, "manage", partnership),
        error=error,
    )


@bp.get("/<int:sid>")
def show(pid, sid):
    partnership, sprint = _load(pid, sid, need="view")
    return render_template("sprints/show.html", **_context(partnership, sprint))


def _plan_response(partnership, sprint, status=200, **kw):
    if status == 200 and not htmx.is_htmx():
        return htmx.redirect_to(url_for("sprints.show", pid=partnership.id, sid=sprint.id))
    return htmx.render(
        "sprints/show.html", "sprints/_plan.html", status, **_context(partnership, sprint, **kw)
    )


@bp.post("/<int:sid>/cards")
def pull(pid, sid):
    partnership, sprint = _load(pid, sid)
    form = PullCardsForm()
    form.cards.choices = options((c.id, c.title) for c in sprints.backlog_cards(partnership))
    if not form.validate_on_submit():
        return _plan_response(partnership, sprint, 422, pull_form=form)
    cards = [access.get_card_or_404(partnership, card_id) for card_id in form.cards.data]
    sprints.add_cards(sprint, cards, actor=current_user)
    db.session.commit()
    return _plan_response(partnership, sprint)


@bp.post("/<int:sid>/cards/<int:card_id>/remove")
def remove(pid, sid, card_id):
    partnership, sprint = _load(pid, sid)
    card = access.get_card_or_404(partnership, card_id)
    if not ConfirmForm().validate_on_submit():
        return _plan_response(partnership, sprint, 422)
    try:
        sprints.remove_card(sprint, card, actor=current_user)
    except DomainError as error:  # (a closed sprint, a done card: the plan again with the reason)
        db.session.rollback()
        return _plan_response(partnership, sprint, error.status, error=error.message)
    db.session.commit()
    return _plan_response(partnership, sprint)


@bp.route("/<int:sid>/edit", methods=["GET", "POST"])
def edit(pid, sid):
    partnership, sprint = _load(pid, sid)
    form = SprintForm(obj=sprint)
    if form.validate_on_submit():
        with rule_errors(form):
            sprints.update_sprint(
                sprint,
                form.name.data,
                form.goal.data,
                form.start_date.data,
                form.end_date.data,
                actor=current_user,
                **chosen_language(form.language),
            )
        if not form.errors:
            db.session.commit()
            flash(_("Saved."), "success")
            return htmx.redirect_to(url_for("sprints.show", pid=pid, sid=sid))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("sprints/edit.html", partnership=partnership, sprint=sprint, form=form), status


@bp.post("/<int:sid>/start")
def start(pid, sid):
    partnership, sprint = _load(pid, sid)
    if not ConfirmForm().validate_on_submit():
        expired = _("The form has expired or was sent from another site. Reload the page and try again.")
        return _start_refused(partnership, sprint, expired, 422)
    try:
        sprints.start_sprint(sprint, actor=current_user)
    except DomainError as error:  # (already started, another one running)
        db.session.rollback()
        return _start_refused(partnership, sprint, error.message, error.status)
    db.session.commit()
    flash(_("The sprint has started."), "success")
    return htmx.redirect_to(url_for("sprints.show", pid=pid, sid=sid))


def _start_refused(partnership, sprint, message, status):
    """The sprint's page with its Start button again and the reason beside it (a plain form:
    the whole page, for htmx too)."""
    context = _context(partnership, sprint)
    return render_template("sprints/show.html", start_error=message, **context), status


def _close_form(partnership, sprint, unfinished):
    form = CloseSprintForm()
    form.carry_to.choices = options(
        [("backlog", _("Back to the backlog"))]
        + [(str(s.id), _("Into %(name)s", name=s.name)) for s in sprints.planned_sprints(partnership, sprint)]
        + [("new", _("Into a new sprint (below)"))]
    )
    form.cards.choices = options((c.id, c.title) for c in unfinished)
    if not form.is_submitted():
        form.cards.data = [c.id for c in unfinished]  # all ticked
        form.new_name.data, form.new_start.data, form.new_end.data = sprints.next_sprint_defaults(sprint)
    return form


@bp.route("/<int:sid>/close", methods=["GET", "POST"])
def close(pid, sid):
    """GET: the dialog listing the unfinished cards (ticked) and where they go; POST: close."""
    partnership, sprint = _load(pid, sid)
    unfinished = _columns_as_read(sprints.unfinished_cards(sprint))
    form = _close_form(partnership, sprint, unfinished)
    status = 200
    if form.validate_on_submit():
        with rule_errors(form, "new_name") as broken:
            carry_to = None
            if form.carry_to.data == "new":
                carry_to = sprints.create_sprint(
                    partnership,
                    form.new_name.data,
                    form.new_goal.data,
                    form.new_start.data,
                    form.new_end.data,
                    actor=current_user,
                )
            elif form.carry_to.data != "backlog":
                carry_to = access.get_sprint_or_404(partnership, int(form.carry_to.data))
            carry = form.cards.data if form.picking.data else None
            moved = _close_or_refuse(sprint, carry_to, carry, form)
        if not form.errors and not broken:
            db.session.commit()
            went = [c for c in moved if carry_to is not None and c.sprint_id == carry_to.id]
            flash(_closed_message(len(went), carry_to), "success")
            if carry_to is not None and len(went) < len(moved):
                flash(_back_message(len(moved) - len(went)), "success")
            return htmx.redirect_to(url_for("sprints.show", pid=pid, sid=sid))
    if form.errors:
        status = getattr(form, "refused_with", 422)
    return render_template(
        "sprints/close.html",
        partnership=partnership,
        sprint=sprint,
        form=form,
        unfinished=unfinished,
    ), status


def _close_or_refuse(sprint, carry_to, carry, form):
    """Close; a sprint that is not running (409) says so on the close form."""
    try:
        return sprints.close_sprint(sprint, carry_to=carry_to, carry=carry, actor=current_user)
    except DomainError as error:
        if error.status == 422:
            raise
        db.session.rollback()
        form.form_errors.append(error.message)
        form.refused_with = error.status
        return []


def _back_message(n):
    return ngettext(
        "%(num)d other unfinished card went back to the backlog.",
        "%(num)d other unfinished cards went back to the backlog.",
        n,
    )


def _closed_message(n, carry_to):
    if carry_to is not None:
        return ngettext(
            "The sprint is closed; %(num)d unfinished card went into %(name)s.",
            "The sprint is closed; %(num)d unfinished cards went into %(name)s.",
            n,
            name=carry_to.name,
        )
    return ngettext(
        "The sprint is closed; %(num)d unfinished card went back to the backlog.",
        "The sprint is closed; %(num)d unfinished cards went back to the backlog.",
        n,
    )


@bp.get("/charts")
def charts_page(pid):
    partnership = access.get_partnership_or_404(pid)
    active = sprints.active_sprint(partnership)
    burndown = None
    if active is not None:
        data = charts.burndown(active)
        burndown = {"data": data, "svg": charts.burndown_svg(data)}
    closed = sprints.closed_sprints(partnership, 12)
    flow = charts.cumulative_flow(partnership)
    return render_template(
        "sprints/charts.html",
        partnership=partnership,
        active=active,
        burndown=burndown,
        closed=closed,
        velocity_svg=charts.velocity_svg(closed),
        velocity=sprints.velocity(partnership),
        flow=flow,
        flow_svg=charts.flow_svg(flow),
    )
