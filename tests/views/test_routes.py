"""Walk app.url_map: every route is classified, and the access rules hold for each of them."""

from __future__ import annotations

import hashlib
import importlib
import pkgutil

import pytest
import sqlalchemy as sa

from sprintboard.extensions import db
from tests.views import routes as routes_package

# Each module in tests/views/routes/ declares its area's routes:
#   ROUTES = {endpoint: who}, who being
#     "public"            anyone, logged in or not
#     "login"             any logged-in user
#     "admin"             site administrators only
#     ("p", need)         members of the partnership in the URL with at least `need`
#                         (view: observer, edit: member, manage: facilitator)
#     ("o", need)         people with a part in the open-space event in the URL (guests too):
#                         walked by tests/views/test_openspace_routes.py
#   params(world) -> {url parameter: a valid value in world.partnership}
#   foreign(world) -> {url parameter: an id of the same kind in world.other}
AREAS = [
    importlib.import_module(f"tests.views.routes.{m.name}")
    for m in pkgutil.iter_modules(routes_package.__path__)
]
ROUTES = {endpoint: who for area in AREAS for endpoint, who in area.ROUTES.items()}
CSRF_EXEMPT = {endpoint for area in AREAS for endpoint in getattr(area, "CSRF_EXEMPT", {})}

RANK = {"view": "observer", "edit": "member", "manage": "facilitator"}


def route_params(world) -> dict:
    return {k: v for area in AREAS if hasattr(area, "params") for k, v in area.params(world).items()}


def foreign_params(world) -> dict:
    return {k: v for area in AREAS if hasattr(area, "foreign") for k, v in area.foreign(world).items()}


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule


def _url(rule, params):
    missing = [a for a in rule.arguments if a not in params]
    assert not missing, f"add a sample value for {missing} ({rule.endpoint}) to route_params"
    return rule.build({a: params[a] for a in rule.arguments})[1]


def fingerprint() -> str:
    """A hash of every row of every table: equal fingerprints mean nothing changed."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        digest.update(repr((table.name, rows)).encode())
    db.session.rollback()
    return digest.hexdigest()


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in _rules(app)}
    assert endpoints - ROUTES.keys() == set(), "classify new routes in ROUTES"
    assert ROUTES.keys() - endpoints == set(), "ROUTES lists endpoints that no longer exist"


def _writing_rules(app):
    return [(r, m) for r in _rules(app) for m in ("POST", "PUT", "PATCH", "DELETE") if m in r.methods]


def test_every_write_rejects_a_missing_csrf_token(app, world, as_role):
    params = route_params(world)
    client = as_role("facilitator")
    for rule, method in _writing_rules(app):
        if rule.endpoint in CSRF_EXEMPT:
            continue
        before = fingerprint()
        response = client.open(_url(rule, params), method=method, data={}, csrf=False)
        assert response.status_code == 400, (rule.endpoint, response.status_code)
        assert "expired" in response.get_data(as_text=True), rule.endpoint
        assert fingerprint() == before, rule.endpoint


def test_anonymous_users_are_sent_to_login(app, world, as_role):
    params = route_params(world)
    client = as_role(None)
    for rule in _rules(app):
        if ROUTES[rule.endpoint] == "public" or _is_api(rule):
            continue  # API routes: test_api_routes_follow_the_token_rules
        url = _url(rule, params)
        if "GET" in rule.methods:
            response = client.get(url)
            assert response.status_code == 302, rule.endpoint
            assert "/login?next=" in response.headers["Location"], rule.endpoint
        for _rule, method in [(r, m) for r, m in _writing_rules(app) if r is rule]:
            before = fingerprint()
            assert client.open(url, method=method, data={}).status_code == 401, rule.endpoint
            assert fingerprint() == before, rule.endpoint


@pytest.mark.parametrize("role", ["observer", "member", "facilitator", "outsider"])
def test_partnership_routes_follow_the_role_rules(app, world, as_role, role):
    """Too little rights: 403 and nothing changed; another partnership's member: 404."""
    params = route_params(world)
    client = as_role(role)
    order = ["observer", "member", "facilitator"]
    for rule in _rules(app):
        spec = ROUTES[rule.endpoint]
        if not isinstance(spec, tuple) or spec[0] != "p":
            continue
        url = _url(rule, params)
        if role == "outsider":
            expected = 404
        elif order.index(role) < order.index(RANK[spec[1]]):
            expected = 403
        else:
            continue  # allowed: covered by the area's own view tests
        for method in [m for m in ("GET", "POST") if m in rule.methods]:
            before = fingerprint()
            response = client.open(url, method=method, data={})
            assert response.status_code == expected, (rule.endpoint, method, response.status_code)
            assert fingerprint() == before, (rule.endpoint, method)


def _is_api(rule) -> bool:
    return isinstance(ROUTES[rule.endpoint], tuple) and ROUTES[rule.endpoint][0] == "api"


def _api_methods(rule):
    return [m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m in rule.methods]


def test_api_routes_follow_the_token_rules(app, world, as_role):
    """No token (a session cookie does not count), an unknown, revoked or other partnership's
    token, a read token writing, an observer's write token editing: refused, nothing changed,
    always as problem+json."""
    from sprintboard.models.base import utcnow
    from sprintboard.services import api_tokens

    params = route_params(world)
    made = {}
    for key, (role, partnership, scope) in {
        "read": ("facilitator", world.partnership, "read"),
        "write": ("facilitator", world.partnership, "write"),
        "observer": ("observer", world.partnership, "write"),
        "other": ("outsider", world.other, "write"),
        "revoked": ("facilitator", world.partnership, "write"),
    }.items():
        token, made[key] = api_tokens.create_token(world.users[role], partnership, name=key, scope=scope)
        token.last_used_at = utcnow()  # "last used" is written at most every few minutes
        if key == "revoked":
            api_tokens.revoke_token(token)
    db.session.commit()
    cookie_client = as_role("facilitator")
    rank = ["observer", "member", "facilitator"]
    for rule in _rules(app):
        if not _is_api(rule):
            continue
        need = ROUTES[rule.endpoint][1]
        url = _url(rule, params)
        cases = [(None, 401), ("sbp_unknown", 401), (made["revoked"], 401)]
        if "pid" in rule.arguments:
            cases.append((made["other"], 404))
        if need in RANK and need != "view":
            cases.append((made["read"], 403))
            if rank.index("observer") < rank.index(RANK[need]):
                cases.append((made["observer"], 403))
        for secret, expected in cases:
            headers = {"Authorization": f"Bearer {secret}"} if secret else {}
            for method in _api_methods(rule):
                before = fingerprint()
                response = cookie_client.open(url, method=method, json={}, headers=headers, csrf=False)
                assert response.status_code == expected, (rule.endpoint, method, secret, response.status_code)
                assert response.mimetype == "application/problem+json", rule.endpoint
                assert response.get_json()["status"] == expected
                assert fingerprint() == before, (rule.endpoint, method)


def test_admin_routes_are_refused_to_others(app, world, as_role):
    params = route_params(world)
    for role in ("facilitator", "member", "observer"):
        client = as_role(role)
        for rule in _rules(app):
            if ROUTES[rule.endpoint] != "admin":
                continue
            for method in [m for m in ("GET", "POST") if m in rule.methods]:
                before = fingerprint()
                response = client.open(_url(rule, params), method=method, data={})
                assert response.status_code == 403, (rule.endpoint, role)
                assert fingerprint() == before


def test_ids_from_another_partnership_give_404(app, world, as_role):
    """A facilitator of P addressing P's routes with ids that belong to partnership Q."""
    foreign = foreign_params(world)
    params = route_params(world)
    client = as_role("facilitator")
    for rule in _rules(app):
        keys = [a for a in rule.arguments if a in foreign]
        if not keys or not isinstance(ROUTES[rule.endpoint], tuple) or ROUTES[rule.endpoint][0] != "p":
            continue
        url = _url(rule, {**params, **{k: foreign[k] for k in keys}})
        for method in [m for m in ("GET", "POST") if m in rule.methods]:
            before = fingerprint()
            response = client.open(url, method=method, data={"role": "member", "city": 1})
            assert response.status_code == 404, (rule.endpoint, method)
            assert fingerprint() == before, rule.endpoint
