"""Watching: a person follows a card, a project or a whole board and hears of what happens there.

Card authors, assignees, commenters and mentioned people watch the card on their own; anyone
who can see the partnership can watch or stop watching anything in it.
"""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, exists, or_, select

from ..extensions import db
from ..models import Card, Partnership, Project, User, Watch


def scope_of(partnership: Partnership, *, card: Card | None = None, project: Project | None = None) -> str:
    if card is not None:
        return f"p{partnership.id}:card{card.id}"
    if project is not None:
        return f"p{partnership.id}:project{project.id}"
    return f"p{partnership.id}"


def _find(user: User, scope: str) -> Watch | None:
    return db.session.scalar(_find_statement(), {"user_id": user.id, "scope": scope})


@functools.cache
def _find_statement():
    # (built once: every page asks; building and keying a statement costs more than the query)
    return select(Watch).where(Watch.user_id == bindparam("user_id"), Watch.scope == bindparam("scope"))


@functools.cache
def watching_of():
    """Whether the person in the parameter "user_id" watches the scope in "scope" (`scope_of`),
    as a column another query can read in the same round trip."""
    return exists().where(Watch.user_id == bindparam("user_id"), Watch.scope == bindparam("scope"))


def is_watching(user: User, partnership: Partnership, *, card=None, project=None) -> bool:
    return _find(user, scope_of(partnership, card=card, project=project)) is not None


def watch(user: User, partnership: Partnership, *, card=None, project=None) -> bool:
    """Start watching (True if it is new). Watching is a personal setting: no Activity row."""
    scope = scope_of(partnership, card=card, project=project)
    if _find(user, scope) is not None:
        return False
    pending = db.session.info.setdefault("watch_scopes", set())
    if (user.id, scope) in pending:  # already added in this transaction, not flushed yet
        return False
    pending.add((user.id, scope))
    db.session.add(
        Watch(
            user_id=user.id,
            partnership_id=partnership.id,
            card_id=card.id if card is not None else None,
            project_id=project.id if project is not None else None,
            scope=scope,
        )
    )
    return True


def unwatch(user: User, partnership: Partnership, *, card=None, project=None) -> bool:
    row = _find(user, scope_of(partnership, card=card, project=project))
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


def watchers(card: Card) -> set[int]:
    """Who watches the card, its project or its whole board."""
    clauses = [Watch.card_id == card.id, (Watch.card_id.is_(None) & Watch.project_id.is_(None))]
    if card.project_id is not None:
        clauses.append(Watch.project_id == card.project_id)
    return set(
        db.session.scalars(
            select(Watch.user_id).where(Watch.partnership_id == card.partnership_id, or_(*clauses))
        )
    )


def watched_scopes(user: User, partnership: Partnership, card: Card) -> dict[str, bool]:
    """For the card page: does the user watch this card, its project, the board?"""
    rows = set(
        db.session.scalars(
            select(Watch.scope).where(Watch.user_id == user.id, Watch.partnership_id == partnership.id)
        )
    )
    return {
        "card": scope_of(partnership, card=card) in rows,
        "project": card.project is not None and scope_of(partnership, project=card.project) in rows,
        "board": scope_of(partnership) in rows,
    }
