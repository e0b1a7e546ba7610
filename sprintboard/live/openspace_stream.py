"""One open-space page's Server-Sent Events stream: "changed" (with the verb and the browser tab
that caused it) whenever the event's grid or sessions change, a heartbeat, and an end after
LIVE_STREAM_SECONDS (the browser reconnects and re-reads the page part once)."""

from __future__ import annotations

import json
import time

from flask import current_app

from . import broker as brokers
from .openspace import channel
from .render import sse
from .stream import Busy, _slots


class EventStream:
    """One open page's stream; opened in the request (raises Busy), `close()` when it ends."""

    def __init__(self, event_id: int):
        app = current_app._get_current_object()
        config = app.config
        self.broker = brokers.current()
        if not self.broker.healthy:
            raise Busy(10)
        self.slots = _slots(app)
        if not self.slots.acquire(blocking=False):
            raise Busy(30)
        self.heartbeat = float(config.get("LIVE_HEARTBEAT", 15))
        self.lifetime = float(
            config.get("LIVE_TEST_STREAM_SECONDS", 0)
            if app.testing
            else config.get("LIVE_STREAM_SECONDS", 300)
        )
        self.retry_ms = int(config.get("LIVE_RETRY_MS", 2000))
        self.subscription = self.broker.subscribe(channel(event_id))

    def close(self) -> None:
        try:
            self.subscription.close()
        finally:
            self.slots.release()

    def events(self):
        yield f"retry: {self.retry_ms}\n\n"
        deadline = time.monotonic() + self.lifetime
        next_beat = time.monotonic() + self.heartbeat
        while True:
            now = time.monotonic()
            if now >= next_beat:
                next_beat = now + self.heartbeat
                yield ": ping\n\n"
            if now >= deadline:
                return
            event = self.subscription.get(timeout=max(min(next_beat, deadline) - now, 0))
            if self.subscription.overflowed:  # far behind: one "changed" says it all
                while self.subscription.get(timeout=0) is not None:
                    pass
                self.subscription.overflowed = False
                event = {"k": "openspace", "v": "reload", "o": ""}
            if event is None:
                continue
            if event.get("k") == "broken":
                return
            if event.get("k") == "openspace":
                yield sse("changed", json.dumps({"v": event.get("v", ""), "o": event.get("o", "")}))
