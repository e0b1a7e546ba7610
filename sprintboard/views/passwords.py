"""Forgot password: ask for a link by email; the link sets a new password once."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from .. import access
from ..errors import rule_errors
from ..extensions import db, limiter
from ..forms.auth import ForgotForm, ResetForm
from ..services import passwords

bp = Blueprint("passwords", __name__, url_prefix="/password")


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


@bp.route("/forgot", methods=["GET", "POST"])
@access.public
@limiter.limit(_reset_limit, methods=["POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        passwords.request_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address has an account.
        return render_template("auth/forgot.html", form=form, sent=True)
    return render_template("auth/forgot.html", form=form, sent=False), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@access.public
@limiter.limit(_reset_limit, deduct_when=lambda response: response.status_code == 404)
def reset(token):
    found = passwords.find_valid(token)
    if found is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetForm()
    if form.validate_on_submit():
        with rule_errors(form, "password"):
            passwords.reset_password(found, form.password.data)
        if not form.errors:
            db.session.commit()
            flash(_("Your password has been changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"), code=303)
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200
