"""Personal API tokens on the account page: make one (shown once), see them, revoke one."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access
from ..errors import rule_errors
from ..extensions import db
from ..forms import options
from ..forms.api_tokens import TokenForm
from ..services import api_tokens

bp = Blueprint("api_tokens", __name__)


def _form() -> TokenForm:
    form = TokenForm()
    form.partnership.choices = options((p.id, p.name) for p in access.visible_partnerships(current_user))
    return form


def _page(form, status=200, secret=None, created=None):
    tokens = api_tokens.tokens_of(current_user)
    body = render_template("api_tokens/index.html", form=form, tokens=tokens, secret=secret, created=created)
    # The page may hold a secret shown once: never kept by a cache or the back button.
    return body, status, {"Cache-Control": "no-store"}


@bp.get("/account/tokens")
def index():
    return _page(_form())


@bp.post("/account/tokens")
def create():
    form = _form()
    if not form.validate_on_submit():
        return _page(form, 422)
    partnership = access.get_partnership_or_404(form.partnership.data)
    with rule_errors(form) as broken:
        token, secret = api_tokens.create_token(
            current_user,
            partnership,
            name=form.name.data,
            scope=form.scope.data,
            expires_days=form.expires.data,
        )
    if broken:
        return _page(form, 422)
    db.session.commit()
    return _page(_form(), 201, secret=secret, created=token)


@bp.post("/account/tokens/<int:tid>/revoke")
def revoke(tid):
    token = access.get_api_token_or_404(tid)
    api_tokens.revoke_token(token)
    db.session.commit()
    flash(_("The token “%(name)s” no longer works.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"), code=303)
