"""Registration by the public link, guests' personal links, one's own details, and the people of
an event.

A guest is known by a signed cookie holding their participant id and personal key; the personal
link (/o/<id>/me/<id.key>) sets the same cookie on another device.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, htmx, security
from ..errors import rule_errors
from ..extensions import db
from ..forms.base import ConfirmForm
from ..forms.openspace import ProfileForm, RoleForm
from ..services import openspace, openspace_people
from .openspace import event_context

bp = Blueprint("openspace_people", __name__)

GUEST_COOKIE_DAYS = 180
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}


def _with_guest_key(response, event_id: int, value: str | None):
    """Add (or with None remove) this event's guest key in the signed cookie."""
    keys = access.guest_keys()
    if value is None:
        keys.pop(str(event_id), None)
    else:
        keys[str(event_id)] = value
    keys = dict(list(keys.items())[-20:])  # a cookie stays small however many events one joins
    if keys:
        response.set_cookie(
            access.GUEST_COOKIE,
            access.guest_cookie_value(keys),
            max_age=GUEST_COOKIE_DAYS * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    else:
        response.delete_cookie(access.GUEST_COOKIE)
    return response


def _join_page(event, form, status=200):
    viewer = access.event_viewer(event)
    return (
        render_template(
            "openspace/join.html",
            event=event,
            form=form,
            viewer=viewer,
            places_left=openspace_people.places_left(event),
        ),
        status,
        PRIVATE,
    )


@bp.get("/o/<int:eid>/join/<join_token>")
@access.public
@access.limit_token_guessing
def join(eid, join_token):
    event = access.get_event_by_link_or_404(eid, join_token)
    form = ProfileForm(formdata=None)
    if current_user.is_authenticated:
        form.name.data = current_user.name
    return _join_page(event, form)


@bp.post("/o/<int:eid>/join/<join_token>")
@access.public
@access.limit_token_guessing
def register(eid, join_token):
    event = access.get_event_by_link_or_404(eid, join_token)
    form = ProfileForm()
    if not form.validate_on_submit():
        return _join_page(event, form, 422)
    user = current_user._get_current_object() if current_user.is_authenticated else None
    with rule_errors(form, "name") as broken:
        participant, key = openspace_people.register(
            event, form.name.data, form.city.data, form.languages.data, form.needs_access.data, user=user
        )
    if broken:
        return _join_page(event, form, 422)
    db.session.commit()
    flash(_("Welcome, %(name)s! You are registered.", name=participant.name), "success")
    response = htmx.redirect_to(url_for("openspace_people.profile", eid=eid))
    if key is not None:
        _with_guest_key(response, eid, f"{participant.id}.{key}")
    return response


@bp.get("/o/<int:eid>/me/<guest_key>")
@access.public
@access.limit_token_guessing
def personal_link(eid, guest_key):
    """A guest's personal link: this device becomes theirs for the event."""
    access.get_guest_by_link_or_404(eid, guest_key)
    response = htmx.redirect_to(url_for("openspace.show", eid=eid))
    response.headers.update(PRIVATE)
    return _with_guest_key(response, eid, guest_key)


def _profile(event, viewer, form=None, status=200):
    if form is None:
        form = ProfileForm(formdata=None, obj=viewer.participant)
        if viewer.participant is None:
            form.name.data = viewer.name
        else:
            form.languages.data = viewer.participant.language_codes
    key = access.guest_keys().get(str(event.id)) if viewer.is_guest else None
    link = (
        url_for("openspace_people.personal_link", eid=event.id, guest_key=key, _external=True)
        if key
        else None
    )
    return (
        render_template(
            "openspace/profile.html",
            **event_context(
                event,
                viewer,
                form=form,
                personal_link=link,
                feed_url=url_for(
                    "openspace_report.feed",
                    eid=event.id,
                    feed_token=openspace.feed_token(event),
                    _external=True,
                ),
                confirm=ConfirmForm(),
            ),
        ),
        status,
        PRIVATE,
    )


@bp.get("/o/<int:eid>/me")
@access.public
@security.no_store  # a guest's personal link
def profile(eid):
    event, viewer = access.load_event_or_404(eid, need="take_part")
    return _profile(event, viewer)


@bp.post("/o/<int:eid>/me")
@access.public
def update_profile(eid):
    event, viewer = access.load_event_or_404(eid, need="take_part")
    form = ProfileForm()
    if not form.validate_on_submit():
        return _profile(event, viewer, form, 422)
    with rule_errors(form, "name") as broken:
        openspace_people.update_profile(
            event, viewer, form.name.data, form.city.data, form.languages.data, form.needs_access.data
        )
    if broken:
        return _profile(event, viewer, form, 422)
    db.session.commit()
    flash(_("Your details are saved."), "success")
    return htmx.redirect_to(url_for("openspace_people.profile", eid=eid))


@bp.post("/o/<int:eid>/leave")
@access.public
def leave(eid):
    event, viewer = access.load_event_or_404(eid, need="take_part")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if viewer.participant is not None:
        openspace_people.remove_participant(viewer.participant, actor=viewer.user)
    db.session.commit()
    flash(_("You are no longer registered for %(title)s.", title=event.title), "success")
    if viewer.is_guest:
        return _with_guest_key(htmx.redirect_to(url_for("toolbox.index")), eid, None)
    return htmx.redirect_to(url_for("openspace.index"))


# The people of an event (facilitators) -----------------------------------------------------------------


def _people(event, viewer, status=200, error=None):
    return render_template(
        "openspace/people.html",
        **event_context(
            event,
            viewer,
            people=openspace_people.people_of(event),
            registered=openspace_people.registered_count(event),
            confirm=ConfirmForm(),
            role_form=RoleForm(formdata=None),
            error=error,
        ),
    ), status


@bp.get("/o/<int:eid>/people")
@access.public
def people(eid):
    return _people(*access.load_event_or_404(eid, need="manage"))


@bp.post("/o/<int:eid>/people/<int:ptid>/remove")
@access.public
def remove_person(eid, ptid):
    event, viewer = access.load_event_or_404(eid, need="manage")
    participant = access.get_space_participant_or_404(event, ptid)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    openspace_people.remove_participant(participant, actor=viewer.user)
    db.session.commit()
    return htmx.redirect_to(url_for("openspace_people.people", eid=eid))


@bp.post("/o/<int:eid>/people/<int:ptid>/role")
@access.public
def set_role(eid, ptid):
    event, viewer = access.load_event_or_404(eid, need="manage")
    participant = access.get_space_participant_or_404(event, ptid)
    form = RoleForm()
    if not form.validate_on_submit():
        return _people(event, viewer, 422, _("Choose a role."))
    with rule_errors() as broken:
        openspace_people.set_role(participant, form.role.data, actor=viewer.user)
    if broken:
        return _people(event, viewer, 422, broken.message)
    db.session.commit()
    return htmx.redirect_to(url_for("openspace_people.people", eid=eid))
