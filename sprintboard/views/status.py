"""The status page of a partnership, its public read-only version and the admin overview."""

from flask import Blueprint, abort, flash, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import access, htmx, navigation, security
from ..extensions import db
from ..forms.base import ConfirmForm
from ..services import status

bp = Blueprint("status", __name__)

navigation.add_tab("status.show", _l("Status"), 15)


def render_status_page(partnership, link=None, feed_link=None, fragment="status/_sharing.html"):
    """The status page; for htmx only `fragment` (the status itself, or the sharing panel)."""
    return htmx.render(
        "status/show.html",
        fragment,
        partnership=partnership,
        s=status.status_of(partnership),
        public=False,
        link=link,
        feed_link=feed_link,
        confirm=ConfirmForm(),
        may_manage=access.can(current_user, "manage", partnership),
        has_feed=_has_feed(partnership),
    )


def _has_feed(partnership) -> bool:
    from ..services import exports

    return exports.feed_of(current_user, partnership) is not None


@bp.get("/p/<int:pid>/status")
@security.no_store
def show(pid):
    partnership = access.get_partnership_or_404(pid)
    return render_status_page(partnership, fragment="status/_status.html")


@bp.post("/p/<int:pid>/status/link")
def create_link(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = status.create_public_link(partnership, actor=current_user)
    db.session.commit()
    # Shown once, here: only the hash is stored.
    return render_status_page(partnership, link=url_for("status.public", token=token, _external=True))


@bp.post("/p/<int:pid>/status/link/revoke")
def revoke_link(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    status.revoke_public_link(partnership, actor=current_user)
    db.session.commit()
    flash(_("The public link has been revoked: it no longer works."), "success")
    return htmx.redirect_to(url_for("status.show", pid=pid))


@bp.get("/s/<token>")
@access.public
@access.limit_token_guessing
def public(token):
    partnership = status.partnership_for_token(token)
    if partnership is None:
        abort(404)
    response = render_template(
        "status/public.html", partnership=partnership, s=status.status_of(partnership), public=True
    )
    return (
        response,
        200,
        {"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"},
    )


@bp.get("/admin/status")
def overview():
    access.require_admin()
    return render_template("status/overview.html", rows=status.overview())
