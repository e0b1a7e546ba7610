"""Request logs: one line per request with an id (sent back, shown on error pages), as text or
JSON, and nothing secret in them."""

from __future__ import annotations

import json
import logging

import pytest

from sprintboard import requestlog
from sprintboard.services import status


@pytest.fixture
def request_log(caplog, world):  # (with people: /login is the login page, not the first setup)
    caplog.set_level(logging.DEBUG, logger="sprintboard.requests")
    return caplog


def _lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "sprintboard.requests"]


def _everything_logged(caplog) -> str:
    """All records as an operator would read them: the JSON lines and the text lines."""
    json_format = requestlog.JsonFormatter()
    text_format = logging.Formatter(requestlog.TEXT_FORMAT)
    for record in caplog.records:
        requestlog.RequestIdFilter().filter(record)
    return "\n".join(json_format.format(r) + "\n" + text_format.format(r) for r in caplog.records)


def test_one_line_per_request_with_the_id_sent_back(client, request_log):
    response = client.get("/login")
    assert response.status_code == 200
    rid = response.headers["X-Request-ID"]
    (line,) = _lines(request_log)
    assert line.request_id == rid
    assert line.http["method"] == "GET"
    assert line.http["path"] == "/login"
    assert line.http["status"] == 200
    assert line.http["endpoint"] == "auth.login"
    assert line.http["duration_ms"] >= 0
    entry = json.loads(requestlog.JsonFormatter().format(line))
    assert entry["request_id"] == rid and entry["status"] == 200 and entry["level"] == "INFO"


def test_the_proxys_request_id_is_used_and_junk_is_replaced(client, request_log):
    nginx_id = "0f3c2a9e5b7d4c1e8a6b2d4f6e8a0c2e"
    assert client.get("/login", headers={"X-Request-ID": nginx_id}).headers["X-Request-ID"] == nginx_id
    junk = client.get("/login", headers={"X-Request-ID": "<script>forged"}).headers["X-Request-ID"]
    assert junk != "<script>forged" and junk.isalnum()
    assert [r.request_id for r in _lines(request_log)] == [nginx_id, junk]


def test_each_request_gets_its_own_id(client, world):
    ids = {client.get("/login").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_error_pages_show_the_request_id(client, world, login):
    login(client, world.users["member"])
    response = client.get("/p/999999")
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] in response.text


def test_a_server_error_page_quotes_the_id_that_is_in_the_log(app, client, request_log, monkeypatch):
    def broken():
        raise RuntimeError("boom")

    broken.is_public = True

    monkeypatch.setitem(app.view_functions, "auth.login", broken)
    app.testing = False  # let the error handler answer instead of raising into the test
    try:
        response = client.get("/login")
    finally:
        app.testing = True
    assert response.status_code == 500
    rid = response.headers["X-Request-ID"]
    assert rid in response.text
    traceback = [r for r in request_log.records if r.exc_info]
    assert traceback and all(r.request_id == rid for r in traceback)
    assert _lines(request_log)[-1].http["status"] == 500


def test_tokens_in_urls_are_redacted(client, db, world, request_log):
    token = status.create_public_link(world.partnership, actor=world.users["facilitator"])
    db.session.commit()
    assert client.get(f"/s/{token}").status_code == 200
    client.get(f"/password/reset/{'r' * 43}")
    client.get(f"/login?next=/invite/{'i' * 43}&lang=de")
    client.get(f"/old-link/{'o' * 43}.ics")  # no such route: long token-like parts still go
    logged = _everything_logged(request_log)
    assert token not in logged
    for secret in ("r" * 43, "i" * 43, "o" * 43):
        assert secret not in logged
    paths = [r.http["path"] for r in _lines(request_log)]
    assert paths == [
        "/s/[redacted]",
        "/password/reset/[redacted]",
        "/login?next=[redacted]&lang=de",
        "/old-link/[redacted].ics",
    ]


def test_passwords_and_cookies_are_not_logged(client, world, request_log):
    user = world.users["member"]
    response = client.post("/login", data={"email": user.email, "password": "wrong-Pa55word-xyz"})
    assert response.status_code in (200, 422)
    client.get("/", headers={"Cookie": "sprintboard_session=cookie-value-xyz"})
    logged = _everything_logged(request_log)
    assert "wrong-Pa55word-xyz" not in logged
    assert "cookie-value-xyz" not in logged
    assert len(_lines(request_log)) == 2


def test_log_format_json_gives_one_json_object_per_line():
    handler = requestlog.make_handler("json")
    record = logging.LogRecord("sprintboard", logging.WARNING, __file__, 1, "disk %s", ("full",), None)
    assert handler.filter(record)
    entry = json.loads(handler.format(record))
    assert entry["message"] == "disk full" and entry["level"] == "WARNING" and entry["request_id"] is None
    text = requestlog.make_handler("text").format(record)
    assert "WARNING sprintboard [None] disk full" in text
