"""Open-space events (BarCamps): the lists, the event, its settings, rooms and time slots.

Sessions and notes: views/openspace_sessions.py; the grid, wall and phones: openspace_grid.py;
registration and people: openspace_people.py; report and exports: openspace_report.py (each its
own blueprint, sharing `event_context`). Event pages are reachable by guests (registered without
an account): they are marked public for the login check, and `access.load_event_or_404` decides
who may see them.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import access, htmx, navigation
from ..errors import rule_errors
from ..extensions import db
from ..forms import options
from ..forms.base import ConfirmForm
from ..forms.openspace import EventForm, NewEventForm, RoomForm, SlotForm
from ..services import openspace, openspace_people, workshops

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
    return htmx.redirect_to(url_for("openspace.settings", eid=event.id))


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
    from ..services import openspace_grid, openspace_sessions

    event, viewer = access.load_event_or_404(eid)
    grid = openspace_grid.load_grid(event)
    return htmx.render(
        "openspace/show.html",
        "openspace/_sessions.html",
        **event_context(
            event,
            viewer,
            grid=grid,
            mine=openspace_sessions.my_dots(event, viewer.participant),
            used=openspace_sessions.dots_used(event, viewer.participant),
            show_counts=event.votes_visible or access.may_event(viewer, "manage"),
        ),
    )


# Settings, rooms, slots ---------------------------------------------------------------------------------


def _workshop_choices(event):
    pairs = [("", "—")]
    if event.partnership is not None:
        pairs += [(str(w.id), workshops.workshop_title(w)) for w in workshops.timeline(event.partnership)]
    return options(pairs)


def _settings(event, viewer, status=200, fragment=None, **forms):
    form = forms.pop("form", None) or EventForm(formdata=None, obj=event)
    form.workshop.choices = _workshop_choices(event)
    if form.workshop.data is None and event.workshop_id and not forms.get("keep"):
        form.workshop.data = event.workshop_id
    return htmx.render(
        "openspace/settings.html",
        fragment or "openspace/settings.html",
        status,
        **event_context(
            event,
            viewer,
            form=form,
            room_form=forms.pop("room_form", None) or RoomForm(formdata=None, prefix="new-room"),
            slot_form=forms.pop("slot_form", None) or SlotForm(formdata=None, prefix="new-slot"),
            join_url=url_for(
                "openspace_people.join",
                eid=event.id,
                join_token=openspace.registration_token(event),
                _external=True,
            ),
            feed_url=url_for(
                "openspace_report.feed", eid=event.id, feed_token=openspace.feed_token(event), _external=True
            ),
            registered=openspace_people.registered_count(event),
            confirm=ConfirmForm(),
            edit_room=forms.pop("edit_room", None),
            edit_slot=forms.pop("edit_slot", None),
        ),
    )


def _back(event, fragment):
    if htmx.is_htmx():
        return _settings(event, access.event_viewer(event), fragment=f"openspace/{fragment}.html")
    return htmx.redirect_to(url_for("openspace.settings", eid=event.id))


@bp.get("/o/<int:eid>/settings")
@access.public
def settings(eid):
    event, viewer = access.load_event_or_404(eid, need="manage")
    return _settings(event, viewer)


@bp.post("/o/<int:eid>/settings")
@access.public
def update(eid):
    event, viewer = access.load_event_or_404(eid, need="manage")
    form = EventForm()
    form.workshop.choices = _workshop_choices(event)
    if not form.validate_on_submit():
        return _settings(event, viewer, 422, form=form, keep=True)
    workshop = None
    if form.workshop.data and event.partnership is not None:
        workshop = access.get_workshop_or_404(event.partnership, form.workshop.data)
    with rule_errors(form, "title") as broken:
        openspace.update_event(
            event,
            actor=viewer.user,
            title=form.title.data,
            description=form.description.data,
            venue=form.venue.data,
            timezone=form.timezone.data,
            dots_per_person=form.dots_per_person.data,
            votes_visible=form.votes_visible.data,
            registration_open=form.registration_open.data,
            capacity=form.capacity.data,
            workshop=workshop,
        )
    if broken:
        return _settings(event, viewer, 422, form=form, keep=True)
    db.session.commit()
    return htmx.redirect_to(url_for("openspace.settings", eid=eid))


@bp.post("/o/<int:eid>/delete")
@access.public
def delete(eid):
    event, viewer = access.load_event_or_404(eid, need="manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    partnership = event.partnership
    openspace.delete_event(event, actor=viewer.user)
    db.session.commit()
    if partnership is not None:
        return htmx.redirect_to(url_for("openspace.partnership_index", pid=partnership.id))
    return htmx.redirect_to(url_for("openspace.index"))


@bp.post("/o/<int:eid>/rooms")
@access.public
def add_room(eid):
    event, viewer = access.load_event_or_404(eid, need="manage")
    form = RoomForm(prefix="new-room")  # (prefixed: the settings page has several forms)
    if form.validate_on_submit():
        with rule_errors(form, "name"):
            openspace.add_room(
                event,
                form.name.data,
                form.capacity.data,
                form.accessible.data,
                form.online_url.data,
                actor=viewer.user,
            )
    if form.errors:
        return _settings(event, viewer, 422, "openspace/_rooms.html", room_form=form)
    db.session.commit()
    return _back(event, "_rooms")


@bp.post("/o/<int:eid>/rooms/<int:room_id>")
@access.public
def update_room(eid, room_id):
    event, viewer = access.load_event_or_404(eid, need="manage")
    room = access.get_space_room_or_404(event, room_id)
    form = RoomForm(prefix=f"room-{room.id}")
    if form.validate_on_submit():
        with rule_errors(form, "name"):
            openspace.update_room(
                room,
                form.name.data,
                form.capacity.data,
                form.accessible.data,
                form.online_url.data,
                actor=viewer.user,
            )
    if form.errors:
        return _settings(event, viewer, 422, "openspace/_rooms.html", edit_room=(room.id, form))
    db.session.commit()
    return _back(event, "_rooms")


@bp.post("/o/<int:eid>/rooms/<int:room_id>/delete")
@access.public
def delete_room(eid, room_id):
    event, viewer = access.load_event_or_404(eid, need="manage")
    room = access.get_space_room_or_404(event, room_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    openspace.delete_room(room, actor=viewer.user)
    db.session.commit()
    return _back(event, "_rooms")


@bp.post("/o/<int:eid>/slots")
@access.public
def add_slot(eid):
    event, viewer = access.load_event_or_404(eid, need="manage")
    form = SlotForm(prefix="new-slot")
    if form.validate_on_submit():
        with rule_errors(form, "starts"):
            openspace.add_slot(event, form.day.data, form.starts.data, form.ends.data, actor=viewer.user)
    if form.errors:
        return _settings(event, viewer, 422, "openspace/_slots.html", slot_form=form)
    db.session.commit()
    return _back(event, "_slots")


@bp.post("/o/<int:eid>/slots/<int:slot_id>")
@access.public
def update_slot(eid, slot_id):
    event, viewer = access.load_event_or_404(eid, need="manage")
    slot = access.get_space_slot_or_404(event, slot_id)
    form = SlotForm(prefix=f"slot-{slot.id}")
    if form.validate_on_submit():
        with rule_errors(form, "starts"):
            openspace.update_slot(slot, form.day.data, form.starts.data, form.ends.data, actor=viewer.user)
    if form.errors:
        return _settings(event, viewer, 422, "openspace/_slots.html", edit_slot=(slot.id, form))
    db.session.commit()
    return _back(event, "_slots")


@bp.post("/o/<int:eid>/slots/<int:slot_id>/delete")
@access.public
def delete_slot(eid, slot_id):
    event, viewer = access.load_event_or_404(eid, need="manage")
    slot = access.get_space_slot_or_404(event, slot_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    openspace.delete_slot(slot, actor=viewer.user)
    db.session.commit()
    return _back(event, "_slots")


@bp.post("/o/<int:eid>/link/renew")
@access.public
def renew_link(eid):
    event, viewer = access.load_event_or_404(eid, need="manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    openspace.renew_registration_link(event, actor=viewer.user)
    db.session.commit()
    return _back(event, "_links")


@bp.post("/o/<int:eid>/feed/renew")
@access.public
def renew_feed(eid):
    event, viewer = access.load_event_or_404(eid, need="manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    openspace.renew_feed_link(event, actor=viewer.user)
    db.session.commit()
    return _back(event, "_links")
