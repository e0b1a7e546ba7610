"""/healthz and /readyz: what a load balancer sees when the app, its database, its schema, Redis
or the mail queue are fine or not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import stamp, upgrade

from sprintboard import create_app
from sprintboard.extensions import db
from sprintboard.models import Outbox
from sprintboard.models.base import utcnow
from sprintboard.services import health

CLOSED_POSTGRES = "postgresql+psycopg://sprintboard:s3cret-pw@127.0.0.1:1/sprintboard"


def _app(tmp_path, url, **config):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "QUEUE_IMMEDIATE": True,
            "REDIS_URL": None,
            **config,
        }
    )


def test_healthz_answers_without_a_database(tmp_path):
    client = _app(tmp_path, CLOSED_POSTGRES).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_unavailable_when_the_database_is_unreachable(tmp_path):
    client = _app(tmp_path, CLOSED_POSTGRES).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert response.json["status"] == "unavailable"
    assert response.json["checks"]["database"] == "unreachable"
    # public: no host, port, user or password of the database in the answer
    for secret in ("127.0.0.1", "s3cret", "sprintboard:", "psycopg"):
        assert secret not in response.text


def test_readyz_is_ready_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "ready"
    checks = response.json["checks"]
    assert checks["database"] == checks["migrations"] == checks["queue"] == "ok"
    if client.application.config["REDIS_URL"]:
        assert checks["redis"] == "ok"
    assert response.json["queue_age_seconds"] == 0


def test_readyz_is_unavailable_when_migrations_are_behind(tmp_path):
    app = _app(tmp_path, f"sqlite:///{tmp_path / 'behind.db'}")
    client = app.test_client()
    with app.app_context():
        upgrade()
        assert client.get("/readyz").status_code == 200
        head = ScriptDirectory(str(health.MIGRATIONS)).get_current_head()
        previous = ScriptDirectory(str(health.MIGRATIONS)).get_revision(head).down_revision
        stamp(revision=previous)  # as if the new code were deployed before `sprintboard db upgrade`
        db.engine.dispose()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["migrations"] == "behind"
    assert response.json["checks"]["database"] == "ok"


def test_readyz_is_unavailable_when_redis_is_configured_but_down(tmp_path):
    app = _app(tmp_path, f"sqlite:///{tmp_path / 'r.db'}", REDIS_URL="redis://127.0.0.1:1/0")
    with app.app_context():
        upgrade()
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["redis"] == "unreachable"
    assert response.json["checks"]["database"] == "ok"


@pytest.fixture
def queue_max_age(app):
    app.config["READYZ_QUEUE_MAX_AGE"] = 600
    yield 600
    app.config["READYZ_QUEUE_MAX_AGE"] = 0


def test_readyz_reports_an_old_mail_backlog(client, db, queue_max_age):
    waiting = Outbox(
        recipient="a@example.org", subject="Hi", body="…", created_at=utcnow() - timedelta(hours=2)
    )
    later = Outbox(
        recipient="b@example.org",
        subject="Retry",
        body="…",
        created_at=utcnow() - timedelta(days=1),
        attempts=3,
        next_attempt_at=utcnow() + timedelta(hours=1),  # in back-off: not due, not counted
    )
    db.session.add_all([waiting, later])
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["queue"] == "too old"
    assert 7100 < response.json["queue_age_seconds"] < 7300

    waiting.sent_at = utcnow()
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["queue_age_seconds"] == 0


def test_without_a_maximum_the_backlog_age_is_only_reported(client, db):
    db.session.add(
        Outbox(recipient="a@example.org", subject="Hi", body="…", created_at=utcnow() - timedelta(hours=5))
    )
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["queue_age_seconds"] >= 5 * 3600 - 60
