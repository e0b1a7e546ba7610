"""Hardening from the outside audit (issue 20): request size, proxies, bad input, busy database."""

from __future__ import annotations

import io

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


class Upload(io.BytesIO):
    """A request body that remembers how much of it the app read."""


def _post_unread(client, path, size, **kw):
    body = Upload(b"x" * size)
    r = client.post(
        path,
        input_stream=body,
        content_length=size,
        content_type="application/octet-stream",
        csrf=False,
        **kw,
    )
    return r, body.tell()


def test_an_upload_answered_without_reading_it_is_read_to_its_end(world, client):
    """A signed-out person's 30 MB of photos is refused: the app reads the rest of it first, so
    a proxy still streaming it gets that answer, not a reset (gunicorn reads only 64 KB of an
    unread body and then closes the connection)."""
    size = 30 * 1024 * 1024
    r, read = _post_unread(client, f"/p/{world.partnership.id}/cards/1/attachments", size)
    assert r.status_code in (302, 303, 400)  # to the login page, or refused: no CSRF token
    assert read == size


def test_a_refused_small_post_is_read_and_one_over_the_limit_is_not(world, client):
    r, read = _post_unread(client, "/p/999999/anything", 512 * 1024)
    assert r.status_code in (302, 303, 404)
    assert read == 512 * 1024
    r, read = _post_unread(client, "/login", 3 * 1024 * 1024)
    assert r.status_code == 413
    assert read == 0  # over the limit: refused before anything is read


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


@pytest.mark.parametrize("htmx", [False, True])
def test_a_saved_move_is_answered_even_when_another_writer_takes_the_lock_right_after(busy_app, login, htmx):
    """The audit saw a saved move answered with a 500: after its commit the view read the card's
    new place in a new write transaction and timed out waiting for the lock. Nothing after the
    commit may wait for the write lock: the answer comes, and says the move happened."""
    from sqlalchemy import event

    from sprintboard.extensions import db
    from sprintboard.models import Card
    from sprintboard.services import board

    app, world, card = busy_app
    target = board.columns_of(world.partnership)[2]
    client = login(app.test_client(), world.users["member"])
    client.htmx = htmx
    others = []

    def _take_the_lock(_session):
        if others:
            return
        other = _lock(app)  # (waits for the lock: a commit has just let go of it)
        moved = other.execute("SELECT column_id FROM cards WHERE id = ?", (card.id,)).fetchone()[0]
        if moved == target.id:  # the move is saved: another writer starts the moment it was
            others.append(other)
        else:
            other.rollback()
            other.close()

    event.listen(db.session, "after_commit", _take_the_lock)
    try:
        r = client.post(f"/p/{world.partnership.id}/cards/{card.id}/move", data={"column": target.id})
    finally:
        event.remove(db.session, "after_commit", _take_the_lock)
        for other in others:
            other.rollback()
            other.close()
    assert others, "the lock was taken after the move's commit"
    assert r.status_code in (200, 303), r.status_code
    if htmx:
        assert f'id="card-{card.id}"' in r.text and "Moved “Plan the camp”" in r.text
    db.session.rollback()
    assert db.session.get(Card, card.id).column_id == target.id


def test_a_move_waits_its_turn_behind_another_process_and_gets_503_when_it_does_not_come(busy_app, login):
    """Writers queue at the write gate (a file lock beside the database) instead of polling
    SQLite's lock: a worker holding it keeps a move out for the wait allowed (here 0.3 s), which
    then ends in 503 with Retry-After and nothing moved; once it lets go, the move goes through."""
    from sprintboard.extensions import db
    from sprintboard.models import Card
    from sprintboard.services import board
    from sprintboard.write_gate import gate_path
    from tests.test_write_gate import _let_go, _other_process

    app, world, card = busy_app
    target = board.columns_of(world.partnership)[2]
    client = login(app.test_client(), world.users["member"])
    url = f"/p/{world.partnership.id}/cards/{card.id}/move"
    other = _other_process(gate_path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")))
    try:
        r = client.post(url, data={"column": target.id})
    finally:
        _let_go(other)
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "5"
    db.session.rollback()
    assert db.session.get(Card, card.id).column_id != target.id
    again = client.post(url, data={"column": target.id})
    assert again.status_code in (200, 303)
    db.session.rollback()
    assert db.session.get(Card, card.id).column_id == target.id


def test_a_move_reads_and_checks_before_it_takes_the_write_lock(busy_app, login):
    """The write lock is held for a move's writes only: the session, the board, the card and the
    form are read and checked first (the lock had been held from the session lookup on)."""
    from sqlalchemy import event

    from sprintboard.extensions import db
    from sprintboard.services import board

    app, world, card = busy_app
    target = board.columns_of(world.partnership)[2]
    client = login(app.test_client(), world.users["member"])
    statements, raw = [], []

    def _seen(_conn, _cursor, statement, *_args):
        raw.append(statement)
        words = statement.split()
        # "SELECT" with the table read, "UPDATE CARDS", "BEGIN IMMEDIATE" …
        table = words[words.index("FROM") + 1] if words[0] == "SELECT" and "FROM" in words else ""
        statements.append(" ".join(words[:2]).upper() if words[0] != "SELECT" else f"SELECT {table}")

    event.listen(db.engine, "before_cursor_execute", _seen)
    try:
        r = client.post(
            f"/p/{world.partnership.id}/cards/{card.id}/move",
            data={"column": target.id},
            headers={"HX-Request": "true"},
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", _seen)
    assert r.status_code == 200
    locked = statements.index("BEGIN IMMEDIATE")
    unlocked = next(i for i, s in enumerate(statements) if i > locked and s == "BEGIN")
    assert statements[0] == "BEGIN"  # deferred: reads only
    assert sum(1 for s in statements[:locked] if s.startswith("SELECT")) >= 4
    assert "UPDATE CARDS" in statements[locked:unlocked]
    # Under the lock, what was checked is not read again: the card and its new column only
    # (the person, the partnership and the membership stand as checked).
    under_lock = set(statements[locked:unlocked])
    assert not {"SELECT users", "SELECT partnerships", "SELECT memberships"} & under_lock
    # Nor after the commit, for the answer: it shows what was just saved.
    # (the people the card may show are read, not the person's own row again)
    after = statements[unlocked:]
    assert not {"SELECT partnerships", "SELECT undo_actions", "SELECT memberships"} & set(after), after
    assert not any("password_hash" in s for s in raw[unlocked:]), "the person read again"


@pytest.mark.parametrize("deleted", ["card", "column"])
def test_a_card_or_column_deleted_while_its_move_was_checked_answers_404(
    busy_app, login, monkeypatch, deleted
):
    """The move is checked before the write lock; what it writes to is read again under it."""
    import sqlite3

    from sprintboard.extensions import db
    from sprintboard.models import Activity
    from sprintboard.services import board
    from sprintboard.views import board as board_view

    app, world, card = busy_app
    target = board.columns_of(world.partnership)[2]
    client = login(app.test_client(), world.users["member"])
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    checked = board_view.begin_writing
    card_id, target_id = card.id, target.id

    def _deleted_meanwhile(*fresh):
        checked(*fresh)
        other = sqlite3.connect(path, isolation_level=None, timeout=0.5)
        if deleted == "card":
            other.execute("DELETE FROM cards WHERE id = ?", (card_id,))
        else:
            other.execute("DELETE FROM board_columns WHERE id = ?", (target_id,))
        other.close()

    monkeypatch.setattr(board_view, "begin_writing", _deleted_meanwhile)
    r = client.post(f"/p/{world.partnership.id}/cards/{card_id}/move", data={"column": target_id})
    assert r.status_code == 404
    db.session.rollback()
    assert db.session.query(Activity).filter_by(verb="card.moved").count() == 0


# --- storage failures: read-only or full --------------------------------------------------------


@pytest.fixture
def storage_episode(busy_app):
    """Flip `episode["pragma"]` to make every NEW connection fail its writes the way storage does
    ("query_only": an SQLite connection opened while the file was read-only; "max_page_count":
    a full disk). Connections already in the pool keep what they had."""
    from sqlalchemy import event

    from sprintboard.extensions import db
    from sprintboard.services import storage_health

    app, world, card = busy_app
    episode = {"pragma": None}

    def _on_connect(dbapi_connection, _record):
        if episode["pragma"] == "query_only":
            dbapi_connection.execute("PRAGMA query_only=1")
        elif episode["pragma"] == "max_page_count":
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    with app.app_context():
        event.listen(db.engine, "connect", _on_connect)
    yield app, world, card, episode
    with app.app_context():
        event.remove(db.engine, "connect", _on_connect)
    storage_health._last = None


def test_writes_work_again_once_a_read_only_episode_ends_without_a_restart(storage_episode, login):
    """A connection opened while the file was read-only stayed read-only: 9 % of moves still
    failed 75 s after the file was writable again. Now the failed connection is recycled."""
    from sprintboard.extensions import db
    from sprintboard.models import ChecklistItem

    app, world, card, episode = storage_episode
    client = login(app.test_client(), world.users["member"])
    url = f"/p/{world.partnership.id}/cards/{card.id}/checklist"
    count = sa.select(sa.func.count()).select_from(ChecklistItem)
    episode["pragma"] = "query_only"
    db.engine.dispose()  # every connection from now on opens during the episode
    r = client.post(url, data={"checklist-text": "Book a room"}, headers={"Accept-Language": "de"})
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert (
        "Speicher des Servers ist voll oder schreibgeschützt" in r.text and "Nichts wurde geändert" in r.text
    )
    assert db.session.scalar(count) == 0
    episode["pragma"] = None  # the file is writable again; no worker restarted
    # A connection opened during the episode may refuse one more write (503, nothing saved, and
    # it is dropped); from then on every write works.
    statuses = [client.post(url, data={"checklist-text": "Book a room"}).status_code for _ in range(5)]
    assert statuses[0] in (200, 303, 503) and all(s in (200, 303) for s in statuses[1:]), statuses
    db.session.rollback()
    assert db.session.scalar(count) == sum(s != 503 for s in statuses)


def test_a_full_disk_gets_the_storage_message_and_administrators_see_it(storage_episode, login):
    from sprintboard.extensions import db
    from sprintboard.models import Card

    app, world, card, episode = storage_episode
    client = login(app.test_client(), world.users["member"])
    episode["pragma"] = "max_page_count"
    db.engine.dispose()
    before = db.session.scalar(sa.select(sa.func.count(Card.id)))
    r = client.post(
        f"/p/{world.partnership.id}/cards/{card.id}/comments",
        data={"comment-body": "Long notes from the venue. " * 180},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 503 and r.headers["HX-Retarget"] == "#flash"
    assert "storage is full or read-only" in r.text
    episode["pragma"] = None
    db.engine.dispose()
    assert db.session.scalar(sa.select(sa.func.count(Card.id))) == before
    admin = login(app.test_client(), world.users["admin"])
    page = admin.get("/").text
    assert "The last failed write (storage full) was at" in page
    member_page = client.get("/").text
    assert "failed write" not in member_page  # only administrators are shown the condition


def test_a_disk_almost_full_is_shown_to_administrators_and_in_readyz(app, world, as_role, monkeypatch):
    import shutil

    from sprintboard.services import storage_health

    class Usage:
        total, used, free = 10 * 2**30, 10 * 2**30 - 2**20, 2**20

    monkeypatch.setattr(storage_health.shutil, "disk_usage", lambda _path: Usage)
    page = as_role("admin").get("/").text
    assert "Storage problem: the disk is almost full (1" in page
    assert "Storage problem" not in as_role("member").get("/").text
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503 and ready.json["checks"]["storage"] == "full"
    assert shutil.disk_usage is not Usage  # (only the app's view of the disk was changed)


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
