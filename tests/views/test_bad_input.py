"""Bad input of every kind, on every route: a 4xx with a translated message, never a 500.

A fuzz-style walk over app.url_map (the routes of tests/views/routes/*.py): huge and negative
ids in the path, huge numbers and nonsense in query strings, and for every form-writing route
huge numbers, malformed dates, unknown choices, oversized text, invalid UTF-8 and a broken
multipart body in the fields our forms declare. The app runs with TESTING, so a 500 would raise
out of the test client and fail the test with its traceback.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import wtforms
from flask_babel import force_locale
from wtforms.fields.core import UnboundField

import sprintboard.forms
from sprintboard.errors import ERROR_TITLES
from tests.views.test_routes import _rules, _url, route_params

HUGE = "99999999999999999999"
GERMAN = {"Accept-Language": "de"}
SKIP = {"auth.logout"}  # ends the session the walk runs in


def _forms():
    for info in pkgutil.iter_modules(sprintboard.forms.__path__):
        module = importlib.import_module(f"sprintboard.forms.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, wtforms.Form):
                yield value


def _fields(form_class, prefix=""):
    """(name as posted, field class) for every field a form class declares (nested ones too)."""
    for name in dir(form_class):
        unbound = getattr(form_class, name, None)
        if not isinstance(unbound, UnboundField):
            continue
        kind = unbound.field_class
        if issubclass(kind, wtforms.FieldList):
            inner = unbound.args[0] if unbound.args else None
            if isinstance(inner, UnboundField) and issubclass(inner.field_class, wtforms.FormField):
                yield from _fields(inner.args[0], f"{prefix}{name}-0-")
            else:
                yield f"{prefix}{name}-0", kind
        elif issubclass(kind, wtforms.FormField):
            yield from _fields(unbound.args[0], f"{prefix}{name}-")
        else:
            yield f"{prefix}{name}", kind


FIELDS = dict(f for form in _forms() for f in _fields(form))
FIELDS.pop("csrf_token", None)
NUMBERS = (wtforms.IntegerField, wtforms.DecimalField, wtforms.FloatField, wtforms.HiddenField)
DATES = (wtforms.DateField, wtforms.DateTimeField, wtforms.TimeField, wtforms.DateTimeLocalField)
CHOICES = (wtforms.SelectField, wtforms.SelectMultipleField, wtforms.RadioField)


def _payload(kind: str) -> dict:
    """One value per declared field name: what a hostile or broken client might send."""
    values = {}
    for name, field in FIELDS.items():
        if kind == "huge":
            values[name] = HUGE if not issubclass(field, DATES) else "99999-01-01"
        elif kind == "digits":
            values[name] = "9" * 5000
        elif kind == "malformed":
            values[name] = (
                "2026-13-45"
                if issubclass(field, DATES)
                else "-1"
                if issubclass(field, NUMBERS)
                else "superuser"
            )
        elif kind == "long":
            values[name] = "ж" * 2000  # far past every length limit, under the request size limit
        elif kind == "nul":
            values[name] = "Titel\x00mit NUL"  # PostgreSQL's text holds no NUL character
    return values


def _admin(app, world, login):
    client = app.test_client()
    return login(client, world.admin)


def _status_title(app, status):
    with app.test_request_context(), force_locale("de"):
        return ERROR_TITLES[status]()


def _assert_no_server_error(app, response, where):
    """Below 500; an error page is in the request's language (a route that needs no data, like
    the language switch, may simply go on)."""
    assert _answered(response), (where, response.status_code)
    if response.status_code >= 400 and response.mimetype == "text/html":
        assert '<html lang="de">' in response.get_data(as_text=True), where  # a page in German


def _answered(response) -> bool:
    """Not a server error: below 500, or 503 (a service that is not there: try again later)."""
    return response.status_code < 500 or response.status_code == 503


def _int_args(rule):
    return [name for name, conv in rule._converters.items() if type(conv).__name__ == "IdConverter"]


@pytest.mark.parametrize("bad", [HUGE, str(2**31), "9" * 5000, "-1"])
def test_huge_and_negative_ids_are_not_found(app, world, login, bad):
    params = route_params(world)
    client = _admin(app, world, login)
    anonymous = app.test_client()
    walked = 0
    for rule in _rules(app):
        for arg in _int_args(rule):
            marker = 987654321
            url = _url(rule, {**params, arg: marker}).replace(str(marker), bad)
            for method in [m for m in ("GET", "POST") if m in rule.methods]:
                for who in (client, anonymous):
                    response = who.open(url, method=method, data={}, headers=GERMAN)
                    assert response.status_code == 404, (rule.endpoint, url, method, response.status_code)
                    assert _status_title(app, 404) in response.get_data(as_text=True)
                    walked += 1
    assert walked > 100  # the walk reached the routes (not an empty loop)


def test_calls_with_a_huge_id_are_not_found_for_anonymous_visitors(client):
    response = client.get("/calls/99999999999999999999/", headers=GERMAN)
    assert response.status_code == 404


@pytest.mark.parametrize("value", [HUGE, "-5", "9" * 5000, "abc", "%ff", "1e9", "a%00b"])
def test_nonsense_query_arguments_never_give_500(app, world, login, value):
    params = route_params(world)
    client = _admin(app, world, login)
    names = ["page", "since", "column", "lane", "q", "for", "a", "b", "next", "lang", *FIELDS]
    query = "&".join(f"{name}={value}" for name in names)
    for rule in _rules(app):
        if "GET" not in rule.methods or rule.endpoint in SKIP:
            continue
        response = client.get(f"{_url(rule, params)}?{query}", headers=GERMAN)
        response.close()  # (a file download streams from an open file)
        assert _answered(response), (rule.endpoint, response.status_code)


def _writing_rules(app):
    return [r for r in _rules(app) if "POST" in r.methods and r.endpoint not in SKIP]


@pytest.mark.parametrize("kind", ["huge", "digits", "malformed", "long", "nul"])
def test_bad_form_values_never_give_500(app, world, login, kind):
    params = route_params(world)
    payload = _payload(kind)
    for rule in _writing_rules(app):
        client = _admin(app, world, login)
        response = client.post(_url(rule, params), data=dict(payload), headers=GERMAN)
        assert _answered(response), (rule.endpoint, kind, response.status_code)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"title=\xff\xfe&name=\xc3\x28&body=%ff%fe&email=%c3"),
        ("multipart/form-data; boundary=xyz", b'--xyz\r\nContent-Disposition: form-data; name="file"'),
        ("multipart/form-data", b"no boundary at all"),
        ("application/json", b'{"title": [1, {"a": ' + b"[" * 5000),
    ],
)
def test_broken_bodies_never_give_500(app, world, login, content_type, body):
    params = route_params(world)
    for rule in _writing_rules(app):
        client = _admin(app, world, login)
        headers = {**GERMAN, "X-CSRFToken": client.csrf_token()}
        response = client.post(
            _url(rule, params), data=body, content_type=content_type, headers=headers, csrf=False
        )
        _assert_no_server_error(app, response, (rule.endpoint, content_type))


def test_a_nul_character_is_refused_with_a_clear_message_and_changes_nothing(world, as_role):
    """PostgreSQL's text cannot hold NUL: a comment or a search holding one is 422 with the
    reason in the reader's language, on SQLite too, and nothing is saved."""
    from sprintboard.extensions import db
    from sprintboard.models import Comment
    from tests import factories

    card = factories.card(world.partnership, "Bus", actor=world.users["member"])
    db.session.commit()
    client = as_role("member")
    pid = world.partnership.id
    response = client.post(
        f"/p/{pid}/cards/{card.id}/comments", data={"comment-body": "Gebucht\0"}, headers=GERMAN
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "ein Zeichen, das nicht gespeichert werden kann" in page and '<html lang="de">' in page
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 0
    found = client.get("/search?q=Bus%00", headers=GERMAN)
    assert found.status_code == 422 and "nicht gespeichert werden kann" in found.get_data(as_text=True)
    assert client.get("/search?q=Bus", headers=GERMAN).status_code == 200


def test_a_value_the_database_refuses_is_422_not_500(world, as_role, monkeypatch, caplog):
    """The last line behind the checks: should one miss a value the database refuses, the
    person gets 422 in their language (nothing saved) and the log a warning, never a 500."""
    from sqlalchemy.exc import DataError

    from sprintboard.extensions import db
    from sprintboard.models import Comment
    from sprintboard.services import cards
    from tests import factories

    card = factories.card(world.partnership, "Bus", actor=world.users["member"])
    db.session.commit()

    def refused(*_args, **_kwargs):
        raise DataError("INSERT INTO comments …", {}, ValueError("value refused"))

    monkeypatch.setattr(cards, "add_comment", refused)
    client = as_role("member")
    response = client.post(
        f"/p/{world.partnership.id}/cards/{card.id}/comments",
        data={"comment-body": "Gebucht"},
        headers=GERMAN,
    )
    assert response.status_code == 422
    assert '<html lang="de">' in response.get_data(as_text=True)
    assert "the database refused a value" in caplog.text
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 0
