"""`sprintboard backup` / `restore`: a consistent snapshot while the app writes (SQLite's backup
API, pg_dump on PostgreSQL), verified, rotated, and restored into a new instance with the same
rows; never over an instance that has data."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from sprintboard import create_app
from sprintboard.extensions import db
from sprintboard.services import accounts, snapshots
from tests.conftest import PG_URL, fresh_postgresql


@pytest.fixture
def new_url(tmp_path):
    """new_url(name): the URL of a new, empty database (SQLite, or PostgreSQL with TEST_DATABASE_URL)."""
    made = []

    def _new(name):
        if not PG_URL:
            return f"sqlite:///{tmp_path / (name + '.db')}"
        context = fresh_postgresql(f"sb_snap_{name}")
        made.append(context)
        return context.__enter__()

    yield _new
    for context in made:
        context.__exit__(None, None, None)


def _app(tmp_path, url, name):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(tmp_path / name),
            "QUEUE_IMMEDIATE": True,
            "REDIS_URL": None,
        }
    )
    return app


@pytest.fixture
def source(tmp_path, new_url):
    app = _app(tmp_path, new_url("source"), "source")
    with app.app_context():
        upgrade()
        accounts.create_user("ada@example.org", "Ada", "correct horse battery staple")
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def target(tmp_path, new_url):
    app = _app(tmp_path, new_url("target"), "target")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return snapshots._table_counts()


class Writer(threading.Thread):
    """Adds outbox rows, one transaction each, until stopped (the app serving meanwhile)."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.engine = sa.create_engine(url)
        self.stop, self.started, self.written = threading.Event(), threading.Event(), 0

    def run(self):
        table = sa.table(
            "outbox",
            sa.column("recipient"),
            sa.column("subject"),
            sa.column("body"),
            sa.column("created_at"),
            sa.column("attempts"),
        )
        from sprintboard.models.base import utcnow

        while not self.stop.is_set():
            with self.engine.begin() as conn:
                conn.execute(
                    table.insert().values(
                        recipient="w@example.org",
                        subject=f"n{self.written}",
                        body="x" * 500,
                        created_at=utcnow(),
                        attempts=0,
                    )
                )
            self.written += 1
            if self.written == 50:
                self.started.set()
        self.engine.dispose()


def test_a_backup_while_someone_writes_is_consistent_and_restores(source, target, tmp_path):
    writer = Writer(source.config["SQLALCHEMY_DATABASE_URI"])
    writer.start()
    try:
        assert writer.started.wait(60)
        with source.app_context():
            snapshot = snapshots.backup(tmp_path / "backups")
        written_during = writer.written
    finally:
        writer.stop.set()
        writer.join(60)
    manifest = json.loads((snapshot / "manifest.json").read_text())
    assert 50 <= manifest["rows"]["outbox"] <= writer.written
    assert manifest["rows"]["users"] == 1
    assert manifest["revision"]
    assert written_during < writer.written or manifest["rows"]["outbox"] <= written_during
    if not PG_URL:
        copy = sqlite3.connect(snapshot / "sprintboard.db")
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        copy.close()
        assert (snapshot / "sprintboard.db").stat().st_mode & 0o077 == 0  # only the owner reads it

    with target.app_context():
        snapshots.restore(snapshot)
    assert _counts(target) == manifest["rows"]
    with target.app_context():
        assert accounts.authenticate("ada@example.org", "correct horse battery staple") is not None


def test_restore_refuses_an_instance_with_data(source, tmp_path):
    with source.app_context():
        snapshot = snapshots.backup(tmp_path / "backups")
        accounts.create_user("bob@example.org", "Bob", "another long passphrase")
        db.session.commit()
    before = _counts(source)
    with source.app_context(), pytest.raises(snapshots.SnapshotError, match="not empty"):
        snapshots.restore(snapshot)
    assert _counts(source) == before  # Bob is still there


def test_only_the_newest_snapshots_are_kept(source, tmp_path):
    with source.app_context():
        made = [snapshots.backup(tmp_path / "backups", keep=2) for _ in range(3)]
        assert snapshots.snapshots(tmp_path / "backups") == made[1:]
    assert not any(p.name.endswith(".partial") for p in (tmp_path / "backups").iterdir())


def test_uploads_are_backed_up_and_restored(source, target, tmp_path):
    uploads = tmp_path / "source" / "uploads"
    (uploads / "cards").mkdir(parents=True)
    (uploads / "cards" / "plan.pdf").write_bytes(b"%PDF-1.7 plan")
    with source.app_context():
        snapshot = snapshots.backup(tmp_path / "backups")
    with target.app_context():
        snapshots.restore(snapshot)
    assert (tmp_path / "target" / "uploads" / "cards" / "plan.pdf").read_bytes() == b"%PDF-1.7 plan"


def test_the_commands(source, target, tmp_path):
    result = source.test_cli_runner().invoke(args=["backup", str(tmp_path / "b"), "--keep", "3"])
    assert result.exit_code == 0, result.output
    snapshot = snapshots.snapshots(tmp_path / "b")[-1]
    assert f"Backup: {snapshot}" in result.output

    refused = source.test_cli_runner().invoke(args=["restore", str(snapshot)])
    assert refused.exit_code != 0
    assert "not empty" in refused.output

    restored = target.test_cli_runner().invoke(args=["restore", str(snapshot)])
    assert restored.exit_code == 0, restored.output
    assert _counts(target)["users"] == 1


def test_a_folder_that_is_not_a_snapshot_is_refused(target, tmp_path):
    (tmp_path / "random").mkdir()
    with target.app_context(), pytest.raises(snapshots.SnapshotError, match="not a snapshot"):
        snapshots.restore(tmp_path / "random")
