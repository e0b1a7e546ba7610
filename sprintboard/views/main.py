from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, i18n
from ..extensions import db
from ..forms.auth import LanguageForm
from ..models import User
from . import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
@access.public
def index():
    if not current_user.is_authenticated:
        if User.count() == 0:
            return redirect(url_for("auth.setup"))
        return redirect(url_for("auth.login"))
    partnerships = access.visible_partnerships(current_user)
    return render_template("partnerships/index.html", partnerships=partnerships)


@bp.post("/language")
@access.public
def language():
    form = LanguageForm()
    target = i18n.without_lang(safe_next(form.next.data or request.referrer and _local(request.referrer)))
    if not form.validate_on_submit():
        flash(_("Unknown language."), "error")
        return redirect(target, code=303)
    if current_user.is_authenticated:
        current_user.locale = form.lang.data
        db.session.commit()
    response = make_response(redirect(target, code=303))
    i18n.set_cookie(response, form.lang.data)
    return response


def _local(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.netloc != request.host:
        return ""
    return parts.path + ("?" + parts.query if parts.query else "")
