"""Undo: the toast offered after a change, and its button.

A view that made an undoable change calls `offer(action)` after its commit. Without htmx the
offer waits in the session for the page the browser is sent to (base.html shows it); an htmx
answer carries the toast itself (an out-of-band swap into #flash), and app.js hides it when
the time is up. The Undo button is a plain form: it works without JavaScript.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, g, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup

from .. import access, errors, htmx
from ..extensions import db
from ..forms.undo import UndoForm
from ..models import UndoAction
from ..services import DomainError
from ..services import undo as undo_service
from . import safe_next

bp = Blueprint("undo", __name__, url_prefix="/p/<int:pid>")
SESSION_KEY = "undo"


def offer(action: UndoAction) -> None:
    """Show the Undo toast for `action` in this answer (htmx) or on the next page."""
    g.undo_offer = action
    if not htmx.is_htmx():
        session[SESSION_KEY] = action.id


def _back() -> str:
    """Where Undo leads back to: the page the toast is shown on."""
    current = request.headers.get("HX-Current-URL")
    if current:
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.full_path.rstrip("?") if request.method == "GET" else ""


def toast_html(action: UndoAction, *, oob: bool = False) -> Markup:
    return Markup(  # noqa: S704 - an autoescaped template
        render_template("undo/_toast.html", action=action, back=_back(), oob=oob)
    )


@bp.before_app_request
def _pending():
    """The page the browser is sent to after a change shows that change's toast, once, while it
    can still be undone: base.html reads g.undo_shown; an htmx answer gets it appended."""
    if request.method != "GET" or SESSION_KEY not in session:
        return
    action_id = session.pop(SESSION_KEY)
    action = undo_service.open_offer(action_id, current_user) if current_user.is_authenticated else None
    if action is not None and htmx.is_htmx():
        g.undo_offer = action
    else:
        g.undo_shown = action


def init_app(app) -> None:
    """Registered after request_keys (after_request: last in, first run): the toast is part of
    the answer a request key keeps, so a replay answers exactly as the first request did."""
    app.after_request(_toast_in_htmx_answers)


def _toast_in_htmx_answers(response):
    """An htmx answer to a change carries its toast: swapped into #flash after the main swap.
    (An answer that swaps nothing, such as a 204 with HX-Location, leaves it for the next page.)"""
    action = g.pop("undo_offer", None)
    if action is None or not htmx.is_htmx():
        return response
    if response.status_code != 200 or response.mimetype != "text/html" or response.direct_passthrough:
        session[SESSION_KEY] = action.id
        return response
    response.set_data(response.get_data() + toast_html(action, oob=True).encode())
    return response


@bp.post("/undo/<int:undo_id>")
def undo(pid, undo_id):
    partnership = access.get_partnership_or_404(pid, need="edit")
    action = access.get_undo_or_404(partnership, undo_id)
    form = UndoForm()
    if not form.validate_on_submit():
        return errors.form_errors(form)
    try:
        message = undo_service.undo(
            action, actor=current_user, may_manage=access.can(current_user, "manage", partnership)
        )
    except DomainError as error:
        db.session.rollback()
        if error.status not in (409, 423):  # (something gone meanwhile; a frozen board)
            raise
        return _refused(partnership, action, form, error.message, error.status)
    db.session.commit()
    flash(message, "success")
    return htmx.redirect_to(safe_next(form.next.data, url_for("board.show", pid=pid)))


def _refused(partnership, action, form, message, status):
    """409/423 (what the change touched is gone; a frozen board): the Undo button again with the
    reason, in place of the toast for htmx, else on a page of its own (on a frozen board the
    change can still be undone once it is unfrozen, while the offer lasts)."""
    back = safe_next(form.next.data, url_for("board.show", pid=partnership.id))
    context = dict(action=action, back=back, oob=False, refused=message, partnership=partnership)
    if htmx.is_htmx():
        headers = {"HX-Retarget": f"#undo-{action.id}", "HX-Reswap": "outerHTML"}
        return render_template("undo/_toast.html", **context), status, headers
    return render_template("undo/refused.html", **context), status
