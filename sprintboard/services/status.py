"""The status of a partnership for city administrations, the admin overview, the public link.

Sprints, workshops and the workshop report live in other areas; the sections that need them
appear only when those modules are installed (see `_optional`).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections import defaultdict
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, case, distinct, func, select

from ..extensions import db
from ..models import (
    OPEN_FUNDING_STATUSES,
    Activity,
    Card,
    City,
    FundingIdea,
    Membership,
    Partnership,
    Project,
)
from ..models.base import utcnow
from . import funding
from .activity import describes, log
from .tokens import hash_token, new_token, same

ACTIVE_DAYS = 30


def _optional(name: str):
    """services.<name> if that area exists in this installation, else None."""
    module = f"sprintboard.services.{name}"
    return importlib.import_module(module) if importlib.util.find_spec(module) else None


# One partnership ---------------------------------------------------------------------------


def project_completion(partnership: Partnership) -> list[dict]:
    """Each project with its open (not archived) cards and points, total and done: one query."""
    done = Card.done_at.is_not(None)
    rows = db.session.execute(
        select(
            Project.id,
            Project.title,
            Project.status,
            func.count(Card.id),
            func.count(Card.done_at),
            func.coalesce(func.sum(Card.estimate), 0),
            func.coalesce(func.sum(case((done, Card.estimate), else_=0)), 0),
        )
        .select_from(Project)
        .outerjoin(Card, and_(Card.project_id == Project.id, Card.archived_at.is_(None)))
        .where(Project.partnership_id == partnership.id)
        .group_by(Project.id, Project.title, Project.status)
        .order_by(Project.title, Project.id)
    ).all()
    return [
        {
            "id": pid,
            "title": title,
            "status": status,
            "cards": cards,
            "cards_done": cards_done,
            "points": int(points),
            "points_done": int(points_done),
            "percent": round(100 * cards_done / cards) if cards else 0,
        }
        for pid, title, status, cards, cards_done, points, points_done in rows
    ]


def participation(partnership: Partnership, days: int = ACTIVE_DAYS) -> list[dict]:
    """Per city: members, and members who did anything in the last `days` days (Activity log)."""
    since = utcnow() - timedelta(days=days)
    members = dict(
        db.session.execute(
            select(Membership.city_id, func.count(Membership.id))
            .where(Membership.partnership_id == partnership.id)
            .group_by(Membership.city_id)
        ).all()
    )
    active = dict(
        db.session.execute(
            select(Membership.city_id, func.count(distinct(Activity.actor_id)))
            .join(
                Membership,
                and_(
                    Membership.user_id == Activity.actor_id,
                    Membership.partnership_id == Activity.partnership_id,
                ),
            )
            .where(Activity.partnership_id == partnership.id, Activity.created_at >= since)
            .group_by(Membership.city_id)
        ).all()
    )
    return [
        {
            "city": city.name,
            "country": city.country,
            "members": members.get(city.id, 0),
            "active": active.get(city.id, 0),
        }
        for city in partnership.cities
    ]


def status_of(partnership: Partnership) -> dict:
    """Everything the status page shows, without personal data (it is also the public page)."""
    sprints, charts = _optional("sprints"), _optional("charts")
    workshops, reports, match = _optional("workshops"), _optional("reports"), _optional("match")
    sprint = sprints.active_sprint(partnership) if sprints else None
    closed = sprints.closed_sprints(partnership, 6) if sprints else []
    # No sprint running (right after a close): the last closed sprint's burndown instead.
    shown = sprint or (closed[-1] if closed else None)  # (oldest first)
    burndown = velocity = None
    if shown is not None and charts is not None:
        data = charts.burndown(shown)
        burndown = {"data": data, "svg": charts.burndown_svg(data)}
    if closed and charts is not None:
        velocity = {
            "closed": closed,
            "svg": charts.velocity_svg(closed),
            "average": sprints.velocity(partnership),
        }
    return {
        "last_sprint": None if sprint is not None else shown,
        "velocity": velocity,
        "projects": project_completion(partnership),
        "sprints_available": sprints is not None,
        "sprint": sprint,
        "burndown": burndown,
        "workshops_available": workshops is not None,
        "next_workshop": workshops.next_planned(partnership) if workshops else None,
        "done_since": reports.summary(partnership) if reports else None,
        "funding": funding.totals_by_status(partnership),
        "participation": participation(partnership),
        "active_days": ACTIVE_DAYS,
        "match": match.summary(partnership) if match else None,
    }


# All partnerships (programme staff) --------------------------------------------------------


def overview() -> list[dict]:
    """One row per partnership, in a fixed number of queries whatever their number."""
    partnerships = list(db.session.scalars(select(Partnership).order_by(Partnership.name)))
    ids = [p.id for p in partnerships]
    cities = defaultdict(list)
    for pid, name in db.session.execute(
        select(City.partnership_id, City.name).order_by(City.partnership_id, City.position)
    ):
        cities[pid].append(name)
    members = dict(
        db.session.execute(
            select(Membership.partnership_id, func.count(Membership.id)).group_by(Membership.partnership_id)
        ).all()
    )
    projects = dict(
        db.session.execute(
            select(Project.partnership_id, func.count(Project.id)).group_by(Project.partnership_id)
        ).all()
    )
    cards = {
        pid: (total, done)
        for pid, total, done in db.session.execute(
            select(Card.partnership_id, func.count(Card.id), func.count(Card.done_at))
            .where(Card.archived_at.is_(None))
            .group_by(Card.partnership_id)
        )
    }
    since = utcnow() - timedelta(days=ACTIVE_DAYS)
    activity = {
        pid: (last, active)
        for pid, last, active in db.session.execute(
            select(
                Activity.partnership_id,
                func.max(Activity.created_at),
                func.count(distinct(case((Activity.created_at >= since, Activity.actor_id)))),
            )
            .where(Activity.partnership_id.is_not(None))
            .group_by(Activity.partnership_id)
        )
    }
    ideas = dict(
        db.session.execute(
            select(FundingIdea.partnership_id, func.count(FundingIdea.id)).group_by(
                FundingIdea.partnership_id
            )
        ).all()
    )
    money = funding.totals(ids)
    rows = []
    for p in partnerships:
        total, done = cards.get(p.id, (0, 0))
        last, active = activity.get(p.id, (None, 0))
        per_status = money.get(p.id, {})
        rows.append(
            {
                "partnership": p,
                "cities": cities[p.id],
                "members": members.get(p.id, 0),
                "projects": projects.get(p.id, 0),
                "cards": total,
                "cards_done": done,
                "percent": round(100 * done / total) if total else 0,
                "last_activity": last,
                "active": active,
                "funding_ideas": ideas.get(p.id, 0),
                "granted": sorted(per_status.get("granted", {}).items()),
                "open": _sum_currencies(per_status, OPEN_FUNDING_STATUSES),
            }
        )
    return rows


def _sum_currencies(per_status: dict, statuses) -> list:
    sums = defaultdict(lambda: 0)
    for status in statuses:
        for currency, amount in per_status.get(status, {}).items():
            sums[currency] += amount
    return sorted(sums.items())


# The public link ---------------------------------------------------------------------------


def create_public_link(partnership: Partnership, *, actor) -> str:
    """A new public token (replacing any earlier one); returned once, only its hash is kept."""
    token = new_token()
    replaced = partnership.status_token_hash is not None
    partnership.status_token_hash = hash_token(token)
    db.session.flush()
    log(actor, "status_link.created", partnership, partnership=partnership, replaced=replaced)
    return token


def revoke_public_link(partnership: Partnership, *, actor) -> None:
    if partnership.status_token_hash is None:
        return
    partnership.status_token_hash = None
    db.session.flush()
    log(actor, "status_link.revoked", partnership, partnership=partnership)


def partnership_for_token(token: str) -> Partnership | None:
    """The partnership whose public link this is, or None (unknown, revoked, malformed)."""
    if not token or len(token) > 128:
        return None
    digest = hash_token(token)
    partnership = db.session.scalar(select(Partnership).where(Partnership.status_token_hash == digest))
    if partnership is None or not same(partnership.status_token_hash, digest):
        return None
    return partnership


@describes("status_link.created")
def _link_created(d, who):
    return _("%(who)s created a public link to the status page", who=who)


@describes("status_link.revoked")
def _link_revoked(d, who):
    return _("%(who)s revoked the public link to the status page", who=who)
