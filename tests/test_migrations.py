"""Every migration runs down to base and up again, and the models match the migrated schema
(what `sprintboard db check` checks), on a database of its own (SQLite, or PostgreSQL with
TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import datetime

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


def _app(url: str, tmp_path):
    """An app on its own fresh database, whose schema the test migrates itself."""
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "migrations",
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def test_migrations_go_down_to_base_and_up_again_without_drift(fresh_url, tmp_path):
    app = _app(fresh_url, tmp_path)
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


BEFORE_REVIEWS = "0260_workshop_times"  # the down_revision of 0270_reviews


def _row(conn, table: str, **values) -> int:
    """Insert a row, filling every other required column with a plain value of its type."""
    columns = sa.Table(table, sa.MetaData(), autoload_with=conn).columns
    for column in columns:
        if column.primary_key or column.nullable or column.name in values or column.server_default:
            continue
        kind = column.type.python_type if not isinstance(column.type, sa.JSON) else list
        length = getattr(column.type, "length", None)
        values[column.name] = {
            str: f"{column.name}-{table}-{len(values)}"[:length],
            int: 1,
            bool: True,
            list: [],
        }.get(kind, datetime(2026, 1, 2, 3, 4))
    pk = next(c for c in columns if c.primary_key)
    return conn.execute(sa.insert(columns[0].table).values(**values).returning(pk)).scalar_one()


def test_the_single_scores_become_their_scorers_reviews(fresh_url, tmp_path):
    """Before 0270 an application had one score per criterion (with who gave it last); after it
    each scorer has their own review, and scores whose scorer is unknown a legacy one."""
    app = _app(fresh_url, tmp_path)
    with app.app_context():
        try:
            upgrade(revision=BEFORE_REVIEWS)
            with db.engine.begin() as conn:
                staff = _row(conn, "users", email="staff@example.org", is_admin=True)
                call = _row(conn, "calls")
                fit = _row(conn, "criteria", call_id=call, weight=2)
                plan = _row(conn, "criteria", call_id=call, weight=1)
                scored = _row(conn, "applications", call_id=call, token_hash="a" * 64)
                legacy = _row(conn, "applications", call_id=call, token_hash="b" * 64)
                untouched = _row(conn, "applications", call_id=call, token_hash="c" * 64)
                for application, criterion, value, by in (
                    (scored, fit, 4, staff),
                    (scored, plan, 3, staff),
                    (legacy, fit, 5, None),
                ):
                    _row(
                        conn,
                        "scores",
                        application_id=application,
                        criterion_id=criterion,
                        value=value,
                        scored_by_id=by,
                    )
            upgrade()
            with db.engine.connect() as conn:
                reviews = conn.execute(
                    sa.text(
                        "SELECT id, application_id, reviewer_id, note FROM reviews ORDER BY application_id"
                    )
                ).all()
                assert [(r.application_id, r.reviewer_id, r.note) for r in reviews] == [
                    (scored, staff, ""),
                    (legacy, None, ""),
                ]
                scores = conn.execute(
                    sa.text(
                        "SELECT review_id, criterion_id, value FROM scores ORDER BY review_id, criterion_id"
                    )
                ).all()
                assert [tuple(s) for s in scores] == [
                    (reviews[0].id, fit, 4),
                    (reviews[0].id, plan, 3),
                    (reviews[1].id, fit, 5),
                ]
                assert untouched not in {r.application_id for r in reviews}
            downgrade(revision=BEFORE_REVIEWS)
            with db.engine.connect() as conn:
                back = conn.execute(
                    sa.text(
                        "SELECT application_id, criterion_id, value, scored_by_id FROM scores "
                        "ORDER BY application_id, criterion_id"
                    )
                ).all()
                assert [tuple(s) for s in back] == [
                    (scored, fit, 4, staff),
                    (scored, plan, 3, staff),
                    (legacy, fit, 5, None),
                ]
        finally:
            db.session.remove()
