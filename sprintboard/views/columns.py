"""Board settings: columns (facilitators) and labels (members)."""

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, htmx
from ..errors import rule_errors
from ..extensions import db
from ..forms.columns import ColumnForm, LabelForm, MoveColumnForm, NewColumnForm
from ..services import columns as columns_service
from ..services import first_steps
from ..services import undo as undo_service
from ..services.board import columns_of, open_count
from . import undo

bp = Blueprint("columns", __name__, url_prefix="/p/<int:pid>/board/settings")


def _column_forms(partnership, failed=None):
    forms = []
    for column in columns_of(partnership):
        if failed is not None and failed.column_id == column.id:
            form = failed
        else:
            form = ColumnForm(formdata=None, obj=column, prefix=f"column-{column.id}")
        forms.append((column, form, open_count(column)))
    return forms


def _label_forms(partnership, failed=None):
    return [
        (
            label,
            failed
            if failed is not None and failed.label_id == label.id
            else LabelForm(formdata=None, obj=label, prefix=f"label-{label.id}"),
        )
        for label in columns_service.labels_of(partnership)
    ]


def _page(
    partnership,
    status=200,
    section=None,
    *,
    column_error=None,
    label_error=None,
    failed_column=None,
    failed_label=None,
    new_column=None,
    new_label=None,
):
    """The settings page, or with htmx only the section (columns or labels) that changed."""
    may_manage = access.can(current_user, "manage", partnership)
    context = dict(
        partnership=partnership,
        may_manage=may_manage,
        columns_unconfirmed=may_manage and not first_steps.columns_set_up(partnership),
        may_edit=access.can(current_user, "edit", partnership),
        columns=_column_forms(partnership, failed_column),
        labels=_label_forms(partnership, failed_label),
        new_column=new_column or NewColumnForm(formdata=None, prefix="new-column"),
        new_label=new_label or LabelForm(formdata=None, prefix="new-label"),
        column_error=column_error,
        label_error=label_error,
    )
    if htmx.is_htmx() and section:
        return render_template(f"columns/_{section}.html", **context), status
    return render_template("columns/settings.html", **context), status


def _done(partnership, section):
    if htmx.is_htmx():
        return _page(partnership, section=section)
    return htmx.redirect_to(url_for("columns.settings", pid=partnership.id) + f"#{section}")


@bp.get("")
def settings(pid):
    partnership = access.get_partnership_or_404(pid)
    return _page(partnership)


# Columns -----------------------------------------------------------------------------------


@bp.post("/columns")
def add_column(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    form = NewColumnForm(prefix="new-column")
    if form.validate_on_submit():
        with rule_errors(form, "name"):
            columns_service.add_column(partnership, form.name.data, actor=current_user)
    if form.errors:
        return _page(partnership, 422, "columns", new_column=form)
    db.session.commit()
    return _done(partnership, "columns")


@bp.post("/columns/confirm")
def confirm_columns(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    first_steps.confirm_columns(partnership, actor=current_user)
    db.session.commit()
    return _done(partnership, "columns")


@bp.post("/columns/<int:column_id>")
def update_column(pid, column_id):
    partnership = access.get_partnership_or_404(pid, need="manage")
    column = access.get_column_or_404(partnership, column_id)
    form = ColumnForm(prefix=f"column-{column.id}")
    form.column_id = column.id
    before = undo_service.column_snapshot(column)
    changed = []
    if form.validate_on_submit():
        with rule_errors(form):
            changed = columns_service.update_column(
                column,
                name=form.name.data,
                wip_limit=form.wip_limit.data,
                is_done=form.is_done.data,
                actor=current_user,
            )
    if form.errors or form.form_errors:
        db.session.rollback()
        return _page(
            partnership, 422, "columns", failed_column=form, column_error=" ".join(form.form_errors) or None
        )
    action = undo_service.offer(partnership, "column.update", before, actor=current_user) if changed else None
    db.session.commit()
    if action is not None:
        undo.offer(action)
    return _done(partnership, "columns")


@bp.post("/columns/<int:column_id>/move")
def move_column(pid, column_id):
    partnership = access.get_partnership_or_404(pid, need="manage")
    column = access.get_column_or_404(partnership, column_id)
    form = MoveColumnForm()
    if not form.validate_on_submit():  # (only up or down: a page of ours sends one of them)
        return _page(partnership, 422, "columns", column_error=_("Some of what you entered is not valid."))
    position = column.position
    columns_service.move_column(column, form.direction.data, actor=current_user)
    action = None
    if column.position != position:
        payload = {"column_id": column.id, "direction": form.direction.data}
        action = undo_service.offer(partnership, "column.move", payload, actor=current_user)
    db.session.commit()
    if action is not None:
        undo.offer(action)
    return _done(partnership, "columns")


@bp.post("/columns/<int:column_id>/delete")
def delete_column(pid, column_id):
    partnership = access.get_partnership_or_404(pid, need="manage")
    column = access.get_column_or_404(partnership, column_id)
    before = undo_service.deleted_column_snapshot(column)
    with rule_errors() as broken:
        columns_service.delete_column(column, actor=current_user)
    if broken:
        return _page(partnership, 422, "columns", column_error=broken.message)
    action = undo_service.offer(partnership, "column.delete", before, actor=current_user)
    db.session.commit()
    undo.offer(action)
    return _done(partnership, "columns")


# Labels ------------------------------------------------------------------------------------


@bp.post("/labels")
def create_label(pid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    form = LabelForm(prefix="new-label")
    if form.validate_on_submit():
        with rule_errors(form, "name"):
            columns_service.create_label(partnership, form.name.data, form.colour.data, actor=current_user)
    if form.errors:
        return _page(partnership, 422, "labels", new_label=form)
    db.session.commit()
    return _done(partnership, "labels")


@bp.post("/labels/<int:label_id>")
def update_label(pid, label_id):
    partnership = access.get_partnership_or_404(pid, need="edit")
    label = access.get_label_or_404(partnership, label_id)
    form = LabelForm(prefix=f"label-{label.id}")
    form.label_id = label.id
    if form.validate_on_submit():
        with rule_errors(form, "name"):
            columns_service.update_label(
                label,
                name=form.name.data,
                colour=form.colour.data,
                actor=current_user,
                partnership=partnership,
            )
    if form.errors:
        db.session.rollback()
        return _page(partnership, 422, "labels", failed_label=form)
    db.session.commit()
    return _done(partnership, "labels")


@bp.post("/labels/<int:label_id>/delete")
def delete_label(pid, label_id):
    partnership = access.get_partnership_or_404(pid, need="edit")
    label = access.get_label_or_404(partnership, label_id)
    before = undo_service.label_snapshot(label)
    columns_service.delete_label(label, actor=current_user, partnership=partnership)
    action = undo_service.offer(partnership, "label.delete", before, actor=current_user)
    db.session.commit()
    undo.offer(action)
    return _done(partnership, "labels")
