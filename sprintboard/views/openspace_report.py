"""After an open-space event: the report, JSON and CSV exports, and the iCal feed (routes of the
openspace blueprint)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, csvsafe, htmx
from ..errors import rule_errors
from ..extensions import db
from ..forms.openspace import ToCardForm, ToEntryForm
from ..models.base import utcnow
from ..services import openspace_report, openspace_sessions
from .openspace import event_context
from .openspace_sessions import after_forms, session_page

bp = Blueprint("openspace_report", __name__)


@bp.get("/o/<int:eid>/report")
@access.public
def report(eid):
    event, viewer = access.load_event_or_404(eid)
    return render_template(
        "openspace/report.html", **event_context(event, viewer, r=openspace_report.report(event))
    )


def _download(body: str, mimetype: str, name: str) -> Response:
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/o/<int:eid>/export.json")
@access.public
def export_json(eid):
    event, _viewer = access.load_event_or_404(eid, need="manage")
    name = f"sprintboard-openspace-{event.id}-{utcnow():%Y%m%d}.json"
    return _download(openspace_report.export_json(event), "application/json", name)


@bp.get("/o/<int:eid>/export.csv")
@access.public
def export_csv(eid):
    event, _viewer = access.load_event_or_404(eid, need="manage")
    return csvsafe.csv_response(
        f"openspace-{event.id}-sessions.csv", openspace_report.CSV_HEADER, openspace_report.export_rows(event)
    )


@bp.get("/o/<int:eid>/calendar/<feed_token>.ics")
@access.public
@access.limit_token_guessing
def feed(eid, feed_token):
    """The placed sessions as a calendar, for anyone with the event's calendar link."""
    event = access.get_event_by_link_or_404(eid, feed_token, purpose="feed")
    body = openspace_report.calendar(event, host=request.host.split(":")[0] or "sprintboard")
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "no-store"})


# Sessions become cards and match entries (facilitators, after the event) --------------------------


def _load(eid, session_id):
    event, viewer = access.load_event_or_404(eid, need="manage")
    return event, viewer, access.get_space_session_or_404(event, session_id)


@bp.post("/o/<int:eid>/sessions/<int:session_id>/card")
@access.public
def to_card(eid, session_id):
    event, viewer, session = _load(eid, session_id)
    form = ToCardForm()
    form.partnership.choices = after_forms(event, viewer)[0].partnership.choices
    if not form.validate_on_submit():
        return session_page(event, viewer, session, 422, card_error=_("Choose a partnership."))
    partnership = access.get_partnership_or_404(form.partnership.data, need="edit")
    with rule_errors() as broken:
        card = openspace_sessions.session_to_card(session, partnership, actor=viewer.user)
    if broken:
        return session_page(event, viewer, session, 422, card_error=broken.message)
    db.session.commit()
    flash(
        _("“%(title)s” is now a card in the backlog of %(name)s.", title=card.title, name=partnership.name),
        "success",
    )
    return htmx.redirect_to(url_for("openspace_sessions.session", eid=eid, session_id=session_id) + "#after")


@bp.post("/o/<int:eid>/sessions/<int:session_id>/entry")
@access.public
def to_entry(eid, session_id):
    event, viewer, session = _load(eid, session_id)
    form = ToEntryForm()
    form.city.choices = after_forms(event, viewer)[1].city.choices
    if not form.validate_on_submit():
        return session_page(event, viewer, session, 422, entry_error=_("Choose a city and a kind."))
    city = access.get_city_or_404(_city_partnership(form.city.data), form.city.data)
    with rule_errors() as broken:
        openspace_sessions.session_to_entry(session, city, form.kind.data, actor=viewer.user)
    if broken:
        return session_page(event, viewer, session, 422, entry_error=broken.message)
    db.session.commit()
    flash(_("“%(title)s” is now a match entry of %(city)s.", title=session.title, city=city.name), "success")
    return htmx.redirect_to(url_for("openspace_sessions.session", eid=eid, session_id=session_id) + "#after")


def _city_partnership(city_id):
    """The partnership of a city offered in the form, checked for the user's right to edit it."""
    for partnership in access.visible_partnerships(current_user):
        if any(c.id == city_id for c in partnership.cities):
            return access.get_partnership_or_404(partnership.id, need="edit")
    abort(404)
