"""Live board updates: a Server-Sent Events stream per board viewer, and a polling fallback.

GET /p/<pid>/events streams the board's events (see sprintboard.events) as htmx fragments; it
replays what a reconnecting client missed (Last-Event-ID, or ?since= on a fresh connection) and
keeps no database connection open while it waits. GET /p/<pid>/board/changes?since=<id> is the
cheap fallback when streaming fails: 204 when nothing changed.
"""

from __future__ import annotations

import threading
import time

from flask import Blueprint, Response, abort, current_app, request, stream_with_context
from flask_babel import force_locale, get_locale
from flask_login import current_user

from .. import access, events
from ..extensions import db
from ..services import live

bp = Blueprint("live", __name__, url_prefix="/p/<int:pid>")
PRESENCE_DELAY = 0.5  # seconds: a workshop of 200 joining at once is shown in a few updates

_slots_lock = threading.Lock()


def _stream_slots() -> threading.BoundedSemaphore:
    """Open streams this process accepts (LIVE_MAX_STREAMS): keep it below gunicorn's --threads
    so ordinary requests always find a free thread."""
    app = current_app._get_current_object()
    with _slots_lock:
        slots = app.extensions.get("live_slots")
        if slots is None:
            slots = app.extensions["live_slots"] = threading.BoundedSemaphore(
                int(app.config.get("LIVE_MAX_STREAMS", 48))
            )
    return slots


def _since() -> int | None:
    for value in (request.headers.get("Last-Event-ID"), request.args.get("since")):
        if value and value.strip().isdigit():
            return int(value.strip())
    return None


def _busy(seconds: int) -> Response:
    response = Response("", status=503, mimetype="text/plain")
    response.headers["Retry-After"] = str(seconds)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/events")
def stream(pid):
    partnership = access.get_partnership_or_404(pid)
    config = current_app.config
    broker = events.broker()
    if not broker.healthy:
        return _busy(10)  # Redis is down: the client polls and tries again later
    slots = _stream_slots()
    if not slots.acquire(blocking=False):
        return _busy(30)

    since = _since()
    locale = str(get_locale())
    user_id = current_user.id
    try:
        name, city = live.viewer(partnership, current_user)
    except BaseException:
        slots.release()
        raise
    stream_id = events.new_stream_id()
    entry = {"k": stream_id, "u": user_id, "n": name, "c": city}
    heartbeat = float(config.get("LIVE_HEARTBEAT", 15))
    lifetime = float(
        config.get("LIVE_TEST_STREAM_SECONDS", 0)
        if current_app.testing
        else config.get("LIVE_STREAM_SECONDS", 300)
    )
    # Subscribe before reading what was missed, so nothing falls between the two.
    subscription = broker.subscribe(pid)

    def cleanup():  # called by the server when the response ends (outside the app context)
        try:
            subscription.close()
            broker.leave(pid, stream_id)
            broker.publish({"k": "presence", "p": pid})
        finally:
            slots.release()

    try:
        broker.enter(pid, entry)
        broker.publish({"k": "presence", "p": pid})
        missed = live.missed(pid, since) if since is not None else []
        newest = live.last_id(pid) if missed is None else None
    except BaseException:
        cleanup()
        raise
    finally:
        db.session.remove()  # no connection or transaction held while the stream waits

    def render(activity_id: int) -> str:
        try:
            with force_locale(locale):
                return live.render_activity(pid, activity_id, locale)
        finally:
            db.session.remove()

    def presence() -> str:
        with force_locale(locale):
            return live.sse("live", live.presence_html(broker.present_cached(pid), user_id))

    def generate():
        last_sent = since or 0
        try:
            yield f"retry: {int(config.get('LIVE_RETRY_MS', 2000))}\n\n"
            if missed is None:  # too much missed: refresh the board, then go on from now
                yield live.sse("live", live.reload_marker(newest), newest)
                last_sent = newest
            for activity_id in missed or ():
                html = render(activity_id)
                if html:
                    yield live.sse("live", html, activity_id)
                last_sent = activity_id
            yield presence()
            deadline = time.monotonic() + lifetime
            next_beat = time.monotonic() + heartbeat
            presence_due = None  # joins and leaves are shown at most every PRESENCE_DELAY
            while True:
                now = time.monotonic()
                if presence_due is not None and now >= presence_due:
                    presence_due = None
                    yield presence()
                if now >= next_beat:  # keeps proxies from closing an idle stream; still here
                    next_beat = now + heartbeat
                    broker.enter(pid, entry)
                    yield ": ping\n\n"
                if now >= deadline:
                    return  # the browser reconnects (Last-Event-ID): spreads streams over workers
                wait = min(next_beat, deadline, presence_due or next_beat) - now
                event = subscription.get(timeout=max(wait, 0))
                if subscription.overflowed:  # this client fell far behind: as above
                    while subscription.get(timeout=0) is not None:
                        pass
                    subscription.overflowed = False
                    try:
                        last_sent = live.last_id(pid)
                    finally:
                        db.session.remove()
                    yield live.sse("live", live.reload_marker(last_sent), last_sent)
                    continue
                if event is None:
                    continue
                kind = event.get("k")
                if kind == "broken":
                    return
                if kind == "presence":
                    presence_due = presence_due or time.monotonic() + PRESENCE_DELAY
                elif kind == "activity" and event["id"] > last_sent:
                    html = render(event["id"])
                    if html:
                        yield live.sse("live", html, event["id"])
                    last_sent = event["id"]
        finally:
            db.session.remove()

    response = Response(stream_with_context(generate()), mimetype="text/event-stream")
    response.call_on_close(cleanup)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass events on at once
    return response


@bp.get("/board/changes")
def changes(pid):
    partnership = access.get_partnership_or_404(pid)
    since = request.args.get("since", type=int)
    if since is None or since < 0:
        abort(400)
    ids = live.missed(partnership.id, since)
    if ids == []:
        return Response(status=204, headers={"Cache-Control": "no-store"})
    if ids is None:  # too much changed: the client refreshes the board and goes on from now
        body = live.reload_marker(live.last_id(partnership.id))
        return Response(body, headers={"Cache-Control": "no-store"}, mimetype="text/html")
    locale = str(get_locale())
    body = "".join(live.render_activity(partnership.id, i, locale) for i in ids)
    return Response(body, headers={"Cache-Control": "no-store"}, mimetype="text/html")
