"""The settings of an open-space event: the event itself, its rooms and time slots, its links."""

from __future__ import annotations

from flask import Blueprint, abort, url_for

from .. import access, htmx, security
from ..errors import rule_errors
from ..extensions import db
from ..forms import options
from ..forms.base import ConfirmForm
from ..forms.openspace import EventForm, RoomForm, SlotForm
from ..services import openspace, openspace_people, openspace_venue, workshops
from .openspace import event_context

bp = Blueprint("openspace_settings", __name__)


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
    return htmx.redirect_to(url_for("openspace_settings.settings", eid=event.id))


@bp.get("/o/<int:eid>/settings")
@access.public
@security.no_store  # the registration and calendar links
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
    return htmx.redirect_to(url_for("openspace_settings.settings", eid=eid))


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
            openspace_venue.add_room(
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
            openspace_venue.update_room(
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
    openspace_venue.delete_room(room, actor=viewer.user)
    db.session.commit()
    return _back(event, "_rooms")


@bp.post("/o/<int:eid>/slots")
@access.public
def add_slot(eid):
    event, viewer = access.load_event_or_404(eid, need="manage")
    form = SlotForm(prefix="new-slot")
    if form.validate_on_submit():
        with rule_errors(form, "starts"):
            openspace_venue.add_slot(
                event, form.day.data, form.starts.data, form.ends.data, actor=viewer.user
            )
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
            openspace_venue.update_slot(
                slot, form.day.data, form.starts.data, form.ends.data, actor=viewer.user
            )
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
    openspace_venue.delete_slot(slot, actor=viewer.user)
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
