"""Reminders: a workshop in 7 days and tomorrow, a funding deadline in 14 and 3 days, a card due
tomorrow. "Tomorrow" is the reader's: each person is reminded on the right day in their time
zone, once their digest hour has come (the worker looks every 15 minutes). A workshop with a
time falls on the day its start is on the reader's clock (10:00 in Berlin is still the evening
before in Los Angeles), and its reminder carries that moment. Each reminder's key holds the date
it is about, so it fires once, and again only if the date moves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from .. import timezones
from ..extensions import db
from ..links import path_for
from ..models import Card, FundingIdea, Membership, User, Workshop, card_assignees
from ..models.base import utcnow
from ..models.funding import OPEN_FUNDING_STATUSES
from . import notifications, workshop_times

WORKSHOP_DAYS = (7, 1)
FUNDING_DAYS = (14, 3)
DUE_DAYS = (1,)


def _ready(user: User, now: datetime):
    """The user's local date if their hour has come today, else None."""
    local = timezones.user_now(user, now)
    return local.date() if local.hour >= user.digest_hour else None


def _remind(user, kind, key, days, target, *, partnership, path, data, card=None) -> int:
    return len(
        notifications.notify(
            [user],
            kind,
            f"{key}:{target.isoformat()}:{days}",
            actor=None,
            partnership=partnership,
            path=path,
            data={**data, "days": days, "date": target.isoformat()},
            card=card,
        )
    )


def create_due(now: datetime | None = None) -> int:
    """Write the reminders that are due now; returns how many were written (flushes)."""
    now = now or utcnow()
    today = now.date()
    window = (today - timedelta(days=1), today + timedelta(days=max(FUNDING_DAYS) + 1))
    made = 0
    workshops = db.session.scalars(
        select(Workshop).where(Workshop.status == "planned", Workshop.start_date.between(*window))
    ).all()
    for workshop in workshops:
        people = db.session.scalars(
            select(User).join(Membership).where(Membership.partnership_id == workshop.partnership_id)
        ).all()
        times = workshop_times.span(workshop)
        moment = times[0].astimezone(UTC) if times else None
        data = {"title": workshop.title}
        if moment is not None:
            data["start"] = moment.replace(tzinfo=None).isoformat(timespec="minutes")  # naive UTC
        for user in people:
            local = _ready(user, now)
            day = moment.astimezone(timezones.zone_of(user, workshop.partnership)).date() if moment else None
            target = day or workshop.start_date
            days = (target - local).days if local else None
            if days in WORKSHOP_DAYS:
                made += _remind(
                    user,
                    "workshop",
                    f"workshop{workshop.id}",
                    days,
                    target,
                    partnership=workshop.partnership,
                    path=path_for("workshops.show", pid=workshop.partnership_id, wid=workshop.id),
                    data=data,
                )
    ideas = db.session.scalars(
        select(FundingIdea).where(
            FundingIdea.status.in_(OPEN_FUNDING_STATUSES), FundingIdea.deadline.between(*window)
        )
    ).all()
    for idea in ideas:
        people = [idea.owner] if idea.owner is not None else _facilitators(idea.partnership_id)
        for user in people:
            local = _ready(user, now)
            days = (idea.deadline - local).days if local else None
            if days in FUNDING_DAYS:
                made += _remind(
                    user,
                    "funding",
                    f"funding{idea.id}",
                    days,
                    idea.deadline,
                    partnership=idea.partnership,
                    path=path_for("funding.show", pid=idea.partnership_id, fid=idea.id),
                    data={"title": idea.title},
                )
    rows = db.session.execute(
        select(Card, User)
        .join(card_assignees, card_assignees.c.card_id == Card.id)
        .join(User, User.id == card_assignees.c.user_id)
        .where(Card.due_date.between(*window), Card.done_at.is_(None), Card.archived_at.is_(None))
    ).all()
    for card, user in rows:
        local = _ready(user, now)
        days = (card.due_date - local).days if local else None
        if days in DUE_DAYS:
            made += _remind(
                user,
                "due",
                f"due{card.id}",
                days,
                card.due_date,
                partnership=card.partnership,
                path=path_for("cards.show", pid=card.partnership_id, card_id=card.id),
                data={"title": card.title},
                card=card,
            )
    return made


def _facilitators(partnership_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership)
            .where(Membership.partnership_id == partnership_id, Membership.role == "facilitator")
        )
    )
