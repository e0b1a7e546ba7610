"""The service worker, served from the site's root so that its scope is every page."""

from pathlib import Path

from flask import Blueprint, Response, current_app

from .. import access

bp = Blueprint("offline", __name__)


@bp.get("/sw.js")
@access.public
def service_worker():
    script = (Path(current_app.static_folder) / "sw.js").read_bytes()
    # no-cache: a new version of the worker is picked up at the next visit
    return Response(script, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})
