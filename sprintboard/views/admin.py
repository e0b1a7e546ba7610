from flask import Blueprint, render_template

from .. import access, security
from ..extensions import db
from ..models import Outbox

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/outbox")
@security.no_store
def outbox():
    access.require_admin()
    messages = db.session.scalars(db.select(Outbox).order_by(Outbox.id.desc()).limit(200)).all()
    return render_template("admin/outbox.html", messages=messages)
