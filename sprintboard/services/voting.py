"""Dot votes and the retrospective: the room decides together (voting pages of facilitation)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..models import RETRO_KINDS, Card, Partnership, RetroNote, Vote, VoteItem, VoteSession
from ..models.base import utcnow
from . import Conflict, DomainError, original_language
from .activity import describes, log
from .board import columns_of
from .cards import create_card

VOTES_MAX = 20

# Dot voting -----------------------------------------------------------------------------------


def open_vote(partnership, question: str, votes_per_person: int, *, cards=(), ideas=(), actor):
    """A dot vote on some cards of the board and/or free-text ideas."""
    question = " ".join((question or "").split())
    if not question:
        raise DomainError(_("Give the vote a question."))
    if not 1 <= (votes_per_person or 0) <= VOTES_MAX:
        raise DomainError(_("Each person can have from 1 to %(n)d votes.", n=VOTES_MAX))
    ideas = [" ".join(i.split())[:200] for i in ideas if i and i.strip()]
    if any(c.partnership_id != partnership.id for c in cards):
        raise DomainError(_("That belongs to another partnership."))
    if len(cards) + len(ideas) < 2:
        raise DomainError(_("A vote needs at least two cards or ideas to choose from."))
    session = VoteSession(
        partnership=partnership,
        question=question[:200],
        votes_per_person=votes_per_person,
        created_by_id=getattr(actor, "id", None),
    )
    texts = [(c, c.title) for c in cards] + [(None, i) for i in ideas]
    for position, (card, text) in enumerate(texts):
        session.items.append(VoteItem(card_id=card.id if card else None, text=text, position=position))
    db.session.add(session)
    db.session.flush()
    log(actor, "vote.opened", session, partnership=partnership, question=session.question)
    return session


def votes_used(session: VoteSession, user) -> int:
    return db.session.scalar(
        select(func.count(Vote.id)).where(Vote.session_id == session.id, Vote.user_id == user.id)
    )


def cast_vote(session: VoteSession, item: VoteItem, *, actor) -> Vote:
    """Put one of the actor's dots on `item` (several on one item are allowed)."""
    if item.session_id != session.id:
        raise DomainError(_("That belongs to another vote."))
    if session.state != "open":
        raise Conflict(_("This vote is closed: the results have been revealed."))
    if db.session.get_bind().dialect.name == "postgresql":
        # Two quick clicks must not both pass the budget check (SQLite's BEGIN IMMEDIATE serialises).
        db.session.execute(select(VoteSession.id).where(VoteSession.id == session.id).with_for_update())
    if votes_used(session, actor) >= session.votes_per_person:
        raise DomainError(
            _("You have used all your %(n)d votes. Take one back to vote again.", n=session.votes_per_person)
        )
    vote = Vote(session_id=session.id, item_id=item.id, user_id=actor.id)
    db.session.add(vote)
    db.session.flush()
    return vote


def retract_vote(session: VoteSession, item: VoteItem, *, actor) -> None:
    if session.state != "open":
        raise Conflict(_("This vote is closed: the results have been revealed."))
    vote = db.session.scalar(select(Vote).where(Vote.item_id == item.id, Vote.user_id == actor.id).limit(1))
    if vote is None:
        raise DomainError(_("You have no vote on that to take back."))
    db.session.delete(vote)
    db.session.flush()


def reveal_vote(session: VoteSession, *, actor) -> None:
    if session.state != "open":
        raise Conflict(_("The results have already been revealed."))
    session.state = "revealed"
    session.revealed_at = utcnow()
    log(actor, "vote.revealed", session, partnership=session.partnership, question=session.question)


def my_votes(session: VoteSession, user) -> dict[int, int]:
    rows = db.session.execute(
        select(Vote.item_id, func.count(Vote.id))
        .where(Vote.session_id == session.id, Vote.user_id == user.id)
        .group_by(Vote.item_id)
    )
    return dict(rows.all())


def voter_count(session: VoteSession) -> int:
    return db.session.scalar(
        select(func.count(func.distinct(Vote.user_id))).where(Vote.session_id == session.id)
    )


def results(session: VoteSession) -> list[tuple[VoteItem, int]]:
    """Items with their number of votes, most votes first (only shown once revealed)."""
    counts = dict(
        db.session.execute(
            select(Vote.item_id, func.count(Vote.id))
            .where(Vote.session_id == session.id)
            .group_by(Vote.item_id)
        ).all()
    )
    return sorted(((i, counts.get(i.id, 0)) for i in session.items), key=lambda p: (-p[1], p[0].position))


def vote_sessions(partnership) -> list[VoteSession]:
    return list(
        db.session.scalars(
            select(VoteSession)
            .where(VoteSession.partnership_id == partnership.id)
            .order_by(VoteSession.id.desc())
        )
    )


# Retrospective --------------------------------------------------------------------------------


def add_retro_note(partnership, kind: str, text: str, *, actor, sprint=None, **values) -> RetroNote:
    """`values`: the note's language, if given (else its author's)."""
    language = original_language(values)
    text = " ".join((text or "").split())
    if kind not in RETRO_KINDS:
        raise DomainError(_("Unknown kind of note."))
    if not text:
        raise DomainError(_("Write something first."))
    note = RetroNote(
        partnership_id=partnership.id,
        kind=kind,
        text=text[:500],
        author_id=getattr(actor, "id", None),
        sprint_id=sprint.id if sprint else None,
        **language,
    )
    db.session.add(note)
    db.session.flush()
    log(actor, "retro.noted", note, partnership=partnership, kind=kind)
    return note


def delete_retro_note(note: RetroNote, *, actor) -> None:
    db.session.delete(note)
    db.session.flush()


def action_to_card(note: RetroNote, *, actor) -> Card:
    """Turn a retrospective action into a card in the backlog (first column, no sprint)."""

    if note.kind != "action":
        raise DomainError(_("Only actions become cards."))
    if note.card_id is not None:
        raise Conflict(_("This action is already a card."))
    partnership = db.session.get(Partnership, note.partnership_id)
    column = next((c for c in columns_of(partnership) if not c.is_done), None)
    if column is None:
        raise DomainError(_("The board has no column for new cards."))
    card = create_card(partnership, note.text[:200], column=column, actor=actor)
    note.card_id = card.id
    return card


def retro_notes(partnership) -> dict[str, list[RetroNote]]:
    notes = db.session.scalars(
        select(RetroNote).where(RetroNote.partnership_id == partnership.id).order_by(RetroNote.id)
    )
    grouped = {kind: [] for kind in RETRO_KINDS}
    for note in notes:
        grouped[note.kind].append(note)
    return grouped


@describes("vote.opened")
def _vote_opened(d, who):
    return _("%(who)s opened the vote “%(q)s”", who=who, q=d.get("question", ""))


@describes("vote.revealed")
def _vote_revealed(d, who):
    return _("%(who)s revealed the results of “%(q)s”", who=who, q=d.get("question", ""))


@describes("retro.noted")
def _retro_noted(d, who):
    return _("%(who)s added a retrospective note", who=who)
