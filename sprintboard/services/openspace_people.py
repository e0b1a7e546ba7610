"""Who takes part in an open-space event: members of its partnership, people with an account who
registered, and guests (registered by the public link, no account, known by a personal key)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import Membership, OpenSpace, SpaceParticipant, User
from ..models.openspace import SESSION_LANGUAGES
from . import Conflict, DomainError
from .activity import describes, log
from .tokens import hash_token, same


@dataclass
class Viewer:
    """Whoever looks at an event: a user or a guest, with their role in the event."""

    user: User | None
    participant: SpaceParticipant | None
    role: str  # observer | participant | facilitator

    @property
    def is_guest(self) -> bool:
        return self.user is None

    @property
    def name(self) -> str:
        return self.participant.name if self.participant is not None else self.user.name


def participant_of_user(event: OpenSpace, user: User) -> SpaceParticipant | None:
    return db.session.scalar(
        select(SpaceParticipant).where(
            SpaceParticipant.event_id == event.id, SpaceParticipant.user_id == user.id
        )
    )


def guest_by_key(event: OpenSpace, participant_id: int, key: str) -> SpaceParticipant | None:
    """The guest participant whose personal key this is, or None."""
    if len(key) > 100:
        return None
    participant = db.session.get(SpaceParticipant, participant_id)
    if participant is None or participant.event_id != event.id or participant.key_hash is None:
        return None
    return participant if same(participant.key_hash, hash_token(key)) else None


def participant_for(event: OpenSpace, viewer: Viewer) -> SpaceParticipant:
    """The viewer's participant record; a member who has not registered gets one now."""
    if viewer.participant is not None:
        return viewer.participant
    user = viewer.user
    membership = None
    if event.partnership_id is not None:
        membership = db.session.scalar(
            select(Membership).filter_by(user_id=user.id, partnership_id=event.partnership_id)
        )
    languages = user.locale if user.locale in SESSION_LANGUAGES else ""
    participant = SpaceParticipant(
        event=event,
        user_id=user.id,
        name=user.name,
        city=membership.city.name if membership is not None else "",
        languages=languages,
    )
    db.session.add(participant)
    db.session.flush()
    viewer.participant = participant
    return participant


def _clean(text: str | None, limit: int) -> str:
    return " ".join((text or "").split())[:limit]


def _codes(codes, allowed) -> str:
    return ",".join(c for c in allowed if c in set(codes or ()))


def registered_count(event: OpenSpace) -> int:
    return db.session.scalar(
        select(func.count(SpaceParticipant.id)).where(
            SpaceParticipant.event_id == event.id, SpaceParticipant.registered.is_(True)
        )
    )


def places_left(event: OpenSpace) -> int | None:
    """Free places for registration (None: no limit)."""
    if event.capacity is None:
        return None
    return max(event.capacity - registered_count(event), 0)


def register(
    event: OpenSpace, name: str, city: str, languages, needs_access: bool, *, user: User | None = None
) -> tuple[SpaceParticipant, str | None]:
    """Register by the public link: (participant, personal key for a guest, None for a user)."""
    name = _clean(name, 120)
    if not name:
        raise DomainError(_("Tell us your name."))
    if not event.registration_open:
        raise Conflict(_("Registration for this event is closed."))
    if db.session.get_bind().dialect.name == "postgresql":
        # Two people taking the last place at once: one waits for the other (SQLite's BEGIN
        # IMMEDIATE serialises writes already).
        db.session.execute(select(OpenSpace.id).where(OpenSpace.id == event.id).with_for_update())
    participant = participant_of_user(event, user) if user is not None else None
    if (participant is None or not participant.registered) and places_left(event) == 0:
        raise Conflict(_("Sorry, the event is full: all %(n)d places are taken.", n=event.capacity))
    key = None
    if participant is None:
        participant = SpaceParticipant(event=event, user_id=user.id if user is not None else None)
        db.session.add(participant)
        if user is None:
            key = secrets.token_urlsafe(24)
            participant.key_hash = hash_token(key)
    participant.name, participant.city = name, _clean(city, 120)
    participant.languages = _codes(languages, SESSION_LANGUAGES)
    participant.needs_access = bool(needs_access)
    participant.registered = True
    db.session.flush()
    log(user, "openspace.registered", event, partnership=event.partnership, by=name, city=participant.city)
    return participant, key


def update_profile(
    event: OpenSpace, viewer: Viewer, name: str, city: str, languages, needs_access: bool
) -> None:
    """The viewer's own details (name, city, languages, needs an accessible room)."""
    name = _clean(name, 120)
    if not name:
        raise DomainError(_("Tell us your name."))
    participant = participant_for(event, viewer)
    participant.name, participant.city = name, _clean(city, 120)
    participant.languages = _codes(languages, SESSION_LANGUAGES)
    participant.needs_access = bool(needs_access)
    db.session.flush()


def remove_participant(participant: SpaceParticipant, *, actor) -> None:
    """Out of the event: their dots go, the sessions they proposed stay (without them as host)."""
    event = participant.event
    log(actor, "openspace.left", event, partnership=event.partnership, by=participant.name)
    db.session.delete(participant)
    db.session.flush()


def set_role(participant: SpaceParticipant, role: str, *, actor) -> None:
    """Make a participant with an account a co-facilitator of the event (or not any more)."""
    if role not in ("participant", "facilitator"):
        raise DomainError(_("Unknown role."))
    if participant.user_id is None and role == "facilitator":
        raise DomainError(_("Only people with an account can facilitate."))
    participant.role = role
    db.session.flush()
    log(
        actor,
        "openspace.role",
        participant.event,
        partnership=participant.event.partnership,
        by=participant.name,
    )


def people_of(event: OpenSpace) -> list[SpaceParticipant]:
    return list(
        db.session.scalars(
            select(SpaceParticipant)
            .where(SpaceParticipant.event_id == event.id)
            .order_by(SpaceParticipant.name)
        )
    )


@describes("openspace.registered")
def _registered(d, who):
    return _("%(name)s registered for the open space", name=d.get("by", who))


@describes("openspace.left")
def _left(d, who):
    return _("%(name)s is no longer taking part in the open space", name=d.get("by", who))


@describes("openspace.role")
def _role(d, who):
    return _("%(who)s changed the role of %(name)s in the open space", who=who, name=d.get("by", ""))
