"""Downloads (CSV of cards, JSON backup) and the subscribable calendar feed."""

from flask import Blueprint, Response, abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, csvsafe, htmx
from ..extensions import db
from ..forms.base import ConfirmForm
from ..models.base import utcnow
from ..services import backup, exports
from .status import render_status_page

bp = Blueprint("exports", __name__)


@bp.get("/p/<int:pid>/export/cards.csv")
def cards_csv(pid):
    partnership = access.get_partnership_or_404(pid)
    header, rows = exports.card_rows(partnership)
    return csvsafe.csv_response(f"cards-{partnership.id}.csv", header, rows)


@bp.get("/p/<int:pid>/export/backup.json")
def backup_json(pid):
    """The whole partnership, people's emails included: facilitators and admins only."""
    partnership = access.get_partnership_or_404(pid, need="manage")
    body = backup.dumps(backup.export_partnership(partnership))
    name = f"sprintboard-partnership-{partnership.id}-{utcnow():%Y%m%d}.json"
    return Response(
        body, mimetype="application/json", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.post("/p/<int:pid>/calendar")
def create_feed(pid):
    """Anyone in the partnership (observers too) may have their own calendar link."""
    partnership = access.get_partnership_or_404(pid)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    token = exports.create_feed(current_user, partnership)
    db.session.commit()
    # Shown once, here: only the hash is stored.
    return render_status_page(partnership, feed_link=url_for("exports.feed", token=token, _external=True))


@bp.post("/p/<int:pid>/calendar/revoke")
def revoke_feed(pid):
    partnership = access.get_partnership_or_404(pid)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    exports.revoke_feed(current_user, partnership)
    db.session.commit()
    flash(_("Your calendar link has been revoked."), "success")

    return htmx.redirect_to(url_for("status.show", pid=pid))


@bp.get("/cal/<token>.ics")
@access.public
@access.limit_token_guessing
def feed(token):
    found = exports.feed_for_token(token)
    if found is None:
        abort(404)
    body = exports.calendar(found.partnership, host=request.host.split(":")[0] or "sprintboard")
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "no-store"})
