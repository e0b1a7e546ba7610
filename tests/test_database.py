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
