"""The Trello reader on mangled exports: whatever value sits wherever, the preview answers with a
preview or a rule broken (422), never a crash; and an import of what it read works or refuses."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from sprintboard.extensions import db
from sprintboard.models import Card
from sprintboard.services import DomainError, imports_trello

FIXTURE = Path(__file__).parent.parent / "fixtures" / "trello_board.json"
ODD_VALUES = [None, True, 0, -1, 2.5, 1e300, "", "x" * 300, "2026-13-45", [], [1, "a"], {}, {"id": 5}]


def _spots(value, path=()):
    """Every (container, key) in the export, depth first."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield value, key
            yield from _spots(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield value, index
            yield from _spots(inner, (*path, index))


@pytest.mark.parametrize("seed", range(8))
def test_a_mangled_export_is_read_or_refused_never_crashes(world, ctx, seed):
    rng = random.Random(seed)
    original = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for _round in range(40):
        board = json.loads(json.dumps(original))
        spots = list(_spots(board))
        for container, key in rng.sample(spots, 3):
            container[key] = rng.choice(ODD_VALUES)
        try:
            result = imports_trello.preview(world.partnership, json.dumps(board))
        except DomainError as error:
            assert error.status == 422 and error.message
            continue
        if result.errors:
            continue
        try:
            imports_trello.import_board(world.partnership, result, actor=world.users["facilitator"])
        except DomainError as error:
            assert error.status in (409, 422)
        finally:
            db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Card.id))) == 0
