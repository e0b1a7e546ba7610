"""First steps of a new partnership: a checklist for its facilitators, computed from the data.

Each step ticks itself as the thing happens (people from every city, dated kick-offs, columns
changed or confirmed, a sprint started); the list is gone once every step is done, or once a
facilitator hides it. The only things stored are two Activity rows: "the columns fit us" and
"hide the checklist" — both are actions worth seeing in the partnership's history anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import Activity, Membership, Partnership, Sprint, Workshop
from .activity import describes, log

# Any of these in the log means the facilitators looked at the columns and made them theirs.
COLUMN_VERBS = ("column.added", "column.updated", "column.moved", "column.deleted", "columns.confirmed")
DISMISSED = "first_steps.dismissed"


@dataclass
class Step:
    key: str
    label: str
    done: bool
    endpoint: str  # where the step is done (takes `pid`)
    missing: list[str] = field(default_factory=list)  # what is still open, named


def _logged(partnership: Partnership, verbs) -> bool:
    return (
        db.session.scalar(
            select(Activity.id)
            .where(Activity.partnership_id == partnership.id, Activity.verb.in_(verbs))
            .limit(1)
        )
        is not None
    )


def cities_without_people(partnership: Partnership) -> list:
    present = set(
        db.session.scalars(
            select(Membership.city_id).where(Membership.partnership_id == partnership.id).distinct()
        )
    )
    return [city for city in partnership.cities if city.id not in present]


def kickoffs_without_date(partnership: Partnership) -> tuple[int, list[Workshop]]:
    kickoffs = list(
        db.session.scalars(
            select(Workshop)
            .where(Workshop.partnership_id == partnership.id, Workshop.kind == "kickoff")
            .order_by(Workshop.position, Workshop.id)
        )
    )
    return len(kickoffs), [w for w in kickoffs if w.start_date is None]


def columns_set_up(partnership: Partnership) -> bool:
    return _logged(partnership, COLUMN_VERBS)


def sprint_started(partnership: Partnership) -> bool:
    started = db.session.scalar(
        select(func.count(Sprint.id)).where(
            Sprint.partnership_id == partnership.id, Sprint.state.in_(("active", "closed"))
        )
    )
    return bool(started)


def is_dismissed(partnership: Partnership) -> bool:
    return _logged(partnership, (DISMISSED,))


def checklist(partnership: Partnership) -> list[Step]:
    """The four first steps, each with whether it is done and what is still missing."""
    from .workshops import workshop_title

    missing_cities = cities_without_people(partnership)
    kickoff_count, undated = kickoffs_without_date(partnership)
    return [
        Step(
            "people",
            _("Invite people from each city"),
            not missing_cities,
            "members.index",
            [city.name for city in missing_cities],
        ),
        Step(
            "kickoffs",
            _("Plan the kick-off workshops (give each a date)"),
            kickoff_count > 0 and not undated,
            "workshops.index",
            [workshop_title(w) for w in undated],
        ),
        Step(
            "columns",
            _("Set up the board's columns (change them or confirm the defaults)"),
            columns_set_up(partnership),
            "columns.settings",
        ),
        Step(
            "sprint",
            _("Start the first sprint"),
            sprint_started(partnership),
            "sprints.index",
        ),
    ]


def open_checklist(partnership: Partnership) -> list[Step] | None:
    """The checklist while something is left to do and nobody has hidden it; else None."""
    if is_dismissed(partnership):
        return None
    steps = checklist(partnership)
    return None if all(step.done for step in steps) else steps


def confirm_columns(partnership: Partnership, *, actor) -> None:
    """The default columns fit: the "set up the columns" step counts as done."""
    log(actor, "columns.confirmed", partnership, partnership=partnership)


def dismiss(partnership: Partnership, *, actor) -> None:
    """Hide the first-steps checklist for everyone in the partnership."""
    if not is_dismissed(partnership):
        log(actor, DISMISSED, partnership, partnership=partnership)


@describes("columns.confirmed")
def _columns_confirmed(d, who):
    return _("%(who)s confirmed the board's columns", who=who)


@describes(DISMISSED)
def _dismissed(d, who):
    return _("%(who)s hid the first-steps checklist", who=who)
