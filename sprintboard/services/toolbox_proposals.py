"""Methods proposed by members of the partnerships: programme staff accept (after editing, if
they like) or decline them with a note; an accepted method joins the shared toolbox, credited
to the person who proposed it, and the proposer is told either way."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from ..extensions import db
from ..models import Method
from ..models.base import utcnow
from . import Conflict, DomainError, notifications, toolbox
from .activity import log

NOTE_LIMIT = 2000


def propose_method(meta: dict, texts: dict[str, dict], *, actor) -> Method:
    """A new method in the state "proposed", waiting for programme staff."""
    toolbox._check_meta(meta)
    if not texts:
        raise DomainError(_("A method needs a title and steps in at least one language."))
    title = texts.get("en", texts.get(meta["original_language"], next(iter(texts.values()))))["title"]
    method = Method(slug=toolbox.unique_slug(toolbox.slugify(title)), state="proposed", proposed_by=actor)
    for key in toolbox.META_FIELDS:
        setattr(method, key, meta[key])
    db.session.add(method)
    toolbox._set_texts(method, texts, replace=True)
    method.updated_at = utcnow()
    db.session.flush()
    log(actor, "method.proposed", method, slug=method.slug)
    return method


def proposals_of(user) -> list[Method]:
    """The person's proposals, newest first, whatever became of them."""
    return list(
        db.session.scalars(
            db.select(Method)
            .where(Method.proposed_by_id == user.id)
            .options(db.selectinload(Method.translations))
            .order_by(Method.created_at.desc(), Method.id.desc())
        )
    )


def review_queue() -> list[Method]:
    """Proposals waiting for a decision, oldest first."""
    return list(
        db.session.scalars(
            db.select(Method)
            .where(Method.state == "proposed")
            .options(db.selectinload(Method.translations), db.joinedload(Method.proposed_by))
            .order_by(Method.created_at, Method.id)
        )
    )


def waiting() -> int:
    return db.session.scalar(db.select(db.func.count(Method.id)).where(Method.state == "proposed"))


def _pending(method: Method) -> None:
    if method.state != "proposed":
        raise Conflict(_("This proposal has already been reviewed."))


def accept_proposal(method: Method, *, actor, note: str = "") -> None:
    """The method joins the shared toolbox."""
    _pending(method)
    _review(method, "published", note, actor)


def decline_proposal(method: Method, note: str, *, actor) -> None:
    """The method stays out of the toolbox; the note tells the proposer why."""
    _pending(method)
    if not (note or "").strip():
        raise DomainError(_("Tell the proposer why: a note is needed to decline."))
    _review(method, "declined", note, actor)


def _review(method: Method, state: str, note: str, actor) -> None:
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise DomainError(_("The note is too long (at most %(n)d characters).", n=NOTE_LIMIT))
    method.state = state
    method.review_note = note
    method.reviewed_at = utcnow()
    method.updated_at = utcnow()
    db.session.flush()
    verb = "accepted" if state == "published" else "declined"
    log(actor, f"method.{verb}", method, slug=method.slug)
    if method.proposed_by is not None:
        notifications.notify(
            [method.proposed_by],
            "toolbox",
            f"method:{method.id}:{verb}",
            actor=actor,
            partnership=None,
            path=url_for("toolbox_proposals.show", proposal_id=method.id),
            data={"title": method.text(method.original_language).title, "verb": verb, "note": note},
        )


def save_proposal(method: Method, meta: dict, texts: dict[str, dict], *, actor) -> None:
    """Staff edit a proposal that waits for review (the proposer's text is the starting point)."""
    _pending(method)
    toolbox.save_method(method, meta, texts, actor=actor)
