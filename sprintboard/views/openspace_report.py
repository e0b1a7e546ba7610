"""After an open-space event: the report, JSON and CSV exports, and the iCal feed (routes of the
openspace blueprint)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from .. import access, csvsafe
from ..models.base import utcnow
from ..services import openspace_report
from .openspace import event_context

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
