"""Fixtures: app (SQLite by default, PostgreSQL with TEST_DATABASE_URL), db, clients, login, world."""

from __future__ import annotations

import os
import re
import secrets
import socket
import threading
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from werkzeug.serving import make_server

from sprintboard import create_app
from sprintboard.board import render as board_render
from sprintboard.extensions import db as _db
from sprintboard.extensions import limiter
from sprintboard.live import render as live
from tests import factories

PG_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip() or None


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@contextmanager
def fresh_postgresql(prefix: str):
    """A PostgreSQL database of its own on TEST_DATABASE_URL's server (dropped afterwards): its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}_{_worker()}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        # Tests commit often and never need durability.
        conn.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        yield sa.engine.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if not PG_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    with fresh_postgresql("sb_test") as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-" + secrets.token_hex(8),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
            "REDIS_URL": REDIS_URL,
            "LIVE_KEY_PREFIX": f"sbtest:{uuid.uuid4().hex[:8]}:",  # runs and xdist workers apart
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOGIN_RATE_LIMIT": "5 per 15 minutes",
            "SERVER_NAME": None,
            "COMPRESS": False,
            "RENDER_CACHE_SHARED": False,  # one test shares it on purpose (test_board_cache.py)
            "QUEUE_IMMEDIATE": True,  # tasks run inline when enqueued (after the commit)
            "PUBLIC_URL": None,
        }
    )
    app.test_client_class = Client
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()  # the real migrations, so the tests also prove them
    yield app
    with app.app_context():
        _db.engine.dispose()  # close pooled connections before the test database is dropped


@pytest.fixture
def db(app):
    with app.app_context():
        yield _db
        _db.session.remove()
        _clean(_db)
    limiter.reset()
    board_render.clear_cache()
    live.clear_memo()


def _clean(db) -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        # DELETE beats TRUNCATE on the handful of rows a test leaves behind.
        for table in tables:
            conn.execute(table.delete())


class Client(FlaskClient):
    """A test client that adds a valid CSRF token to every POST unless told not to."""

    htmx = False

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", secrets.token_hex(20))
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args, csrf=True, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        headers = dict(kwargs.pop("headers", None) or {})
        if self.htmx:
            headers.setdefault("HX-Request", "true")
        if method == "POST" and csrf:
            if self.htmx:
                headers.setdefault("X-CSRFToken", self.csrf_token())
            else:
                data = kwargs.get("data")
                data = dict(data or {}) if not isinstance(data, (str, bytes)) else data
                if isinstance(data, dict):
                    data.setdefault("csrf_token", self.csrf_token())
                    kwargs["data"] = data
        # Each request gets its own app context (fresh `g`, its own database session), as in
        # production; what the test set up so far is committed first so the request sees it.
        if has_app_context():
            _db.session.commit()
        with self.application.app_context():
            return super().open(*args, headers=headers, **kwargs)


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def htmx_client(app, db):
    c = app.test_client()
    c.htmx = True
    return c


@pytest.fixture
def login(app):
    """login(client, user): a logged-in session for `user` on `client`, without the login form."""

    def _login(client, user):
        from sprintboard.services.accounts import start_session

        token = start_session(user)
        _db.session.commit()
        with client.session_transaction() as sess:
            sess["_user_id"] = token
            sess["_fresh"] = True
        return client

    return _login


@pytest.fixture
def world(db):
    """A partnership of two cities with one person per role, and an outsider's partnership."""
    return factories.world()


@pytest.fixture
def as_role(app, world, login):
    """as_role(role): a client logged in as that role of world.partnership (None: anonymous)."""

    def _client(role, htmx=False):
        c = app.test_client()
        c.htmx = htmx
        if role is None:
            return c
        return login(c, world.users[role])

    return _client


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture(scope="session")
def _server(app):
    """The app served by a real threaded server in this process, for the whole run (its URL).
    Browser tests (tests/e2e) and the concurrency test talk to it over HTTP."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


# --- a real SMTP server (aiosmtpd) ----------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPServer:
    """A local aiosmtpd server: `messages` are the parsed emails it received (email.message),
    `wait(n)` blocks until n have arrived. `refuse` makes it answer every message with 451."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.refuse = None  # e.g. "451 4.3.0 Try again later" / "550 5.1.1 No such user"
        self.attempts = 0
        self._arrived = threading.Condition()
        # (aiosmtpd checks that it is up by connecting to its port: it needs a real number)
        self.controller = Controller(self, hostname="127.0.0.1", port=_free_port())

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        import email
        from email import policy

        with self._arrived:
            self.attempts += 1
            if self.refuse:
                return self.refuse
            message = email.message_from_bytes(envelope.content, policy=policy.default)
            message.envelope_to = list(envelope.rcpt_tos)
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 OK"

    @property
    def port(self) -> int:
        return self.controller.port

    def wait(self, count: int = 1, timeout: float = 10) -> list:
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        return self.messages

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m.envelope_to]


@pytest.fixture
def smtp(app):
    """A real SMTP server the app sends to during this test (MAIL_SERVER points at it)."""
    server = SMTPServer()
    server.controller.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False, MAIL_USERNAME=None)
    yield server
    app.config.update(saved)
    server.controller.stop()


def mail_text(message) -> str:
    """The plain-text part of an email."""
    return message.get_body(preferencelist=("plain",)).get_content()


def mail_html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def _serving_translations(app, server, provider: str, api_key: str):
    """Point the app's machine translation at a started local `server` for one test."""
    keys = ("TRANSLATE_URL", "TRANSLATE_PROVIDER", "TRANSLATE_API_KEY", "TRANSLATE_TIMEOUT")
    saved = {k: app.config.get(k) for k in keys}
    app.config.update(
        TRANSLATE_URL=server.url, TRANSLATE_PROVIDER=provider, TRANSLATE_API_KEY=api_key, TRANSLATE_TIMEOUT=2
    )
    yield server
    app.config.update(saved)
    server.stop()


@pytest.fixture
def translate_server(app):
    """A local LibreTranslate-speaking server (tests/translate_server.py); TRANSLATE_URL points at
    it during the test."""
    from tests.translate_server import TranslateServer

    server = TranslateServer(api_key="test-key").start()
    yield from _serving_translations(app, server, "libretranslate", "test-key")


@pytest.fixture
def deepl_server(app):
    """A local server speaking DeepL's API (tests/deepl_server.py); DeepL is the provider and
    TRANSLATE_URL points at it during the test."""
    from tests.deepl_server import DeepLServer

    server = DeepLServer(api_key="deepl-key:fx").start()
    yield from _serving_translations(app, server, "deepl", "deepl-key:fx")


# S3-compatible storage for tests: moto's S3 server on loopback, spoken to over HTTP by boto3.


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on loopback for the whole run: its URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_client(endpoint: str):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        config=Config(connect_timeout=2, retries={"max_attempts": 1}),
        aws_access_key_id="test",
        aws_secret_access_key="test",  # noqa: S106 (moto accepts any)
    )


def new_bucket(endpoint: str) -> str:
    import uuid

    name = f"sb-{uuid.uuid4().hex[:12]}"
    s3_client(endpoint).create_bucket(Bucket=name)
    return name
