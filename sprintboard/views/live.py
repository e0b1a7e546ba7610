"""Live board updates: a Server-Sent Events stream per board viewer, and a polling fallback.

GET /p/<pid>/events streams the board's events (sprintboard.live.stream). GET
/p/<pid>/board/changes?since=<id> is the cheap fallback when streaming fails: 204 when nothing
changed.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, stream_with_context
from flask_babel import get_locale
from flask_login import current_user

from .. import access
from ..ids import MAX_ID
from ..live import render
from ..live.stream import Busy, Stream

bp = Blueprint("live", __name__, url_prefix="/p/<int:pid>")
NO_STORE = {"Cache-Control": "no-store"}


def _since() -> int | None:
    for value in (request.headers.get("Last-Event-ID"), request.args.get("since")):
        if value and value.strip().isdigit() and len(value.strip()) <= 10:
            return min(int(value.strip()), MAX_ID)
    return None


@bp.get("/events")
def stream(pid):
    partnership = access.get_partnership_or_404(pid)
    try:
        live = Stream(partnership, current_user, since=_since(), locale=str(get_locale()))
    except Busy as busy:
        headers = {**NO_STORE, "Retry-After": str(busy.retry_after)}
        return Response("", busy.status, headers, mimetype="text/plain")
    response = Response(stream_with_context(live.events()), mimetype="text/event-stream")
    response.call_on_close(live.close)
    response.headers.update({**NO_STORE, "X-Accel-Buffering": "no"})  # nginx: pass events on at once
    return response


@bp.get("/board/changes")
def changes(pid):
    partnership = access.get_partnership_or_404(pid)
    since = request.args.get("since", type=int)
    if since is None or not 0 <= since <= MAX_ID:
        abort(400)
    ids = render.missed(partnership.id, since)
    if ids == []:
        return Response(status=204, headers=NO_STORE)
    if ids is None:  # too much changed: the client refreshes the board and goes on from now
        body = render.reload_marker(render.last_id(partnership.id))
    else:
        body = "".join(render.render_activity(partnership.id, i, str(get_locale())) for i in ids)
    return Response(body, headers=NO_STORE, mimetype="text/html")
