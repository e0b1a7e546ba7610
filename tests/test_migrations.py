"""Every migration runs down to base and up again, and the models match the migrated schema
(what `sprintboard db check` checks), on a database of its own (SQLite, or PostgreSQL with
TEST_DATABASE_URL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from sprintboard import create_app
from sprintboard.database import include_name
from sprintboard.extensions import db
from tests.conftest import PG_URL, fresh_postgresql


@pytest.fixture
def fresh_url(tmp_path):
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    with fresh_postgresql("sb_migrations") as url:
        yield url


def _tables(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def _drift(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        return compare_metadata(context, db.metadata)


def test_migrations_go_down_to_base_and_up_again_without_drift(fresh_url, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "migrations",
            "SQLALCHEMY_DATABASE_URI": fresh_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        try:
            upgrade()
            tables = _tables(db.engine)
            assert {"users", "partnerships", "cards"} <= tables
            assert _drift(db.engine) == []
            downgrade(revision="base")
            assert _tables(db.engine) == set()
            upgrade()
            assert _tables(db.engine) == tables
            assert _drift(db.engine) == []
        finally:
            db.session.remove()
            db.engine.dispose()
