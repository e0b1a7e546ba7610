"""The inbox and the bell, email settings, one-click unsubscribe, watching, @mention suggestions."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, htmx, timezones
from ..errors import rule_errors
from ..extensions import csrf, db
from ..forms.base import ConfirmForm
from ..forms.notifications import SettingsForm, WatchForm
from ..ids import arg_int
from ..models import KINDS
from ..models.notification import modes_of
from ..services import mentions, notifications, watching
from ..services import unsubscribe as unsubscribe_service
from . import safe_next

bp = Blueprint("notifications", __name__)


@bp.get("/notifications/")
def index():
    page = arg_int("page", 1)
    notes = notifications.inbox(current_user, page)
    return htmx.render(
        "notifications/index.html",
        "notifications/_list.html",
        groups=notifications.grouped(notes),
        describe=notifications.describe,
        page=page,
        more=len(notes) == notifications.PAGE_SIZE,
        form=ConfirmForm(),
        unread=current_user.unread_count,
    )


@bp.get("/notifications/<int:notification_id>")
def open_one(notification_id):
    """Follow a notification: it counts as read (as opening an email does), then its place."""
    note = access.get_notification_or_404(current_user, notification_id)
    notifications.mark_read(current_user, note)
    db.session.commit()
    return redirect(request.script_root + note.path, code=303)


@bp.post("/notifications/read")
def read_all():
    if ConfirmForm().validate_on_submit():
        notifications.mark_all_read(current_user)
        db.session.commit()
        flash(_("All notifications are marked as read."), "success")
    return htmx.redirect_to(url_for("notifications.index"))


def _settings_form(formdata=True) -> SettingsForm:
    if formdata:
        form = SettingsForm(prefix="s")
    else:
        data = {f"mode_{k}": m for k, m in modes_of(current_user).items()}
        data.update(digest_hour=current_user.digest_hour)
        form = SettingsForm(formdata=None, data=data, prefix="s")
    return form


@bp.route("/account/notifications", methods=["GET", "POST"])
def settings():
    form = _settings_form(request.method == "POST")
    if form.validate_on_submit():
        with rule_errors(form):
            notifications.save_settings(current_user, form.modes(), digest_hour=form.digest_hour.data)
        if not form.errors:
            db.session.commit()
            flash(_("Your notification settings have been saved."), "success")
            return redirect(url_for("notifications.settings"), code=303)
    status = 422 if form.errors else 200
    zone = current_user.timezone or timezones.DEFAULT
    return render_template("notifications/settings.html", form=form, kinds=KINDS, zone=zone), status


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@access.public
@access.limit_token_guessing
@csrf.exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" without a session
def unsubscribe(token):
    """No login: the signed token names the person and the kind of email. GET only asks
    (link scanners open links); POST turns that email off."""
    found = unsubscribe_service.read(token)
    if found is None:
        abort(404)
    user, kind = found
    label = _("Daily digest") if kind == "digest" else notifications.KIND_LABELS[kind]
    if request.method == "POST":
        unsubscribe_service.apply(user, kind)
        db.session.commit()
        return render_template("notifications/unsubscribe.html", done=True, label=label, token=token)
    return render_template("notifications/unsubscribe.html", done=False, label=label, token=token)


@bp.post("/p/<int:pid>/watch")
def watch(pid):
    partnership = access.get_partnership_or_404(pid)
    form = WatchForm()
    if not form.validate_on_submit():
        abort(400)
    card = project = None
    if form.what.data == "card":
        card = access.get_card_or_404(partnership, form.target.data)
    elif form.what.data == "project":
        project = access.get_project_or_404(partnership, form.target.data)
    if form.on.data == "1":
        watching.watch(current_user, partnership, card=card, project=project)
        message = _("You are watching this now.")
    else:
        watching.unwatch(current_user, partnership, card=card, project=project)
        message = _("You no longer watch this.")
    db.session.commit()
    if htmx.is_htmx() and form.page_card.data:  # the card page's watch panel, swapped in place
        card = access.get_card_or_404(partnership, form.page_card.data)
        return render_template(
            "notifications/_watch.html",
            partnership=partnership,
            card=card,
            watch=watching.watched_scopes(current_user, partnership, card),
            message=message,
            h=2 if request.values.get("hl") == "2" else 1,  # (the card page, or the board's dialog)
        )
    flash(message, "success")
    return redirect(safe_next(form.next.data, url_for("partnerships.show", pid=pid)), code=303)


@bp.get("/p/<int:pid>/mentions")
def suggest_mentions(pid):
    """The people an @ can name (a small list the comment box offers while typing)."""
    partnership = access.get_partnership_or_404(pid)
    people = mentions.suggest(partnership, request.args.get("q", "")[:60])
    return render_template(
        "notifications/_mentions.html", people=people, field=request.args.get("for", "")[:60]
    )
