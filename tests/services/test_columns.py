import pytest

from sprintboard.extensions import db
from sprintboard.services import DomainError, board, cards
from sprintboard.services import columns as columns_service
from tests import factories


@pytest.fixture
def p(world, ctx):
    return world.partnership


def _names(p):
    return [c.name for c in board.columns_of(p)]


def test_add_rename_and_limit_a_column(p):
    column = columns_service.add_column(p, "  Waiting  ", actor=None)
    assert _names(p)[-1] == "Waiting"
    changed = columns_service.update_column(column, name="Blocked", wip_limit=3, is_done=False, actor=None)
    assert changed == ["name", "wip_limit"] and column.wip_limit == 3
    assert _names(p)[-1] == "Blocked"
    for bad in (0, -2):
        with pytest.raises(DomainError):
            columns_service.update_column(column, name="Blocked", wip_limit=bad, is_done=False, actor=None)
    with pytest.raises(DomainError):
        columns_service.add_column(p, "   ", actor=None)


def test_marking_a_column_done_marks_its_cards_done(p):
    column = board.columns_of(p)[3]
    card = factories.card(p, column=3)
    columns_service.update_column(column, name=column.name, wip_limit=None, is_done=True, actor=None)
    db.session.commit()
    db.session.refresh(card)
    assert card.done_at is not None
    columns_service.update_column(column, name=column.name, wip_limit=None, is_done=False, actor=None)
    db.session.commit()
    db.session.refresh(card)
    assert card.done_at is None


def test_one_open_column_must_remain(p):
    columns = board.columns_of(p)
    for column in columns[1:]:
        if not column.is_done:
            columns_service.update_column(column, name=column.name, wip_limit=None, is_done=True, actor=None)
    with pytest.raises(DomainError):
        columns_service.update_column(
            columns[0], name=columns[0].name, wip_limit=None, is_done=True, actor=None
        )


def test_reorder_columns(p):
    before = _names(p)
    columns_service.move_column(board.columns_of(p)[1], "up", actor=None)
    assert _names(p) == [before[1], before[0], *before[2:]]
    columns_service.move_column(board.columns_of(p)[0], "up", actor=None)  # already first
    columns_service.move_column(board.columns_of(p)[-1], "down", actor=None)  # already last
    columns_service.move_column(board.columns_of(p)[0], "down", actor=None)
    assert _names(p) == before
    assert [c.position for c in board.columns_of(p)] == list(range(len(before)))


def test_only_empty_columns_can_be_deleted(p):
    column = board.columns_of(p)[2]
    card = factories.card(p, column=2)
    cards.archive_card(card, actor=None)  # archived cards still live in the column
    with pytest.raises(DomainError, match="1 card"):
        columns_service.delete_column(column, actor=None)
    empty = board.columns_of(p)[3]
    name = empty.name
    columns_service.delete_column(empty, actor=None)
    assert name not in _names(p)
    assert [c.position for c in board.columns_of(p)] == list(range(len(_names(p))))


def test_the_last_open_column_cannot_be_deleted(p):
    for column in board.columns_of(p):
        if not column.is_done and column is not board.columns_of(p)[0]:
            columns_service.delete_column(column, actor=None)
    with pytest.raises(DomainError):
        columns_service.delete_column(board.columns_of(p)[0], actor=None)


def test_labels(p, world):
    label = columns_service.create_label(p, "Funding", "green", actor=None)
    with pytest.raises(DomainError):
        columns_service.create_label(p, "funding", "blue", actor=None)
    for name, colour in (("x" * 41, "blue"), ("", "blue"), ("Ok", "pink")):
        with pytest.raises(DomainError):
            columns_service.create_label(p, name, colour, actor=None)
    assert columns_service.create_label(world.other, "Funding", "green", actor=None)
    assert columns_service.update_label(label, name="Money", colour="teal", actor=None, partnership=p)
    assert [lb.name for lb in columns_service.labels_of(p)] == ["Money"]
    card = factories.card(p)
    card.labels = [label]
    db.session.commit()
    columns_service.delete_label(label, actor=None, partnership=p)
    db.session.commit()
    db.session.refresh(card)
    assert card.labels == [] and columns_service.labels_of(p) == []
