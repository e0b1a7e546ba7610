"""Live updates of an open-space event: the wall, the grid and the phones' "now / next".

Services queue {"k": "openspace", "p": "o<event id>", "v": verb} with `hooks.queue_event`; it is
published after the commit on the event's own channel (through the same broker as the boards, so
Redis carries it between workers). A page re-reads its fragment when told something changed: the
state is read fresh, so nothing has to be replayed after a reconnect (the page re-reads once).
The stream a page listens to is in live/openspace_stream.py.
"""

from __future__ import annotations

from flask import has_request_context, request

from . import hooks


def _origin_tab() -> str:
    """The browser tab of the change (X-Live-Tab): that tab already shows it and skips the event."""
    if not has_request_context():
        return ""
    return "".join(ch for ch in request.headers.get(hooks.TAB_HEADER, "")[:40] if ch.isalnum())


def channel(event_id: int) -> str:
    return f"o{event_id}"


def changed(event, verb: str) -> None:
    """Tell the event's open pages, after the commit, that `verb` changed what they show."""
    hooks.queue_event({"k": "openspace", "p": channel(event.id), "v": verb, "o": _origin_tab()})
