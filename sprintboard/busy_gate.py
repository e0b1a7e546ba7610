"""At most APP_CONCURRENCY requests of one worker process run the app at once; the others wait
their turn (first come, first served), blocked without taking the CPU.

gunicorn's gthread worker runs each request in its own thread (many threads, so that open live
streams, which mostly wait, leave room for ordinary requests). When many ordinary requests are
in flight at once they all compete for the one interpreter lock of their process: each gets
slices of a few milliseconds in turn, so every request takes as long as all of them together,
and a move holding a row lock in the database holds it all that time. Letting a few run to the
end while the rest wait gives the same work in less time and a shorter tail.

Live streams (…/events) are not counted: they wait on Redis for most of their life. Health
checks are not either, so a busy worker still answers its monitor.
"""

from __future__ import annotations

import collections
import threading

UNGATED_SUFFIXES = ("/events",)
UNGATED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class Turns:
    """`limit` turns, handed out first come, first served (a semaphore lets a newcomer take a
    turn that a waiting request was just woken for: some waited many times as long)."""

    def __init__(self, limit: int):
        self._changed = threading.Condition()  # (tests wait on it for a request to queue)
        self._free, self._waiting = limit, collections.deque()

    def waiting(self) -> int:
        return len(self._waiting)

    def __enter__(self):
        with self._changed:
            if self._free and not self._waiting:
                self._free -= 1
                return self
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
            self._changed.notify_all()
        turn.acquire()  # until __exit__ hands this turn over
        return self

    def __exit__(self, *_exc):
        with self._changed:
            if self._waiting:
                self._waiting.popleft().release()  # the turn goes straight to the first waiting
            else:
                self._free += 1


class BusyGate:
    """WSGI middleware: `limit` requests at a time run `app`; 0 turns the gate off."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit
        self.turns = Turns(limit) if limit > 0 else None

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if self.turns is None or path in UNGATED_PATHS or path.endswith(UNGATED_SUFFIXES):
            return self.app(environ, start_response)
        with self.turns:
            # (an answer the app streams is produced after its turn: exports are rare)
            return self.app(environ, start_response)


def init_app(app) -> None:
    app.wsgi_app = BusyGate(app.wsgi_app, int(app.config.get("APP_CONCURRENCY") or 0))
