from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from sprintboard.extensions import db
from sprintboard.models import Card, Vote
from sprintboard.services import Conflict, DomainError, board, cards, facilitation, voting
from sprintboard.services.facilitation import BoardFrozen
from tests import factories


@pytest.fixture(autouse=True)
def _request(app):
    """Translated messages need a request (Flask-Babel picks the locale from it)."""
    with app.test_request_context():
        yield


def test_timebox_counts_down_by_the_server_clock(world):
    p, fac = world.partnership, world.users["facilitator"]
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False):
        ends = facilitation.start_timebox(p, 10, "Pitch", actor=fac)
    assert ends == datetime(2026, 3, 2, 10, 10)
    assert facilitation.timebox_remaining(p, datetime(2026, 3, 2, 10, 4)) == 360
    assert facilitation.timebox_remaining(p, datetime(2026, 3, 2, 10, 11)) == 0
    facilitation.stop_timebox(p, actor=fac)
    assert facilitation.timebox_remaining(p) is None


def test_a_timebox_needs_sensible_minutes(world):
    with pytest.raises(DomainError):
        facilitation.start_timebox(world.partnership, 0, actor=world.users["facilitator"])
    assert world.partnership.timebox_ends_at is None


def test_a_frozen_board_refuses_members_but_not_facilitators(world):
    p, fac, member = world.partnership, world.users["facilitator"], world.users["member"]
    card = factories.card(p, "Card", actor=member)
    column = board.columns_of(p)
    facilitation.freeze_board(p, actor=fac)
    with pytest.raises(BoardFrozen) as error:
        cards.create_card(p, "New", column=column[0], actor=member)
    assert error.value.status == 423
    with pytest.raises(BoardFrozen):
        board.move_card(card, column[1], actor=member)
    assert card.column_id == column[0].id
    assert db.session.scalar(sa.select(sa.func.count(Card.id))) == 1
    board.move_card(card, column[1], actor=fac)  # the facilitator presents and rearranges
    facilitation.unfreeze_board(p, actor=fac)
    cards.create_card(p, "New", column=column[0], actor=member)


def test_freezing_twice_is_a_conflict(world):
    p, fac = world.partnership, world.users["facilitator"]
    facilitation.freeze_board(p, actor=fac)
    with pytest.raises(Conflict):
        facilitation.freeze_board(p, actor=fac)


def test_votes_stay_within_the_budget(world):
    p, fac, member = world.partnership, world.users["facilitator"], world.users["member"]
    session = voting.open_vote(p, "What first?", 2, ideas=["Choir", "Bikes", " "], actor=fac)
    choir, bikes = session.items
    assert [i.text for i in session.items] == ["Choir", "Bikes"]
    voting.cast_vote(session, choir, actor=member)
    voting.cast_vote(session, choir, actor=member)  # several dots on one item are fine
    with pytest.raises(DomainError) as error:
        voting.cast_vote(session, bikes, actor=member)
    assert "2" in error.value.message
    assert voting.my_votes(session, member) == {choir.id: 2}
    voting.retract_vote(session, choir, actor=member)
    voting.cast_vote(session, bikes, actor=member)
    voting.cast_vote(session, bikes, actor=fac)
    assert voting.voter_count(session) == 2


def test_revealed_results_are_ranked_and_the_vote_is_closed(world):
    p, fac, member = world.partnership, world.users["facilitator"], world.users["member"]
    card = factories.card(p, "Card idea", actor=fac)
    session = voting.open_vote(p, "Which?", 3, cards=[card], ideas=["Idea"], actor=fac)
    first, second = session.items
    voting.cast_vote(session, second, actor=member)
    voting.cast_vote(session, second, actor=fac)
    voting.cast_vote(session, first, actor=fac)
    voting.reveal_vote(session, actor=fac)
    assert [(i.text, n) for i, n in voting.results(session)] == [("Idea", 2), ("Card idea", 1)]
    with pytest.raises(Conflict):
        voting.cast_vote(session, first, actor=member)
    assert db.session.scalar(sa.select(sa.func.count(Vote.id))) == 3


def test_a_vote_needs_two_choices(world):
    with pytest.raises(DomainError):
        voting.open_vote(world.partnership, "Q", 3, ideas=["Only one"], actor=world.users["facilitator"])


def test_a_retro_action_becomes_a_backlog_card_once(world):
    p, member = world.partnership, world.users["member"]
    note = voting.add_retro_note(p, "action", "Book the town hall", actor=member)
    card = voting.action_to_card(note, actor=member)
    assert card.title == "Book the town hall" and card.sprint_id is None
    assert card.column.name == "Backlog"
    with pytest.raises(Conflict):
        voting.action_to_card(note, actor=member)
    well = voting.add_retro_note(p, "well", "Good coffee", actor=member)
    with pytest.raises(DomainError):
        voting.action_to_card(well, actor=member)
    assert [n.text for n in voting.retro_notes(p)["action"]] == ["Book the town hall"]
