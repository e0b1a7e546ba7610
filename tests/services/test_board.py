"""Moves: positions stay a strict order, WIP limits hold, one row is written per move."""

import pytest
from sqlalchemy import event, select

from sprintboard.extensions import db
from sprintboard.models import Activity, Card
from sprintboard.services import DomainError, board
from tests import factories


@pytest.fixture
def setup(world):
    p = world.partnership
    columns = board.columns_of(p)
    actor = world.users["member"]
    cards = [factories.card(p, f"Card {i}", column=0, actor=actor) for i in range(4)]
    db.session.commit()
    return p, columns, cards, actor


def titles(column):
    return list(
        db.session.scalars(
            select(Card.title)
            .where(Card.column_id == column.id, Card.archived_at.is_(None))
            .order_by(Card.position)
        )
    )


def test_new_partnership_has_the_default_columns(world):
    columns = board.columns_of(world.partnership)
    assert [c.name for c in columns] == ["Backlog", "To do", "In progress", "Review", "Done"]
    assert [c.is_done for c in columns] == [False, False, False, False, True]


def test_move_before_after_and_to_the_end(setup):
    p, columns, cards, actor = setup
    backlog, todo = columns[0], columns[1]
    board.move_card(cards[3], backlog, before=cards[0], actor=actor)
    assert titles(backlog) == ["Card 3", "Card 0", "Card 1", "Card 2"]
    board.move_card(cards[3], backlog, after=cards[1], actor=actor)
    assert titles(backlog) == ["Card 0", "Card 1", "Card 3", "Card 2"]
    board.move_card(cards[0], todo, actor=actor)
    board.move_card(cards[1], todo, before=cards[0], actor=actor)
    assert titles(todo) == ["Card 1", "Card 0"]
    assert titles(backlog) == ["Card 3", "Card 2"]


def test_moving_into_done_sets_done_at_and_back_clears_it(setup):
    p, columns, cards, actor = setup
    board.move_card(cards[0], columns[4], actor=actor)
    assert cards[0].done_at is not None
    board.move_card(cards[0], columns[2], actor=actor)
    assert cards[0].done_at is None


def test_move_is_logged_with_both_columns(setup):
    p, columns, cards, actor = setup
    board.move_card(cards[0], columns[2], actor=actor)
    entry = db.session.scalars(select(Activity).where(Activity.verb == "card.moved")).one()
    assert entry.data["frm"] == "Backlog" and entry.data["to"] == "In progress"
    assert entry.actor_id == actor.id and entry.subject_id == cards[0].id


def test_wip_limit_refuses_unless_overridden(setup):
    p, columns, cards, actor = setup
    doing = columns[2]
    doing.wip_limit = 1
    board.move_card(cards[0], doing, actor=actor)
    with pytest.raises(board.WipLimitReached) as refused:
        board.move_card(cards[1], doing, actor=actor)
    assert "limit of 1" in refused.value.message
    assert cards[1].column_id == columns[0].id
    board.move_card(cards[1], doing, actor=actor, override_wip=True)
    assert titles(doing) == ["Card 0", "Card 1"]
    # Reordering inside a full column is not blocked by its own limit.
    board.move_card(cards[1], doing, before=cards[0], actor=actor)
    assert titles(doing) == ["Card 1", "Card 0"]


def test_neighbour_in_another_column_is_refused(setup):
    p, columns, cards, actor = setup
    with pytest.raises(DomainError):
        board.move_card(cards[0], columns[1], before=cards[1], actor=actor)


def test_column_of_another_partnership_is_refused(setup, world):
    p, columns, cards, actor = setup
    foreign = board.columns_of(world.other)[1]
    with pytest.raises(DomainError):
        board.move_card(cards[0], foreign, actor=actor)
    assert cards[0].column_id == columns[0].id


def test_a_move_writes_one_card_row(setup):
    p, columns, cards, actor = setup
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        board.move_card(cards[3], columns[0], before=cards[1], actor=actor)
        db.session.flush()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1 and "cards" in statements[0]


def test_renumbering_when_gaps_run_out_keeps_the_order(setup, monkeypatch):
    p, columns, cards, actor = setup
    backlog = columns[0]
    calls = []
    renumber = board._renumber
    monkeypatch.setattr(board, "_renumber", lambda *a, **k: (calls.append(1), renumber(*a, **k)))
    # Squeeze: each move lands right after Card 0, halving the gap there until none is left.
    for i in range(40):
        board.move_card(cards[2 + i % 2], backlog, after=cards[0], actor=actor)
    order = titles(backlog)
    assert sorted(order) == ["Card 0", "Card 1", "Card 2", "Card 3"]
    positions = list(
        db.session.scalars(select(Card.position).where(Card.column_id == backlog.id).order_by(Card.position))
    )
    assert len(set(positions)) == len(positions)
    assert order == ["Card 0", "Card 3", "Card 2", "Card 1"]
    assert calls, "the gaps never ran out: the test did not exercise renumbering"
