from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access, htmx, navigation
from ..errors import rule_errors
from ..extensions import db
from ..forms.partnerships import AddCityForm, PartnershipEditForm, PartnershipForm
from ..services import activity, first_steps, partnerships

bp = Blueprint("partnerships", __name__, url_prefix="/p")


@bp.route("/new", methods=["GET", "POST"])
def create():
    access.require_admin()
    form = PartnershipForm()
    if form.validate_on_submit():
        cities = [(c.form.name.data or "", c.form.country.data or "") for c in form.cities]
        with rule_errors(form):
            partnership = partnerships.create_partnership(
                form.name.data, form.description.data or "", cities, actor=current_user
            )
        if not form.errors:
            db.session.commit()
            flash(_("The partnership has been created. Now invite its people."), "success")
            return redirect(url_for("members.index", pid=partnership.id), code=303)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("partnerships/new.html", form=form), status


@bp.get("/<int:pid>")
def show(pid):
    partnership = access.get_partnership_or_404(pid)
    return render_template(
        "partnerships/show.html",
        partnership=partnership,
        groups=partnerships.members_by_city(partnership),
        role=access.role_in(current_user, partnership),
        sections=navigation.home_sections(partnership),
        first_steps=(
            first_steps.open_checklist(partnership)
            if access.can(current_user, "manage", partnership)
            else None
        ),
    )


@bp.post("/<int:pid>/first-steps/dismiss")
def dismiss_first_steps(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    first_steps.dismiss(partnership, actor=current_user)
    db.session.commit()
    if htmx.is_htmx():
        return ""
    flash(_("The first-steps list is hidden."), "success")
    return redirect(url_for("partnerships.show", pid=pid), code=303)


@bp.route("/<int:pid>/edit", methods=["GET", "POST"])
def edit(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    form = PartnershipEditForm(obj=partnership)
    city_form = AddCityForm(prefix="city")
    if request.method == "POST" and form.validate_on_submit():
        with rule_errors(form, "timezone"):
            partnerships.update_partnership(
                partnership,
                form.name.data,
                form.description.data or "",
                timezone=form.timezone.data,
                actor=current_user,
            )
        if not form.errors:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("partnerships.show", pid=pid), code=303)
    status = 422 if form.errors else 200
    return render_template(
        "partnerships/edit.html", partnership=partnership, form=form, city_form=city_form
    ), status


@bp.post("/<int:pid>/cities")
def add_city(pid):
    partnership = access.get_partnership_or_404(pid, need="manage")
    city_form = AddCityForm(prefix="city")
    if city_form.validate_on_submit():
        with rule_errors(city_form, "name"):
            partnerships.add_city(
                partnership, city_form.name.data, city_form.country.data, actor=current_user
            )
        if not city_form.errors:
            db.session.commit()
            flash(_("The city has been added."), "success")
            return redirect(url_for("partnerships.edit", pid=pid), code=303)
    form = PartnershipEditForm(obj=partnership)
    return render_template(
        "partnerships/edit.html", partnership=partnership, form=form, city_form=city_form
    ), 422


@bp.get("/<int:pid>/activity")
def activity_log(pid):
    partnership = access.get_partnership_or_404(pid)
    return render_template(
        "activity/index.html", partnership=partnership, activities=activity.recent(partnership, 100)
    )
