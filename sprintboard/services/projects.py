"""Projects of a partnership: the shared undertakings whose cards live on the board."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import PROJECT_STATUSES, BoardColumn, Card, City, Partnership, Project
from . import DomainError
from .activity import describes, log

TITLE_MAX = 200
SUMMARY_MAX = 5000


def _clean(title: str, summary: str, status: str, lead_city: City | None, partnership) -> tuple:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("A project needs a title."))
    if len(title) > TITLE_MAX:
        raise DomainError(_("A title can have at most %(n)d characters.", n=TITLE_MAX))
    summary = (summary or "").strip()
    if len(summary) > SUMMARY_MAX:
        raise DomainError(_("A summary can have at most %(n)d characters.", n=SUMMARY_MAX))
    if status not in PROJECT_STATUSES:
        raise DomainError(_("Unknown project status."))
    if lead_city is not None and lead_city.partnership_id != partnership.id:
        raise DomainError(_("That belongs to another partnership."))
    return title, summary


def create_project(
    partnership: Partnership,
    title: str,
    *,
    actor,
    summary: str = "",
    lead_city: City | None = None,
    status: str = "active",
    language: str | None = None,
) -> Project:
    title, summary = _clean(title, summary, status, lead_city, partnership)
    project = Project(
        partnership=partnership,
        title=title,
        summary=summary,
        lead_city=lead_city,
        status=status,
        language=language or None,
        created_by_id=actor.id if actor is not None else None,
    )
    db.session.add(project)
    db.session.flush()
    log(actor, "project.created", project, partnership=partnership, title=project.title)
    return project


def update_project(
    project: Project,
    *,
    title: str,
    summary: str,
    lead_city: City | None,
    status: str,
    language: str | None,
    actor,
) -> list[str]:
    """Change the project; returns the names of the fields that changed."""
    partnership = project.partnership
    title, summary = _clean(title, summary, status, lead_city, partnership)
    new = {
        "title": title,
        "summary": summary,
        "lead_city_id": lead_city.id if lead_city else None,
        "status": status,
        "language": language or None,
    }
    changed = [name for name, value in new.items() if getattr(project, name) != value]
    if not changed:
        return []
    old_title = project.title
    for name in changed:
        setattr(project, name, new[name])
    db.session.flush()
    log(
        actor,
        "project.updated",
        project,
        partnership=partnership,
        title=project.title,
        old_title=old_title,
        fields=changed,
    )
    return changed


def projects_of(partnership: Partnership) -> list[Project]:
    return list(
        db.session.scalars(
            select(Project).where(Project.partnership_id == partnership.id).order_by(Project.title)
        )
    )


def project_choices(partnership: Partnership, *, without_workshop: bool = False) -> list[tuple[int, str]]:
    """(id, title) of the partnership's projects for a select list."""
    query = select(Project.id, Project.title).where(Project.partnership_id == partnership.id)
    if without_workshop:
        query = query.where(Project.workshop_id.is_(None))
    return [tuple(row) for row in db.session.execute(query.order_by(Project.title, Project.id))]


def card_counts(partnership: Partnership) -> dict[int, tuple[int, int]]:
    """project id -> (done cards, all cards), archived cards left out; one grouped query."""
    rows = db.session.execute(
        select(Card.project_id, func.count(Card.done_at), func.count(Card.id))
        .where(
            Card.partnership_id == partnership.id,
            Card.project_id.is_not(None),
            Card.archived_at.is_(None),
        )
        .group_by(Card.project_id)
    )
    return {project_id: (done, total) for project_id, done, total in rows}


def cards_by_column(project: Project) -> list[tuple[BoardColumn, list[Card]]]:
    """The project's open cards grouped by board column, in board order (each column named as
    the reader reads it, `shown_name`, see board.columns_of)."""
    from .board import columns_of

    columns = columns_of(project.partnership)
    cards = db.session.scalars(
        select(Card)
        .where(Card.project_id == project.id, Card.archived_at.is_(None))
        .order_by(Card.position, Card.id)
    ).all()
    by_column: dict[int, list[Card]] = {c.id: [] for c in columns}
    for card in cards:
        by_column.setdefault(card.column_id, []).append(card)
    return [(column, by_column[column.id]) for column in columns]


@describes("project.created")
def _project_created(d, who):
    return _("%(who)s created the project “%(title)s”", who=who, title=d.get("title", ""))


@describes("project.updated")
def _project_updated(d, who):
    return _("%(who)s edited the project “%(title)s”", who=who, title=d.get("title", ""))
