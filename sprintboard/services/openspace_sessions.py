"""Sessions of an open-space event: proposals, interest dots, notes, and what they become after."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..live import openspace as live
from ..models import City, OpenSpace, Partnership, SpaceDot, SpaceParticipant, SpaceSession
from ..models.base import utcnow
from ..models.openspace import SESSION_FORMATS, SESSION_LANGUAGES, SESSION_NEEDS
from . import Conflict, DomainError, Forbidden
from .activity import describes, log
from .openspace_people import Viewer, participant_for

DESCRIPTION_MAX = 2000
NOTES_MAX = 50_000
FORMAT_LABELS = {
    "talk": _l("Talk"),
    "discussion": _l("Discussion"),
    "workshop": _l("Workshop"),
    "hands_on": _l("Hands-on"),
}
NEED_LABELS = {"projector": _l("Projector"), "flip_chart": _l("Flip chart")}
assert set(FORMAT_LABELS) == set(SESSION_FORMATS) and set(NEED_LABELS) == set(SESSION_NEEDS)


class StaleNotes(Conflict):
    """Someone saved the notes since this person started editing: both texts are shown."""

    def __init__(self, session: SpaceSession):
        super().__init__(_("Someone else saved these notes in the meantime. Your text is kept below."))
        self.session = session


def _codes(codes, allowed) -> str:
    chosen = set(codes or ())
    return ",".join(c for c in allowed if c in chosen)


def _values(session: SpaceSession, title, description, format_, languages, needs) -> None:
    title = " ".join((title or "").split())[:200]
    if not title:
        raise DomainError(_("Give the session a title."))
    if format_ not in SESSION_FORMATS:
        raise DomainError(_("Unknown format."))
    session.title, session.format = title, format_
    session.description = (description or "").strip()[:DESCRIPTION_MAX]
    session.languages = _codes(languages, SESSION_LANGUAGES)
    session.needs = _codes(needs, SESSION_NEEDS)


def _hosts(event: OpenSpace, proposer: SpaceParticipant, cohosts, viewer: Viewer) -> list[SpaceParticipant]:
    if any(h.event_id != event.id for h in cohosts):
        raise DomainError(_("That belongs to another event."))
    hosts = list(dict.fromkeys(cohosts))
    # Facilitators may enter a session for someone else (from a sticky note); anyone else hosts
    # what they propose.
    if proposer not in hosts and (viewer.role != "facilitator" or not hosts):
        hosts.insert(0, proposer)
    return hosts


def propose_session(
    event: OpenSpace,
    viewer: Viewer,
    title,
    description="",
    format_="discussion",
    languages=(),
    needs=(),
    cohosts=(),
) -> SpaceSession:
    proposer = participant_for(event, viewer)
    session = SpaceSession(event=event, proposer=proposer)
    _values(session, title, description, format_, languages, needs)
    session.hosts = _hosts(event, proposer, cohosts, viewer)
    db.session.add(session)
    db.session.flush()
    log(
        viewer.user,
        "openspace.proposed",
        session,
        partnership=event.partnership,
        title=session.title,
        by=viewer.name,
    )
    live.changed(event, "openspace.proposed")
    return session


def may_change(session: SpaceSession, viewer: Viewer) -> bool:
    """Hosts and facilitators may edit or withdraw a session."""
    if viewer.role == "facilitator":
        return True
    return viewer.participant is not None and viewer.participant in session.hosts


def update_session(
    session: SpaceSession, viewer: Viewer, title, description, format_, languages, needs, cohosts
) -> None:
    if not may_change(session, viewer):
        raise Forbidden(_("Only the hosts and the facilitators can change this session."))
    _values(session, title, description, format_, languages, needs)
    proposer = session.proposer or participant_for(session.event, viewer)
    session.hosts = _hosts(session.event, proposer, cohosts, viewer)
    db.session.flush()
    log(
        viewer.user,
        "openspace.session_updated",
        session,
        partnership=session.event.partnership,
        title=session.title,
        by=viewer.name,
    )
    live.changed(session.event, "openspace.session_updated")


def withdraw_session(session: SpaceSession, viewer: Viewer) -> None:
    if not may_change(session, viewer):
        raise Forbidden(_("Only the hosts and the facilitators can change this session."))
    event = session.event
    log(
        viewer.user,
        "openspace.withdrawn",
        session,
        partnership=event.partnership,
        title=session.title,
        by=viewer.name,
    )
    db.session.delete(session)
    db.session.flush()
    live.changed(event, "openspace.withdrawn")


# Interest dots (the dot-vote rules: a budget per person, several dots on one session allowed) -------


def dots_used(event: OpenSpace, participant: SpaceParticipant | None) -> int:
    if participant is None:
        return 0
    return db.session.scalar(
        select(func.count(SpaceDot.id)).where(
            SpaceDot.event_id == event.id, SpaceDot.participant_id == participant.id
        )
    )


def my_dots(event: OpenSpace, participant: SpaceParticipant | None) -> dict[int, int]:
    if participant is None:
        return {}
    rows = db.session.execute(
        select(SpaceDot.session_id, func.count(SpaceDot.id))
        .where(SpaceDot.event_id == event.id, SpaceDot.participant_id == participant.id)
        .group_by(SpaceDot.session_id)
    )
    return dict(rows.all())


def add_dot(session: SpaceSession, viewer: Viewer) -> SpaceDot:
    event = session.event
    if db.session.get_bind().dialect.name == "postgresql":
        # Two quick clicks must not both pass the budget check (SQLite's BEGIN IMMEDIATE serialises).
        db.session.execute(select(OpenSpace.id).where(OpenSpace.id == event.id).with_for_update())
    participant = participant_for(event, viewer)
    if dots_used(event, participant) >= event.dots_per_person:
        raise DomainError(
            _(
                "You have used all your %(n)d dots. Take one back to mark another session.",
                n=event.dots_per_person,
            )
        )
    dot = SpaceDot(event_id=event.id, session_id=session.id, participant_id=participant.id)
    db.session.add(dot)
    db.session.flush()
    live.changed(event, "openspace.dot")
    return dot


def remove_dot(session: SpaceSession, viewer: Viewer) -> None:
    participant = viewer.participant
    dot = None
    if participant is not None:
        dot = db.session.scalar(
            select(SpaceDot)
            .where(SpaceDot.session_id == session.id, SpaceDot.participant_id == participant.id)
            .limit(1)
        )
    if dot is None:
        raise DomainError(_("You have no dot on that session to take back."))
    db.session.delete(dot)
    db.session.flush()
    live.changed(session.event, "openspace.dot")


# Notes -----------------------------------------------------------------------------------------------


def save_notes(
    session: SpaceSession, viewer: Viewer, notes: str, outcome: str, languages, *, version: int
) -> None:
    """The session's notes (Markdown), its outcome in a sentence and the languages they are in;
    refused with StaleNotes when someone else saved since `version`."""
    if version != session.notes_version:
        raise StaleNotes(session)
    notes = (notes or "").replace("\r\n", "\n").strip()
    if len(notes) > NOTES_MAX:
        raise DomainError(_("The notes are too long (at most %(n)d characters).", n=NOTES_MAX))
    session.notes = notes
    session.outcome = " ".join((outcome or "").split())[:500]
    session.notes_languages = _codes(languages, SESSION_LANGUAGES)
    session.notes_version += 1
    session.notes_by = viewer.name[:120]
    session.notes_at = utcnow()
    db.session.flush()
    log(
        viewer.user,
        "openspace.notes",
        session,
        partnership=session.event.partnership,
        title=session.title,
        by=viewer.name,
    )
    live.changed(session.event, "openspace.notes")


# After the event: a card or a match entry in one step each ----------------------------------------------


def _text(session: SpaceSession) -> str:
    parts = [session.description, f"**{session.outcome}**" if session.outcome else "", session.notes]
    return "\n\n".join(p for p in parts if p)


def session_to_card(session: SpaceSession, partnership: Partnership, *, actor):
    """A card in `partnership`'s backlog (first column, no sprint) with the session's text."""
    from .board import columns_of
    from .cards import create_card

    if session.card_id is not None:
        raise Conflict(_("This session is already a card."))
    column = next((c for c in columns_of(partnership) if not c.is_done), None)
    if column is None:
        raise DomainError(_("The board has no column for new cards."))
    card = create_card(partnership, session.title, column=column, actor=actor, body=_text(session)[:20_000])
    session.card_id = card.id
    db.session.flush()
    return card


def session_to_entry(session: SpaceSession, city: City, kind: str, *, actor):
    """A match entry (interest, need, potential or idea) of `city` with the session's title."""
    from .entries import create_entry

    if session.entry_id is not None:
        raise Conflict(_("This session is already a match entry."))
    text = session.title if not session.outcome else f"{session.title}: {session.outcome}"
    entry = create_entry(city.partnership, city, kind, text[:500], [], actor=actor)
    session.entry_id = entry.id
    db.session.flush()
    return entry


@describes("openspace.proposed")
def _proposed(d, who):
    return _("%(name)s proposed the session “%(title)s”", name=d.get("by", who), title=d.get("title", ""))


@describes("openspace.session_updated")
def _session_updated(d, who):
    return _("%(name)s changed the session “%(title)s”", name=d.get("by", who), title=d.get("title", ""))


@describes("openspace.withdrawn")
def _withdrawn(d, who):
    return _("%(name)s withdrew the session “%(title)s”", name=d.get("by", who), title=d.get("title", ""))


@describes("openspace.notes")
def _notes(d, who):
    return _(
        "%(name)s wrote notes of the session “%(title)s”", name=d.get("by", who), title=d.get("title", "")
    )
