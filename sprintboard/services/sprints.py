"""Sprints: plan from the backlog, start (one active per partnership), close with carry-over."""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import BoardColumn, Card, Partnership, Sprint
from ..models.base import utcnow
from . import Conflict, DomainError, alerts, original_language
from .activity import describes, log

VELOCITY_WINDOW = 3


def _clean(name: str, start: date | None, end: date | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("A sprint needs a name."))
    if start is None or end is None:
        raise DomainError(_("A sprint needs a start and an end date."))
    if end < start:
        raise DomainError(_("A sprint cannot end before it starts."))
    return name[:120]


def create_sprint(partnership: Partnership, name: str, goal: str, start: date, end: date, *, actor, **values):
    """A planned sprint (`values`: the goal's language, if given: else its author's)."""
    language = original_language(values)
    sprint = Sprint(
        partnership=partnership,
        name=_clean(name, start, end),
        goal=(goal or "").strip(),
        start_date=start,
        end_date=end,
        **language,
    )
    db.session.add(sprint)
    db.session.flush()
    log(actor, "sprint.created", sprint, partnership=partnership, name=sprint.name)
    return sprint


def update_sprint(sprint: Sprint, name: str, goal: str, start: date, end: date, *, actor, **values) -> None:
    if sprint.state == "closed":
        raise Conflict(_("This sprint is closed."))
    language = original_language(values)
    sprint.name = _clean(name, start, end)
    for field, value in language.items():
        setattr(sprint, field, value)
    sprint.goal = (goal or "").strip()
    sprint.start_date, sprint.end_date = start, end
    log(actor, "sprint.updated", sprint, partnership=sprint.partnership, name=sprint.name)


def sprints_of(partnership: Partnership) -> list[Sprint]:
    order = {"active": 0, "planned": 1, "closed": 2}
    rows = db.session.scalars(
        select(Sprint).where(Sprint.partnership_id == partnership.id).order_by(Sprint.start_date.desc())
    ).all()
    return sorted(rows, key=lambda s: order[s.state])


def active_sprint(partnership: Partnership) -> Sprint | None:
    """The running sprint of the partnership, if any (for the board's "active sprint" filter)."""
    return db.session.scalar(_active_statement(), {"pid": partnership.id})


class Running(NamedTuple):
    """What the board page shows of the running sprint (read with the page's other small reads)."""

    id: int
    name: str
    goal: str | None


def running_of() -> tuple:
    """The running sprint's id, name and goal, each a look-up of one value, as columns for a
    statement whose parameter "pid" is the partnership's id (at most one sprint is active:
    ux_sprints_one_active); `running` makes them a Running, or None."""
    fields = (Sprint.id, Sprint.name, Sprint.goal)
    return tuple(select(field).where(*_running()).scalar_subquery() for field in fields)


def running(values) -> Running | None:
    return Running(*values) if values[0] is not None else None


@functools.cache
def _active_statement():
    # (built once: every page asks; building and keying a statement costs more than the query)
    return select(Sprint).where(*_running())


def _running() -> tuple:
    """The running sprint of the partnership in the parameter "pid"."""
    return Sprint.partnership_id == bindparam("pid"), Sprint.state == "active"


def planned_sprints(partnership: Partnership, exclude: Sprint | None = None) -> list[Sprint]:
    query = select(Sprint).where(Sprint.partnership_id == partnership.id, Sprint.state == "planned")
    if exclude is not None:
        query = query.where(Sprint.id != exclude.id)
    return list(db.session.scalars(query.order_by(Sprint.start_date, Sprint.id)))


# Cards -------------------------------------------------------------------------------------


def backlog_cards(partnership: Partnership) -> list[Card]:
    """Cards in no sprint that are neither archived nor done."""
    return list(
        db.session.scalars(
            select(Card)
            .join(BoardColumn, Card.column_id == BoardColumn.id)
            .where(
                Card.partnership_id == partnership.id,
                Card.sprint_id.is_(None),
                Card.archived_at.is_(None),
                Card.done_at.is_(None),
                BoardColumn.is_done.is_(False),
            )
            .order_by(BoardColumn.position, Card.position)
        )
    )


def sprint_cards(sprint: Sprint) -> list[Card]:
    return list(
        db.session.scalars(
            select(Card)
            .join(BoardColumn, Card.column_id == BoardColumn.id)
            .where(Card.sprint_id == sprint.id, Card.archived_at.is_(None))
            .order_by(BoardColumn.position, Card.position)
        )
    )


def points(cards) -> int:
    return sum(c.estimate or 0 for c in cards)


def unfinished_cards(sprint: Sprint) -> list[Card]:
    return [c for c in sprint_cards(sprint) if c.done_at is None]


def add_cards(sprint: Sprint, cards: list[Card], *, actor) -> int:
    """Pull backlog cards into a planned or active sprint."""
    if sprint.state == "closed":
        raise Conflict(_("This sprint is closed."))
    for card in cards:
        if card.partnership_id != sprint.partnership_id:
            raise DomainError(_("That belongs to another partnership."))
        if card.sprint_id is not None or card.archived_at is not None or card.done_at is not None:
            raise Conflict(_("“%(title)s” is not in the backlog any more.", title=card.title))
    for card in cards:
        card.sprint_id = sprint.id
        log(
            actor,
            "card.planned",
            card,
            partnership=sprint.partnership,
            title=card.title,
            sprint=sprint.name,
            sprint_id=sprint.id,
        )
    db.session.flush()
    return len(cards)


def remove_card(sprint: Sprint, card: Card, *, actor) -> None:
    """Send a card of a planned or active sprint back to the backlog."""
    if sprint.state == "closed":
        raise Conflict(_("This sprint is closed."))
    if card.sprint_id is None:
        return  # already back (sent twice, or from a second tab): nothing to do
    if card.sprint_id != sprint.id:
        raise DomainError(_("That card is not in this sprint."))
    if card.done_at is not None:
        raise Conflict(_("A done card stays in its sprint: it counts towards the sprint's velocity."))
    card.sprint_id = None
    log(
        actor,
        "card.unplanned",
        card,
        partnership=sprint.partnership,
        title=card.title,
        sprint=sprint.name,
        sprint_id=sprint.id,
    )
    db.session.flush()


# State machine -----------------------------------------------------------------------------


def start_sprint(sprint: Sprint, *, actor) -> None:
    if sprint.state != "planned":
        raise Conflict(_("Only a planned sprint can be started."))
    running = active_sprint(sprint.partnership)
    if running is not None:
        raise Conflict(
            _("“%(name)s” is still running. Close it before starting another sprint.", name=running.name)
        )
    sprint.state = "active"
    sprint.started_at = utcnow()
    try:
        with db.session.begin_nested():  # the unique index guards against a concurrent start
            db.session.flush()
    except IntegrityError:
        sprint.state, sprint.started_at = "planned", None
        raise Conflict(_("Another sprint has just been started. Reload the page.")) from None
    log(actor, "sprint.started", sprint, partnership=sprint.partnership, name=sprint.name)
    alerts.sprint_changed(sprint, "sprint.started", actor=actor)


def next_sprint_defaults(sprint: Sprint) -> tuple[str, date, date]:
    """Name and dates for the sprint after `sprint`, in its cadence: it starts the day after
    and lasts as long; "Sprint 3" follows "Sprint 2"."""
    from datetime import timedelta

    match = re.search(r"(\d+)\s*$", sprint.name)
    if match:
        name = sprint.name[: match.start(1)] + str(int(match.group(1)) + 1)
    else:
        name = f"{sprint.name} 2"
    start = sprint.end_date + timedelta(days=1)
    return name[:120], start, start + (sprint.end_date - sprint.start_date)


def close_sprint(
    sprint: Sprint, *, carry_to: Sprint | None = None, carry: list[int] | None = None, actor
) -> list[Card]:
    """Close the active sprint; its unfinished cards go to `carry_to` (a planned sprint) or the
    backlog. With `carry` (card ids) only those go to `carry_to`, the others to the backlog."""
    if sprint.state == "closed":
        raise Conflict(_("This sprint is already closed."))
    if sprint.state != "active":
        raise Conflict(_("Only a running sprint can be closed."))
    if carry_to is not None and (
        carry_to.partnership_id != sprint.partnership_id or carry_to.state != "planned"
    ):
        raise DomainError(_("Unfinished cards can only go into a planned sprint."))
    cards = sprint_cards(sprint)
    unfinished = [c for c in cards if c.done_at is None]
    chosen = set(carry) if carry is not None else {c.id for c in unfinished}
    for card in unfinished:
        card.sprint_id = carry_to.id if carry_to is not None and card.id in chosen else None
    sprint.points_done = points(c for c in cards if c.done_at is not None)
    sprint.state = "closed"
    sprint.closed_at = utcnow()
    db.session.flush()
    log(
        actor,
        "sprint.closed",
        sprint,
        partnership=sprint.partnership,
        name=sprint.name,
        done=sprint.points_done,
        carried=len([c for c in unfinished if c.id in chosen]),
        carry_to=carry_to.name if carry_to is not None else None,
    )
    alerts.sprint_changed(sprint, "sprint.closed", actor=actor)
    return unfinished


# Velocity ----------------------------------------------------------------------------------


def closed_sprints(partnership: Partnership, limit: int | None = None) -> list[Sprint]:
    """Closed sprints, oldest first (the last `limit` of them)."""
    query = (
        select(Sprint)
        .where(Sprint.partnership_id == partnership.id, Sprint.state == "closed")
        .order_by(Sprint.closed_at.desc(), Sprint.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return list(reversed(db.session.scalars(query).all()))


def velocity(partnership: Partnership) -> float | None:
    """Average points done in the last three closed sprints (None before the first one)."""
    recent = closed_sprints(partnership, VELOCITY_WINDOW)
    if not recent:
        return None
    return sum(s.points_done or 0 for s in recent) / len(recent)


def card_count(sprint: Sprint) -> int:
    return db.session.scalar(
        select(func.count(Card.id)).where(Card.sprint_id == sprint.id, Card.archived_at.is_(None))
    )


@describes("sprint.created")
def _sprint_created(d, who):
    return _("%(who)s created the sprint %(name)s", who=who, name=d.get("name", ""))


@describes("sprint.updated")
def _sprint_updated(d, who):
    return _("%(who)s edited the sprint %(name)s", who=who, name=d.get("name", ""))


@describes("sprint.started")
def _sprint_started(d, who):
    return _("%(who)s started the sprint %(name)s", who=who, name=d.get("name", ""))


@describes("sprint.closed")
def _sprint_closed(d, who):
    return _("%(who)s closed the sprint %(name)s", who=who, name=d.get("name", ""))


@describes("card.planned")
def _card_planned(d, who):
    return _(
        "%(who)s put %(title)s into the sprint %(name)s",
        who=who,
        title=d.get("title", ""),
        name=d.get("sprint", ""),
    )


@describes("card.unplanned")
def _card_unplanned(d, who):
    return _(
        "%(who)s took %(title)s out of the sprint %(name)s",
        who=who,
        title=d.get("title", ""),
        name=d.get("sprint", ""),
    )
