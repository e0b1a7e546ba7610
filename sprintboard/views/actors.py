"""The actor map of each city: list with filters, stakeholder grid, create/edit/merge, CSV."""

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import access, htmx, navigation
from ..csvsafe import csv_response
from ..errors import rule_errors
from ..extensions import db
from ..forms import options
from ..forms.base import ConfirmForm
from ..forms.match import ActorFilterForm, ActorForm, LinkForm, MergeForm
from ..models.actor import ACTOR_KINDS
from ..services import DomainError, actors, cards, projects, themes

bp = Blueprint("actors", __name__, url_prefix="/p/<int:pid>/actors")
navigation.add_tab("actors.index", _l("Actors"), 60)
CARD_CHOICES = 300  # the most recently changed open cards; a card page can link any card


def _home_city_id(partnership):
    membership = access.membership_of(current_user, partnership)
    return membership.city_id if membership else partnership.cities[0].id


def _prepare(form, partnership):
    form.city.choices = options((c.id, c.name) for c in partnership.cities)
    form.themes.choices = options((t.id, themes.theme_name(t)) for t in themes.themes_of(partnership))
    return form


def _filters(partnership):
    """The GET filter form and the objects it selects (unknown values select nothing)."""
    form = ActorFilterForm(request.args, meta={"csrf": False})
    theme_list = themes.themes_of(partnership)
    form.city.choices = options([("", _("All cities"))] + [(str(c.id), c.name) for c in partnership.cities])
    form.kind.choices = options([("", _("All kinds"))] + [(k, actors.KIND_LABELS[k]) for k in ACTOR_KINDS])
    form.theme.choices = options(
        [("", _("All themes"))] + [(str(t.id), themes.theme_name(t)) for t in theme_list]
    )
    city = next((c for c in partnership.cities if str(c.id) == form.city.data), None)
    theme = next((t for t in theme_list if str(t.id) == form.theme.data), None)
    kind = form.kind.data if form.kind.data in ACTOR_KINDS else None
    return form, {"city": city, "kind": kind, "theme": theme}


@bp.get("/")
def index(pid):
    partnership = access.get_partnership_or_404(pid)
    form, selected = _filters(partnership)
    found = actors.actors_of(partnership, **selected)
    return htmx.render(
        "actors/index.html",
        "actors/_results.html",
        partnership=partnership,
        filters=form,
        actors=found,
        grid=actors.stakeholder_grid(found),
        duplicates=actors.duplicate_groups(partnership)
        if access.can(current_user, "manage", partnership)
        else [],
        confirm=ConfirmForm(),
    )


@bp.get("/export.csv")
def export(pid):
    partnership = access.get_partnership_or_404(pid)
    header, rows = actors.actor_csv(partnership)
    return csv_response(f"actors-{partnership.id}.csv", header, rows)


def _form_page(partnership, form, record=None, status=200, existing=None, refused=None, sent=None):
    """The actor's page; `refused` = (which form: "link" | "unlink" | "merge", message) says beside
    that form why it was refused, `sent` the form as it was posted (what was chosen kept)."""
    context = {"partnership": partnership, "form": form, "record": record, "existing": existing or []}
    if record is not None:
        kind = refused[0] if refused else None
        merge = sent if kind == "merge" and sent is not None else MergeForm(prefix="merge", formdata=None)
        merge.other.choices = options(
            (a.id, a.name) for a in actors.actors_of(partnership, city=record.city) if a.id != record.id
        )
        link = sent if kind == "link" and sent is not None else LinkForm(prefix="link", formdata=None)
        link.project.choices = options([(0, "—")] + projects.project_choices(partnership))
        link.card.choices = options([(0, "—")] + cards.card_choices(partnership))
        unlink = sent if kind == "unlink" and sent is not None else None
        context.update(merge=merge, link=link, unlink=unlink, confirm=ConfirmForm(), refused=refused)
    return render_template("actors/form.html", **context), status


def _refused(partnership, record, which, message, status=422, sent=None):
    """The actor's page again with the refused link, unlink or merge form and the reason beside it."""
    db.session.rollback()
    form = _prepare(ActorForm(obj=record, formdata=None), partnership)
    form.city.data = record.city_id
    form.themes.data = [t.id for t in record.themes]
    return _form_page(partnership, form, record, status, refused=(which, message), sent=sent)


@bp.route("/new", methods=["GET", "POST"])
def create(pid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    form = _prepare(ActorForm(), partnership)
    if request.method == "GET":
        form.city.data = form.city.data or _home_city_id(partnership)
        return _form_page(partnership, form)
    if not form.validate_on_submit():
        return _form_page(partnership, form, status=422)
    if form.add_to.data:
        return _add_to_existing(partnership, form)
    try:
        with rule_errors(form):
            city = access.get_city_or_404(partnership, form.city.data)
            record = actors.create_actor(
                partnership,
                city,
                actor=current_user,
                allow_duplicate=form.allow_duplicate.data,
                **form.values(themes.resolve_themes(partnership, form.themes.data)),
            )
    except actors.DuplicateActor as duplicate:
        form.name.errors.append(duplicate.message)
        return _form_page(partnership, form, status=409, existing=duplicate.existing)
    if form.errors:
        return _form_page(partnership, form, status=422)
    db.session.commit()
    flash(_("%(name)s has been added.", name=record.name), "success")
    return htmx.redirect_to(url_for("actors.index", pid=pid))


def _add_to_existing(partnership, form):
    """The "merge instead" answer to a duplicate warning: the details go to the existing actor."""
    record = access.get_actor_or_404(partnership, form.add_to.data)
    with rule_errors(form):
        actors.add_details(
            record, actor=current_user, **form.values(themes.resolve_themes(partnership, form.themes.data))
        )
    if form.errors:
        return _form_page(partnership, form, status=422)
    db.session.commit()
    flash(_("%(name)s has been saved.", name=record.name), "success")
    return htmx.redirect_to(url_for("actors.index", pid=partnership.id))


@bp.route("/<int:actor_id>/edit", methods=["GET", "POST"])
def edit(pid, actor_id):
    partnership = access.get_partnership_or_404(pid, need="edit")
    record = access.get_actor_or_404(partnership, actor_id)
    form = _prepare(ActorForm(obj=record if request.method == "GET" else None), partnership)
    if request.method == "GET":
        form.city.data = record.city_id
        form.themes.data = [t.id for t in record.themes]
        return _form_page(partnership, form, record)
    if not form.validate_on_submit():
        return _form_page(partnership, form, record, status=422)
    with rule_errors(form):
        city = access.get_city_or_404(partnership, form.city.data)
        actors.update_actor(
            record,
            city,
            actor=current_user,
            **form.values(themes.resolve_themes(partnership, form.themes.data)),
        )
    if form.errors:
        return _form_page(partnership, form, record, status=422)
    db.session.commit()
    flash(_("%(name)s has been saved.", name=record.name), "success")
    return htmx.redirect_to(url_for("actors.index", pid=pid))


@bp.post("/<int:actor_id>/delete")
def delete(pid, actor_id):
    partnership = access.get_partnership_or_404(pid, need="edit")
    record = access.get_actor_or_404(partnership, actor_id)
    if not ConfirmForm().validate_on_submit():
        raise DomainError(_("Some of what you entered is not valid."))
    name = record.name
    actors.delete_actor(record, actor=current_user)
    db.session.commit()
    flash(_("%(name)s has been deleted.", name=name), "success")
    return htmx.redirect_to(url_for("actors.index", pid=pid))


@bp.post("/<int:actor_id>/merge")
def merge(pid, actor_id):
    """Keep this actor; the chosen duplicate's links and themes move here and it is deleted."""
    partnership = access.get_partnership_or_404(pid, need="manage")
    keep = access.get_actor_or_404(partnership, actor_id)
    form = MergeForm(prefix="merge")
    form.other.choices = options((a.id, a.name) for a in actors.actors_of(partnership, city=keep.city))
    if not form.validate_on_submit():
        message = _("Choose an actor of the same city to merge.")
        return _refused(partnership, keep, "merge", message, sent=form)
    drop = access.get_actor_or_404(partnership, form.other.data)
    try:
        actors.merge_actors(keep, drop, actor=current_user)
    except DomainError as error:
        return _refused(partnership, keep, "merge", error.message, error.status, sent=form)
    db.session.commit()
    flash(_("The actors have been merged into %(name)s.", name=keep.name), "success")
    return htmx.redirect_to(url_for("actors.index", pid=pid))


def _link_targets(partnership, form):
    project = access.get_project_or_404(partnership, form.project.data) if form.project.data else None
    card = access.get_card_or_404(partnership, form.card.data) if form.card.data else None
    if project is None and card is None:
        raise DomainError(_("Choose a project or a card."))
    return project, card


@bp.post("/<int:actor_id>/link")
def link(pid, actor_id):
    partnership = access.get_partnership_or_404(pid, need="edit")
    record = access.get_actor_or_404(partnership, actor_id)
    form = LinkForm(prefix="link")
    if not form.validate_on_submit():
        return _refused(partnership, record, "link", _("Choose a project or a card."), sent=form)
    try:
        project, card = _link_targets(partnership, form)
        if project is not None:
            actors.link_project(record, project, actor=current_user)
        if card is not None:
            actors.link_card(record, card, actor=current_user)
    except DomainError as error:
        return _refused(partnership, record, "link", error.message, error.status, sent=form)
    db.session.commit()
    flash(_("Saved."), "success")
    return htmx.redirect_to(url_for("actors.edit", pid=pid, actor_id=actor_id))


@bp.post("/<int:actor_id>/unlink")
def unlink(pid, actor_id):
    partnership = access.get_partnership_or_404(pid, need="edit")
    record = access.get_actor_or_404(partnership, actor_id)
    form = LinkForm(prefix="link")
    if not form.validate_on_submit():
        return _refused(partnership, record, "unlink", _("Choose a project or a card."), sent=form)
    try:
        project, card = _link_targets(partnership, form)
        actors.unlink(record, project=project, card=card, actor=current_user)
    except DomainError as error:
        return _refused(partnership, record, "unlink", error.message, error.status, sent=form)
    db.session.commit()
    flash(_("Saved."), "success")
    return htmx.redirect_to(url_for("actors.edit", pid=pid, actor_id=actor_id))
