"""The workshop timeline of a partnership and each workshop's page."""

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import access, htmx, navigation
from ..errors import rule_errors
from ..extensions import db
from ..forms import options
from ..forms.base import ConfirmForm
from ..forms.projects import chosen_language
from ..forms.workshops import (
    KIND_LABELS,
    AgendaItemForm,
    LinkForm,
    NewWorkshopForm,
    OutcomesForm,
    WorkshopForm,
    city_choices,
)
from ..i18n import LANGUAGES
from ..services import DomainError, match, openspace, partnerships, toolbox, workshops
from ..services import cards as cards_service
from ..services import projects as projects_service
from .attachments import panel_for

bp = Blueprint("workshops", __name__, url_prefix="/p/<int:pid>/workshops")
navigation.add_tab("workshops.index", _l("Workshops"), 30)
navigation.add_home_section(
    "workshops/_home.html",
    30,
    lambda p: {"now": workshops.last_held(p), "next": workshops.next_planned(p)},
)


def _city(partnership, value):
    return access.get_city_or_404(partnership, int(value)) if value else None


def _index(partnership, form=None, status=200):
    form = form or NewWorkshopForm(formdata=None)
    form.host_city.choices = city_choices(partnership)
    return render_template(
        "workshops/index.html",
        partnership=partnership,
        form=form,
        kinds=KIND_LABELS,
        workshops=workshops.timeline(partnership),
        now=workshops.last_held(partnership),
        next=workshops.next_planned(partnership),
        may_manage=access.can(current_user, "manage", partnership),
    ), status


@bp.get("/")
def index(pid):
    return _index(access.get_partnership_or_404(pid))


@bp.post("/")
def create(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    form = NewWorkshopForm()
    form.host_city.choices = city_choices(partnership)
    if not form.validate_on_submit():
        return _index(partnership, form, 422)
    with rule_errors(form, "title"):
        workshop = workshops.create_workshop(
            partnership,
            form.kind.data,
            form.title.data,
            host_city=_city(partnership, form.host_city.data),
            start=form.start_date.data,
            end=form.end_date.data,
            start_time=form.start_time.data,
            end_time=form.end_time.data,
            venue=form.venue.data,
            actor=current_user,
        )
    if form.errors:
        return _index(partnership, form, 422)
    db.session.commit()
    flash(_("The workshop has been added."), "success")
    return htmx.redirect_to(url_for("workshops.show", pid=pid, wid=workshop.id))


def _details_form(partnership, workshop):
    details = WorkshopForm(formdata=None, obj=workshop)
    details.host_city.data = str(workshop.host_city_id or "")
    return details


def _context(partnership, workshop, **forms):
    details = forms.pop("details_form", None) or _details_form(partnership, workshop)
    details.host_city.choices = city_choices(partnership)
    agenda_form = forms.pop("agenda_form", None) or AgendaItemForm(formdata=None)
    members = partnerships.members_of(partnership)
    agenda_form.responsible.choices = options(
        [("", _("Nobody in particular"))] + [(str(u.id), u.name) for u in members]
    )
    methods = toolbox.method_choices(str(get_locale()), partnership)
    agenda_form.method.choices = options([("", _("None"))] + methods)
    cards, projects = workshops.linked(workshop)
    link_form = LinkForm(formdata=None)
    link_form.card.choices = options(
        [("", "—")] + [(str(i), t) for i, t in cards_service.card_choices(partnership, without_workshop=True)]
    )
    link_form.project.choices = options(
        [("", "—")]
        + [(str(i), t) for i, t in projects_service.project_choices(partnership, without_workshop=True)]
    )
    return dict(
        partnership=partnership,
        workshop=workshop,
        attachments=panel_for(
            partnership, workshop, may_upload=access.can(current_user, "edit", partnership)
        ),
        details_form=details,
        agenda_form=agenda_form,
        outcomes_form=forms.pop("outcomes_form", None) or _outcomes_form(workshop),
        link_form=link_form,
        members=members,
        cards=cards,
        projects=projects,
        methods=methods,
        languages=LANGUAGES,
        attendance=workshops.attendance_of(workshop),
        recorded=match.recorded_at(workshop),
        open_spaces=openspace.events_of_workshop(workshop),
        minutes=workshops.agenda_minutes(workshop),
        confirm=ConfirmForm(),
        may_manage=access.can(current_user, "manage", partnership),
        error=forms.pop("error", None),
        held_error=forms.pop("held_error", None),
        edited=forms.pop("edited", None),
    )


def _outcomes_form(workshop):
    """Outcomes not written yet are in their author's UI language unless they say otherwise."""
    form = OutcomesForm(formdata=None, obj=workshop)
    if not workshop.outcomes:
        form.language.data = str(get_locale())
    return form


def respond(partnership, workshop, fragment, status=200, **forms):
    """htmx: the changed fragment; browsers: back to the workshop page (or the page with errors)."""
    if status == 200 and not htmx.is_htmx():
        return htmx.redirect_to(url_for("workshops.show", pid=partnership.id, wid=workshop.id))
    context = _context(partnership, workshop, **forms)
    html, status = htmx.render("workshops/show.html", f"workshops/_{fragment}.html", status, **context)
    if fragment == "details" and status == 200 and htmx.is_htmx():
        # New dates change what was recorded during the workshop (the outcomes panel lists it).
        html += render_template("workshops/_outcomes.html", oob=True, **context)
    return html, status


def load(pid, wid, need="manage"):
    partnership = access.get_partnership_or_404(pid, need=need)
    return partnership, access.get_workshop_or_404(partnership, wid)


@bp.get("/<int:wid>")
def show(pid, wid):
    partnership, workshop = load(pid, wid, need="view")
    return render_template("workshops/show.html", **_context(partnership, workshop))


@bp.post("/<int:wid>")
def update(pid, wid):
    partnership, workshop = load(pid, wid)
    form = WorkshopForm()
    form.host_city.choices = city_choices(partnership)
    if not form.validate_on_submit():
        return respond(partnership, workshop, "details", 422, details_form=form)
    with rule_errors(form, "title"):
        workshops.update_workshop(
            workshop,
            title=form.title.data,
            host_city=_city(partnership, form.host_city.data),
            start=form.start_date.data,
            end=form.end_date.data,
            start_time=form.start_time.data,
            end_time=form.end_time.data,
            venue=form.venue.data,
            actor=current_user,
        )
    if form.errors:
        return respond(partnership, workshop, "details", 422, details_form=form)
    db.session.commit()
    return respond(partnership, workshop, "details")


@bp.post("/<int:wid>/held")
def held(pid, wid):
    partnership, workshop = load(pid, wid)
    if not ConfirmForm().validate_on_submit():
        return respond(partnership, workshop, "details", 422)
    try:
        if request.form.get("status") == "planned":
            workshops.mark_planned(workshop, actor=current_user)
        else:
            workshops.mark_held(workshop, actor=current_user)
    except DomainError as error:
        # In place, with the reason and the dates to correct (a future date, none at all).
        db.session.rollback()
        details = _details_form(partnership, workshop)
        if error.status == 422:
            details.start_date.errors = [error.message]
        return respond(
            partnership, workshop, "details", error.status, details_form=details, held_error=error.message
        )
    db.session.commit()
    return respond(partnership, workshop, "details")


@bp.post("/<int:wid>/outcomes")
def outcomes(pid, wid):
    partnership, workshop = load(pid, wid)
    form = OutcomesForm()
    if not form.validate_on_submit():
        return respond(partnership, workshop, "outcomes", 422, outcomes_form=form)
    with rule_errors(form, "language"):
        workshops.set_outcomes(
            workshop, form.outcomes.data, actor=current_user, **chosen_language(form.language)
        )
    if form.errors:
        return respond(partnership, workshop, "outcomes", 422, outcomes_form=form)
    db.session.commit()
    return respond(partnership, workshop, "outcomes")


@bp.post("/<int:wid>/attendance")
def attendance(pid, wid):
    partnership, workshop = load(pid, wid)
    if not ConfirmForm().validate_on_submit():
        return respond(partnership, workshop, "attendance", 422)
    counts = {}
    for city in partnership.cities:
        raw = (request.form.get(f"city-{city.id}") or "0").strip()
        if not raw.isdigit() or len(raw) > 6:
            return respond(
                partnership, workshop, "attendance", 422, error=_("Attendance is a number from 0 to 10,000.")
            )
        counts[city] = int(raw)
    workshops.set_attendance(workshop, counts, actor=current_user)
    db.session.commit()
    return respond(partnership, workshop, "attendance")
