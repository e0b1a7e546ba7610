"""Hardening from the outside audit (issue 20): request size, proxies, bad input, busy database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from sprintboard import access, create_app


def test_a_huge_anonymous_post_is_refused_before_it_is_read(world, client):
    big = b"x" * (3 * 1024 * 1024)
    r = client.post(
        "/login",
        data=big,
        content_type="application/x-www-form-urlencoded",
        headers={"Accept-Language": "de"},
        csrf=False,
    )
    assert r.status_code == 413
    assert "Die gesendeten Daten sind zu groß." in r.get_data(as_text=True)


def test_the_request_size_limit_is_a_setting(app, world, client):
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    r = client.post("/login", data={"email": "a@example.org", "password": "x" * (1024 * 1024)})
    assert r.status_code == 422  # a body under the limit is read and answered as usual


def _address_app(tmp_path, proxies):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'proxy.db'}",
            "INSTANCE_PATH": str(tmp_path),
            "TRUST_PROXY": proxies,
        }
    )

    @app.get("/_address")
    @access.public
    def address():
        from flask import request

        return request.remote_addr or ""

    return app


@pytest.mark.parametrize(
    ("proxies", "seen"),
    [(0, "10.0.0.9"), (1, "198.51.100.2"), (2, "203.0.113.1")],
)
def test_only_the_configured_number_of_proxies_is_believed(tmp_path, proxies, seen):
    # The client wrote 203.0.113.1 itself; one proxy added the client's real address (198.51.100.2).
    client = _address_app(tmp_path, proxies).test_client()
    r = client.get(
        "/_address",
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
        headers={"X-Forwarded-For": "203.0.113.1, 198.51.100.2"},
    )
    assert r.get_data(as_text=True) == seen


@pytest.mark.parametrize(("value", "count"), [("", 0), ("0", 0), ("1", 1), ("2", 2), ("true", 1)])
def test_trust_proxy_is_read_as_a_count(monkeypatch, tmp_path, value, count):
    from sprintboard import config

    monkeypatch.setenv("TRUST_PROXY", value)
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    assert config.load(tmp_path)["TRUST_PROXY"] == count
    monkeypatch.setenv("TRUST_PROXY", "nginx")
    with pytest.raises(ValueError, match="number of proxies"):
        config.load(tmp_path)


# --- a busy database (SQLite locked by another writer) -----------------------------------------


@pytest.fixture
def busy_app(tmp_path):
    """An app of its own on its own SQLite file, waiting only 0.3 s for the write lock."""
    from flask_migrate import upgrade

    from sprintboard.extensions import db
    from tests import factories
    from tests.conftest import Client

    url = f"sqlite:///{tmp_path / 'busy.db'}"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(tmp_path),
            "SQLITE_BUSY_TIMEOUT_MS": 300,
            "RATELIMIT_STORAGE_URI": "memory://",
            "QUEUE_IMMEDIATE": True,
            "COMPRESS": False,
        }
    )
    app.test_client_class = Client
    with app.app_context():
        upgrade()
        world = factories.world()
        card = factories.card(world.partnership, "Plan the camp", actor=world.users["member"])
        db.session.commit()
        yield app, world, card
        db.session.remove()
        db.engine.dispose()


def _lock(app):
    """Another process's connection holding SQLite's write lock (until it is closed)."""
    import sqlite3

    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


@pytest.mark.parametrize("htmx", [False, True])
def test_a_write_that_finds_the_database_locked_gets_503_and_nothing_changes(busy_app, login, htmx):
    import sqlalchemy as sa

    from sprintboard.extensions import db
    from sprintboard.models import ChecklistItem

    app, world, card = busy_app
    client = login(app.test_client(), world.users["member"])
    client.htmx = htmx
    url = f"/p/{world.partnership.id}/cards/{card.id}/checklist"
    other = _lock(app)
    try:
        r = client.post(url, data={"checklist-text": "Book a room"}, headers={"Accept-Language": "de"})
    finally:
        other.rollback()
        other.close()
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "5"
    assert "Nichts wurde geändert" in r.get_data(as_text=True)
    if htmx:
        assert r.headers["HX-Retarget"] == "#flash"
    else:
        assert '<html lang="de">' in r.get_data(as_text=True)
    count = sa.select(sa.func.count()).select_from(ChecklistItem)
    assert db.session.scalar(count) == 0
    again = client.post(url, data={"checklist-text": "Book a room"})  # the lock is free again
    assert again.status_code in (200, 303)
    assert db.session.scalar(count) == 1


# --- login throttling per account and per address ------------------------------------------------


def _try_login(client, email, password, address):
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


@pytest.fixture
def account_limit(app):
    saved = app.config["LOGIN_ACCOUNT_RATE_LIMIT"]
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = "3 per 15 minutes"
    yield
    app.config["LOGIN_ACCOUNT_RATE_LIMIT"] = saved


def test_guessing_one_account_from_rotating_addresses_is_stopped(app, world, client, account_limit):
    from tests import factories

    email = world.users["member"].email
    for i in range(3):
        assert _try_login(client, email, f"guess {i}", f"198.51.100.{i}").status_code == 422
    r = _try_login(client, email, "guess 4", "198.51.100.50")
    assert r.status_code == 429  # a fresh address does not help: the account's allowance is used up
    # (even the right password waits, from a browser that never logged in here)
    assert _try_login(app.test_client(), email, factories.PASSWORD, "198.51.100.51").status_code == 429
    # another account is not affected
    assert _try_login(client, world.users["observer"].email, "nope", "198.51.100.52").status_code == 422


def test_the_right_password_from_a_known_browser_gets_in_while_others_guess(app, world, account_limit):
    from tests import factories

    email = world.users["member"].email
    mine = app.test_client()
    assert _try_login(mine, email, factories.PASSWORD, "203.0.113.7").status_code == 303
    assert mine.post("/logout").status_code == 303
    attacker = app.test_client()
    for i in range(5):  # the office address itself is limited too (LOGIN_RATE_LIMIT is 5 in tests)
        _try_login(attacker, email, f"guess {i}", "203.0.113.7")
    assert _try_login(attacker, email, "guess", "203.0.113.7").status_code == 429
    assert _try_login(mine, email, factories.PASSWORD, "203.0.113.7").status_code == 303


# --- password strength -------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "1234567890", "password123", "qwertyuiop"])
def test_an_easy_password_is_refused_with_a_translated_hint(world, as_role, weak):
    from tests import factories

    r = as_role("member").post(
        "/account",
        data={"password-current": factories.PASSWORD, "password-password": weak, "password-confirm": weak},
        headers={"Accept-Language": "de"},
    )
    assert r.status_code == 422
    assert "Dieses Passwort ist zu leicht zu erraten." in r.get_data(as_text=True)


# --- secret links are not guessed ----------------------------------------------------------------


@pytest.mark.parametrize("page", ["/invite/guess-{}", "/calls/application/guess-{}"])
def test_guessing_invitation_and_application_links_is_rate_limited(app, world, client, page):
    """Unknown tokens of invitations and applicants' private pages count against the address,
    with the other public links (/s/, /cal/): after the allowance, 429 even for a new guess."""
    limit = int(app.config["TOKEN_RATE_LIMIT"].split()[0])
    for i in range(limit):
        assert client.get(page.format(i)).status_code == 404
    r = client.get(page.format("one-more"))
    assert r.status_code == 429
    assert client.get("/s/yet-another").status_code == 429  # one allowance for every secret link


# --- the demo stays out of real databases ---------------------------------------------------------


def test_demo_refuses_a_database_with_real_accounts(app, world, db, monkeypatch):
    """`sprintboard demo --password x` on a database real people use would add a site
    administrator with a known password (and reset the demo ones): refused, nothing changed."""
    from sprintboard import cli
    from sprintboard.models import Partnership, User

    monkeypatch.setattr(cli, "upgrade", lambda: None)  # (the test database is already current)
    before = (
        db.session.scalar(sa.select(sa.func.count(User.id))),
        db.session.scalar(sa.select(sa.func.count(Partnership.id))),
    )
    result = app.test_cli_runner().invoke(args=["demo", "--password", "known-to-everyone"])
    assert (
        result.exit_code == 1 and "real account" in result.output and "Nothing was changed" in result.output
    )
    db.session.rollback()
    after = (
        db.session.scalar(sa.select(sa.func.count(User.id))),
        db.session.scalar(sa.select(sa.func.count(Partnership.id))),
    )
    assert after == before and User.by_email("admin@demo.example") is None
    forced = app.test_cli_runner().invoke(args=["demo", "--password", "known-to-everyone", "--on-real-data"])
    assert forced.exit_code == 0, forced.output
    db.session.rollback()
    assert User.by_email("admin@demo.example").is_admin
