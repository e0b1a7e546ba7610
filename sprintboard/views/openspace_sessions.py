"""Sessions of an open-space event: proposing, interest dots, the session page with its notes
(whose card and match-entry forms post to views/openspace_report.py)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, url_for
from flask_babel import gettext as _

from .. import access, htmx
from ..errors import rule_errors
from ..extensions import db
from ..forms import options
from ..forms.base import ConfirmForm
from ..forms.openspace import (
    NotesForm,
    PlaceForm,
    SessionForm,
    ToCardForm,
    ToEntryForm,
)
from ..services import DomainError, openspace_grid, openspace_people, openspace_sessions
from ..services.openspace_sessions import StaleNotes
from .openspace import event_context, show, show_sessions

bp = Blueprint("openspace_sessions", __name__)


def _session_form(event, viewer, session=None, formdata=True):
    if formdata:
        form = SessionForm()
    elif session is not None:
        form = SessionForm(formdata=None, obj=session)
        form.languages.data = session.language_codes
        form.needs.data = session.need_codes
        form.cohosts.data = [h.id for h in session.hosts]
    else:
        form = SessionForm(formdata=None)
        if viewer.participant is not None:
            form.languages.data = viewer.participant.language_codes
    me = viewer.participant.id if viewer.participant is not None else None
    form.cohosts.choices = options(
        (p.id, f"{p.name} ({p.city})" if p.city else p.name)
        for p in openspace_people.people_of(event)
        if p.id != me or viewer.role == "facilitator"
    )
    return form


def _form_page(event, viewer, form, session=None, status=200):
    return render_template(
        "openspace/propose.html", **event_context(event, viewer, form=form, session=session)
    ), status


@bp.get("/o/<int:eid>/propose")
@access.public
def propose(eid):
    event, viewer = access.load_event_or_404(eid, need="take_part")
    return _form_page(event, viewer, _session_form(event, viewer, formdata=False))


@bp.post("/o/<int:eid>/sessions")
@access.public
def create_session(eid):
    event, viewer = access.load_event_or_404(eid, need="take_part")
    form = _session_form(event, viewer)
    if not form.validate_on_submit():
        return _form_page(event, viewer, form, status=422)
    cohosts = [access.get_space_participant_or_404(event, pid) for pid in form.cohosts.data or []]
    with rule_errors(form, "title") as broken:
        session = openspace_sessions.propose_session(
            event,
            viewer,
            form.title.data,
            form.description.data,
            form.format.data,
            form.languages.data,
            form.needs.data,
            cohosts,
        )
    if broken:
        return _form_page(event, viewer, form, status=422)
    db.session.commit()
    flash(_("Your session “%(title)s” is proposed.", title=session.title), "success")
    return htmx.redirect_to(url_for("openspace.show", eid=eid) + f"#session-{session.id}")


def _load(eid, session_id, need="view"):
    event, viewer = access.load_event_or_404(eid, need=need)
    return event, viewer, access.get_space_session_or_404(event, session_id)


def after_forms(event, viewer):
    """The forms that turn a session into a card or match entry (facilitators, after the event)."""
    if not access.may_event(viewer, "manage") or viewer.user is None:
        return None, None
    if event.partnership is not None:
        partnerships = [event.partnership]
    else:
        partnerships = [
            p for p in access.visible_partnerships(viewer.user) if access.can(viewer.user, "edit", p)
        ]
    card_form, entry_form = ToCardForm(formdata=None), ToEntryForm(formdata=None)
    card_form.partnership.choices = options((p.id, p.name) for p in partnerships)
    entry_form.city.choices = options(
        (c.id, c.name if len(partnerships) == 1 else f"{c.name} ({p.name})")
        for p in partnerships
        for c in p.cities
    )
    return card_form, entry_form


def session_page(event, viewer, session, status=200, fragment=None, **extra):
    notes_form = extra.pop("notes_form", None)
    if notes_form is None:
        notes_form = NotesForm(formdata=None, obj=session, version=session.notes_version)
        notes_form.languages.data = session.notes_language_codes
    place_form = PlaceForm(formdata=None, room=session.room_id, slot=session.slot_id)
    place_form.room.choices = options([("", "—")] + [(r.id, r.name) for r in event.rooms])
    place_form.slot.choices = options(
        [("", "—")] + [(s.id, f"{s.day:%d.%m.} {s.starts:%H:%M}–{s.ends:%H:%M}") for s in event.slots]
    )
    card_form, entry_form = after_forms(event, viewer)
    grid = openspace_grid.load_grid(event)
    return htmx.render(
        "openspace/session.html",
        fragment or "openspace/session.html",
        status,
        **event_context(
            event,
            viewer,
            session=session,
            grid=grid,
            notes_form=notes_form,
            place_form=place_form,
            card_form=card_form,
            entry_form=entry_form,
            may_change=openspace_sessions.may_change(session, viewer),
            mine=openspace_sessions.my_dots(event, viewer.participant),
            used=openspace_sessions.dots_used(event, viewer.participant),
            show_counts=event.votes_visible or access.may_event(viewer, "manage"),
            confirm=ConfirmForm(),
            **extra,
        ),
    )


@bp.get("/o/<int:eid>/sessions/<int:session_id>")
@access.public
def session(eid, session_id):
    event, viewer, session = _load(eid, session_id)
    return session_page(event, viewer, session)


@bp.get("/o/<int:eid>/sessions/<int:session_id>/edit")
@access.public
def edit_session(eid, session_id):
    event, viewer, session = _load(eid, session_id, "take_part")
    if not openspace_sessions.may_change(session, viewer):
        abort(403)
    return _form_page(event, viewer, _session_form(event, viewer, session, formdata=False), session)


@bp.post("/o/<int:eid>/sessions/<int:session_id>/edit")
@access.public
def update_session(eid, session_id):
    event, viewer, session = _load(eid, session_id, "take_part")
    form = _session_form(event, viewer, session)
    if not form.validate_on_submit():
        return _form_page(event, viewer, form, session, 422)
    cohosts = [access.get_space_participant_or_404(event, pid) for pid in form.cohosts.data or []]
    with rule_errors(form, "title") as broken:
        openspace_sessions.update_session(
            session,
            viewer,
            form.title.data,
            form.description.data,
            form.format.data,
            form.languages.data,
            form.needs.data,
            cohosts,
        )
    if broken:
        return _form_page(event, viewer, form, session, 422)
    db.session.commit()
    return htmx.redirect_to(url_for("openspace_sessions.session", eid=eid, session_id=session_id))


@bp.post("/o/<int:eid>/sessions/<int:session_id>/withdraw")
@access.public
def withdraw_session(eid, session_id):
    event, viewer, session = _load(eid, session_id, "take_part")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title = session.title
    openspace_sessions.withdraw_session(session, viewer)
    db.session.commit()
    flash(_("The session “%(title)s” is withdrawn.", title=title), "success")
    return htmx.redirect_to(url_for("openspace.show", eid=eid))


def _after_dot(event, viewer, session):
    if not htmx.is_htmx():
        return htmx.redirect_to(url_for("openspace.show", eid=event.id) + f"#session-{session.id}")
    return show(event.id)


@bp.post("/o/<int:eid>/sessions/<int:session_id>/dot")
@access.public
def add_dot(eid, session_id):
    event, viewer, session = _load(eid, session_id, "take_part")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        openspace_sessions.add_dot(session, viewer)
    except DomainError as error:  # the list again, the reason beside the session
        db.session.rollback()
        return show_sessions(eid, error.status, (session.id, error.message))
    db.session.commit()
    return _after_dot(event, viewer, session)


@bp.post("/o/<int:eid>/sessions/<int:session_id>/undot")
@access.public
def remove_dot(eid, session_id):
    event, viewer, session = _load(eid, session_id, "take_part")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        openspace_sessions.remove_dot(session, viewer)
    except DomainError as error:  # the list again, the reason beside the session
        db.session.rollback()
        return show_sessions(eid, error.status, (session.id, error.message))
    db.session.commit()
    return _after_dot(event, viewer, session)


@bp.post("/o/<int:eid>/sessions/<int:session_id>/notes")
@access.public
def save_notes(eid, session_id):
    event, viewer, session = _load(eid, session_id, "take_part")
    form = NotesForm()
    if not form.validate_on_submit():
        return session_page(event, viewer, session, 422, "openspace/_notes.html", notes_form=form)
    try:
        with rule_errors(form, "notes") as broken:
            openspace_sessions.save_notes(
                session,
                viewer,
                form.notes.data,
                form.outcome.data,
                form.languages.data,
                version=form.version.data,
            )
    except StaleNotes as stale:  # (rolled back: `session` reads what is saved now)
        # Saving again keeps this text over theirs.
        form.version.data, form.version.raw_data = session.notes_version, [str(session.notes_version)]
        return session_page(
            event, viewer, session, 409, "openspace/_notes.html", notes_form=form, stale=stale.message
        )
    if broken:
        return session_page(event, viewer, session, 422, "openspace/_notes.html", notes_form=form)
    db.session.commit()
    if htmx.is_htmx():
        return session_page(event, viewer, session, fragment="openspace/_notes.html", saved=True)
    flash(_("The notes are saved."), "success")
    return htmx.redirect_to(
        url_for("openspace_sessions.session", eid=eid, session_id=session_id) + "#notes-panel"
    )
