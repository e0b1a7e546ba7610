from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from sprintboard.extensions import db
from sprintboard.services import board, charts, sprints
from tests import factories


@pytest.fixture(autouse=True)
def _request(app):
    """Translated messages need a request (Flask-Babel picks the locale from it)."""
    with app.test_request_context():
        yield


DAY0 = date(2026, 3, 2)


@contextmanager
def at(day: int, hour: int):
    """Frozen time; flushing inside it, as a request would, so activities get this timestamp."""
    with time_machine.travel(datetime(2026, 3, 2 + day, hour, tzinfo=UTC), tick=False):
        yield
        db.session.flush()


def test_burndown_replays_the_activity_log(world):
    p, fac = world.partnership, world.users["facilitator"]
    columns = board.columns_of(p)
    done, doing = columns[-1], columns[2]
    with at(0, 9):
        a = factories.card(p, "A", estimate=3, actor=fac)
        b = factories.card(p, "B", estimate=5, actor=fac)
        c = factories.card(p, "C", estimate=2, actor=fac)
        sprint = factories.sprint(p, actor=fac, cards=[a, b, c], start=DAY0, end=DAY0 + timedelta(days=4))
        sprints.start_sprint(sprint, actor=fac)
    with at(1, 10):
        board.move_card(a, done, actor=fac)
    with at(2, 15):
        board.move_card(b, done, actor=fac)
    with at(2, 16):
        board.move_card(b, doing, actor=fac)  # reopened the same day: not done at the day's end
    with at(3, 23):
        board.move_card(c, done, actor=fac)
    with at(3, 23):
        data = charts.burndown(sprint)
    assert data["total"] == 10
    assert data["remaining"] == [10, 7, 7, 5, None]
    assert data["ideal"] == [10, 7.5, 5, 2.5, 0]
    assert data["current"] == 5
    svg = charts.burndown_svg(data)
    assert len(svg["dots"]) == 4 and svg["ideal"].count(",") == 5


def test_a_card_created_in_the_done_column_counts_as_done(world):
    p, fac = world.partnership, world.users["facilitator"]
    with at(0, 9):
        card = factories.card(p, "Born done", column=-1, estimate=4, actor=fac)
        sprint = factories.sprint(p, actor=fac, start=DAY0, end=DAY0 + timedelta(days=2))
        card.sprint_id = sprint.id
        sprints.start_sprint(sprint, actor=fac)
    with at(1, 9):
        assert charts.burndown(sprint)["remaining"] == [0, 0, None]


def test_cumulative_flow_counts_cards_per_column_per_day(world):
    p, fac = world.partnership, world.users["facilitator"]
    columns = board.columns_of(p)
    with at(0, 9):
        a = factories.card(p, "A", actor=fac)
        factories.card(p, "B", actor=fac)
    with at(1, 9):
        board.move_card(a, columns[-1], actor=fac)
    with at(2, 9):
        flow = charts.cumulative_flow(p, days=3)
    counts = {column.name: values for column, values in flow["columns"]}
    assert flow["days"] == [DAY0, DAY0 + timedelta(days=1), DAY0 + timedelta(days=2)]
    assert counts["Backlog"] == [2, 1, 1]
    assert counts["Done"] == [0, 1, 1]
    assert len(charts.flow_svg(flow)["bands"]) == len(columns)


def test_velocity_bars_scale_to_the_best_sprint(world):
    p, fac = world.partnership, world.users["facilitator"]
    for name, points in (("S1", 8), ("S2", 4)):
        card = factories.card(p, name, estimate=points, actor=fac)
        sprint = factories.sprint(p, name, actor=fac, cards=[card], state="active")
        board.move_card(card, board.columns_of(p)[-1], actor=fac)
        sprints.close_sprint(sprint, actor=fac)
    bars = charts.velocity_svg(sprints.closed_sprints(p))["bars"]
    assert [b["value"] for b in bars] == [8, 4]
    assert bars[0]["h"] == 2 * bars[1]["h"]
