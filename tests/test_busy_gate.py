"""A worker runs a few requests at a time, the others in the order they came (busy_gate.py)."""

from __future__ import annotations

import threading

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
