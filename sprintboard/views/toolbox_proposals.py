"""Members propose toolbox methods; programme staff review them (accept, edit then accept, or
decline with a note); the proposer follows what became of each proposal."""

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, htmx
from ..errors import rule_errors
from ..extensions import db
from ..forms.base import ConfirmForm
from ..forms.toolbox import PHASE_LABELS, DeclineForm, MethodForm
from ..models.toolbox import METHOD_LOCALES
from ..services import DomainError
from ..services import toolbox as toolbox_service
from ..services import toolbox_proposals as service

bp = Blueprint("toolbox_proposals", __name__, url_prefix="/toolbox/proposals")


def _meta(form) -> dict:
    return {key: getattr(form, key).data for key in toolbox_service.META_FIELDS}


def _form_page(template, form, status=200, **context):
    return render_template(template, form=form, locales=METHOD_LOCALES, **context), status


@bp.route("/new", methods=["GET", "POST"])
def propose():
    access.require_proposer()
    form = MethodForm()
    if not form.validate_on_submit():
        return _form_page("toolbox_proposals/new.html", form, 422 if request.method == "POST" else 200)
    with rule_errors(form):
        method = service.propose_method(_meta(form), form.texts(), actor=current_user)
    if form.errors:
        return _form_page("toolbox_proposals/new.html", form, 422)
    db.session.commit()
    flash(
        _("Thank you! Programme staff will review your proposal; you will see their answer here."), "success"
    )
    return htmx.redirect_to(url_for("toolbox_proposals.show", proposal_id=method.id))


@bp.get("/")
def mine():
    return render_template(
        "toolbox_proposals/mine.html",
        proposals=service.proposals_of(current_user),
        locale=str(get_locale()),
        may_propose=access.can_propose_methods(current_user),
    )


@bp.get("/review")
def queue():
    access.require_admin()
    return render_template(
        "toolbox_proposals/queue.html", proposals=service.review_queue(), locale=str(get_locale())
    )


def _show(method, status=200, decline_form=None, refused=None):
    """The proposal; `refused`: why a review was refused (already reviewed meanwhile), shown by
    its forms, which stay filled in."""
    locale = str(get_locale())
    return render_template(
        "toolbox_proposals/show.html",
        method=method,
        text=method.text(locale),
        locale=locale,
        phase_labels=PHASE_LABELS,
        reviewer=current_user.is_admin,
        confirm=ConfirmForm(),
        decline_form=decline_form or DeclineForm(formdata=None),
        refused=refused,
    ), status


@bp.get("/<int:proposal_id>")
def show(proposal_id):
    return _show(access.get_proposal_or_404(proposal_id))


@bp.post("/<int:proposal_id>/accept")
def accept(proposal_id):
    access.require_admin()
    method = access.get_proposal_or_404(proposal_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        service.accept_proposal(method, actor=current_user)
    except DomainError as error:  # (reviewed meanwhile: 409)
        db.session.rollback()
        return _show(method, error.status, refused=error.message)
    db.session.commit()
    flash(_("The method is now in the toolbox."), "success")
    return htmx.redirect_to(url_for("toolbox.show", slug=method.slug))


@bp.post("/<int:proposal_id>/decline")
def decline(proposal_id):
    access.require_admin()
    method = access.get_proposal_or_404(proposal_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _show(method, 422, decline_form=form)
    try:
        service.decline_proposal(method, form.note.data, actor=current_user)
    except DomainError as error:  # no note (422), or reviewed meanwhile (409): the note stays
        db.session.rollback()
        if error.status != 422:
            return _show(method, error.status, decline_form=form, refused=error.message)
        form.note.errors = [*form.note.errors, error.message]
        return _show(method, 422, decline_form=form)
    db.session.commit()
    flash(_("The proposal has been declined; the proposer sees your note."), "success")
    return htmx.redirect_to(url_for("toolbox_proposals.queue"))


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
def edit(proposal_id):
    """Staff polish a proposal before accepting it ("Save and accept"), or only save it."""
    access.require_admin()
    method = access.get_proposal_or_404(proposal_id)
    form = MethodForm(obj=method)
    if request.method == "GET":
        for t in method.translations:
            getattr(form, f"text_{t.locale}").process(
                None, data={k: getattr(t, k) for k in toolbox_service.TEXT_FIELDS}
            )
    page = "toolbox_proposals/edit.html"
    if not form.validate_on_submit():
        return _form_page(page, form, 422 if request.method == "POST" else 200, method=method)
    accepting = bool(request.form.get("accept"))
    with rule_errors(form):
        service.save_proposal(method, _meta(form), form.texts(), actor=current_user)
        if accepting:
            service.accept_proposal(method, actor=current_user)
    if form.errors:
        return _form_page(page, form, 422, method=method)
    db.session.commit()
    if accepting:
        flash(_("The method is now in the toolbox."), "success")
        return htmx.redirect_to(url_for("toolbox.show", slug=method.slug))
    flash(_("The proposal has been saved."), "success")
    return htmx.redirect_to(url_for("toolbox_proposals.show", proposal_id=method.id))
