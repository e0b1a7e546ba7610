"""At most APP_CONCURRENCY requests of one worker process run the app at once; the others wait
their turn (first come, first served), blocked without taking the CPU.

gunicorn's gthread worker runs each request in its own thread (many threads, so that open live
streams, which mostly wait, leave room for ordinary requests). When many ordinary requests are
in flight at once they all compete for the one interpreter lock of their process: each gets
slices of a few milliseconds in turn, so every request takes as long as all of them together,
and a move holding a row lock in the database holds it all that time. Letting a few run to the
end while the rest wait gives the same work in less time and a shorter tail.

A request's body is read before it waits for its turn (a slow upload holds no turn), and its
answer is sent after it (a slow reader holds none either). Live streams (…/events) are not
counted: they wait on Redis for most of their life. Health checks are not either, so a busy
worker still answers its monitor.
"""

from __future__ import annotations

import collections
import tempfile
import threading

from werkzeug.exceptions import HTTPException

UNGATED_SUFFIXES = ("/events",)
UNGATED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
FORM_OVERHEAD = 256 * 1024  # a large body's other fields and multipart framing (its route's limit)
# Routes that take bodies larger than MAX_CONTENT_LENGTH (their views add their endpoints).
LARGE_BODIES: set[str] = set()


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
    """WSGI middleware: `limit` requests at a time run `app`; 0: no limit.

    A request's body is read before its turn (a phone sending photos over a slow connection must
    not hold a turn while the others wait), with or without a limit: up to `small` bytes on every
    route (the app-wide MAX_CONTENT_LENGTH), up to `large` on the routes in LARGE_BODIES
    (`endpoint_of` tells the route). Larger bodies are left for the app to refuse unread (413).
    So a body is read to its end also when the app answers without reading it (a signed-out
    upload sent to the login page, a refusal): gunicorn reads at most 64 KB of an unread body and
    then closes the connection, and a proxy still sending the rest (nginx streams uploads) got a
    reset and showed its own bare 502 instead of the app's answer."""

    def __init__(self, app, limit: int, *, small: int = 0, large: int = 0, endpoint_of=lambda environ: None):
        self.app, self.limit, self.small, self.large, self.endpoint_of = app, limit, small, large, endpoint_of
        self.turns = Turns(limit) if limit > 0 else None

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path in UNGATED_PATHS or path.endswith(UNGATED_SUFFIXES):
            return self.app(environ, start_response)
        body = self._read_body_first(environ)
        if body is False:
            start_response("400 Bad Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"The request ended before its body was complete."]  # (no one is waiting)
        try:
            if self.turns is None:
                return self.app(environ, start_response)
            with self.turns:
                # (an answer the app streams, an export, is produced after its turn, from what it
                # read during it: none of them reads the request's body then)
                return self.app(environ, start_response)
        finally:
            if body is not None:
                body.close()

    def _read_body_first(self, environ):
        """The body read into a file of its own (in memory up to 1 MiB), now the app's input;
        None: nothing to read first; False: the sender went away before sending it all."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None  # (the app answers that)
        if length <= 0 or length > self.large:
            return None
        if length > self.small and self.endpoint_of(environ) not in LARGE_BODIES:
            return None
        sent, body = environ["wsgi.input"], tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115
        left = length
        try:
            while left:
                chunk = sent.read(min(left, 1 << 16))
                if not chunk:
                    break
                body.write(chunk)
                left -= len(chunk)
        except OSError:
            pass
        if left:
            body.close()
            return False
        body.seek(0)
        environ["wsgi.input"] = body
        return body


def init_app(app) -> None:
    config = app.config

    def endpoint_of(environ) -> str | None:
        try:
            return app.url_map.bind_to_environ(environ).match()[0]
        except HTTPException:  # (no such route, or a redirect to one)
            return None

    small = config.get("MAX_CONTENT_LENGTH") or 0
    large = max(small, config["UPLOAD_MAX_BYTES"] * config["UPLOAD_MAX_FILES"], config["IMPORT_MAX_BYTES"])
    app.wsgi_app = BusyGate(
        app.wsgi_app,
        int(config.get("APP_CONCURRENCY") or 0),
        small=small,
        large=large + FORM_OVERHEAD,
        endpoint_of=endpoint_of,
    )
