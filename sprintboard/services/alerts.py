"""What each change tells whom: the services call these in the transaction of the change.

mention   people @mentioned in a card's description or a comment (they start watching it)
assigned  people newly assigned to a card (they start watching it)
comment   watchers of the card, its project or its board (not those mentioned in that comment)
done      watchers, when a card reaches a done column
sprint    every member, when a sprint starts or closes
(reminders of workshops, funding deadlines and due cards: services/reminders.py)
"""

from __future__ import annotations

from ..links import path_for
from ..models import Card, Comment, Sprint, User
from . import mentions, notifications, watching


def _card_path(card: Card) -> str:
    return path_for("cards.show", pid=card.partnership_id, card_id=card.id)


def _card_data(card: Card, **extra) -> dict:
    return {"title": card.title, **extra}


def _mentioned(card: Card, text: str, key: str, actor, anchor: str = "") -> set[int]:
    people = mentions.find(text, mentions.members(card.partnership))
    for person in people:
        watching.watch(person, card.partnership, card=card)
    notifications.notify(
        people,
        "mention",
        key,
        actor=actor,
        partnership=card.partnership,
        path=_card_path(card) + anchor,
        data=_card_data(card, excerpt=notifications.excerpt(text)),
        card=card,
    )
    return {p.id for p in people}


def card_written(card: Card, *, actor, body_changed: bool = True, added: list[User] = ()) -> None:
    """A card was created or edited: its author watches it; new mentions and assignees hear."""
    if actor is not None and card.author_id == actor.id:
        watching.watch(actor, card.partnership, card=card)
    if body_changed and "@" in (card.body or ""):
        # one key per card and person: editing the description again tells nobody twice
        _mentioned(card, card.body, f"mention:card{card.id}", actor)
    for person in added:
        watching.watch(person, card.partnership, card=card)
    if added:
        notifications.notify(
            added,
            "assigned",
            f"assigned:card{card.id}:v{card.version}",
            actor=actor,
            partnership=card.partnership,
            path=_card_path(card),
            data=_card_data(card),
            card=card,
        )


def comment_added(comment: Comment, *, actor) -> None:
    card = comment.card
    if actor is not None:
        watching.watch(actor, card.partnership, card=card)
    anchor = f"#comment-{comment.id}"
    mentioned = _mentioned(card, comment.body, f"mention:comment{comment.id}", actor, anchor)
    notifications.notify(
        watching.watchers(card) - mentioned,
        "comment",
        f"comment:{comment.id}",
        actor=actor,
        partnership=card.partnership,
        path=_card_path(card) + anchor,
        data=_card_data(card, verb="card.commented", excerpt=notifications.excerpt(comment.body)),
        card=card,
    )


def comment_edited(comment: Comment, *, actor) -> None:
    """Someone added to a comment: only people newly mentioned in it hear."""
    _mentioned(comment.card, comment.body, f"mention:comment{comment.id}", actor, f"#comment-{comment.id}")


def card_done(card: Card, *, actor, frm: str, to: str) -> None:
    notifications.notify(
        watching.watchers(card),
        "done",
        f"done:card{card.id}:{card.done_at:%Y%m%d%H%M%S}",
        actor=actor,
        partnership=card.partnership,
        path=_card_path(card),
        data=_card_data(card, verb="card.moved", frm=frm, to=to),
        card=card,
    )


def sprint_changed(sprint: Sprint, verb: str, *, actor) -> None:
    """A sprint started or closed: everyone in the partnership hears."""
    partnership = sprint.partnership
    people = [m.user_id for m in partnership.memberships]
    notifications.notify(
        people,
        "sprint",
        f"{verb}:{sprint.id}",
        actor=actor,
        partnership=partnership,
        path=path_for("sprints.show", pid=partnership.id, sid=sprint.id),
        data={"verb": verb, "name": sprint.name, "title": sprint.name},
    )
