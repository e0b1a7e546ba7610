from datetime import date

import pytest
import sqlalchemy as sa

from sprintboard.extensions import db
from sprintboard.models import Sprint
from sprintboard.services import Conflict, DomainError, board, sprints
from tests import factories


@pytest.fixture(autouse=True)
def _request(app):
    """Translated messages need a request (Flask-Babel picks the locale from it)."""
    with app.test_request_context():
        yield


@pytest.fixture
def fac(world):
    return world.users["facilitator"]


def _done(card, actor):
    board.move_card(card, board.columns_of(card.partnership)[-1], actor=actor)


def test_a_sprint_cannot_end_before_it_starts(world, fac):
    with pytest.raises(DomainError) as error:
        sprints.create_sprint(world.partnership, "S", "", date(2026, 5, 10), date(2026, 5, 9), actor=fac)
    assert error.value.status == 422
    assert db.session.scalar(sa.select(sa.func.count(Sprint.id))) == 0


def test_backlog_is_cards_in_no_sprint_not_done_not_archived(world, fac):
    p = world.partnership
    free = factories.card(p, "Free", actor=fac)
    done = factories.card(p, "Done", actor=fac)
    _done(done, fac)
    archived = factories.card(p, "Archived", actor=fac)
    archived.archived_at = archived.created_at
    planned = factories.card(p, "Planned", actor=fac)
    factories.sprint(p, actor=fac, cards=[planned])
    assert sprints.backlog_cards(p) == [free]


def test_only_one_sprint_runs_at_a_time(world, fac):
    p = world.partnership
    first = factories.sprint(p, "One", actor=fac, state="active")
    second = factories.sprint(p, "Two", actor=fac)
    with pytest.raises(Conflict) as error:
        sprints.start_sprint(second, actor=fac)
    assert error.value.status == 409
    assert "One" in error.value.message
    assert second.state == "planned"
    assert sprints.active_sprint(p) is first


def test_the_database_refuses_a_second_active_sprint(world, fac):
    p = world.partnership
    factories.sprint(p, "One", actor=fac, state="active")
    db.session.commit()
    second = factories.sprint(p, "Two", actor=fac)
    second.state = "active"
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_closing_sends_unfinished_cards_back_to_the_backlog(world, fac):
    p = world.partnership
    a, b = factories.card(p, "A", estimate=3, actor=fac), factories.card(p, "B", estimate=5, actor=fac)
    sprint = factories.sprint(p, actor=fac, cards=[a, b], state="active")
    _done(a, fac)
    moved = sprints.close_sprint(sprint, actor=fac)
    assert moved == [b]
    assert b.sprint_id is None and a.sprint_id == sprint.id
    assert sprint.state == "closed" and sprint.points_done == 3
    assert b in sprints.backlog_cards(p)


def test_closing_can_carry_unfinished_cards_into_the_next_sprint(world, fac):
    p = world.partnership
    a = factories.card(p, "A", estimate=3, actor=fac)
    sprint = factories.sprint(p, "One", actor=fac, cards=[a], state="active")
    nxt = factories.sprint(p, "Two", actor=fac)
    sprints.close_sprint(sprint, carry_to=nxt, actor=fac)
    assert a.sprint_id == nxt.id
    assert sprint.points_done == 0


def test_closing_twice_or_before_starting_is_refused(world, fac):
    p = world.partnership
    planned = factories.sprint(p, "Planned", actor=fac)
    with pytest.raises(Conflict):
        sprints.close_sprint(planned, actor=fac)
    closed = factories.sprint(p, "Closed", actor=fac, state="closed")
    closed_at = closed.closed_at
    with pytest.raises(Conflict) as error:
        sprints.close_sprint(closed, actor=fac)
    assert "already closed" in error.value.message
    assert closed.closed_at == closed_at


def test_cannot_carry_into_a_sprint_that_is_not_planned(world, fac):
    p = world.partnership
    a = factories.card(p, "A", actor=fac)
    old = factories.sprint(p, "Old", actor=fac, state="closed")
    sprint = factories.sprint(p, "Now", actor=fac, cards=[a], state="active")
    with pytest.raises(DomainError):
        sprints.close_sprint(sprint, carry_to=old, actor=fac)
    assert sprint.state == "active" and a.sprint_id == sprint.id


def test_pulling_a_card_twice_is_refused(world, fac):
    p = world.partnership
    a = factories.card(p, "A", actor=fac)
    one = factories.sprint(p, "One", actor=fac, cards=[a])
    two = factories.sprint(p, "Two", actor=fac)
    with pytest.raises(Conflict):
        sprints.add_cards(two, [a], actor=fac)
    assert a.sprint_id == one.id


def test_velocity_is_the_average_of_the_last_three_closed_sprints(world, fac):
    p = world.partnership
    assert sprints.velocity(p) is None
    for name, points in (("S1", 100), ("S2", 5), ("S3", 10), ("S4", 15)):
        card = factories.card(p, name, estimate=points, actor=fac)
        sprint = factories.sprint(p, name, actor=fac, cards=[card], state="active")
        _done(card, fac)
        sprints.close_sprint(sprint, actor=fac)
    assert [s.points_done for s in sprints.closed_sprints(p)] == [100, 5, 10, 15]
    assert sprints.velocity(p) == 10
