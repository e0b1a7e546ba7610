"""CSV rows of the cards, the iCalendar feed and its secret per-person links."""

from __future__ import annotations

import importlib.util
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select

from .. import timezones
from ..extensions import db
from ..models import BoardColumn, CalendarFeed, Card, FundingIdea, Partnership, User
from ..models.base import utcnow
from . import translations
from .tokens import hash_token, new_token, same


def card_rows(partnership: Partnership) -> tuple[list[str], list[list]]:
    """(header, rows) of every card that is not archived, in board order."""
    header = [
        _("Title"),
        _("Project"),
        _("Column"),
        _("Estimate"),
        _("Due date"),
        _("Assignees"),
        _("Labels"),
        _("Checklist"),
        _("Comments"),
        _("Created"),
        _("Done"),
        _("Description"),
    ]
    cards = (
        db.session.scalars(
            select(Card)
            .where(Card.partnership_id == partnership.id, Card.archived_at.is_(None))
            .join(Card.column)
            .options(
                db.contains_eager(Card.column),
                db.joinedload(Card.project),
                db.selectinload(Card.assignees),
                db.selectinload(Card.labels),
            )
            .order_by(BoardColumn.position, Card.position, Card.id)
        )
        .unique()
        .all()
    )
    rows = [
        [
            c.title,
            c.project.title if c.project else "",
            c.column.name,
            "" if c.estimate is None else c.estimate,
            c.due_date.isoformat() if c.due_date else "",
            ", ".join(u.name for u in c.assignees),
            ", ".join(label.name for label in c.labels),
            f"{c.checklist_done}/{c.checklist_total}" if c.checklist_total else "",
            c.comment_count,
            c.created_at.date().isoformat(),
            c.done_at.date().isoformat() if c.done_at else "",
            c.body,
        ]
        for c in cards
    ]
    # The title and description in each language, as far as they are translated.
    extra, by_card = translations.language_columns(
        "card", cards, {"title": _("Title"), "body": _("Description")}
    )
    return header + extra, [row + by_card[c.id] for row, c in zip(rows, cards, strict=True)]


# Calendar links ----------------------------------------------------------------------------


def feed_of(user: User, partnership: Partnership) -> CalendarFeed | None:
    return db.session.scalar(
        select(CalendarFeed).where(
            CalendarFeed.user_id == user.id, CalendarFeed.partnership_id == partnership.id
        )
    )


def create_feed(user: User, partnership: Partnership) -> str:
    """A new secret calendar link for `user` (replacing theirs); only the hash is kept."""
    token = new_token()
    feed = feed_of(user, partnership)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, partnership_id=partnership.id)
        db.session.add(feed)
    feed.token_hash = hash_token(token)
    feed.created_at = utcnow()
    db.session.flush()
    return token


def revoke_feed(user: User, partnership: Partnership) -> bool:
    feed = feed_of(user, partnership)
    if feed is None:
        return False
    db.session.delete(feed)
    db.session.flush()
    return True


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed of this token if it is valid and its owner still belongs to the partnership."""
    from .. import access

    if not token or len(token) > 128:
        return None
    digest = hash_token(token)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == digest))
    if feed is None or not same(feed.token_hash, digest):
        return None
    if access.role_in(feed.user, feed.partnership) is None:
        return None
    return feed


# The iCalendar document ----------------------------------------------------------------------


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _event(
    uid: str, summary: str, start: date, end: date | None = None, description: str = "", location: str = ""
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime.now().astimezone())
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", (end or start) + timedelta(days=1))  # all-day: DTEND is exclusive
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    return event


def _timed_event(uid: str, summary: str, start: datetime, end: datetime | None, location: str = "") -> Event:
    """An event at a wall-clock time of the partnership's zone: DTSTART;TZID=… (RFC 5545 3.3.5,
    form 3), so 10:00 stays 10:00 local across a daylight saving change; VTIMEZONE added below."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime.now().astimezone())
    event.add("summary", summary)
    event.add("dtstart", start)
    if end is not None:
        event.add("dtend", end)
    if location:
        event.add("location", location)
    return event


def calendar(partnership: Partnership, host: str = "sprintboard") -> bytes:
    """Workshops, sprint ends (where those areas exist) and funding deadlines: all-day events, or
    for workshops with times, events in the partnership's zone with its VTIMEZONE."""
    cal = Calendar()
    cal.add("prodid", "-//Sprintboard//Partnership calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", partnership.name)
    cal.add("x-wr-timezone", timezones.partnership_zone(partnership).key)
    ideas = db.session.scalars(
        select(FundingIdea)
        .where(FundingIdea.partnership_id == partnership.id, FundingIdea.deadline.is_not(None))
        .order_by(FundingIdea.deadline)
    )
    for idea in ideas:
        summary = _("Funding deadline: %(title)s", title=idea.title)
        about = " · ".join(x for x in (idea.funder, idea.programme, idea.url) if x)
        cal.add_component(_event(f"funding-{idea.id}@{host}", summary, idea.deadline, description=about))
    if _has("sprintboard.services.workshops"):
        from ..models.workshop import Workshop  # only where the workshops area is installed
        from .workshop_times import span
        from .workshops import workshop_title

        for w in db.session.scalars(
            select(Workshop).where(
                Workshop.partnership_id == partnership.id, Workshop.start_date.is_not(None)
            )
        ):
            location = " · ".join(x for x in (w.host_city.name if w.host_city else "", w.venue) if x)
            uid, times = f"workshop-{w.id}@{host}", span(w)
            if times is not None:
                cal.add_component(_timed_event(uid, workshop_title(w), *times, location=location))
            else:
                cal.add_component(_event(uid, workshop_title(w), w.start_date, w.end_date, location=location))
    if _has("sprintboard.models.sprint"):
        from ..models.sprint import Sprint  # only where the sprints area is installed

        for s in db.session.scalars(select(Sprint).where(Sprint.partnership_id == partnership.id)):
            cal.add_component(
                _event(
                    f"sprint-end-{s.id}@{host}",
                    _("End of %(sprint)s", sprint=s.name),
                    s.end_date,
                    description=s.goal or "",
                )
            )
    cal.add_missing_timezones()  # a VTIMEZONE for each TZID used (RFC 5545 3.6.5)
    return cal.to_ical()
