"""The workshop series: planning, agenda, attendance, outcomes and what each workshop produced."""

from __future__ import annotations

from datetime import date

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import timezones
from ..extensions import db
from ..models import (
    WORKSHOP_KINDS,
    AgendaItem,
    Attendance,
    Card,
    City,
    Membership,
    Partnership,
    Project,
    User,
    Workshop,
)
from ..models.base import utcnow
from . import Conflict, DomainError, original_language
from .activity import describes, log


def plan_standard_series(partnership: Partnership, actor) -> list[Workshop]:
    """Kick-off in the first city, kick-off in the second, Match & Sprint, Sprint & Succeed."""
    cities = list(partnership.cities)
    series = [
        ("kickoff", cities[0]),
        ("kickoff", cities[1] if len(cities) > 1 else None),
        ("match_sprint", None),
        ("sprint_succeed", None),
    ]
    workshops = [
        Workshop(partnership=partnership, kind=kind, title="", host_city=city, position=i)
        for i, (kind, city) in enumerate(series)
    ]
    db.session.add_all(workshops)
    db.session.flush()
    log(actor, "workshop.series_planned", partnership, partnership=partnership)
    return workshops


def workshop_title(workshop: Workshop) -> str:
    """The title to show: the facilitator's own, or the name of the standard step."""
    if workshop.title:
        return workshop.title
    if workshop.kind == "kickoff":
        city = workshop.host_city.name if workshop.host_city else ""
        return _("Kick-off in %(city)s", city=city) if city else _("Kick-off")
    if workshop.kind == "match_sprint":
        return _("Match & Sprint")
    if workshop.kind == "sprint_succeed":
        return _("Sprint & Succeed")
    if workshop.kind == "online":
        return _("Online meeting")
    return _("Workshop")


def standard_titles(workshop: Workshop) -> list[str]:
    """The standard name in every language (what a search for it finds)."""
    from flask_babel import force_locale

    from ..i18n import LANGUAGES

    if workshop.title:
        return []
    names = []
    for lang in LANGUAGES:
        with force_locale(lang):
            names.append(workshop_title(workshop))
    return names


# The programme's joint workshops keep their own (English) names in every language, as the
# programme's calls do; a one-line description in the reader's language says what they are.
KIND_DESCRIPTIONS = {
    "match_sprint": _l(
        "joint workshop of both cities: match interests, needs and ideas, plan projects, first sprint"
    ),
    "sprint_succeed": _l(
        "joint workshop of both cities: review the sprints, plan the next steps and the funding"
    ),
}


def workshop_description(workshop: Workshop) -> str:
    """What a standard workshop is, in the reader's language ("" for the others)."""
    description = KIND_DESCRIPTIONS.get(workshop.kind)
    return str(description) if description and not workshop.title else ""


def _check(partnership, kind, title, host_city, start, end, start_time=None, end_time=None) -> str:
    if kind not in WORKSHOP_KINDS:
        raise DomainError(_("Unknown kind of workshop."))
    if host_city is not None and host_city.partnership_id != partnership.id:
        raise DomainError(_("That belongs to another partnership."))
    if start is not None and end is not None and end < start:
        raise DomainError(_("A workshop cannot end before it starts."))
    if (start_time or end_time) and start is None:
        raise DomainError(_("Set the workshop's date before its times."))
    if start_time and end_time and (end or start) == start and end_time <= start_time:
        raise DomainError(_("A workshop cannot end before it starts."))
    title = " ".join((title or "").split())[:200]
    if kind in ("custom", "online") and not title:
        raise DomainError(_("Give the workshop a title."))
    return title


def create_workshop(
    partnership,
    kind,
    title,
    *,
    host_city=None,
    start=None,
    end=None,
    start_time=None,
    end_time=None,
    venue="",
    actor,
) -> Workshop:
    """A workshop; its times are wall-clock times in the partnership's zone."""
    title = _check(partnership, kind, title, host_city, start, end, start_time, end_time)
    top = db.session.scalar(
        select(func.max(Workshop.position)).where(Workshop.partnership_id == partnership.id)
    )
    workshop = Workshop(
        partnership=partnership,
        kind=kind,
        title=title,
        host_city=host_city,
        start_date=start,
        end_date=end or start,
        start_time=start_time,
        end_time=end_time,
        venue=(venue or "").strip()[:300],
        position=(top or 0) + 1,
    )
    db.session.add(workshop)
    db.session.flush()
    log(actor, "workshop.created", workshop, partnership=partnership, title=workshop_title(workshop))
    return workshop


def _standard_kickoff_titles(city) -> set[str]:
    """ "Kick-off in <city>" in every language (a title someone saved as typed or copied)."""
    from flask_babel import force_locale

    from ..i18n import LANGUAGES

    names = set()
    for lang in LANGUAGES:
        with force_locale(lang):
            names.add(_("Kick-off in %(city)s", city=city.name) if city else _("Kick-off"))
    return {n.casefold() for n in names}


def update_workshop(
    workshop: Workshop, *, title, host_city, start, end, venue, start_time=None, end_time=None, actor
) -> None:
    title = _check(workshop.partnership, workshop.kind, title, host_city, start, end, start_time, end_time)
    moved = (host_city.id if host_city else None) != workshop.host_city_id
    standard = workshop.kind == "kickoff" and title.casefold() in _standard_kickoff_titles(workshop.host_city)
    if moved and standard:
        title = ""  # the standard name follows the new host city
    workshop.title = title
    workshop.host_city = host_city
    workshop.start_date, workshop.end_date = start, end or start
    workshop.start_time, workshop.end_time = start_time, end_time
    workshop.venue = (venue or "").strip()[:300]
    log(actor, "workshop.updated", workshop, partnership=workshop.partnership, title=workshop_title(workshop))


def mark_held(workshop: Workshop, *, actor) -> None:
    if workshop.is_held:
        raise Conflict(_("This workshop is already marked as held."))
    if workshop.start_date is None:
        raise DomainError(_("Set the workshop's date before marking it as held."))
    if workshop.start_date > timezones.partnership_today(workshop.partnership):
        raise DomainError(_("A workshop in the future cannot be marked as held."))
    workshop.status = "held"
    workshop.held_at = utcnow()
    log(actor, "workshop.held", workshop, partnership=workshop.partnership, title=workshop_title(workshop))


def mark_planned(workshop: Workshop, *, actor) -> None:
    if not workshop.is_held:
        raise Conflict(_("This workshop is still planned."))
    workshop.status = "planned"
    workshop.held_at = None
    log(
        actor, "workshop.reopened", workshop, partnership=workshop.partnership, title=workshop_title(workshop)
    )


def set_outcomes(workshop: Workshop, text: str, *, actor, **values) -> None:
    """`values`: the outcomes' language, if given (else, when first written, their author's)."""
    language = original_language(values)
    workshop.outcomes = (text or "").strip()
    for field, value in language.items():
        setattr(workshop, field, value)
    log(
        actor, "workshop.outcomes", workshop, partnership=workshop.partnership, title=workshop_title(workshop)
    )


def set_attendance(workshop: Workshop, counts: dict[City, int], *, actor) -> None:
    existing = {a.city_id: a for a in workshop.attendance}
    for city, count in counts.items():
        if city.partnership_id != workshop.partnership_id:
            raise DomainError(_("That belongs to another partnership."))
        if count is None or count < 0 or count > 10000:
            raise DomainError(_("Attendance is a number from 0 to 10,000."))
    for city, count in counts.items():
        if city.id in existing:
            existing[city.id].count = count
        else:
            workshop.attendance.append(Attendance(city_id=city.id, count=count))
    db.session.flush()


def attendance_of(workshop: Workshop) -> list[tuple[City, int]]:
    counts = {a.city_id: a.count for a in workshop.attendance}
    return [(city, counts.get(city.id, 0)) for city in workshop.partnership.cities]


# Agenda ----------------------------------------------------------------------------------------


def _agenda_values(workshop, title, duration, responsible, notes):
    title = " ".join((title or "").split())[:200]
    if not title:
        raise DomainError(_("An agenda item needs a title."))
    if duration is not None and not 0 < duration <= 24 * 60:
        raise DomainError(_("A duration is from 1 to 1,440 minutes."))
    if responsible is not None and not db.session.scalar(
        select(Membership.id).filter_by(user_id=responsible.id, partnership_id=workshop.partnership_id)
    ):
        raise DomainError(_("The responsible person must be a member of the partnership."))
    return title, (notes or "").strip()


def add_agenda_item(
    workshop, title, *, duration=None, responsible: User | None = None, notes="", method=None, actor, **values
) -> AgendaItem:
    """An item at the end of the agenda. Picked from the toolbox, it takes the method's title
    (in the current language) and duration unless others are given."""
    if method is not None:
        if not (title or "").strip():
            text = method.text(str(get_locale()))
            title = text.title if text else ""
        if duration is None:
            duration = method.duration_minutes
    language = original_language(values)
    title, notes = _agenda_values(workshop, title, duration, responsible, notes)
    item = AgendaItem(
        **language,
        title=title,
        duration=duration,
        responsible=responsible,
        notes=notes,
        method=method,
        position=(max((i.position for i in workshop.agenda), default=0) + 1),
    )
    workshop.agenda.append(item)
    db.session.flush()
    return item


def update_agenda_item(
    item: AgendaItem, title, *, duration=None, responsible=None, notes="", method=None, actor, **values
) -> None:
    language = original_language(values)
    item.title, item.notes = _agenda_values(item.workshop, title, duration, responsible, notes)
    for field, value in language.items():
        setattr(item, field, value)
    item.duration = duration
    item.responsible = responsible
    item.method = method


def move_agenda_item(item: AgendaItem, direction: str, *, actor) -> None:
    """Swap the item with its neighbour above ("up") or below ("down")."""
    items = list(item.workshop.agenda)
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position
    db.session.flush()
    db.session.refresh(item.workshop, ["agenda"])


def delete_agenda_item(item: AgendaItem, *, actor) -> None:
    workshop = item.workshop
    workshop.agenda.remove(item)
    db.session.flush()


def agenda_minutes(workshop: Workshop) -> int:
    return sum(i.duration or 0 for i in workshop.agenda)


# Links to cards and projects ------------------------------------------------------------------


def link(workshop: Workshop, *, card: Card | None = None, project: Project | None = None, actor):
    for thing in (card, project):
        if thing is not None and thing.partnership_id != workshop.partnership_id:
            raise DomainError(_("That belongs to another partnership."))
    for thing in (card, project):
        if thing is not None:
            thing.workshop_id = workshop.id
    db.session.flush()


def unlink(workshop: Workshop, *, card: Card | None = None, project: Project | None = None, actor):
    for thing in (card, project):
        if thing is not None and thing.workshop_id == workshop.id:
            thing.workshop_id = None
    db.session.flush()


def linked(workshop: Workshop) -> tuple[list[Card], list[Project]]:
    cards = db.session.scalars(select(Card).where(Card.workshop_id == workshop.id).order_by(Card.id))
    projects = db.session.scalars(
        select(Project).where(Project.workshop_id == workshop.id).order_by(Project.title)
    )
    return list(cards), list(projects)


# The timeline ----------------------------------------------------------------------------------


def _sort_key(workshop: Workshop):
    return (workshop.start_date or date.max, workshop.position, workshop.id)


def timeline(partnership: Partnership) -> list[Workshop]:
    rows = db.session.scalars(select(Workshop).where(Workshop.partnership_id == partnership.id))
    return sorted(rows, key=_sort_key)


def running_today(partnerships: list[Partnership]) -> list[Workshop]:
    """The workshops of these partnerships that run today (on each partnership's calendar)."""
    found = []
    for partnership in partnerships:
        today = timezones.partnership_today(partnership)
        found += [
            w
            for w in timeline(partnership)
            if w.start_date is not None and w.start_date <= today <= w.last_day
        ]
    return found


def last_held(partnership: Partnership) -> Workshop | None:
    held = [w for w in timeline(partnership) if w.is_held and w.last_day is not None]
    return max(held, key=lambda w: (w.last_day, w.id), default=None)


def next_planned(partnership: Partnership) -> Workshop | None:
    return next((w for w in timeline(partnership) if not w.is_held), None)


@describes("workshop.series_planned")
def _series_planned(d, who):
    return _("%(who)s planned the standard workshop series", who=who)


@describes("workshop.created")
def _workshop_created(d, who):
    return _("%(who)s added the workshop %(title)s", who=who, title=d.get("title", ""))


@describes("workshop.updated")
def _workshop_updated(d, who):
    return _("%(who)s edited the workshop %(title)s", who=who, title=d.get("title", ""))


@describes("workshop.held")
def _workshop_held(d, who):
    return _("%(who)s marked the workshop %(title)s as held", who=who, title=d.get("title", ""))


@describes("workshop.reopened")
def _workshop_reopened(d, who):
    return _("%(who)s marked the workshop %(title)s as planned again", who=who, title=d.get("title", ""))


@describes("workshop.outcomes")
def _workshop_outcomes(d, who):
    return _("%(who)s recorded the outcomes of %(title)s", who=who, title=d.get("title", ""))
