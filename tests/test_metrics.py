"""/metrics: Prometheus text for the holder of METRICS_TOKEN; requests, latency, live streams,
outbox backlog, task failures, render caches and database connections are counted — across
gunicorn's worker processes too."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from sprintboard.live import stream
from sprintboard.models import Outbox
from sprintboard.models.base import utcnow
from sprintboard.queue import queue
from tests import factories

TOKEN = "metrics-" + "t" * 32
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def scrape(app, client):
    app.config["METRICS_TOKEN"] = TOKEN

    def _scrape() -> dict:
        response = client.get("/metrics", headers=AUTH)
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for s in family.samples
        }

    yield _scrape
    app.config["METRICS_TOKEN"] = None


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_without_a_token_configured_there_is_no_metrics_page(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers=AUTH).status_code == 404


def test_a_wrong_or_missing_token_gets_nothing(app, client, scrape):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN[:-1]}):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 401
        assert b"sprintboard_" not in response.data


def test_a_request_is_counted_with_its_latency(client, world, scrape):
    labels = {"endpoint": "auth.login", "method": "GET", "status": "200"}
    before = scrape()
    assert client.get("/login").status_code == 200
    after = scrape()
    assert value(after, "sprintboard_http_requests_total", **labels) == (
        value(before, "sprintboard_http_requests_total", **labels) + 1
    )
    count = "sprintboard_http_request_duration_seconds_count"
    assert value(after, count, endpoint="auth.login") == value(before, count, endpoint="auth.login") + 1
    unknown = {"endpoint": "none", "method": "GET", "status": "404"}  # any unknown URL: one series
    client.get("/no/such/page")
    assert value(scrape(), "sprintboard_http_requests_total", **unknown) == (
        value(after, "sprintboard_http_requests_total", **unknown) + 1
    )


def test_the_outbox_backlog_is_shown(db, scrape):
    now = utcnow()
    db.session.add_all(
        [
            Outbox(recipient="a@example.org", subject="1", body="…", created_at=now - timedelta(minutes=30)),
            Outbox(recipient="b@example.org", subject="2", body="…"),
            Outbox(recipient="c@example.org", subject="3", body="…", failed_at=now, attempts=6),
            Outbox(recipient="d@example.org", subject="4", body="…", sent_at=now),
        ]
    )
    db.session.commit()
    samples = scrape()
    assert value(samples, "sprintboard_outbox_backlog") == 2
    assert value(samples, "sprintboard_outbox_failed") == 1
    assert 29 * 60 < value(samples, "sprintboard_outbox_oldest_due_seconds") < 31 * 60


def test_open_live_streams_are_counted(app, scrape):
    slots = stream._slots(app)
    before = value(scrape(), "sprintboard_live_streams")
    assert slots.acquire(blocking=False)
    assert value(scrape(), "sprintboard_live_streams") == before + 1
    slots.release()
    assert value(scrape(), "sprintboard_live_streams") == before


def test_failed_tasks_are_counted(app, db, scrape):
    def metrics_test_failure():
        raise RuntimeError("the task broke")

    failing = queue.task(name="tests.metrics_test_failure")(metrics_test_failure)
    before = value(scrape(), "sprintboard_task_failures_total", task="metrics_test_failure")
    with app.app_context():
        failing.delay()
    after = value(scrape(), "sprintboard_task_failures_total", task="metrics_test_failure")
    assert after == before + 1


def test_the_render_cache_is_shown(db, world, as_role, scrape):
    p = world.partnership
    for n in range(5):
        factories.card(p, f"Card {n}", actor=world.users["member"])
    db.session.commit()
    client = as_role("member")
    rendered = "sprintboard_render_cache_cards_total"
    before = value(scrape(), rendered, source="rendered")
    assert client.get(f"/p/{p.id}/board").status_code == 200
    first = scrape()
    assert value(first, rendered, source="rendered") >= before + 5
    assert value(first, "sprintboard_render_cache_entries") >= 5
    assert value(first, "sprintboard_render_cache_bytes") > 5 * 200
    assert client.get(f"/p/{p.id}/board").status_code == 200
    assert value(scrape(), rendered, source="rendered") == value(first, rendered, source="rendered")


def test_database_connections_in_use_are_shown(scrape):
    samples = scrape()
    assert ("sprintboard_db_connections_in_use", ()) in samples
    assert samples[("sprintboard_db_connections_in_use", ())] >= 0


WORKER = textwrap.dedent(
    """
    import sys, tempfile
    from sprintboard import create_app
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "QUEUE_IMMEDIATE": True,
                      "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1],
                      "INSTANCE_PATH": tempfile.mkdtemp(), "METRICS_TOKEN": "tok"})
    client = app.test_client()
    for _ in range(int(sys.argv[2])):
        assert client.get("/healthz").status_code == 200
    if sys.argv[3] == "scrape":
        print(client.get("/metrics", headers={"Authorization": "Bearer tok"}).get_data(as_text=True))
    """
)


def test_gunicorn_workers_are_added_up_in_multiprocess_mode(tmp_path):
    """Like gunicorn's workers: separate processes writing to PROMETHEUS_MULTIPROC_DIR; a scrape
    in any of them shows the sum."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    database = str(tmp_path / "mp.db")

    def run(count, mode):
        return subprocess.run(
            [sys.executable, "-c", WORKER, database, str(count), mode],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout

    run(3, "count")
    run(4, "count")
    text = run(0, "scrape")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert (
        value(samples, "sprintboard_http_requests_total", endpoint="health.live", method="GET", status="200")
        == 7
    )
