from flask import Blueprint, render_template

from .. import access, security
from ..services import mail

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/outbox")
@security.no_store
def outbox():
    access.require_admin()
    return render_template("admin/outbox.html", messages=mail.recent_outbox())
