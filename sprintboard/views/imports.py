"""Bringing work in: a CSV file of cards or actors (upload → preview with row errors → import)."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access
from ..errors import rule_errors
from ..extensions import db
from ..forms.imports import CsvConfirmForm, CsvUploadForm
from ..services import DomainError, actors, imports

bp = Blueprint("imports", __name__, url_prefix="/p/<int:pid>/import")


def _page(partnership, status=200, **context):
    context.setdefault("csv_form", CsvUploadForm(formdata=None))
    context.setdefault("kind_labels", actors.KIND_LABELS)
    return render_template("imports/index.html", partnership=partnership, **context), status


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
    if not form.validate_on_submit():
        return _page(partnership, 422)
    text = imports.unstash(form.key.data, current_user)
    result = imports.preview(partnership, form.kind.data, text)
    count = imports.import_rows(partnership, result, actor=current_user)
    db.session.commit()
    imports.unstash(form.key.data, current_user, remove=True)
    if result.kind == "actors":
        flash(_("%(n)d actors were imported.", n=count), "success")
        return redirect(url_for("actors.index", pid=pid), code=303)
    flash(_("%(n)d cards were imported.", n=count), "success")
    return redirect(url_for("board.show", pid=pid), code=303)
