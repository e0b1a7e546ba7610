"""One board viewer's Server-Sent Events stream.

It replays what a reconnecting client missed (Last-Event-ID, or ?since= on a fresh connection),
then sends each new event as htmx fragments, the presence indicator when people come and go,
and a heartbeat. It keeps no database connection open while it waits, and ends after
LIVE_STREAM_SECONDS (the browser reconnects, which spreads streams over workers).
"""

from __future__ import annotations

import threading
import time

from flask import current_app
from flask_babel import force_locale

from .. import metrics
from ..extensions import db
from ..services import accounts
from . import broker as brokers
from . import presence, render

PRESENCE_DELAY = 0.5  # seconds: a workshop of 200 joining at once is shown in a few updates

_slots_lock = threading.Lock()


class Busy(Exception):
    """No stream now (the broker is down, or this process has no free slot): retry later."""

    status = 503

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


class _Slots(threading.BoundedSemaphore):
    """The stream slots; taken ones are the open streams metric."""

    def acquire(self, blocking: bool = True, timeout: float | None = None) -> bool:
        taken = super().acquire(blocking, timeout)
        if taken:
            metrics.LIVE_STREAMS.inc()
        return taken

    def release(self, n: int = 1) -> None:
        super().release(n)
        metrics.LIVE_STREAMS.dec(n)


class TooMany(Busy):
    """This person (or this login) already has as many streams open as one may have here."""

    status = 429


class _Holders:
    """Open streams per person and per login session in this process (LIVE_MAX_STREAMS_PER_USER,
    LIVE_MAX_STREAMS_PER_SESSION), so that one of them cannot take every slot."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: dict[tuple, int] = {}

    def take(self, keys: list[tuple], limits: list[int]) -> bool:
        with self.lock:
            if any(self.counts.get(k, 0) >= limit for k, limit in zip(keys, limits, strict=True)):
                return False
            for key in keys:
                self.counts[key] = self.counts.get(key, 0) + 1
            return True

    def give_back(self, keys: list[tuple]) -> None:
        with self.lock:
            for key in keys:
                left = self.counts.get(key, 0) - 1
                if left > 0:
                    self.counts[key] = left
                else:
                    self.counts.pop(key, None)


def _holders(app) -> _Holders:
    with _slots_lock:
        return app.extensions.setdefault("live_holders", _Holders())


def _slots(app) -> threading.BoundedSemaphore:
    """Open streams this process accepts (LIVE_MAX_STREAMS): keep it below gunicorn's --threads
    so ordinary requests always find a free thread."""
    with _slots_lock:
        slots = app.extensions.get("live_slots")
        if slots is None:
            slots = app.extensions["live_slots"] = _Slots(int(app.config.get("LIVE_MAX_STREAMS", 48)))
    return slots


class Stream:
    """Opened in the request (raises Busy); `events()` is the response body, `close()` runs
    when the response ends (outside the app context)."""

    def __init__(self, partnership, user, *, since: int | None, locale: str):
        app = current_app._get_current_object()
        config = app.config
        self.pid, self.user_id, self.since, self.locale = partnership.id, user.id, since, locale
        # What the stream may show is checked again at every event and heartbeat, and at once
        # when the person's access changes (logout, membership removed, role changed).
        self.token = getattr(user, "session_token", None)
        self.role = accounts.stream_role(user.id, self.token, partnership.id)
        self.broker = brokers.current()
        if not self.broker.healthy:
            raise Busy(10)  # Redis is down: the client polls and tries again later
        self.holders, self.held = _holders(app), [("u", user.id), ("s", self.token or f"u{user.id}")]
        limits = [
            int(config.get("LIVE_MAX_STREAMS_PER_USER", 6)),
            int(config.get("LIVE_MAX_STREAMS_PER_SESSION", 3)),
        ]
        if not self.holders.take(self.held, limits):
            raise TooMany(30)
        self.slots = _slots(app)
        if not self.slots.acquire(blocking=False):
            self.holders.give_back(self.held)
            raise Busy(30)
        self.subscription = None
        self.heartbeat = float(config.get("LIVE_HEARTBEAT", 15))
        self.lifetime = float(
            config.get("LIVE_TEST_STREAM_SECONDS", 0)
            if app.testing
            else config.get("LIVE_STREAM_SECONDS", 300)
        )
        self.retry_ms = int(config.get("LIVE_RETRY_MS", 2000))
        try:
            name, city = presence.viewer(partnership, user)
            self.entry = {"k": brokers.new_stream_id(), "u": user.id, "n": name, "c": city}
            # Subscribe before reading what was missed, so nothing falls between the two.
            self.subscription = self.broker.subscribe(self.pid, also=(f"u{self.user_id}",))
            self.broker.enter(self.pid, self.entry)
            self.broker.publish({"k": "presence", "p": self.pid})
            self.missed = render.missed(self.pid, since) if since is not None else []
            self.newest = render.last_id(self.pid) if self.missed is None else None
        except BaseException:
            self.close()
            raise
        finally:
            db.session.remove()  # no connection or transaction held while the stream waits

    def close(self) -> None:
        try:
            if self.subscription is not None:
                self.subscription.close()
                self.broker.leave(self.pid, self.entry["k"])
                self.broker.publish({"k": "presence", "p": self.pid})
        finally:
            self.slots.release()
            self.holders.give_back(self.held)

    def _allowed(self) -> bool:
        """Still the same access as when the stream opened (else it ends; the browser reconnects
        and gets what its access now allows, or nothing)."""
        try:
            return (
                self.role is not None
                and accounts.stream_role(self.user_id, self.token, self.pid) == self.role
            )
        finally:
            db.session.remove()

    def _render(self, activity_id: int) -> str:
        try:
            with force_locale(self.locale):
                return render.render_activity(self.pid, activity_id, self.locale)
        finally:
            db.session.remove()

    def _event(self, activity_id: int) -> str:
        html = self._render(activity_id)
        return render.sse("live", html, activity_id) if html else ""

    def _bell(self) -> str:
        """The viewer's unread count changed (a notification, or read in another tab)."""
        try:
            with force_locale(self.locale):
                return render.sse("live", render.bell_html(self.user_id))
        finally:
            db.session.remove()

    def _presence(self) -> str:
        with force_locale(self.locale):
            people = self.broker.present_cached(self.pid)
            return render.sse("live", presence.presence_html(people, self.user_id))

    def _reload(self) -> tuple[str, int]:
        """This client fell far behind: drop what is queued, refresh the board, go on from now."""
        while self.subscription.get(timeout=0) is not None:
            pass
        self.subscription.overflowed = False
        try:
            last = render.last_id(self.pid)
        finally:
            db.session.remove()
        return render.sse("live", render.reload_marker(last), last), last

    def events(self):
        try:
            yield from self._events()
        finally:
            db.session.remove()

    def _events(self):
        last_sent = self.since or 0
        yield f"retry: {self.retry_ms}\n\n"
        if self.missed is None:  # too much missed: refresh the board, then go on from now
            yield render.sse("live", render.reload_marker(self.newest), self.newest)
            last_sent = self.newest
        for activity_id in self.missed or ():
            yield self._event(activity_id)
            last_sent = activity_id
        yield self._presence()
        deadline = time.monotonic() + self.lifetime
        next_beat = time.monotonic() + self.heartbeat
        presence_due = None  # joins and leaves are shown at most every PRESENCE_DELAY
        while True:
            now = time.monotonic()
            if presence_due is not None and now >= presence_due:
                presence_due = None
                yield self._presence()
            if now >= next_beat:  # keeps proxies from closing an idle stream; still here
                next_beat = now + self.heartbeat
                if not self._allowed():
                    return
                self.broker.enter(self.pid, self.entry)
                yield ": ping\n\n"
            if now >= deadline:
                return
            wait = min(next_beat, deadline, presence_due or next_beat) - now
            event = self.subscription.get(timeout=max(wait, 0))
            if self.subscription.overflowed:
                text, last_sent = self._reload()
                yield text
                continue
            if event is None:
                continue
            kind = event.get("k")
            if kind == "broken" or (kind == "access" and not self._allowed()):
                return
            if kind == "bell":
                yield self._bell()
            elif kind == "presence":
                presence_due = presence_due or time.monotonic() + PRESENCE_DELAY
            elif kind == "activity" and event["id"] > last_sent:
                if not self._allowed():  # every event is authorised again before it is sent
                    return
                yield self._event(event["id"])
                last_sent = event["id"]
