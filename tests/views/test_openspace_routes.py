"""The role matrix of open-space routes ("o", need in tests/views/routes/openspace.py): guest,
member, observer, facilitator, another partnership's member, a guest of another event."""

from __future__ import annotations

import pytest

from sprintboard import access
from tests.views.routes import openspace as area
from tests.views.test_routes import _rules, _url, fingerprint, route_params

NEEDS = {"view": 0, "take_part": 1, "manage": 2}
# The most each role may do in an event of its own partnership (None: it has no part in it).
RANK = {"observer": 0, "member": 1, "guest": 1, "facilitator": 2, "outsider": None, "stranger": None}


def guest_client(app, event_id, guest_key):
    """A browser that registered as a guest of `event_id` (the signed cookie, no account)."""
    client = app.test_client()
    with app.test_request_context():
        value = access.guest_cookie_value({str(event_id): guest_key})
    client.set_cookie(access.GUEST_COOKIE, value)
    return client


def _event_rules(app):
    return [
        r
        for r in _rules(app)
        if isinstance(area.ROUTES.get(r.endpoint), tuple) and area.ROUTES[r.endpoint][0] == "o"
    ]


@pytest.mark.parametrize("role", ["observer", "member", "guest", "outsider", "stranger"])
def test_event_routes_follow_the_role_rules(app, world, as_role, role):
    """Too small a part: 403 and nothing changed; no part at all: 404 (signed in) or the login
    page (a guest of another event is nobody here)."""
    params = route_params(world)
    if role == "guest":
        client = guest_client(app, params["eid"], params["guest_key"])
    elif role == "stranger":  # registered as a guest, but of another partnership's event
        other = area.objects(world.other, world.users["outsider"])
        client = guest_client(app, other["eid"], other["guest_key"])
    else:
        client = as_role(role)
    rank = RANK[role]
    checked = 0
    for rule in _event_rules(app):
        need = NEEDS[area.ROUTES[rule.endpoint][1]]
        if rank is not None and rank >= need:
            continue  # allowed: the area's view tests cover what it does
        url = _url(rule, params)
        for method in [m for m in ("GET", "POST") if m in rule.methods]:
            before = fingerprint()
            response = client.open(url, method=method, data={})
            if rank is not None:
                expected = 403
            elif role == "outsider":
                expected = 404
            else:
                expected = 302 if method == "GET" else 401
            assert response.status_code == expected, (rule.endpoint, method, response.status_code)
            if expected == 302:
                assert "/login?next=" in response.headers["Location"]
            assert fingerprint() == before, (rule.endpoint, method)
            checked += 1
    assert checked > 0


def test_ids_of_another_event_give_404(app, world, as_role):
    """A facilitator of this event addressing its routes with a session, room, slot or person of
    an event of another partnership."""
    params = route_params(world)
    foreign = area.foreign(world)
    client = as_role("facilitator")
    for rule in _event_rules(app):
        keys = [a for a in rule.arguments if a in foreign]
        if not keys:
            continue
        url = _url(rule, {**params, **{k: foreign[k] for k in keys}})
        for method in [m for m in ("GET", "POST") if m in rule.methods]:
            before = fingerprint()
            response = client.open(
                url, method=method, data={"room": params["room_id"], "slot": params["slot_id"]}
            )
            assert response.status_code == 404, (rule.endpoint, method)
            assert fingerprint() == before, rule.endpoint


def test_public_links_with_a_wrong_token_are_404(app, world, as_role):
    params = route_params(world)
    client = as_role(None)
    eid = params["eid"]
    for url in (f"/o/{eid}/join/{'x' * 24}", f"/o/{eid}/me/1.nope", f"/o/{eid}/calendar/{'y' * 24}.ics",
                f"/o/999999/join/{params['join_token']}"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert client.get(f"/o/{eid}/join/{params['join_token']}").status_code == 200
    assert client.get(f"/o/{eid}/calendar/{params['feed_token']}.ics").status_code == 200
