"""The JSON API's writes: create, update on a version (If-Match / 412, 409), move, archive, comment."""

from __future__ import annotations

import re

import pytest

from sprintboard.extensions import db
from sprintboard.models import Activity, Card
from sprintboard.services import api_tokens
from tests import factories


@pytest.fixture
def api(world, client):
    """api(method, path, role=, scope=, **kw): a request with that person's token."""
    secrets = {}

    def call(method, path, role="member", scope="write", **kwargs):
        if (role, scope) not in secrets:
            _row, secrets[role, scope] = api_tokens.create_token(
                world.users[role], world.partnership, name="t", scope=scope
            )
            db.session.commit()
        headers = {"Authorization": f"Bearer {secrets[role, scope]}", **kwargs.pop("headers", {})}
        return client.open(
            f"/api/v1/partnerships/{world.partnership.id}{path}",
            method=method,
            headers=headers,
            csrf=False,
            **kwargs,
        )

    return call


def test_a_script_creates_edits_moves_comments_and_archives_a_card(world, api):
    created = api("POST", "/cards", json={"title": "  Book the bus ", "body": "For **30** people"})
    assert created.status_code == 201
    card = created.get_json()
    assert card["title"] == "Book the bus" and card["column_id"]
    etag = created.headers["ETag"]
    changed = api(
        "PATCH",
        f"/cards/{card['id']}",
        json={"version": card["version"], "estimate": 3, "assignee_ids": [world.users["member"].id]},
        headers={"If-Match": etag},
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["estimate"] == 3 and changed.headers["ETag"] != etag
    assert [p["name"] for p in changed.get_json()["assignees"]] == ["Max Member"]
    done = [c for c in api("GET", "/columns").get_json() if c["is_done"]][0]
    moved = api("POST", f"/cards/{card['id']}/move", json={"column_id": done["id"]})
    assert moved.status_code == 200 and moved.get_json()["done_at"] is not None
    comment = api("POST", f"/cards/{card['id']}/comments", json={"body": "Booked.", "language": "en"})
    assert comment.status_code == 201 and comment.get_json()["author"]["name"] == "Max Member"
    archived = api("POST", f"/cards/{card['id']}/archive")
    assert archived.status_code == 200 and archived.get_json()["archived_at"] is not None
    verbs = list(db.session.scalars(db.select(Activity.verb).order_by(Activity.id)))
    expected = ["created", "edited", "assigned", "moved", "commented", "archived"]
    assert verbs[-6:] == [f"card.{verb}" for verb in expected]


def test_a_stale_update_changes_nothing(world, api):
    card = factories.card(world.partnership, "Original", actor=world.users["member"])
    db.session.commit()
    old = api("GET", f"/cards/{card.id}")
    api("PATCH", f"/cards/{card.id}", json={"version": card.version, "title": "First"})
    # Behind the current version: with the old ETag 412, with an old `version` 409.
    stale = api(
        "PATCH",
        f"/cards/{card.id}",
        json={"version": 1, "title": "Second"},
        headers={"If-Match": old.headers["ETag"]},
    )
    assert stale.status_code == 412 and stale.mimetype == "application/problem+json"
    assert api("PATCH", f"/cards/{card.id}", json={"version": 1, "title": "Second"}).status_code == 409
    assert db.session.get(Card, card.id).title == "First"


def test_bad_input_is_422_and_writes_nothing(world, api):
    before = db.session.scalar(db.select(db.func.count(Card.id)))
    response = api("POST", "/cards", json={"title": "   "})
    assert response.status_code == 422 and "title" in response.get_json()["errors"]["json"]
    assert api("POST", "/cards", json={"title": "x" * 201}).status_code == 422
    assert api(
        "POST", "/cards", data="not json", headers={"Content-Type": "application/json"}
    ).status_code in (400, 422)
    assert db.session.scalar(db.select(db.func.count(Card.id))) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/cards", {"title": "Bus\x00"}),
        ("POST", "/cards", {"title": "Bus", "body": "\x00"}),
        ("PATCH", "/cards/{card}", {"version": 1, "body": "a\x00b"}),
        ("POST", "/cards/{card}/comments", {"body": "Booked\x00."}),
    ],
)
def test_text_with_a_nul_character_is_422_and_writes_nothing(world, api, method, path, body):
    """PostgreSQL's text holds no NUL: the schema refuses it (on SQLite too), never a 500."""
    card = factories.card(world.partnership, "Original", actor=world.users["member"])
    db.session.commit()
    before = (db.session.scalar(db.select(db.func.count(Card.id))), card.version)
    response = api(method, path.format(card=card.id), json=body)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    holding_nul = {name for name, value in body.items() if "\x00" in str(value)}
    assert set(response.get_json()["errors"]["json"]) == holding_nul
    db.session.expire_all()
    after = (db.session.scalar(db.select(db.func.count(Card.id))), db.session.get(Card, card.id).version)
    assert after == before


def test_the_document_says_text_holds_no_nul_character(client):
    """Clients (and the fuzz test) read the same rule from the document as the server applies."""
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    texts = [("CardCreate", "title"), ("CardCreate", "body"), ("CardUpdate", "title")]
    texts += [("CardUpdate", "body"), ("CommentCreate", "body")]
    for schema, field in texts:
        pattern = re.compile(schemas[schema]["properties"][field]["pattern"])
        assert pattern.search("Bus für 30 Leute\n") and not pattern.search("Bus\x00"), (schema, field)


def test_a_read_token_cannot_write_and_ids_of_another_board_are_not_found(world, api):
    response = api("POST", "/cards", scope="read", json={"title": "Nope"})
    assert response.status_code == 403 and response.get_json()["detail"] == "This token may only read."
    theirs = factories.card(world.other, "Theirs", actor=world.users["outsider"])
    db.session.commit()
    assert api("POST", f"/cards/{theirs.id}/archive").status_code == 404
    mine = factories.card(world.partnership, "Mine", actor=world.users["member"])
    db.session.commit()
    other_column = theirs.column_id
    assert api("POST", f"/cards/{mine.id}/move", json={"column_id": other_column}).status_code == 404
    assert db.session.get(Card, theirs.id).archived_at is None


def test_a_full_column_refuses_a_move_with_409(world, api):
    p = world.partnership
    target = factories.card(p, "In progress", column=1, actor=world.users["member"]).column
    target.wip_limit = 1
    card = factories.card(p, "Waiting", actor=world.users["member"])
    db.session.commit()
    response = api("POST", f"/cards/{card.id}/move", json={"column_id": target.id})
    assert response.status_code == 409 and target.name in response.get_json()["detail"]
    assert db.session.get(Card, card.id).column_id != target.id
