"""The JSON API (reads), personal tokens, problem+json errors, the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sprintboard.extensions import db
from sprintboard.models import ApiToken
from sprintboard.models.base import utcnow
from sprintboard.services import api_tokens, cards
from tests import factories
from tests.conftest import csrf_from


@pytest.fixture
def token(world):
    """token(role, scope): a secret for world.partnership."""

    def make(role="member", scope="read", partnership=None):
        _row, secret = api_tokens.create_token(
            world.users[role], partnership or world.partnership, name=f"{role} {scope}", scope=scope
        )
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


# Tokens on the account page ----------------------------------------------------------------


def test_a_token_is_shown_once_and_kept_only_as_a_hash(world, as_role, client, token):
    member = as_role("member")
    page = member.get("/account/tokens")
    assert page.status_code == 200
    response = member.post(
        "/account/tokens",
        data={"name": "Report script", "partnership": world.partnership.id, "scope": "read", "expires": 30},
    )
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    secret = html.split('id="token-secret" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith("sbp_") and len(secret) > 40
    row = db.session.scalar(db.select(ApiToken))
    assert row.token_hash != secret and secret not in (row.token_hash, row.prefix)
    assert row.expires_at is not None and row.scope == "read"
    # Shown once: the list afterwards names it but never shows the secret again.
    again = member.get("/account/tokens").get_data(as_text=True)
    assert "Report script" in again and secret not in again
    # The secret works on the API.
    answer = client.get(
        f"/api/v1/partnerships/{world.partnership.id}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert answer.status_code == 200 and answer.get_json()["name"] == world.partnership.name


def test_a_token_form_with_errors_is_shown_again_translated(world, as_role):
    member = as_role("member")
    response = member.post(
        "/account/tokens",
        data={"name": "", "partnership": world.partnership.id, "scope": "admin", "expires": 7},
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_a_token_only_for_own_partnerships(world, as_role):
    response = as_role("member").post(
        "/account/tokens", data={"name": "x", "partnership": world.other.id, "scope": "read", "expires": 0}
    )
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_revoking_a_token_stops_it_and_only_its_owner_may(world, as_role, client, token):
    headers = token("member")
    row = db.session.scalar(db.select(ApiToken))
    url = f"/api/v1/partnerships/{world.partnership.id}"
    assert client.get(url, headers=headers).status_code == 200
    assert as_role("facilitator").post(f"/account/tokens/{row.id}/revoke").status_code == 404
    assert client.get(url, headers=headers).status_code == 200
    member = as_role("member")
    assert member.post(f"/account/tokens/{row.id}/revoke").status_code == 303
    response = client.get(url, headers=headers)
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
    assert "token-" not in member.get("/account/tokens").get_data(as_text=True)


def test_an_expired_token_is_refused(world, client, token):
    headers = token("member")
    db.session.scalar(db.select(ApiToken)).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/api/v1/partnerships/{world.partnership.id}", headers=headers).status_code == 401


def test_the_token_page_has_a_csrf_protected_form(as_role):
    member = as_role("member")
    html = member.get("/account/tokens").get_data(as_text=True)
    assert csrf_from(html)
    assert member.post("/account/tokens", data={"name": "x"}, csrf=False).status_code == 400


# Reading -----------------------------------------------------------------------------------


def test_reads_return_the_partnerships_board(world, client, token):
    p = world.partnership
    project = factories.project(p, "Youth exchange", actor=world.users["member"])
    card = factories.card(p, "Plan the visit", actor=world.users["member"], project=project)
    cards.add_comment(card, "Who books the bus?", language="en", actor=world.users["member"])
    db.session.commit()
    headers = token("observer")
    base = f"/api/v1/partnerships/{p.id}"
    assert [x["id"] for x in client.get("/api/v1/partnerships", headers=headers).get_json()] == [p.id]
    assert [c["name"] for c in client.get(f"{base}/columns", headers=headers).get_json()][0]
    assert client.get(f"{base}/projects", headers=headers).get_json()[0]["title"] == "Youth exchange"
    page = client.get(f"{base}/cards", headers=headers).get_json()
    assert [c["title"] for c in page["items"]] == ["Plan the visit"] and page["next_cursor"] is None
    one = client.get(f"{base}/cards/{card.id}", headers=headers)
    assert one.get_json()["project_id"] == project.id and one.get_json()["comment_count"] == 1
    assert one.headers["ETag"] == f'"card-{card.id}-v{one.get_json()["version"]}"'
    comments = client.get(f"{base}/cards/{card.id}/comments", headers=headers).get_json()
    assert comments[0]["body"] == "Who books the bus?" and comments[0]["author"]["name"] == "Max Member"
    figures = client.get(f"{base}/status", headers=headers).get_json()
    assert figures["cards_open"] == 1 and figures["projects"][0]["cards"] == 1
    for path in ("sprints", "funding", "workshops", "labels"):
        assert client.get(f"{base}/{path}", headers=headers).status_code == 200


def test_cards_come_in_pages_with_a_cursor_and_filters(world, client, token):
    p = world.partnership
    made = [factories.card(p, f"Card {i}", column=i % 2, actor=world.users["member"]) for i in range(7)]
    db.session.commit()
    headers, seen, cursor = token(), [], 0
    while cursor is not None:
        page = client.get(f"/api/v1/partnerships/{p.id}/cards?limit=3&cursor={cursor}", headers=headers)
        body = page.get_json()
        assert len(body["items"]) <= 3
        seen += [c["id"] for c in body["items"]]
        cursor = body["next_cursor"]
    assert seen == [c.id for c in made]
    second = made[1].column_id
    only = client.get(f"/api/v1/partnerships/{p.id}/cards?column={second}", headers=headers).get_json()
    assert [c["id"] for c in only["items"]] == [c.id for c in made if c.column_id == second]


def test_another_partnerships_card_is_not_found(world, client, token):
    foreign = factories.card(world.other, "Theirs", actor=world.users["outsider"])
    db.session.commit()
    response = client.get(f"/api/v1/partnerships/{world.partnership.id}/cards/{foreign.id}", headers=token())
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["title"]


# Errors, limits, the document --------------------------------------------------------------


def test_api_errors_are_problem_documents_in_the_users_language(world, client, token):
    response = client.get(
        f"/api/v1/partnerships/{world.partnership.id}/cards?limit=0",
        headers={**token(), "Accept-Language": "de"},
    )
    assert response.status_code == 422
    body = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert (
        body["status"] == 422
        and body["title"] == "Bitte prüfen Sie Ihre Eingaben"
        and "limit" in str(body["errors"])
    )
    assert client.get("/api/v1/nowhere", headers=token()).mimetype == "application/problem+json"


def test_html_pages_keep_html_errors(as_role):
    response = as_role("member").get("/p/999999/board")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_a_session_cookie_is_no_key_to_the_api(world, as_role):
    response = as_role("facilitator").get(f"/api/v1/partnerships/{world.partnership.id}")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_requests_are_limited_per_token(app, world, client, token):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        first, second = token("member"), token("observer")
        url = f"/api/v1/partnerships/{world.partnership.id}"
        assert [client.get(url, headers=first).status_code for _ in range(3)] == [200] * 3
        limited = client.get(url, headers=first)
        assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
        assert int(limited.headers["Retry-After"]) > 0
        assert client.get(url, headers=second).status_code == 200  # another token has its own count
    finally:
        app.config["API_RATE_LIMIT"] = "300 per minute"


def test_the_openapi_document_and_its_page(client):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    spec = document.get_json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/v1/partnerships/{pid}/cards/{card_id}" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "/api/v1/partnerships/{pid}/cards" in page.get_data(as_text=True)
