"""Bringing work in: a CSV file of cards or actors, a Trello board's JSON export
(upload → preview → import, all or nothing)."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .. import access, busy_gate
from ..errors import render_error, rule_errors
from ..extensions import db
from ..forms.imports import CsvConfirmForm, CsvUploadForm, TrelloUploadForm, trello_confirm_form
from ..services import DomainError, actors, board, imports, imports_trello
from ..services.facilitation import BoardFrozen, ensure_not_frozen

bp = Blueprint("imports", __name__, url_prefix="/p/<int:pid>/import")
TRELLO = {"imports.trello_preview", "imports.trello_import"}
busy_gate.LARGE_BODIES.update(TRELLO)


@bp.url_value_preprocessor
def _allow_large_files(endpoint, _values):
    """A Trello export may be larger than the app-wide MAX_CONTENT_LENGTH: its upload takes up to
    IMPORT_MAX_BYTES. (This runs before the CSRF check reads the form.)"""
    if endpoint in TRELLO and request.method == "POST":
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"] + busy_gate.FORM_OVERHEAD


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    message = imports.too_large_message(current_app.config["IMPORT_MAX_BYTES"])
    if request.endpoint not in TRELLO:
        return render_error(413, message)
    try:
        partnership = access.get_partnership_or_404(request.view_args["pid"], need="manage")
    except HTTPException as error:
        return render_error(error.code)
    form = TrelloUploadForm(formdata=None)
    form.file.errors = [message]
    return _page(partnership, 422, trello_form=form)


def _page(partnership, status=200, **context):
    context.setdefault("csv_form", CsvUploadForm(formdata=None))
    context.setdefault("trello_form", TrelloUploadForm(formdata=None))
    context.setdefault("kind_labels", actors.KIND_LABELS)
    context.setdefault("may_manage", access.can(current_user, "manage", partnership))
    return render_template("imports/index.html", partnership=partnership, **context), status


def _upload_again(partnership, name, form_class, error):
    """A confirmation whose preview is gone: the upload form again, saying why (there is
    nothing of the confirmation to give back: it only names the stashed file)."""
    form = form_class(formdata=None)
    form.form_errors.append(error.message)
    return _page(partnership, error.status, **{name: form})


@bp.get("/")
def index(pid):
    return _page(access.get_partnership_or_404(pid, need="edit"))


@bp.post("/csv")
def csv_preview(pid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    form = CsvUploadForm()
    if not form.validate_on_submit():
        return _page(partnership, 422, csv_form=form)
    text, status = _read(form)
    if text is None:
        return _page(partnership, status, csv_form=form)
    with rule_errors(form, "file") as broken:
        result = imports.preview(partnership, form.kind.data, text)
    if broken:
        return _page(partnership, 422, csv_form=form)
    confirm = CsvConfirmForm(formdata=None, kind=result.kind, key=imports.stash(text, current_user))
    status = 422 if result.errors or not result.rows else 200
    return _page(partnership, status, csv_form=form, preview=result, confirm=confirm)


def _csv_confirm_refused(partnership, form, error):
    """The confirmation refused with the preview still stashed (a frozen board): the preview and
    its Import button again, with the reason; the file need not be uploaded again."""
    try:
        text = imports.unstash(form.key.data or "", current_user)
        preview = imports.preview(partnership, form.kind.data, text)
    except DomainError:
        preview = None  # (gone or not a preview: only the button, which will say so)
    confirm = CsvConfirmForm(formdata=None, kind=form.kind.data, key=form.key.data)
    confirm.form_errors.append(error.message)
    return _page(partnership, error.status, preview=preview, confirm=confirm)


def _read(form) -> tuple[str | None, int]:
    """The uploaded file's text, or None and the status with the error on the form's field."""
    try:
        raw = imports.read_upload(form.file.data.stream, current_app.config["IMPORT_MAX_BYTES"])
    except DomainError as error:
        form.file.errors = [*form.file.errors, error.message]
        return None, error.status
    return imports.decode(raw), 200


@bp.post("/csv/confirm")
def csv_import(pid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    form = CsvConfirmForm()
    try:
        ensure_not_frozen(partnership, current_user)  # 423 before the preview is looked at
        if not form.validate_on_submit():
            raise DomainError(_("The preview has expired: upload the file again."))
        text = imports.unstash(form.key.data, current_user)
    except BoardFrozen as error:
        return _csv_confirm_refused(partnership, form, error)
    except DomainError as error:
        return _upload_again(partnership, "csv_form", CsvUploadForm, error)
    result = imports.preview(partnership, form.kind.data, text)
    try:
        count = imports.import_rows(partnership, result, actor=current_user)
    except DomainError as error:  # (the board frozen meanwhile)
        db.session.rollback()
        return _csv_confirm_refused(partnership, form, error)
    db.session.commit()
    imports.unstash(form.key.data, current_user, remove=True)
    if result.kind == "actors":
        flash(ngettext("%(num)d actor was imported.", "%(num)d actors were imported.", count), "success")
        return redirect(url_for("actors.index", pid=pid), code=303)
    flash(ngettext("%(num)d card was imported.", "%(num)d cards were imported.", count), "success")
    return redirect(url_for("board.show", pid=pid), code=303)


@bp.post("/trello")
def trello_preview(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    form = TrelloUploadForm()
    if not form.validate_on_submit():
        return _page(partnership, 422, trello_form=form)
    with rule_errors(form, "file") as broken:
        text = imports_trello.read(form.file.data.stream, current_app.config["IMPORT_MAX_BYTES"])
        result = imports_trello.preview(partnership, text)
    if broken:
        return _page(partnership, 422, trello_form=form)
    confirm = trello_confirm_form(
        result.lists, board.columns_of(partnership), formdata=None, key=imports.stash(text, current_user)
    )
    return _trello_preview(partnership, result, confirm)


def _trello_preview(partnership, result, confirm, status=None):
    status = status or (422 if result.errors else 200)
    return _page(partnership, status, trello=result, trello_confirm=confirm)


@bp.post("/trello/confirm")
def trello_import(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    key = request.form.get("key", "")
    try:
        text = imports.unstash(key, current_user)
    except DomainError as error:
        return _upload_again(partnership, "trello_form", TrelloUploadForm, error)
    result = imports_trello.preview(partnership, text)
    form = trello_confirm_form(result.lists, board.columns_of(partnership))
    if not form.validate_on_submit():
        return _trello_preview(partnership, result, form, 422)
    with rule_errors(form) as broken:
        result = imports_trello.preview(partnership, text, form.mapping(result.lists))
        if not (form.refresh.data or result.errors):
            count = imports_trello.import_board(partnership, result, actor=current_user)
    if broken or form.refresh.data or result.errors:
        return _trello_preview(partnership, result, form, 422 if broken else None)
    db.session.commit()
    imports.unstash(key, current_user, remove=True)
    flash(
        ngettext("%(num)d card was imported from Trello.", "%(num)d cards were imported from Trello.", count),
        "success",
    )
    return redirect(url_for("board.show", pid=pid), code=303)
