"""The grid of an open-space event: placing sessions (drag and drop, keyboard, plain form),
"suggest a schedule", the wall (presentation mode), the phones' "now / next", the printable
schedule and the live stream that keeps them current."""

from __future__ import annotations

from flask import Blueprint, Response, flash, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _

from .. import access, errors, htmx
from ..errors import rule_errors
from ..extensions import db
from ..forms.openspace import PlaceForm, SuggestForm
from ..live.openspace_stream import EventStream
from ..live.stream import Busy
from ..services import openspace_grid, openspace_sessions
from . import safe_next
from .openspace import event_context

bp = Blueprint("openspace_grid", __name__)

NO_STORE = {"Cache-Control": "no-store"}


def _grid_context(event, viewer, **extra):
    grid = openspace_grid.load_grid(event)
    now = openspace_grid.local_now(event)
    current, upcoming = openspace_grid.now_and_next(grid.slots, now)
    return event_context(
        event,
        viewer,
        grid=grid,
        now_slot=current,
        next_slot=upcoming,
        now_time=f"{now:%H:%M}",
        suggest_form=SuggestForm(formdata=None),
        mine=openspace_sessions.my_dots(event, viewer.participant),
        **extra,
    )


def _grid(event, viewer, status=200, **extra):
    return htmx.render(
        "openspace/grid.html", "openspace/_grid.html", status, **_grid_context(event, viewer, **extra)
    )


@bp.get("/o/<int:eid>/grid")
@access.public
def grid(eid):
    event, viewer = access.load_event_or_404(eid)
    return _grid(event, viewer)


@bp.post("/o/<int:eid>/sessions/<int:session_id>/place")
@access.public
def place(eid, session_id):
    event, viewer = access.load_event_or_404(eid, need="manage")
    session = access.get_space_session_or_404(event, session_id)
    form = PlaceForm()
    if not form.validate_on_submit():
        return _place_refused(event, viewer, session, errors.form_error_text(form))
    room = access.get_space_room_or_404(event, form.room.data) if form.room.data else None
    slot = access.get_space_slot_or_404(event, form.slot.data) if form.slot.data else None
    with rule_errors() as broken:
        openspace_grid.place_session(session, room, slot, actor=viewer.user, by=viewer.name)
    if broken:
        return _place_refused(event, viewer, session, broken.message)
    db.session.commit()
    if not htmx.is_htmx():
        return htmx.redirect_to(safe_next(request.form.get("next"), url_for("openspace_grid.grid", eid=eid)))
    if room is not None:
        message = _(
            "“%(title)s” is now in %(room)s, %(start)s–%(end)s.",
            title=session.title,
            room=room.name,
            start=f"{slot.starts:%H:%M}",
            end=f"{slot.ends:%H:%M}",
        )
    else:
        message = _("“%(title)s” is off the grid.", title=session.title)
    return _grid(event, viewer, message=message, moved=session.id)


def _place_refused(event, viewer, session, message):
    """A drag on the grid (htmx) is told in the flash region; the session page's form (without
    JavaScript) comes back on that page with the reason beside it."""
    if htmx.is_htmx():
        return errors.render_error(422, message or None)
    from .openspace_sessions import session_page

    return session_page(
        event, viewer, session, 422, place_refused=message or _("Some of what you entered is not valid.")
    )


@bp.post("/o/<int:eid>/suggest")
@access.public
def suggest(eid):
    event, viewer = access.load_event_or_404(eid, need="manage")
    form = SuggestForm()
    if not form.validate_on_submit():
        return errors.form_errors(form)
    with rule_errors() as broken:
        placed = openspace_grid.apply_suggestion(
            event, keep_placed=form.keep_placed.data, actor=viewer.user, by=viewer.name
        )
    if broken:
        return _grid(event, viewer, 422, error=broken.message)
    db.session.commit()
    message = _(
        "The grid is filled: %(placed)d of %(total)d sessions placed. Check the conflicts, then adjust.",
        placed=placed,
        total=len(event.sessions),
    )
    if not htmx.is_htmx():
        flash(message, "success")
        return htmx.redirect_to(url_for("openspace_grid.grid", eid=eid))
    return _grid(event, viewer, message=message)


@bp.get("/o/<int:eid>/wall")
@access.public
def wall(eid):
    """Presentation mode: the grid, large and read-only, for a projector; it follows changes live."""
    event, viewer = access.load_event_or_404(eid)
    return htmx.render("openspace/wall.html", "openspace/_wall.html", **_grid_context(event, viewer))


@bp.get("/o/<int:eid>/now")
@access.public
def now(eid):
    """On a phone: what is on now and next, in which room; it follows changes live."""
    event, viewer = access.load_event_or_404(eid)
    return htmx.render("openspace/now.html", "openspace/_now.html", **_grid_context(event, viewer))


@bp.get("/o/<int:eid>/print")
@access.public
def print_schedule(eid):
    event, viewer = access.load_event_or_404(eid)
    paper = "a4" if request.args.get("paper") == "a4" else "a3"
    return render_template("openspace/print.html", paper=paper, **_grid_context(event, viewer))


@bp.get("/o/<int:eid>/stream")
@access.public
def stream(eid):
    """Server-Sent Events: "changed" whenever the event's grid or sessions change."""
    event, _viewer = access.load_event_or_404(eid)
    try:
        live = EventStream(event.id)
    except Busy as busy:
        return Response("", 503, {**NO_STORE, "Retry-After": str(busy.retry_after)}, mimetype="text/plain")
    db.session.remove()  # no connection held while the stream waits
    response = Response(stream_with_context(live.events()), mimetype="text/event-stream")
    response.call_on_close(live.close)
    response.headers.update({**NO_STORE, "X-Accel-Buffering": "no"})
    return response
