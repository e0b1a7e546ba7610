"""The service worker, served from the site's root so that its scope is every page; and what the
device should keep for today's workshops before the connection at the venue fails."""

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, url_for
from flask_login import current_user

from .. import access
from ..services import workshops

bp = Blueprint("offline", __name__)


@bp.get("/sw.js")
@access.public
def service_worker():
    script = (Path(current_app.static_folder) / "sw.js").read_bytes()
    # no-cache: a new version of the worker is picked up at the next visit
    return Response(script, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})


def _method_url(method) -> str:
    if method.is_shared:
        return url_for("toolbox.show", slug=method.slug)
    return url_for("toolbox_copies.show", pid=method.partnership_id, method_id=method.id)


@bp.get("/offline/today")
def today():
    """The pages of the person's workshops running today, agenda methods included (offline.js
    fetches them once the service worker runs, so it keeps them)."""
    keep = []
    for workshop in workshops.running_today(access.visible_partnerships(current_user)):
        keep.append(url_for("workshops.show", pid=workshop.partnership_id, wid=workshop.id))
        keep += [_method_url(item.method) for item in workshop.agenda if item.method is not None]
    response = jsonify(keep=list(dict.fromkeys(keep)))
    response.headers["Cache-Control"] = "no-store"
    return response
