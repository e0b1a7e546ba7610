"""A partnership's own versions of toolbox methods: adapted from a shared method, seen and edited
by that partnership only (facilitators edit, everyone of the partnership reads)."""

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, htmx
from ..errors import rule_errors
from ..extensions import db
from ..forms.base import ConfirmForm
from ..forms.toolbox import PHASE_LABELS, MethodForm
from ..models.toolbox import METHOD_LOCALES
from ..services import toolbox as service
from ..services import toolbox_copies

bp = Blueprint("toolbox_copies", __name__, url_prefix="/p/<int:pid>/toolbox")


def _load(pid, method_id, need="view"):
    partnership = access.get_partnership_or_404(pid, need)
    return partnership, access.get_method_copy_or_404(partnership, method_id)


@bp.post("/adapt/<slug>")
def adapt(pid, slug):
    partnership = access.get_partnership_or_404(pid, "manage")
    method = service.shared_by_slug(slug) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    copy, made = toolbox_copies.adapt_method(method, partnership, actor=current_user)
    db.session.commit()
    if made:
        flash(_("Your partnership now has its own version of this method: change it as you need."), "success")
    else:
        flash(_("Your partnership already has its own version of this method."), "info")
    return htmx.redirect_to(url_for("toolbox_copies.show", pid=partnership.id, method_id=copy.id))


@bp.get("/<int:method_id>")
def show(pid, method_id):
    partnership, method = _load(pid, method_id)
    locale = str(get_locale())
    compare = request.args.get("compare")
    return render_template(
        "toolbox_copies/show.html",
        partnership=partnership,
        method=method,
        text=method.text(locale),
        locale=locale,
        compare=method.text(compare) if compare in method.languages else None,
        phase_labels=PHASE_LABELS,
        may_edit=access.can(current_user, "manage", partnership),
    )


def _form_page(partnership, form, method, status=200):
    return render_template(
        "toolbox_copies/edit.html", partnership=partnership, form=form, method=method, locales=METHOD_LOCALES
    ), status


@bp.route("/<int:method_id>/edit", methods=["GET", "POST"])
def edit(pid, method_id):
    partnership, method = _load(pid, method_id, "manage")
    form = MethodForm(obj=method)
    if request.method == "GET":
        for t in method.translations:
            getattr(form, f"text_{t.locale}").process(
                None, data={k: getattr(t, k) for k in service.TEXT_FIELDS}
            )
    if not form.validate_on_submit():
        return _form_page(partnership, form, method, status=422 if request.method == "POST" else 200)
    meta = {key: getattr(form, key).data for key in service.META_FIELDS}
    with rule_errors(form):
        service.save_method(method, meta, form.texts(), actor=current_user)
    if form.errors:
        return _form_page(partnership, form, method, status=422)
    db.session.commit()
    flash(_("The method has been saved."), "success")
    return htmx.redirect_to(url_for("toolbox_copies.show", pid=partnership.id, method_id=method.id))


@bp.post("/<int:method_id>/delete")
def delete(pid, method_id):
    partnership, method = _load(pid, method_id, "manage")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.delete_method(method, actor=current_user)
    db.session.commit()
    flash(_("Your partnership's version of the method has been deleted."), "success")
    return htmx.redirect_to(url_for("toolbox.index"))
