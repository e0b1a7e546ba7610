from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from .. import access, security
from ..extensions import db
from ..forms.base import ConfirmForm
from ..services import outbox as outbox_service

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/outbox")
@security.no_store
def outbox():
    access.require_admin()
    return render_template(
        "admin/outbox.html",
        messages=outbox_service.recent(),
        is_private=outbox_service.is_private,
        form=ConfirmForm(),
    )


@bp.post("/outbox/<int:mid>/retry")
def retry(mid):
    """Send a failed message again (e.g. after the SMTP settings were fixed)."""
    message = access.get_failed_mail_or_404(mid)
    if ConfirmForm().validate_on_submit():
        outbox_service.retry(message)
        db.session.commit()
        flash(_("The message will be sent again."), "success")
    return redirect(url_for("admin.outbox"), code=303)
