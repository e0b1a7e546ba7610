"""“Done since the last workshop”: what was completed after the previous held workshop."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from ..models import Card, Membership, Partnership
from .charts import day_end
from .workshops import last_held


def since_boundary(partnership: Partnership) -> tuple[object, datetime | None]:
    """The last held workshop and the moment after its last day (None: since the beginning)."""
    workshop = last_held(partnership)
    if workshop is None:
        return None, None
    return workshop, day_end(workshop.last_day)


def _done_since(partnership: Partnership, boundary: datetime | None):
    query = select(Card).where(
        Card.partnership_id == partnership.id, Card.done_at.is_not(None), Card.archived_at.is_(None)
    )
    return query.where(Card.done_at >= boundary) if boundary is not None else query


def summary(partnership: Partnership, latest: int = 5) -> dict:
    """For the home page: how many cards and points since the last workshop, and the latest few."""
    workshop, boundary = since_boundary(partnership)
    done = _done_since(partnership, boundary).subquery()
    count, points = db.session.execute(
        select(func.count(done.c.id), func.coalesce(func.sum(done.c.estimate), 0))
    ).one()
    cards = db.session.scalars(
        _done_since(partnership, boundary).order_by(Card.done_at.desc(), Card.id.desc()).limit(latest)
    ).all()
    return {"workshop": workshop, "count": count, "points": points, "latest": cards}


def done_since_last_workshop(partnership: Partnership) -> dict:
    """Cards done at or after the end of the last held workshop's last day, not archived,
    grouped per project and per city (the card author's home city)."""
    workshop, boundary = since_boundary(partnership)
    cards = list(db.session.scalars(_done_since(partnership, boundary).order_by(Card.done_at, Card.id)))
    home = dict(
        db.session.execute(
            select(Membership.user_id, Membership.city_id).where(Membership.partnership_id == partnership.id)
        ).all()
    )
    cities = {c.id: c for c in partnership.cities}
    by_project: OrderedDict = OrderedDict()
    by_city: OrderedDict = OrderedDict((c, []) for c in partnership.cities)
    unknown_city = []
    for card in sorted(cards, key=lambda c: (c.project.title if c.project else "\uffff", c.done_at)):
        by_project.setdefault(card.project, []).append(card)
    for card in cards:
        city = cities.get(home.get(card.author_id))
        (by_city[city] if city is not None else unknown_city).append(card)
    return {
        "workshop": workshop,
        "boundary": boundary,
        "cards": cards,
        "points": sum(c.estimate or 0 for c in cards),
        "by_project": list(by_project.items()),
        "by_city": list(by_city.items()) + ([(None, unknown_city)] if unknown_city else []),
    }
