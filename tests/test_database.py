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


def test_postgresql_connections_compile_no_statement_before_running_it(app, db):
    """JIT compiling cost a board of 20,000 cards 77 ms of a 132 ms query: off for the app."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    db.engine.dispose()  # (new connections, as the app makes them)
    for _ in range(2):
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW jit").scalar() == "off"


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


def _end_every_other_connection(db) -> None:
    """What a PostgreSQL restart does to the app's pooled connections."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    other = sa.create_engine(db.engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with other.connect() as conn:
        ended = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    other.dispose()
    assert ended >= 1


def _board(client, url):
    return client.get(url, headers={"Accept-Language": "de"})


def test_a_connection_that_waited_in_the_pool_and_died_meanwhile_is_replaced_unnoticed(
    world, as_role, db, monkeypatch
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a database server's connections")
    from sprintboard import database

    client, url = as_role("member"), f"/p/{world.partnership.id}/board"
    assert _board(client, url).status_code == 200
    db.session.commit()
    db.session.close()  # (the test's own connection goes back to the pool too)
    _end_every_other_connection(db)
    later = database.monotonic() + 60  # a minute later: every pooled connection has waited
    monkeypatch.setattr(database, "monotonic", lambda: later)
    assert _board(client, url).status_code == 200
    db.engine.dispose()  # (the pool's other connections are dead too: none for the next test)


def test_a_connection_used_a_moment_ago_that_died_answers_503_once_and_the_pool_is_renewed(
    world, as_role, db
):
    """Connections used a moment ago are not tried before use (a round trip less per request):
    should the server have restarted since, that one request is told that nothing was changed
    and to try again (503, Retry-After), and the pool replaces its old connections at once."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a database server's connections")
    client, url = as_role("member"), f"/p/{world.partnership.id}/board"
    assert _board(client, url).status_code == 200
    db.session.commit()
    db.session.close()
    _end_every_other_connection(db)
    refused = _board(client, url)
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    assert "Nichts wurde geändert" in refused.get_data(as_text=True)
    assert _board(client, url).status_code == 200
