"""The JSON API under /api/v1/ (flask-smorest): what a script may read of one partnership, the
OpenAPI 3.1 document (/api/v1/openapi.json) and a readable page of it (/api/v1/docs).

A personal token (account page) is the credential: `Authorization: Bearer sbp_…`; access.py
checks it, errors.py answers errors as application/problem+json, the limiter counts per token.
"""

from __future__ import annotations

import hashlib
from http import HTTPStatus

from flask import Blueprint as FlaskBlueprint
from flask import current_app, render_template, request
from flask_limiter.util import get_remote_address
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response

from .. import access
from ..extensions import csrf, limiter
from ..forms import api as schemas
from ..services import api as api_service
from ..services import board, columns, projects, sprints, status, workshops

bp = Blueprint("api", __name__, url_prefix="/api/v1", description="Read a partnership's board and plans.")
API_BLUEPRINTS = ("api", "api_cards")


class SprintboardApi(Api):
    ERROR_SCHEMA = schemas.ProblemSchema
    PROBLEM = "application/problem+json"

    def _register_error_handlers(self):
        """errors.py answers every error, as problem+json under /api/ (not flask-smorest's JSON)."""

    def _register_responses(self):
        """The documented error answers are RFC 9457 problem documents."""
        for code in HTTPStatus:
            response = {"description": code.phrase}
            if code >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, self.PROBLEM)
            self.spec.components.response(code.name, response, lazy=True)
        response = {"description": "An error (RFC 9457 problem document)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, self.PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def init_app(app) -> None:
    """The API's blueprints, its OpenAPI document and docs page, and its rate limit."""
    from importlib import import_module

    app.config.setdefault("API_TITLE", "Sprintboard API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = SprintboardApi(
        app,
        spec_kwargs={
            "info": {"description": "Personal tokens are made on the account page."},
            "security": [{"bearer": []}],
        },
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    # The document is public (a bound method takes no attributes: wrap it).
    serve_document = app.view_functions["api-docs.openapi_json"]
    app.view_functions["api-docs.openapi_json"] = access.public(lambda: serve_document())
    for name in API_BLUEPRINTS:
        blueprint = import_module(f".{name}", __package__).bp
        csrf.exempt(blueprint)  # no cookies are accepted there: nothing for a forged request to use
        api.register_blueprint(blueprint)
    app.extensions["sprintboard_api"] = api


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def rate_key() -> str:
    """Requests are counted per token (a hash of it), else per address."""
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret:
        return "api:" + hashlib.sha256(secret.strip().encode()).hexdigest()[:32]
    return "api-anon:" + get_remote_address()


def rate_limited(blueprint):
    return limiter.limit(_rate_limit, key_func=rate_key)(blueprint)


rate_limited(bp)


@access.public
def docs():
    """The OpenAPI document as a page: each path with its parameters and answers."""
    spec = current_app.extensions["sprintboard_api"].spec.to_dict()
    return render_template("api/docs.html", spec=spec)


# A page, not an API operation: registered past flask-smorest, so it stays out of the document.
FlaskBlueprint.add_url_rule(bp, "/docs", "docs", docs)


@bp.get("/partnerships")
@bp.response(200, schemas.PartnershipSchema(many=True))
def partnerships():
    """The partnership the token is for (a list of one)."""
    return [access.get_api_partnership_or_404(access.api_token().partnership_id)]


@bp.get("/partnerships/<int:pid>")
@bp.response(200, schemas.PartnershipSchema)
def partnership(pid):
    return access.get_api_partnership_or_404(pid)


@bp.get("/partnerships/<int:pid>/projects")
@bp.response(200, schemas.ProjectSchema(many=True))
def project_list(pid):
    return projects.projects_of(access.get_api_partnership_or_404(pid))


@bp.get("/partnerships/<int:pid>/columns")
@bp.response(200, schemas.ColumnSchema(many=True))
def column_list(pid):
    return board.columns_of(access.get_api_partnership_or_404(pid))


@bp.get("/partnerships/<int:pid>/labels")
@bp.response(200, schemas.LabelSchema(many=True))
def label_list(pid):
    return columns.labels_of(access.get_api_partnership_or_404(pid))


@bp.get("/partnerships/<int:pid>/sprints")
@bp.response(200, schemas.SprintSchema(many=True))
def sprint_list(pid):
    return sprints.sprints_of(access.get_api_partnership_or_404(pid))


@bp.get("/partnerships/<int:pid>/funding")
@bp.response(200, schemas.FundingIdeaSchema(many=True))
def funding_list(pid):
    ideas = api_service.funding_ideas(access.get_api_partnership_or_404(pid))
    return [{**_fields(idea), "project_ids": [p.id for p in idea.projects]} for idea in ideas]


@bp.get("/partnerships/<int:pid>/workshops")
@bp.response(200, schemas.WorkshopSchema(many=True))
def workshop_list(pid):
    return workshops.timeline(access.get_api_partnership_or_404(pid))


@bp.get("/partnerships/<int:pid>/status")
@bp.response(200, schemas.StatusSchema)
def status_figures(pid):
    """The figures of the status page: completion per project, the active sprint, card totals."""
    partnership = access.get_api_partnership_or_404(pid)
    cards_open, cards_done = api_service.card_totals(partnership)
    return {
        "projects": status.project_completion(partnership),
        "active_sprint": sprints.active_sprint(partnership),
        "cards_open": cards_open,
        "cards_done": cards_done,
    }


def _fields(obj) -> dict:
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}
