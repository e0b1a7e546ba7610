"""Live access is revoked at once (issue 20, item 1 and 6): a stream served over real HTTP ends
when its viewer is removed, loses a role, logs out or changes the password, sends nothing of
what happens afterwards, and one person cannot hold every stream slot."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest

from sprintboard.extensions import db
from sprintboard.models import Membership, UserSession
from tests import factories
from tests.views.test_live import Listener

STREAM_SECONDS = 60  # far longer than any wait below: only a lost access can end the stream


@pytest.fixture
def long_streams(app):
    saved = {k: app.config.get(k) for k in ("LIVE_TEST_STREAM_SECONDS", "LIVE_HEARTBEAT")}
    app.config["LIVE_TEST_STREAM_SECONDS"] = STREAM_SECONDS
    yield app.config
    app.config.update(saved)


class Stream:
    """A browser's EventSource: GET /p/<pid>/events over a real socket, read as it arrives."""

    def __init__(self, base_url, client, pid):
        cookie = client.get_cookie("sprintboard_session")
        parts = urlsplit(base_url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.conn.request(
            "GET", f"/p/{pid}/events", headers={"Cookie": f"sprintboard_session={cookie.value}"}
        )
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.text = ""
        if self.status == 200:
            self.read_until("presence")  # subscribed: it has sent who is looking

    def read_until(self, marker: str | None) -> str:
        """Read until `marker` arrived (None: until the server ends the stream); the text so far."""
        while marker is None or marker not in self.text:
            chunk = self.response.read1(65536)
            if not chunk:
                break
            self.text += chunk.decode()
        return self.text

    def close(self):
        self.conn.close()


def _membership(world, role="member"):
    return next(m for m in world.partnership.memberships if m.user is world.users[role])


def _remove(world, as_role):
    p = world.partnership
    r = as_role("facilitator").post(f"/p/{p.id}/members/{_membership(world).id}/remove")
    assert r.status_code == 303


def _downgrade(world, as_role):
    p = world.partnership
    r = as_role("facilitator").post(
        f"/p/{p.id}/members/{_membership(world).id}", data={"role": "observer", "city": p.cities[1].id}
    )
    assert r.status_code == 303


@pytest.mark.parametrize("change", ["removed", "downgraded", "logged out", "password changed"])
def test_a_stream_ends_at_once_when_access_changes(app, world, as_role, login, _server, long_streams, change):
    p = world.partnership
    viewer = as_role("member")
    stream = Stream(_server, viewer, p.id)
    assert stream.status == 200
    try:
        factories.card(p, "Before the change", actor=world.users["facilitator"])
        db.session.commit()
        assert "Before the change" in stream.read_until("Before the change")
        if change == "removed":
            _remove(world, as_role)
        elif change == "downgraded":
            _downgrade(world, as_role)
        elif change == "logged out":
            assert viewer.post("/logout").status_code == 303
        else:
            # changed in another browser: every other session, this stream's too, is logged out
            r = as_role("member").post(
                "/account",
                data={
                    "password-current": factories.PASSWORD,
                    "password-password": "a much longer passphrase 2026",
                    "password-confirm": "a much longer passphrase 2026",
                },
            )
            assert r.status_code == 303
        factories.card(p, "After the change", actor=world.users["facilitator"])
        db.session.commit()
        text = stream.read_until(None)  # the server ends the stream (else: 60 s, and the card)
    finally:
        stream.close()
    assert "After the change" not in text
    if change != "downgraded":  # the browser reconnects: nothing more for it
        again = Stream(_server, viewer, p.id)
        assert again.status in (302, 401, 404)
        again.close()


def test_a_session_ended_without_notice_stops_the_stream_at_the_next_heartbeat(
    app, world, as_role, _server, long_streams
):
    long_streams["LIVE_HEARTBEAT"] = 1
    p = world.partnership
    stream = Stream(_server, as_role("member"), p.id)
    try:
        db.session.execute(db.delete(UserSession).where(UserSession.user_id == world.users["member"].id))
        db.session.commit()  # (no event published: only the heartbeat's check can notice)
        text = stream.read_until(None)
    finally:
        stream.close()
    assert text.count(": ping") <= 1  # ended at the first heartbeat after the session did


def test_every_event_is_authorised_before_it_is_sent(app, world, as_role, _server, long_streams):
    """Even if the notice of a removal were lost, the next event is not delivered."""
    p = world.partnership
    stream = Stream(_server, as_role("member"), p.id)
    try:
        db.session.delete(db.session.get(Membership, _membership(world).id))
        db.session.commit()  # removed behind the service's back: no access event
        factories.card(p, "Secret plan", actor=world.users["facilitator"])
        db.session.commit()
        text = stream.read_until(None)
    finally:
        stream.close()
    assert "Secret plan" not in text


def test_one_person_cannot_take_every_stream_slot(app, world, as_role, login, db):
    p = world.partnership
    saved = {k: app.config.get(k) for k in ("LIVE_MAX_STREAMS_PER_USER", "LIVE_MAX_STREAMS_PER_SESSION")}
    app.config.update(LIVE_MAX_STREAMS_PER_USER=2, LIVE_MAX_STREAMS_PER_SESSION=1)
    member = world.users["member"]
    tab1 = login(app.test_client(), member)
    tab2 = login(app.test_client(), member)
    try:
        first = Listener(app, tab1, f"/p/{p.id}/events", seconds=2)
        same_login = tab1.get(f"/p/{p.id}/events")
        assert same_login.status_code == 429 and same_login.headers["Retry-After"]
        second = Listener(app, tab2, f"/p/{p.id}/events", seconds=2)
        third = login(app.test_client(), member).get(f"/p/{p.id}/events")
        assert third.status_code == 429  # a third login of the same person
        assert as_role("observer").get(f"/p/{p.id}/events").status_code == 200  # others still get in
        first.join()
        second.join()
        assert login(app.test_client(), member).get(f"/p/{p.id}/events").status_code == 200
    finally:
        app.config.update(saved)
