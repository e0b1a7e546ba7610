"""Open-space events (BarCamps): the lists, creating one, the event's page of sessions.

Settings, rooms and slots: views/openspace_settings.py; sessions and notes: openspace_sessions.py;
the grid, wall and phones: openspace_grid.py; registration and people: openspace_people.py; the
report, exports and what sessions become: openspace_report.py (each its own blueprint, sharing
`event_context`). Event pages are reachable by guests (registered without
an account): they are marked public for the login check, and `access.load_event_or_404` decides
who may see them.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import access, htmx, navigation
from ..extensions import db
from ..forms import options
from ..forms.openspace import NewEventForm
from ..services import openspace

bp = Blueprint("openspace", __name__)
navigation.add_tab("openspace.partnership_index", _l("Open space"), 47)


def event_context(event, viewer, **extra) -> dict:
    """What every event page needs to draw its header and navigation."""
    user = viewer.user
    return dict(
        event=event,
        viewer=viewer,
        may_manage=access.may_event(viewer, "manage"),
        may_take_part=access.may_event(viewer, "take_part"),
        # Guests and people from other partnerships see the event, never the partnership.
        partnership_link=event.partnership is not None
        and user is not None
        and access.role_in(user, event.partnership) is not None,
        **extra,
    )


# Lists and creating ---------------------------------------------------------------------------------


def _partnership_choices():
    mine = [p for p in access.visible_partnerships(current_user) if access.can(current_user, "manage", p)]
    pairs = [(str(p.id), p.name) for p in mine]
    if access.can_host_open_space(current_user):
        pairs.insert(0, ("", _l("None: a BarCamp open to everyone who registers")))
    return options(pairs)


def _new_form(formdata=False, partnership=None):
    form = NewEventForm() if formdata else NewEventForm(formdata=None)
    form.partnership.choices = _partnership_choices()
    if partnership is not None and not formdata:
        form.partnership.data = partnership.id
    form.workshop.choices = options([("", "—")])
    return form


@bp.get("/o/")
def index():
    form = _new_form()
    return render_template(
        "openspace/index.html",
        events=openspace.events_for(current_user),
        form=form,
        may_create=bool(form.partnership.choices),
    )


@bp.post("/o/")
def create():
    form = _new_form(formdata=True)
    if not form.partnership.choices:
        abort(403)
    if not form.validate_on_submit():
        return render_template(
            "openspace/index.html", events=openspace.events_for(current_user), form=form, may_create=True
        ), 422
    partnership = None
    if form.partnership.data is not None:
        partnership = access.get_partnership_or_404(form.partnership.data, need="manage")
    elif not access.can_host_open_space(current_user):
        abort(403)
    event = openspace.create_event(
        form.title.data,
        partnership=partnership,
        actor=current_user,
        description=form.description.data,
        venue=form.venue.data,
        timezone=form.timezone.data,
        dots_per_person=form.dots_per_person.data,
        votes_visible=form.votes_visible.data,
        registration_open=form.registration_open.data,
        capacity=form.capacity.data,
    )
    db.session.commit()
    return htmx.redirect_to(url_for("openspace_settings.settings", eid=event.id))


@bp.get("/p/<int:pid>/openspace")
def partnership_index(pid):
    partnership = access.get_partnership_or_404(pid)
    return render_template(
        "openspace/partnership.html",
        partnership=partnership,
        events=openspace.events_of(partnership),
        form=_new_form(partnership=partnership),
        may_create=access.can(current_user, "manage", partnership),
    )


@bp.get("/o/<int:eid>")
@access.public
def show(eid):
    return show_sessions(eid)


def show_sessions(eid, status=200, dot_refused=None):
    """The event page (for htmx its session list); `dot_refused` = (session id, message) says
    beside that session why a dot was not added or taken back."""
    from ..services import openspace_grid, openspace_sessions

    event, viewer = access.load_event_or_404(eid)
    grid = openspace_grid.load_grid(event)
    return htmx.render(
        "openspace/show.html",
        "openspace/_sessions.html",
        status,
        dot_refused=dot_refused,
        **event_context(
            event,
            viewer,
            grid=grid,
            mine=openspace_sessions.my_dots(event, viewer.participant),
            used=openspace_sessions.dots_used(event, viewer.participant),
            show_counts=event.votes_visible or access.may_event(viewer, "manage"),
        ),
    )
