"""The toolbox: the shared methods library, kept by programme staff (partnerships adapt their
own copies: views/toolbox_copies.py)."""

from flask import Blueprint, Response, abort, flash, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, htmx
from ..errors import rule_errors
from ..extensions import db
from ..forms.base import ConfirmForm
from ..forms.toolbox import (
    DURATIONS,
    PHASE_LABELS,
    ImportForm,
    MethodForm,
    ToolboxFilterForm,
)
from ..models.toolbox import METHOD_LOCALES
from ..services import toolbox as service
from ..services import toolbox_copies, toolbox_proposals

bp = Blueprint("toolbox", __name__, url_prefix="/toolbox")


def _get_method_or_404(slug):
    return service.shared_by_slug(slug) or abort(404)


@bp.get("/")
@access.public
def index():
    filters = ToolboxFilterForm(request.args)
    valid = filters.validate()
    methods = (
        service.search(
            q=filters.q.data or "",
            phase=filters.phase.data or "",
            duration=DURATIONS.get(filters.duration.data or ""),
            group=filters.group.data if valid else None,
            language=filters.language.data or "",
            locale=str(get_locale()),
        )
        if valid
        else []
    )
    return htmx.render(
        "toolbox/index.html",
        "toolbox/_methods.html",
        filters=filters,
        methods=methods,
        locale=str(get_locale()),
        phase_labels=PHASE_LABELS,
        may_edit=access.can_edit_toolbox(current_user),
        may_propose=access.can_propose_methods(current_user),
        waiting=toolbox_proposals.waiting() if access.can_edit_toolbox(current_user) else 0,
        copies=toolbox_copies.copies_in(access.visible_partnerships(current_user))
        if current_user.is_authenticated and not htmx.is_htmx()
        else [],
    )


@bp.get("/export.json")
@access.public
def export_json():
    return Response(
        service.export_json(),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="sprintboard-toolbox.json"'},
    )


@bp.get("/export.zip")
@access.public
def export_markdown():
    return Response(
        service.export_markdown_zip(),
        mimetype="application/zip",
        headers={"Content-Disposition": 'attachment; filename="sprintboard-toolbox-markdown.zip"'},
    )


@bp.route("/import", methods=["GET", "POST"])
def import_methods():
    """Programme staff load an export back (e.g. from another server), all or nothing."""
    access.require_admin()
    form = ImportForm()
    if form.validate_on_submit():
        with rule_errors(form, "file"):
            created, updated = service.import_file(
                form.file.data.read(service.MAX_IMPORT_BYTES + 1), actor=current_user
            )
        if not form.errors:
            db.session.commit()
            flash(
                _(
                    "Import done. New methods: %(created)d. Updated methods: %(updated)d.",
                    created=created,
                    updated=updated,
                ),
                "success",
            )
            return htmx.redirect_to(url_for("toolbox.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("toolbox/import.html", form=form), status


def _meta(form) -> dict:
    return {key: getattr(form, key).data for key in service.META_FIELDS}


def _form_page(form, method=None, status=200):
    return render_template("toolbox/edit.html", form=form, method=method, locales=METHOD_LOCALES), status


@bp.route("/new", methods=["GET", "POST"])
def create():
    access.require_toolbox_editor()
    form = MethodForm()
    if not form.validate_on_submit():
        return _form_page(form, status=422 if request.method == "POST" else 200)
    with rule_errors(form):
        method = service.save_method(
            None, _meta(form), form.texts(), slug=form.slug.data or "", actor=current_user
        )
    if form.errors:
        return _form_page(form, status=422)
    db.session.commit()
    flash(_("The method has been added to the toolbox."), "success")
    return htmx.redirect_to(url_for("toolbox.show", slug=method.slug))


@bp.get("/<slug>")
@access.public
def show(slug):
    method = _get_method_or_404(slug)
    locale = str(get_locale())
    compare = request.args.get("compare")
    usage = service.usage(method)
    return render_template(
        "toolbox/show.html",
        method=method,
        text=method.text(locale),
        locale=locale,
        compare=method.text(compare) if compare in method.languages else None,
        phase_labels=PHASE_LABELS,
        used_in=len(usage),
        visible=access.visible_workshops(current_user, usage),
        confirm=ConfirmForm(),
        may_edit=access.can_edit_toolbox(current_user),
        adapt_in=[
            (partnership, toolbox_copies.copy_of(method, partnership))
            for partnership in access.facilitated_partnerships(current_user)
        ],
    )


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug):
    access.require_toolbox_editor()
    method = _get_method_or_404(slug)
    form = MethodForm(obj=method)
    if request.method == "GET":
        form.slug.data = method.slug
        for t in method.translations:
            getattr(form, f"text_{t.locale}").process(
                None, data={k: getattr(t, k) for k in service.TEXT_FIELDS}
            )
    if not form.validate_on_submit():
        return _form_page(form, method, status=422 if request.method == "POST" else 200)
    with rule_errors(form):
        service.save_method(method, _meta(form), form.texts(), actor=current_user)
    if form.errors:
        return _form_page(form, method, status=422)
    db.session.commit()
    flash(_("The method has been saved."), "success")
    return htmx.redirect_to(url_for("toolbox.show", slug=method.slug))


@bp.post("/<slug>/delete")
def delete(slug):
    access.require_toolbox_editor()
    method = _get_method_or_404(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.delete_method(method, actor=current_user)
    db.session.commit()
    flash(_("The method has been deleted."), "success")
    return htmx.redirect_to(url_for("toolbox.index"))
