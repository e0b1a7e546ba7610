"""Engine settings that every connection must have, also after migrations ran on the pool."""

import pytest
from flask_migrate import upgrade


def test_sqlite_connections_keep_foreign_keys_on_after_migrations(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    upgrade()  # runs the migration environment, which switches foreign keys off for itself
    for _ in range(3):  # whichever pooled connection comes next
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_a_new_sqlite_database_and_its_wal_are_readable_by_the_owner_only(tmp_path, monkeypatch):
    """The embedded database holds everyone's data: made 0600 like the secret key."""
    import os
    import stat

    from sprintboard import create_app
    from sprintboard.extensions import db as database

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'sprintboard.db'}")
    os.umask(0o022)  # a usual umask would make it 0644
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True})
    with app.app_context():
        with database.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x)")
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        files = sorted((tmp_path / "data").iterdir())
        assert [f.name for f in files][:2] == ["sprintboard.db", "sprintboard.db-shm"]
        for f in files:
            assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name
        database.engine.dispose()
