"""Routes of the JSON API (/api/v1/, bearer tokens) and of personal tokens (account page).

("api", need): reached with a personal token of the partnership in the URL whose person has at
least `need` (and, beyond "view", a write token); walked by tests/views/test_routes.py.
"""

from sprintboard.extensions import db
from sprintboard.services import api_tokens

ROUTES = {
    "api_tokens.index": "login",
    "api_tokens.create": "login",
    "api_tokens.revoke": "login",
    "api.docs": "public",
    "api-docs.openapi_json": "public",
    "api.partnerships": ("api", "login"),
    "api.partnership": ("api", "view"),
    "api.project_list": ("api", "view"),
    "api.column_list": ("api", "view"),
    "api.label_list": ("api", "view"),
    "api.sprint_list": ("api", "view"),
    "api.funding_list": ("api", "view"),
    "api.workshop_list": ("api", "view"),
    "api.status_figures": ("api", "view"),
    "api_cards.card_list": ("api", "view"),
    "api_cards.card": ("api", "view"),
    "api_cards.comment_list": ("api", "view"),
    "api_cards.create_card": ("api", "edit"),
    "api_cards.update_card": ("api", "edit"),
    "api_cards.move_card": ("api", "edit"),
    "api_cards.archive_card": ("api", "edit"),
    "api_cards.create_comment": ("api", "edit"),
}

# The API takes no cookies, only bearer tokens: a forged cross-site request has nothing to use.
CSRF_EXEMPT = {e: "bearer token, no cookies" for e, who in ROUTES.items() if isinstance(who, tuple)}


def params(world) -> dict:
    token, _secret = api_tokens.create_token(
        world.users["member"], world.partnership, name="walk", scope="read"
    )
    db.session.commit()
    return {"tid": token.id}
