"""A partnership's webhooks (facilitators): add one, see its secret and delivery log, change it,
renew its secret, switch it back on after failures, delete it."""

from flask import Blueprint, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, htmx, security
from ..errors import rule_errors
from ..extensions import db
from ..forms.base import ConfirmForm
from ..forms.webhooks import EVENT_LABELS, WebhookForm
from ..services import webhooks

bp = Blueprint("webhooks", __name__, url_prefix="/p/<int:pid>/webhooks")

ERROR_LABELS = {
    "timeout": lambda: _("No answer in time"),
    "tls": lambda: _("TLS error"),
    "connection_refused": lambda: _("Connection refused"),
    "connection": lambda: _("Connection failed"),
    "dns": lambda: _("Host not found"),
    "blocked": lambda: _("Address not allowed"),
    "invalid": lambda: _("Invalid URL"),
}


def _context(partnership, **extra) -> dict:
    return {
        "partnership": partnership,
        "event_labels": EVENT_LABELS,
        "error_label": lambda code: ERROR_LABELS.get(code, lambda: code)(),
        **extra,
    }


def _load(pid, wid):
    """The partnership (facilitators only) and its webhook, or 404."""
    partnership = access.get_partnership_or_404(pid, need="manage")
    return partnership, access.get_webhook_or_404(partnership, wid)


def _index(partnership, form=None, status=200):
    return htmx.render(
        "webhooks/index.html",
        "webhooks/_new.html",
        status,
        **_context(partnership, hooks=webhooks.webhooks_of(partnership), form=form or WebhookForm()),
    )


def _show(partnership, webhook, form=None, status=200):
    form = form or WebhookForm(formdata=None, obj=webhook)
    return htmx.render(
        "webhooks/show.html",
        "webhooks/_settings.html",
        status,
        **_context(
            partnership,
            webhook=webhook,
            form=form,
            attempts=webhooks.delivery_log(webhook),
            waiting=webhooks.waiting(webhook),
        ),
    )


@bp.get("/")
def index(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    return _index(partnership)


@bp.post("/")
def create(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    form = WebhookForm()
    if form.validate_on_submit():
        with rule_errors(form, "url"):
            webhook = webhooks.create_webhook(
                partnership, url=form.url.data, events=form.events.data, actor=current_user
            )
    if form.errors:
        return _index(partnership, form, 422)
    db.session.commit()
    flash(_("The webhook has been added. Its secret is shown below."), "success")
    return htmx.redirect_to(url_for("webhooks.show", pid=pid, wid=webhook.id))


@bp.get("/<int:wid>")
@security.no_store  # the page shows the secret
def show(pid, wid):
    partnership, webhook = _load(pid, wid)
    return _show(partnership, webhook)


@bp.post("/<int:wid>")
@security.no_store
def update(pid, wid):
    partnership, webhook = _load(pid, wid)
    form = WebhookForm()
    if form.validate_on_submit():
        with rule_errors(form, "url"):
            webhooks.update_webhook(webhook, url=form.url.data, events=form.events.data, actor=current_user)
    if form.errors:
        return _show(partnership, webhook, form, 422)
    db.session.commit()
    flash(_("The webhook has been saved."), "success")
    return htmx.redirect_to(url_for("webhooks.show", pid=pid, wid=wid))


@bp.post("/<int:wid>/enable")
def enable(pid, wid):
    partnership, webhook = _load(pid, wid)
    if not ConfirmForm().validate_on_submit():
        return _show(partnership, webhook, status=422)
    webhooks.enable_webhook(webhook, actor=current_user)
    db.session.commit()
    flash(_("The webhook is on again; waiting deliveries go out now."), "success")
    return htmx.redirect_to(url_for("webhooks.show", pid=pid, wid=wid))


@bp.post("/<int:wid>/secret")
def renew_secret(pid, wid):
    partnership, webhook = _load(pid, wid)
    if not ConfirmForm().validate_on_submit():
        return _show(partnership, webhook, status=422)
    webhooks.renew_secret(webhook, actor=current_user)
    db.session.commit()
    flash(_("The webhook has a new secret: update the receiver."), "success")
    return htmx.redirect_to(url_for("webhooks.show", pid=pid, wid=wid))


@bp.post("/<int:wid>/delete")
def delete(pid, wid):
    partnership, webhook = _load(pid, wid)
    if not ConfirmForm().validate_on_submit():
        return _show(partnership, webhook, status=422)
    webhooks.delete_webhook(webhook, actor=current_user)
    db.session.commit()
    flash(_("The webhook has been deleted."), "success")
    return htmx.redirect_to(url_for("webhooks.index", pid=pid))
