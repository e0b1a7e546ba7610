"""Quick capture during a workshop: actors and entries one after another, or pasted rows."""

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from .. import access, htmx
from ..extensions import db
from ..forms import options
from ..forms.capture import PasteForm, QuickCaptureForm
from ..services import DomainError, capture

bp = Blueprint("capture", __name__, url_prefix="/p/<int:pid>/capture")


def _prepare(form, partnership):
    form.city.choices = options((c.id, c.name) for c in partnership.cities)
    form.kind.choices = capture.kind_choices()
    return form


def _fresh_form(partnership, city_id=None, kind=None):
    """An empty quick form, keeping the city and kind of the last entry (the next is often alike)."""
    form = _prepare(QuickCaptureForm(formdata=None), partnership)
    cities = {c.id for c in partnership.cities}
    if city_id not in cities:
        membership = access.membership_of(current_user, partnership)
        city_id = (
            membership.city_id if membership and membership.city_id in cities else partnership.cities[0].id
        )
    form.city.data = city_id
    form.kind.data = kind if kind in capture.kind_values() else "actor:ngo"
    return form


def _context(partnership, **context):
    if "quick" not in context:
        context["quick"] = _fresh_form(
            partnership, request.args.get("city", type=int), request.args.get("kind")
        )
    context.setdefault("paste", PasteForm(formdata=None))
    return {
        "partnership": partnership,
        "recent": capture.recent(partnership, current_user),
        **context,
    }


@bp.get("/")
def index(pid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    return render_template("capture/index.html", **_context(partnership))


@bp.post("/")
def add(pid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    form = _prepare(QuickCaptureForm(), partnership)
    status = 422
    if form.validate_on_submit():
        try:
            city = access.get_city_or_404(partnership, form.city.data)
            record = capture.capture_one(
                partnership, city, form.kind.data, form.text.data, actor=current_user
            )
        except DomainError as error:  # a broken rule, or an actor already on the map (409)
            db.session.rollback()
            form.text.errors = [*form.text.errors, error.message]
            status = error.status
        else:
            db.session.commit()
            added = _("Added: %(name)s", name=getattr(record, "name", None) or record.text)
            if htmx.is_htmx():
                fresh = _fresh_form(partnership, city.id, form.kind.data)
                html = render_template("capture/_quick.html", **_context(partnership, quick=fresh))
                return html + render_template("_flash_oob.html", category="success", message=added)
            flash(added, "success")
            return htmx.redirect_to(url_for("capture.index", pid=pid, city=city.id, kind=form.kind.data))
    return htmx.render(
        "capture/index.html", "capture/_quick.html", status, **_context(partnership, quick=form)
    )


@bp.post("/paste")
def paste(pid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    form = PasteForm()
    result = None
    if form.validate_on_submit():
        try:
            result = capture.read_paste(partnership, form.rows.data)
            if not result.errors:
                count = capture.save_paste(partnership, result, actor=current_user)
                db.session.commit()
                flash(
                    ngettext("%(num)d row has been added.", "%(num)d rows have been added.", count), "success"
                )
                return htmx.redirect_to(url_for("capture.index", pid=pid))
        except DomainError as error:
            db.session.rollback()
            form.rows.errors = [*form.rows.errors, error.message]
    return htmx.render(
        "capture/index.html", "capture/_paste.html", 422, **_context(partnership, paste=form, result=result)
    )
