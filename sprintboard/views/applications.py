"""The call for applications: public call page and form, private applicant link, admin review."""

from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, htmx, security
from ..errors import rule_errors
from ..extensions import db, limiter
from ..forms import options
from ..forms.applications import (
    STATUS_LABELS,
    ApplicationForm,
    CallForm,
    CriterionForm,
    FilterForm,
    NotesForm,
    StatusForm,
    score_form,
    select_form,
)
from ..forms.base import ConfirmForm
from ..forms.partnerships import ROLE_LABELS
from ..models.applications import STATUSES
from ..services import applications as service
from ..templating import country_name

bp = Blueprint("applications", __name__)

# The whole public form, URL-encoded (Cyrillic takes 6 bytes per letter), stays well below this.
MAX_FORM_BYTES = 200_000
APPLICATION_FIELDS = [*service.FIELDS, "self_declaration"]


def _apply_limit():
    return current_app.config.get("APPLY_RATE_LIMIT", "10 per hour")


def _application_form(call, **kwargs) -> ApplicationForm:
    form = ApplicationForm(**kwargs)
    form.eligible = call.countries
    choices = options([("", _("Choose a country")), *((c, country_name(c)) for c in call.countries)])
    form.applicant_country.choices = choices
    form.partner_country.choices = choices
    return form


def _form_data(form) -> dict:
    return {key: getattr(form, key).data for key in APPLICATION_FIELDS}


def _refuse_spam(form) -> None:
    """Oversized posts and filled honeypots are refused before anything is looked at."""
    if (request.content_length or 0) > MAX_FORM_BYTES:
        abort(413)
    if form.website.data:
        abort(400)


# --- public ------------------------------------------------------------------------------


@bp.get("/calls/")
@access.public
def calls():
    return render_template(
        "applications/calls.html", calls=service.open_calls(), format_deadline=service.format_deadline
    )


@bp.route("/calls/<int:cid>/", methods=["GET", "POST"])
@access.public
@limiter.limit(_apply_limit, methods=["POST"])
def apply(cid):
    call = access.get_open_call_or_404(cid)
    form = _application_form(call)
    if request.method == "POST":
        _refuse_spam(form)
        if not call.is_open():
            return _call_page(call, form, status=422)
        if form.validate_on_submit():
            with rule_errors(form):
                application, token = service.submit_application(
                    call, _form_data(form), locale=str(get_locale())
                )
            if not form.errors:
                db.session.commit()
                flash(_("Thank you! Your application has been received."), "success")
                return htmx.redirect_to(url_for("applications.mine", token=token, new=1))
        return _call_page(call, form, status=422)
    return _call_page(call, form)


def _call_page(call, form, status=200):
    return render_template(
        "applications/apply.html", call=call, form=form, deadline=service.format_deadline(call)
    ), status


@bp.route("/calls/application/<token>", methods=["GET", "POST"])
@access.public
@access.limit_token_guessing
@limiter.limit(_apply_limit, methods=["POST"])
@security.no_store
def mine(token):
    application = service.find_by_token(token) or abort(404)
    call = application.call
    form = _application_form(call, obj=application)
    status = 200
    if request.method == "POST":
        _refuse_spam(form)
        status = 422
        if call.is_open() and form.validate_on_submit():
            with rule_errors(form):
                service.update_application(application, _form_data(form))
            if not form.errors:
                db.session.commit()
                flash(_("Your corrections have been saved."), "success")
                return htmx.redirect_to(url_for("applications.mine", token=token))
    return render_template(
        "applications/mine.html",
        application=application,
        call=call,
        form=form,
        token=token,
        link=service.private_link(token),
        deadline=service.format_deadline(call),
        is_new=request.args.get("new") == "1",
    ), status


# --- admin -------------------------------------------------------------------------------


@bp.get("/admin/calls/")
def admin_calls():
    access.require_admin()
    return render_template(
        "applications/admin_calls.html", calls=service.list_calls(), format_deadline=service.format_deadline
    )


@bp.route("/admin/calls/new", methods=["GET", "POST"])
def new_call():
    access.require_admin()
    form = CallForm()
    if form.validate_on_submit():
        with rule_errors(form):
            call = service.open_call(
                form.title.data,
                form.description.data,
                countries=form.country_list,
                deadline_local=form.deadline.data,
                timezone=form.timezone.data,
                languages=form.languages.data,
                actor=current_user,
            )
        if not form.errors:
            db.session.commit()
            flash(_("The call is open."), "success")
            return htmx.redirect_to(url_for("applications.review", cid=call.id))
    return render_template("applications/call_form.html", form=form, call=None), (
        422 if form.errors or form.form_errors else 200
    )


@bp.route("/admin/calls/<int:cid>/edit", methods=["GET", "POST"])
def edit_call(cid):
    call = access.get_call_or_404(cid)
    form = CallForm(obj=call)
    if not isinstance(form.countries.data, str):  # the call's list, shown (or kept when not sent) as text
        form.countries.data = ", ".join(call.countries)
    if request.method == "GET":
        form.deadline.data = call.local_deadline.replace(tzinfo=None)
    if form.validate_on_submit():
        with rule_errors(form):
            service.update_call(
                call,
                form.title.data,
                form.description.data,
                countries=form.country_list,
                deadline_local=form.deadline.data,
                timezone=form.timezone.data,
                languages=form.languages.data,
                actor=current_user,
            )
        if not form.errors:
            db.session.commit()
            flash(_("The call has been saved."), "success")
            return htmx.redirect_to(url_for("applications.review", cid=call.id))
    return render_template("applications/call_form.html", form=form, call=call), (
        422 if form.errors or form.form_errors else 200
    )


def _filter_form(call) -> FilterForm:
    form = FilterForm(request.args)
    form.status.choices = options([("", _("All")), *((s, STATUS_LABELS[s]) for s in STATUSES)])
    form.country.choices = options([("", _("All")), *((c, country_name(c)) for c in call.countries)])
    return form


@bp.get("/admin/calls/<int:cid>/")
def review(cid):
    call = access.get_call_or_404(cid)
    filters = _filter_form(call)
    status = filters.status.data if filters.status.data in STATUSES else None
    country = filters.country.data if filters.country.data in call.countries else None
    found = service.list_applications(call, status=status, country=country)
    return htmx.render(
        "applications/review.html",
        "applications/_list.html",
        call=call,
        filters=filters,
        applications=found,
        summaries={a.id: service.review_summary(a, current_user) for a in found},
        criterion_form=CriterionForm(),
        confirm=ConfirmForm(),
        deadline=service.format_deadline(call),
        status_label=service.status_label,
    )


@bp.post("/admin/calls/<int:cid>/criteria")
def add_criterion(cid):
    call = access.get_call_or_404(cid)
    form = CriterionForm()
    if form.validate_on_submit():
        with rule_errors(form, "name"):
            service.add_criterion(call, form.name.data, form.weight.data, actor=current_user)
        if not form.errors:
            db.session.commit()
            flash(_("Criterion added."), "success")
            return htmx.redirect_to(url_for("applications.review", cid=call.id))
    applications = service.list_applications(call)
    return render_template(
        "applications/review.html",
        call=call,
        filters=_filter_form(call),
        applications=applications,
        summaries={a.id: service.review_summary(a, current_user) for a in applications},
        criterion_form=form,
        confirm=ConfirmForm(),
        deadline=service.format_deadline(call),
        status_label=service.status_label,
    ), 422


@bp.post("/admin/calls/<int:cid>/criteria/<int:crid>/remove")
def remove_criterion(cid, crid):
    call = access.get_call_or_404(cid)
    criterion = access.get_criterion_or_404(call, crid)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    service.remove_criterion(criterion, actor=current_user)
    db.session.commit()
    flash(_("Criterion removed."), "success")
    return htmx.redirect_to(url_for("applications.review", cid=call.id))


def _detail(call, application, status=200, **forms):
    summary = service.review_summary(application, current_user)
    forms.setdefault("scores", score_form(call.criteria, summary.mine))
    forms.setdefault("notes", NotesForm(obj=application))
    forms.setdefault("status_form", StatusForm(data={"status": application.status}))
    forms.setdefault("select", select_form(application))
    return render_template(
        "applications/detail.html",
        call=call,
        application=application,
        confirm=ConfirmForm(),
        status_label=service.status_label,
        contacts=service.contacts_of(application),
        summary=summary,
        **forms,
    ), status


@bp.get("/admin/calls/<int:cid>/applications/<int:aid>")
def detail(cid, aid):
    call = access.get_call_or_404(cid)
    return _detail(call, access.get_application_or_404(call, aid))


@bp.post("/admin/calls/<int:cid>/applications/<int:aid>/scores")
def score(cid, aid):
    call = access.get_call_or_404(cid)
    application = access.get_application_or_404(call, aid)
    form = score_form(call.criteria, formdata=request.form)
    if not form.validate_on_submit():
        return _detail(call, application, 422, scores=form)
    values = {c.id: getattr(form, f"score_{c.id}").data for c in call.criteria}
    with rule_errors(form, "note"):
        review = service.score_application(application, values, actor=current_user, note=form.note.data)
    if form.errors:
        return _detail(call, application, 422, scores=form)
    db.session.commit()
    flash(_("Your scores have been saved.") if review else _("Your scores have been removed."), "success")
    return htmx.redirect_to(url_for("applications.detail", cid=cid, aid=aid))


@bp.post("/admin/calls/<int:cid>/applications/<int:aid>/notes")
def notes(cid, aid):
    call = access.get_call_or_404(cid)
    application = access.get_application_or_404(call, aid)
    form = NotesForm()
    if not form.validate_on_submit():
        return _detail(call, application, 422, notes=form)
    service.save_notes(application, form.notes.data, actor=current_user)
    db.session.commit()
    flash(_("Notes saved."), "success")
    return htmx.redirect_to(url_for("applications.detail", cid=cid, aid=aid))


@bp.post("/admin/calls/<int:cid>/applications/<int:aid>/status")
def set_status(cid, aid):
    call = access.get_call_or_404(cid)
    application = access.get_application_or_404(call, aid)
    form = StatusForm()
    if not form.validate_on_submit():
        return _detail(call, application, 422, status_form=form)
    with rule_errors(form, "status"):
        service.set_status(application, form.status.data, actor=current_user)
    if form.errors:
        return _detail(call, application, 422, status_form=form)
    db.session.commit()
    flash(_("The application is now %(status)s.", status=service.status_label(application.status)), "success")
    return htmx.redirect_to(url_for("applications.detail", cid=cid, aid=aid))


@bp.post("/admin/calls/<int:cid>/applications/<int:aid>/select")
def select(cid, aid):
    call = access.get_call_or_404(cid)
    application = access.get_application_or_404(call, aid)
    form = select_form(application)
    if not form.validate_on_submit():
        return _detail(call, application, 422, select=form)
    choices = {
        "applicant": (form.applicant_role.data, form.applicant_city.data),
        "partner": (form.partner_role.data, form.partner_city.data),
    }
    with rule_errors(form) as broken:
        partnership, delivered = service.select_application(application, actor=current_user, choices=choices)
    if broken:
        return _detail(call, application, 422, select=form)
    db.session.commit()
    flash(
        _(
            "Selected: the partnership %(name)s has been created and its contact people invited.",
            name=partnership.name,
        ),
        "success",
    )
    # The invitation links are shown once, here: only their hashes are stored.
    return render_template(
        "applications/selected.html",
        call=call,
        application=application,
        partnership=partnership,
        delivered=delivered,
        mailed=service.mail_is_sent(),
        role_label=ROLE_LABELS,
    )


@bp.get("/admin/calls/<int:cid>/applications.csv")
def export_csv(cid):
    call = access.get_call_or_404(cid)
    body = service.export_csv(call, current_user)
    return (
        body,
        200,
        {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="applications-call-{call.id}.csv"',
        },
    )
