"""A state machine over create / move / archive / delete: the board order always matches a
plain list model, and positions stay unique."""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Card
from sprintboard.models.base import utcnow
from sprintboard.services import board, cards
from tests import factories


class BoardMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.actor = factories.user()
        self.partnership = factories.partnership(actor=self.actor)
        self.columns = board.columns_of(self.partnership)[:3]
        self.model = {c.id: [] for c in self.columns}
        self.cards = {}

    def _all(self):
        return [cid for ids in self.model.values() for cid in ids]

    @rule(column=st.integers(0, 2))
    def create(self, column):
        col = self.columns[column]
        card = cards.create_card(self.partnership, f"c{len(self.cards)}", column=col, actor=self.actor)
        self.cards[card.id] = card
        self.model[col.id].append(card.id)

    @precondition(lambda self: self._all())
    @rule(data=st.data(), column=st.integers(0, 2), how=st.sampled_from(["before", "after", "end"]))
    def move(self, data, column, how):
        card_id = data.draw(st.sampled_from(self._all()))
        col = self.columns[column]
        others = [cid for cid in self.model[col.id] if cid != card_id]
        neighbour = data.draw(st.sampled_from(others)) if others and how != "end" else None
        kwargs = {how: self.cards[neighbour]} if neighbour else {}
        board.move_card(self.cards[card_id], col, actor=self.actor, **kwargs)
        for ids in self.model.values():
            if card_id in ids:
                ids.remove(card_id)
        target = self.model[col.id]
        if neighbour is None:
            target.append(card_id)
        else:
            index = target.index(neighbour) + (1 if how == "after" else 0)
            target.insert(index, card_id)

    @precondition(lambda self: self._all())
    @rule(data=st.data(), delete=st.booleans())
    def archive_or_delete(self, data, delete):
        card_id = data.draw(st.sampled_from(self._all()))
        card = self.cards.pop(card_id)
        if delete:
            db.session.delete(card)
        else:
            card.archived_at = utcnow()
        db.session.flush()
        for ids in self.model.values():
            if card_id in ids:
                ids.remove(card_id)

    @invariant()
    def order_matches_the_model(self):
        for col in self.columns:
            rows = db.session.execute(
                select(Card.id, Card.position)
                .where(Card.column_id == col.id, Card.archived_at.is_(None))
                .order_by(Card.position, Card.id)
            ).all()
            assert [r.id for r in rows] == self.model[col.id]
            positions = [r.position for r in rows]
            assert len(set(positions)) == len(positions)


@pytest.mark.usefixtures("db")
def test_board_state_machine():
    BoardMachine.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    BoardMachine.TestCase().runTest()
