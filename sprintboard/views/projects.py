"""Projects of a partnership: list with card counts, a project's page, create and edit."""

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import access, htmx, navigation
from ..errors import rule_errors
from ..extensions import db
from ..forms.projects import STATUS_LABELS, ProjectForm
from ..i18n import LANGUAGES
from ..services import match, watching
from ..services import projects as projects_service
from ..services import undo as undo_service
from . import undo

bp = Blueprint("projects", __name__, url_prefix="/p/<int:pid>/projects")
navigation.add_tab("projects.index", _l("Projects"), 20)


@bp.get("/")
def index(pid):
    partnership = access.get_partnership_or_404(pid)
    return htmx.render(
        "projects/index.html",
        "projects/_list.html",
        partnership=partnership,
        projects=projects_service.projects_of(partnership),
        counts=projects_service.card_counts(partnership),
        status_labels=STATUS_LABELS,
        may_edit=access.can(current_user, "edit", partnership),
    )


@bp.get("/<int:project_id>")
def show(pid, project_id):
    partnership = access.get_partnership_or_404(pid)
    project = access.get_project_or_404(partnership, project_id)
    return htmx.render(
        "projects/show.html",
        "projects/_detail.html",
        partnership=partnership,
        project=project,
        status_labels=STATUS_LABELS,
        languages=LANGUAGES,
        columns=projects_service.cards_by_column(project),
        origin=match.project_origin(project),
        may_edit=access.can(current_user, "edit", partnership),
        watching=watching.is_watching(current_user, partnership, project=project),
    )


def _lead_city(partnership, form):
    return access.get_city_or_404(partnership, form.lead_city.data) if form.lead_city.data else None


@bp.route("/new", methods=["GET", "POST"])
def create(pid):
    partnership = access.get_partnership_or_404(pid, need="edit")
    form = ProjectForm()
    form.set_cities(partnership)
    if form.validate_on_submit():
        with rule_errors(form):
            project = projects_service.create_project(
                partnership,
                form.title.data,
                summary=form.summary.data or "",
                lead_city=_lead_city(partnership, form),
                status=form.status.data,
                language=form.language.data or None,
                actor=current_user,
            )
        if not form.errors:
            db.session.commit()
            flash(_("The project has been created."), "success")
            return htmx.redirect_to(url_for("projects.show", pid=pid, project_id=project.id))
    status = 422 if request.method == "POST" else 200
    return render_template("projects/new.html", partnership=partnership, form=form), status


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
def edit(pid, project_id):
    partnership = access.get_partnership_or_404(pid, need="edit")
    project = access.get_project_or_404(partnership, project_id)
    form = (
        ProjectForm(
            data={
                "title": project.title,
                "summary": project.summary,
                "lead_city": project.lead_city_id,
                "status": project.status,
                "language": project.language or "",
            }
        )
        if request.method == "GET"
        else ProjectForm()
    )
    form.set_cities(partnership)
    before = undo_service.project_snapshot(project)
    if form.validate_on_submit():
        changed = []
        with rule_errors(form):
            changed = projects_service.update_project(
                project,
                title=form.title.data,
                summary=form.summary.data or "",
                lead_city=_lead_city(partnership, form),
                status=form.status.data,
                language=form.language.data or None,
                actor=current_user,
            )
        if not form.errors:
            action = None
            if changed:
                action = undo_service.offer(partnership, "project.update", before, actor=current_user)
            db.session.commit()
            if action is not None:
                undo.offer(action)
            flash(_("Saved."), "success")
            return htmx.redirect_to(url_for("projects.show", pid=pid, project_id=project.id))
    status = 422 if request.method == "POST" else 200
    return render_template("projects/edit.html", partnership=partnership, project=project, form=form), status
