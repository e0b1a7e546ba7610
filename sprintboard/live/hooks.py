"""Live events are queued with the transaction and published after it commits.

services.activity.log() queues one event per Activity row (`queue_activity`); an `after_flush`
hook captures the row's id, `after_commit` publishes, `after_rollback` drops. A rolled-back change
therefore sends nothing, and every service that logs also publishes without code in the views.

An event is a small dict: {"k": "activity", "id": activity id, "p": partnership id, "v": verb,
"st": subject type, "s": subject id, "c": card id or None, "o": originating browser tab or ""}
or {"k": "presence", "p": partnership id}: who looks at the board changed,
or {"k": "bell", "p": "u<user id>"}: that person's unread count changed (every stream of theirs).
"""

from __future__ import annotations

from flask import has_app_context, has_request_context, request
from sqlalchemy import event as sa_event

from ..extensions import db
from . import broker

TAB_HEADER = "X-Live-Tab"  # set by static/js/live.js on every htmx request of a board tab


def queue_activity(activity) -> None:
    """Publish `activity` (an Activity being added to db.session) once the transaction commits."""
    if activity.partnership_id is None:
        return
    origin = ""
    if has_request_context():
        origin = "".join(ch for ch in request.headers.get(TAB_HEADER, "")[:40] if ch.isalnum())
    if origin:  # kept with the row, so a replay also tells the originating tab it has this one
        activity.data = {**(activity.data or {}), "tab": origin}
    db.session.info.setdefault("live_added", []).append((activity, origin))


def queue_event(event: dict) -> None:
    """Publish any other event (e.g. {"k": "bell", "p": "u<user id>"}) once the transaction commits."""
    db.session.info.setdefault("live_ready", []).append(event)


def _on_flush(session, _flush_context) -> None:
    added = session.info.pop("live_added", None)
    if not added:
        return
    ready = session.info.setdefault("live_ready", [])
    for activity, origin in added:
        if activity.id is None:  # not flushed yet (added after this flush started)
            session.info.setdefault("live_added", []).append((activity, origin))
            continue
        data = activity.data or {}
        card_id = activity.subject_id if activity.subject_type == "card" else data.get("card_id")
        ready.append(
            {
                "k": "activity",
                "id": activity.id,
                "p": activity.partnership_id,
                "v": activity.verb,
                "st": activity.subject_type,
                "s": activity.subject_id,
                "c": card_id,
                "o": origin,
            }
        )


def _on_commit(session) -> None:
    if session.in_nested_transaction():  # a released SAVEPOINT: the transaction goes on
        return
    session.info.pop("live_added", None)
    ready = session.info.pop("live_ready", None)
    if not ready or not has_app_context():
        return
    b = broker.current()
    for event in ready:
        b.publish(event)


def _on_rollback(session) -> None:
    if session.in_nested_transaction():  # only the SAVEPOINT's part is undone
        return
    session.info.pop("live_added", None)
    session.info.pop("live_ready", None)


_hooked = False


def install() -> None:
    """Hook the publishing into db.session (idempotent)."""
    global _hooked
    if _hooked:
        return
    factory = db.session.session_factory
    sa_event.listen(factory, "after_flush_postexec", _on_flush)
    sa_event.listen(factory, "after_commit", _on_commit)
    sa_event.listen(factory, "after_rollback", _on_rollback)
    _hooked = True
