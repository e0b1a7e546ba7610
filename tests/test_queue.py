"""The task queue for real: `sprintboard worker` is its own process consuming a SqliteHuey (or
the database of this run), and `sprintboard run` starts it beside the development server."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from sprintboard.extensions import db
from sprintboard.queue import make_huey
from sprintboard.services import mail
from tests.conftest import _free_port

REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()


def _env(app, database_url, smtp, tmp_path, redis_url: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAIL_", "QUEUE_", "REDIS"))}
    if redis_url:  # the queue (and live updates) in Redis, under this test's own prefix
        env.update(REDIS_URL=redis_url, LIVE_KEY_PREFIX=f"sbtest:{tmp_path.name}:")
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=app.secret_key,
        SPRINTBOARD_INSTANCE=str(tmp_path),
        QUEUE_FILE=str(tmp_path / "queue.db"),
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(smtp.port),
        MAIL_USE_TLS="0",
        PYTHONUNBUFFERED="1",
    )
    return env


def _queue_mail(app, to: str) -> None:
    """Queue a message the way a request does, without sending it here."""
    server = app.config["MAIL_SERVER"]
    app.config["MAIL_SERVER"] = None
    try:
        with app.test_request_context():
            mail.queue(to, "Hello", f"Hello {to}")
            db.session.commit()
    finally:
        app.config["MAIL_SERVER"] = server


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.parametrize("storage", ["sqlite", "redis"])
def test_the_worker_process_sends_the_outbox_and_follows_nudges(
    app, db, database_url, smtp, tmp_path, storage
):
    if storage == "redis" and not REDIS_URL:
        pytest.skip("set TEST_REDIS_URL to test the queue in Redis")
    redis_url = REDIS_URL if storage == "redis" else ""
    env = _env(app, database_url, smtp, tmp_path, redis_url)
    _queue_mail(app, "first@example.org")  # waiting before the worker starts: its first sweep
    log = tmp_path / "worker.log"
    with log.open("wb") as errors:
        worker = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "sprintboard", "worker", "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    try:
        assert [m["To"] for m in smtp.wait(1, timeout=120)] == ["first@example.org"]
        # A web process nudges the worker through the shared queue file (no sweep for a minute).
        _queue_mail(app, "second@example.org")
        settings = {"QUEUE_FILE": env["QUEUE_FILE"], "REDIS_URL": redis_url or None}
        queue = make_huey({**settings, "LIVE_KEY_PREFIX": env.get("LIVE_KEY_PREFIX")}, tmp_path)

        def nudge():  # (what tasks.deliver_mail.delay() sends: only the name travels)
            pass

        nudge.__module__ = "sprintboard"
        queue.task(name="mail.deliver")(nudge)()
        assert [m["To"] for m in smtp.wait(2, timeout=120)] == ["first@example.org", "second@example.org"]
    finally:
        _stop(worker)
    assert worker.returncode == 0, log.read_text()[-2000:]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _wait_gone(pid: int, timeout: float) -> bool:
    """Block until process `pid` (not our child) has ended: a pidfd becomes readable then."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="needs Linux pidfds")
def test_sprintboard_run_serves_and_its_worker_sends_mail_and_ends_with_it(
    app, db, database_url, smtp, tmp_path
):
    _queue_mail(app, "invitee@example.org")
    port = _free_port()
    with (tmp_path / "run.log").open("wb") as errors:
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "sprintboard", "run", "--port", str(port), "--no-reload"],
            env=_env(app, database_url, smtp, tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    try:
        assert [m["To"] for m in smtp.wait(1, timeout=120)] == ["invitee@example.org"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200
        (worker,) = _children(server.pid)
        server.kill()  # even a hard stop of the server leaves no worker behind
        server.wait(timeout=60)
        assert _wait_gone(worker, timeout=60)
    finally:
        _stop(server)


def test_a_task_queued_after_commit_waits_for_the_real_commit_not_a_savepoint(app, db):
    from sqlalchemy import func, select

    from sprintboard.models import Outbox
    from sprintboard.queue import queue

    seen = []

    @queue.task(name="tests.count_outbox")
    def count_outbox():
        seen.append(db.session.scalar(select(func.count(Outbox.id))))  # (its own session)

    with app.test_request_context():
        db.session.add(Outbox(recipient="a@example.org", subject="Hi", body="Hi"))
        count_outbox.after_commit()
        count_outbox.after_commit()  # the same call twice in one transaction: once
        with db.session.begin_nested():  # e.g. a notification written in a SAVEPOINT
            db.session.flush()
        assert seen == []
        db.session.commit()
    assert seen == [1]
    with app.test_request_context():
        count_outbox.after_commit()
        db.session.rollback()
    assert seen == [1]  # a rolled-back transaction enqueues nothing
