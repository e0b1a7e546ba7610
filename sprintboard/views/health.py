"""Health checks for load balancers and monitoring: public, JSON, never cached, no secrets.

/healthz: the process answers (touches nothing else). /readyz: it can serve (services.health);
503 with Retry-After when not.
"""

from flask import Blueprint, current_app

from .. import access
from ..services import health

bp = Blueprint("health", __name__)

NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/healthz")
@access.public
def live():
    return {"status": "ok"}, 200, NO_STORE


@bp.get("/readyz")
@access.public
def ready():
    is_ready, report = health.readiness()
    if is_ready:
        return report, 200, NO_STORE
    retry_after = str(current_app.config.get("READYZ_RETRY_AFTER", 10))
    return report, 503, {**NO_STORE, "Retry-After": retry_after}
