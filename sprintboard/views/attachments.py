"""Attachments: uploading to a card, a workshop or a funding idea; the files themselves
(served only to people of the partnership, never from a public path); deleting them."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from .. import access, busy_gate, htmx, storage
from ..errors import render_error
from ..extensions import db
from ..services import DomainError
from ..services import attachments as attachments_service
from ..services.uploads import human_size

bp = Blueprint("attachments", __name__, url_prefix="/p/<int:pid>")
UPLOADS = {"attachments.upload_card", "attachments.upload_workshop", "attachments.upload_funding"}
busy_gate.LARGE_BODIES.update(UPLOADS)


@bp.url_value_preprocessor
def _allow_large_bodies(endpoint, _values):
    """Upload routes take up to UPLOAD_MAX_FILES files of UPLOAD_MAX_BYTES; every other route
    keeps the app-wide MAX_CONTENT_LENGTH. (This runs before the CSRF check reads the form.)"""
    if endpoint in UPLOADS and request.method == "POST":
        config = current_app.config
        files = config["UPLOAD_MAX_BYTES"] * config["UPLOAD_MAX_FILES"]
        request.max_content_length = files + busy_gate.FORM_OVERHEAD


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    config = current_app.config
    return render_error(
        413,
        _(
            "What you sent is too large: a file may have at most %(size)s, and at most %(n)d files "
            "can be sent at once.",
            size=human_size(config["UPLOAD_MAX_BYTES"]),
            n=config["UPLOAD_MAX_FILES"],
        ),
    )


def panel_for(partnership, owner, *, may_upload: bool, error: str | None = None):
    """The attachments panel of `owner` as the current user sees it (pages include it)."""
    return attachments_service.panel(
        owner,
        may_upload=may_upload,
        may_manage=access.can(current_user, "manage", partnership),
        user_id=current_user.id if current_user.is_authenticated else None,
        error=error,
    )


def _owner_url(partnership, owner) -> str:
    kind = attachments_service.panel_kind(owner)
    if kind == "card":
        return url_for("cards.show", pid=partnership.id, card_id=owner.id)
    if kind == "workshop":
        return url_for("workshops.show", pid=partnership.id, wid=owner.id)
    return url_for("funding.show", pid=partnership.id, fid=owner.id)


def _answer(partnership, owner, status=200, error=None):
    """htmx: the owner's panel; without JS: back to the owner's page (or, after an error, a page
    with the message and the form again)."""
    panel = panel_for(partnership, owner, may_upload=True, error=error)
    if htmx.is_htmx():
        response = current_app.make_response(
            (render_template("attachments/_panel.html", panel=panel, partnership=partnership), status)
        )
        if panel.kind == "card":
            response.headers["HX-Trigger"] = json.dumps({"sb:card-changed": {"id": owner.id}})
        return response
    if status == 200:
        return htmx.redirect_to(_owner_url(partnership, owner) + "#" + panel.anchor)
    return render_template(
        "attachments/upload.html",
        panel=panel,
        partnership=partnership,
        owner_title=attachments_service.owner_title(owner),
        back=_owner_url(partnership, owner),
    ), status


def _upload(partnership, owner):
    files = [(f.filename, f.stream) for f in request.files.getlist("files") if f.filename]
    try:
        attachments_service.add_attachments(
            owner, files, actor=current_user, limits=attachments_service.Limits.from_config()
        )
    except DomainError as error:
        db.session.rollback()
        if error.status not in (413, 422, 423):  # (423: a frozen board)
            raise
        return _answer(partnership, owner, error.status, error.message)
    db.session.commit()
    return _answer(partnership, owner)


@bp.post("/cards/<int:card_id>/attachments")
def upload_card(pid, card_id):
    partnership = access.get_partnership_or_404(pid, need="edit", card_id=card_id)
    return _upload(partnership, access.get_card_or_404(partnership, card_id))


@bp.post("/workshops/<int:wid>/attachments")
def upload_workshop(pid, wid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    return _upload(partnership, access.get_workshop_or_404(partnership, wid))


@bp.post("/funding/<int:fid>/attachments")
def upload_funding(pid, fid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    return _upload(partnership, access.get_funding_idea_or_404(partnership, fid))


def _send(key: str, content_type: str, filename: str, *, inline: bool):
    try:
        data = storage.current().open(key)
    except storage.StorageError:
        return render_error(503, _("This file cannot be read at the moment. Please try again later."))
    response = send_file(
        data,
        mimetype=content_type,
        as_attachment=not inline,
        download_name=filename,
        etag=key,
        conditional=True,
        max_age=3600,
    )
    response.headers["Cache-Control"] = "private, max-age=3600"  # the key's bytes never change
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, a file may run nothing and reach nothing (defence in depth).
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@bp.get("/attachments/<int:aid>")
def file(pid, aid):
    partnership = access.get_partnership_or_404(pid)
    attachment = access.get_attachment_or_404(partnership, aid)
    inline = attachment.is_image and not request.args.get("download")
    return _send(attachment.storage_key, attachment.content_type, attachment.filename, inline=inline)


@bp.get("/attachments/<int:aid>/thumbnail")
def thumbnail(pid, aid):
    partnership = access.get_partnership_or_404(pid)
    attachment = access.get_attachment_or_404(partnership, aid)
    if not attachment.is_image:
        return render_error(404)
    stem = attachment.filename.rpartition(".")[0] or attachment.filename
    return _send(attachment.thumbnail_key, "image/jpeg", f"{stem}-thumbnail.jpg", inline=True)


@bp.post("/attachments/<int:aid>/delete")
def delete(pid, aid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    attachment = access.get_attachment_or_404(partnership, aid)
    owner = attachments_service.owner_of(attachment)
    try:
        attachments_service.delete_attachment(
            attachment, actor=current_user, moderator=access.can(current_user, "manage", partnership)
        )
    except DomainError as error:
        db.session.rollback()
        if error.status not in (422, 423):  # (an archived card; a frozen board)
            raise
        return _answer(partnership, owner, error.status, error.message)
    db.session.commit()
    return _answer(partnership, owner)
