"""/metrics: Prometheus text format, for the holder of METRICS_TOKEN (`Authorization: Bearer …`).
Without METRICS_TOKEN the page does not exist (404)."""

import hmac

from flask import Blueprint, abort, current_app, request

from .. import access, metrics
from ..services import monitoring

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
@access.public
def scrape():
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        return "", 401, {"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"}
    body = metrics.exposition(monitoring.AppCollector(current_app._get_current_object()))
    return body, 200, {"Content-Type": metrics.CONTENT_TYPE, "Cache-Control": "no-store"}
