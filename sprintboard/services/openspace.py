"""Open-space events (BarCamps): the event and its public links.

Rooms and time slots are in openspace_venue.py, sessions, dots and notes in openspace_sessions.py,
the grid in openspace_grid.py, the people in openspace_people.py, the report and exports in
openspace_report.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..extensions import db
from ..live import openspace as live
from ..models import (
    Membership,
    OpenSpace,
    Partnership,
    SpaceParticipant,
    User,
    Workshop,
)
from . import DomainError
from .activity import describes, log

TIMEZONES = (
    "Europe/Berlin",
    "Europe/Minsk",
    "Europe/Kyiv",
    "Europe/Moscow",
    "Europe/Warsaw",
    "Europe/Vilnius",
    "Europe/Riga",
    "UTC",
)
DOTS_MAX = 20


def _clean(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


# Events ---------------------------------------------------------------------------------------


def create_event(title: str, *, partnership: Partnership | None = None, actor, **values) -> OpenSpace:
    """A new event of `partnership`, or a stand-alone one (its creator facilitates it)."""
    event = OpenSpace(
        partnership=partnership,
        link_salt=secrets.token_hex(8),
        feed_salt=secrets.token_hex(8),
        created_by_id=getattr(actor, "id", None),
    )
    _apply(event, title=title, **values)
    db.session.add(event)
    db.session.flush()
    if partnership is None and actor is not None:
        db.session.add(SpaceParticipant(event=event, user_id=actor.id, name=actor.name, role="facilitator"))
        db.session.flush()
    log(actor, "openspace.created", event, partnership=partnership, title=event.title)
    return event


def update_event(event: OpenSpace, *, actor, **values) -> None:
    _apply(event, **values)
    db.session.flush()
    log(actor, "openspace.updated", event, partnership=event.partnership, title=event.title)
    live.changed(event, "openspace.updated")


_FIELDS = (
    "title",
    "description",
    "venue",
    "timezone",
    "dots_per_person",
    "votes_visible",
    "registration_open",
    "capacity",
    "workshop",
)


def _apply(event: OpenSpace, **values) -> None:
    unknown = set(values) - set(_FIELDS)
    assert not unknown, unknown
    if "title" in values:
        title = _clean(values["title"], 200)
        if not title:
            raise DomainError(_("Give the event a title."))
        event.title = title
    if "description" in values:
        event.description = (values["description"] or "").strip()[:5000]
    if "venue" in values:
        event.venue = _clean(values["venue"], 300)
    if "timezone" in values:
        event.timezone = _timezone(values["timezone"])
    if "dots_per_person" in values:
        dots = values["dots_per_person"] or 0
        if not 1 <= dots <= DOTS_MAX:
            raise DomainError(_("Each person can have from 1 to %(n)d dots.", n=DOTS_MAX))
        event.dots_per_person = dots
    for flag in ("votes_visible", "registration_open"):
        if flag in values:
            setattr(event, flag, bool(values[flag]))
    if "capacity" in values:
        capacity = values["capacity"]
        if capacity is not None and capacity < 1:
            raise DomainError(_("The capacity is at least 1 (or leave it empty for no limit)."))
        event.capacity = capacity
    if "workshop" in values:
        workshop = values["workshop"]
        if workshop is not None and workshop.partnership_id != event.partnership_id:
            raise DomainError(_("That belongs to another partnership."))
        event.workshop = workshop


def _timezone(name: str | None) -> str:
    try:
        ZoneInfo(name or "")
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(_("Unknown time zone.")) from None
    return name


def delete_event(event: OpenSpace, *, actor) -> None:
    log(actor, "openspace.deleted", event, partnership=event.partnership, title=event.title)
    live.changed(event, "openspace.deleted")
    db.session.delete(event)
    db.session.flush()


def events_of(partnership: Partnership) -> list[OpenSpace]:
    return list(
        db.session.scalars(
            select(OpenSpace).where(OpenSpace.partnership_id == partnership.id).order_by(OpenSpace.id.desc())
        )
    )


def events_of_workshop(workshop: Workshop) -> list[OpenSpace]:
    return list(
        db.session.scalars(
            select(OpenSpace).where(OpenSpace.workshop_id == workshop.id).order_by(OpenSpace.id)
        )
    )


def events_for(user: User) -> list[OpenSpace]:
    """The events a user may open: all for admins; else those of their partnerships and those they
    take part in."""
    query = select(OpenSpace).order_by(OpenSpace.id.desc())
    if not user.is_admin:
        mine = select(Membership.partnership_id).where(Membership.user_id == user.id)
        joined = select(SpaceParticipant.event_id).where(SpaceParticipant.user_id == user.id)
        query = query.where(or_(OpenSpace.partnership_id.in_(mine), OpenSpace.id.in_(joined)))
    return list(db.session.scalars(query))


# Public links: signed with a salt of the event, so a new salt revokes them -------------------------


def _sign(event: OpenSpace, purpose: str, salt: str) -> str:
    key = (
        current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else current_app.secret_key
    )
    digest = hmac.new(key, f"openspace-{purpose}:{event.id}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def registration_token(event: OpenSpace) -> str:
    return _sign(event, "join", event.link_salt)


def feed_token(event: OpenSpace) -> str:
    return _sign(event, "feed", event.feed_salt)


def token_matches(expected: str, token: str | None) -> bool:
    return bool(token) and len(token) < 100 and hmac.compare_digest(expected.encode(), token.encode())


def renew_registration_link(event: OpenSpace, *, actor) -> None:
    """A new registration link: the old one stops working (people registered stay)."""
    event.link_salt = secrets.token_hex(8)
    db.session.flush()
    log(actor, "openspace.link_renewed", event, partnership=event.partnership)


def renew_feed_link(event: OpenSpace, *, actor) -> None:
    event.feed_salt = secrets.token_hex(8)
    db.session.flush()
    log(actor, "openspace.feed_renewed", event, partnership=event.partnership)


@describes("openspace.created")
def _created(d, who):
    return _("%(who)s opened the open space “%(title)s”", who=who, title=d.get("title", ""))


@describes("openspace.updated")
def _updated(d, who):
    return _("%(who)s changed the open space “%(title)s”", who=who, title=d.get("title", ""))


@describes("openspace.deleted")
def _deleted(d, who):
    return _("%(who)s deleted the open space “%(title)s”", who=who, title=d.get("title", ""))


@describes("openspace.link_renewed")
def _link_renewed(d, who):
    return _("%(who)s renewed the registration link of the open space", who=who)


@describes("openspace.feed_renewed")
def _feed_renewed(d, who):
    return _("%(who)s renewed the calendar link of the open space", who=who)
