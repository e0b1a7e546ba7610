"""schemathesis fuzzes the JSON API against its own OpenAPI document: for a read token and a
write token, every operation answers without a server error, with a documented status, content
type and headers, and a body that matches the document (SQLite, or PostgreSQL with
TEST_DATABASE_URL)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from sprintboard.extensions import db
from sprintboard.services import api_tokens
from tests import factories


def _board(world, scope):
    """A board with cards, a token of `scope`, and ids worth aiming at."""
    p, max_ = world.partnership, world.users["member"]
    project = factories.project(p, "Youth exchange", actor=max_)
    made = [factories.card(p, f"Card {i}", column=i % 3, actor=max_, project=project) for i in range(4)]
    _row, secret = api_tokens.create_token(max_, p, name="fuzz", scope=scope)
    db.session.commit()
    return {"pid": p.id, "card_ids": [c.id for c in made], "secret": secret}


def _call(case, fuzz):
    params = dict(case.path_parameters or {})
    if "pid" in params:
        params["pid"] = fuzz["pid"]  # the token's partnership: past the 404, into the real work
    if "card_id" in params and params["card_id"] % 4:
        params["card_id"] = fuzz["card_ids"][params["card_id"] % len(fuzz["card_ids"])]
    case.path_parameters = params
    if case.headers:
        case.headers.pop("If-Match", None)  # a made-up ETag is stale by design: 412 (test_api_cards)
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzz['secret']}"})


FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("scope", ["read", "write"])
def test_the_api_keeps_to_its_document(app, world, scope):
    fuzz = _board(world, scope)
    document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in document.get_all_operations()]
    assert len(operations) >= 17
    for operation in operations:

        @given(case=operation.as_strategy())
        @FUZZ
        def run(case):
            _call(case, fuzz)

        run()
