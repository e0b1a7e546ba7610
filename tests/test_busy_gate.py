"""A worker runs a few requests at a time, the others in the order they came (busy_gate.py)."""

from __future__ import annotations

import threading

from sprintboard import busy_gate
from sprintboard.busy_gate import BusyGate


class HeldApp:
    """A WSGI app whose requests stay inside until the test lets them go, one by one."""

    def __init__(self):
        self.state = threading.Condition()
        self.inside, self.most, self.entered, self.released = 0, 0, [], 0

    def __call__(self, environ, start_response):
        name = environ["PATH_INFO"]
        with self.state:
            self.inside += 1
            self.most = max(self.most, self.inside)
            self.entered.append(name)
            self.state.notify_all()
            self.state.wait_for(lambda: self.released > 0 or name.startswith("/free"), timeout=10)
            if not name.startswith("/free"):
                self.released -= 1
            self.inside -= 1
        if name.endswith("/boom"):
            raise RuntimeError("the view failed")
        start_response("200 OK", [])
        return [name.encode()]

    def release(self, n=1):
        with self.state:
            self.released += n
            self.state.notify_all()

    def wait_inside(self, n):
        with self.state:
            assert self.state.wait_for(lambda: len(self.entered) >= n, timeout=10)


def _request(gate, path, answers):
    def run():
        try:
            answers[path] = b"".join(gate({"PATH_INFO": path}, lambda *a: None))
        except RuntimeError as error:
            answers[path] = error

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _one_inside(limit, path):
    """A gate of `limit` turns with a request to `path` inside it: (app, gate, answers, thread)."""
    app, answers = HeldApp(), {}
    gate = BusyGate(app, limit)
    thread = _request(gate, path, answers)
    app.wait_inside(1)
    return app, gate, answers, thread


def _queued(gate, n):
    with gate.turns._changed:
        assert gate.turns._changed.wait_for(lambda: gate.turns.waiting() == n, timeout=10)


def test_at_most_the_limit_run_at_once():
    app, answers = HeldApp(), {}
    gate = BusyGate(app, 2)
    threads = [_request(gate, f"/p/1/{n}", answers) for n in range(2)]
    app.wait_inside(2)
    for n in range(2, 6):
        threads.append(_request(gate, f"/p/1/{n}", answers))
        _queued(gate, n - 1)
    app.release(6)
    for thread in threads:
        thread.join(10)
    assert app.most == 2
    assert answers == {f"/p/1/{n}": f"/p/1/{n}".encode() for n in range(6)}


def test_waiting_requests_run_in_the_order_they_came():
    app, gate, answers, first = _one_inside(1, "/p/1/a")
    threads = [first]
    for n, name in enumerate(("b", "c", "d", "e"), start=1):
        threads.append(_request(gate, f"/p/1/{name}", answers))
        _queued(gate, n)  # each waits, in this order
    for n in range(2, 6):
        app.release(1)
        app.wait_inside(n)
    app.release(1)
    for thread in threads:
        thread.join(10)
    assert app.entered == ["/p/1/a", "/p/1/b", "/p/1/c", "/p/1/d", "/p/1/e"]


def test_live_streams_and_health_checks_do_not_wait_for_a_turn():
    app, gate, answers, busy = _one_inside(1, "/p/1/busy")
    stream = _request(gate, "/free/p/1/events", answers)
    stream.join(10)
    assert answers["/free/p/1/events"] == b"/free/p/1/events"  # (its name lets it out at once)
    health = _request(gate, "/healthz", answers)
    app.wait_inside(3)  # /healthz is let in although the one turn is taken
    app.release(2)
    for thread in (health, busy):
        thread.join(10)
    assert answers["/healthz"] == b"/healthz" and answers["/p/1/busy"] == b"/p/1/busy"
    assert app.most == 2  # the busy one and /healthz


def test_a_failing_request_gives_its_turn_back():
    app, gate, answers, first = _one_inside(1, "/p/1/boom")
    after = _request(gate, "/p/1/after", answers)
    _queued(gate, 1)
    app.release(2)
    first.join(10)
    after.join(10)
    assert isinstance(answers["/p/1/boom"], RuntimeError)
    assert answers["/p/1/after"] == b"/p/1/after"


def test_no_limit_lets_every_request_in():
    app, answers = HeldApp(), {}
    gate = BusyGate(app, 0)
    threads = [_request(gate, f"/p/1/{n}", answers) for n in range(5)]
    app.wait_inside(5)
    app.release(5)
    for thread in threads:
        thread.join(10)
    assert app.most == 5


def test_the_app_runs_behind_the_gate_of_its_setting(app):
    gates = []
    layer = app.wsgi_app
    while layer is not None:
        if isinstance(layer, BusyGate):
            gates.append(layer)
        layer = getattr(layer, "app", None) or getattr(layer, "application", None)
    assert [g.limit for g in gates] == [app.config["APP_CONCURRENCY"]] == [2]


class SlowBody:
    """A request body sent slowly: its second half comes once the test lets it (or never)."""

    def __init__(self, data: bytes, comes=True):
        self.data, self.at, self.comes, self.more = data, 0, comes, threading.Event()

    def read(self, size=-1):
        """At most `size` bytes (all with -1), never past the half the test holds back."""
        half, out = len(self.data) // 2, b""
        while self.at < len(self.data) and (size < 0 or not out):
            if self.at >= half:
                self.more.wait(10)
                if not self.comes:
                    break  # the sender went away
            end = half if self.at < half else len(self.data)
            if size >= 0:
                end = min(end, self.at + size)
            out, self.at = out + self.data[self.at : end], end
        return out


def _echo(environ, start_response):
    """How long the body was, and who read it: the gate first, or the app itself."""
    sent = environ["wsgi.input"]
    start_response("200 OK", [])
    return [f"{len(sent.read())} {'by the app' if isinstance(sent, SlowBody) else 'first'}".encode()]


def _send(gate, path, body, answers):
    def run():
        environ = {"PATH_INFO": path, "CONTENT_LENGTH": str(len(body.data)), "wsgi.input": body}
        answers[path] = b"".join(gate(environ, lambda *a: None))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_slow_upload_is_read_before_its_turn_and_holds_none_meanwhile():
    gate, answers = BusyGate(_echo, 1, small=1000, large=1000), {}
    slow = SlowBody(b"x" * 800)
    uploading = _send(gate, "/p/1/cards/1/comments", slow, answers)
    quick = _send(gate, "/p/1/cards/2/move", SlowBody(b"", comes=True), answers)
    quick.join(10)
    assert answers["/p/1/cards/2/move"] == b"0 by the app"  # while the other was still sending
    slow.more.set()
    uploading.join(10)
    assert answers["/p/1/cards/1/comments"] == b"800 first"


def test_a_sender_gone_before_the_end_of_its_body_never_reaches_the_app():
    gate, answers = BusyGate(HeldApp(), 1, small=1000, large=1000), {}
    gone = SlowBody(b"x" * 800, comes=False)
    gone.more.set()
    _send(gate, "/p/1/cards/1/comments", gone, answers).join(10)
    assert answers["/p/1/cards/1/comments"] == b"The request ended before its body was complete."
    assert gate.app.entered == []


def test_bodies_over_the_app_wide_limit_are_read_first_only_on_the_routes_that_take_them():
    routes = {"/p/1/cards/1/attachments": "attachments.upload_card", "/login": "auth.login"}
    gate = BusyGate(_echo, 1, small=100, large=1000, endpoint_of=lambda environ: routes[environ["PATH_INFO"]])
    answers = {}
    for path in routes:
        body = SlowBody(b"x" * 500)
        body.more.set()
        _send(gate, path, body, answers).join(10)
    assert answers == {"/p/1/cards/1/attachments": b"500 first", "/login": b"500 by the app"}
    assert "attachments.upload_card" in busy_gate.LARGE_BODIES and "auth.login" not in busy_gate.LARGE_BODIES


def test_without_a_limit_bodies_are_still_read_before_the_app():
    """(What nginx needs when the app answers an upload without reading it: see BusyGate.)"""
    gate, answers = BusyGate(_echo, 0, small=1000, large=1000), {}
    body = SlowBody(b"x" * 800)
    body.more.set()
    _send(gate, "/p/1/cards/1/comments", body, answers).join(10)
    assert answers["/p/1/cards/1/comments"] == b"800 first"
