"""What the JSON API reads: lists with a fixed number of queries, each bounded."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Card, Comment, FundingIdea, Partnership


def card_page(
    partnership: Partnership,
    *,
    column: int | None = None,
    project: int | None = None,
    sprint: int | None = None,
    archived: bool = False,
    cursor: int = 0,
    limit: int = 50,
) -> tuple[list[Card], int | None]:
    """One page of cards by id after `cursor`, and the cursor of the next page (None at the end)."""
    query = (
        select(Card)
        .where(Card.partnership_id == partnership.id, Card.id > cursor)
        .where(Card.archived_at.is_not(None) if archived else Card.archived_at.is_(None))
        .options(selectinload(Card.labels), selectinload(Card.assignees), selectinload(Card.checklist))
        .order_by(Card.id)
        .limit(limit + 1)
    )
    if column is not None:
        query = query.where(Card.column_id == column)
    if project is not None:
        query = query.where(Card.project_id == project)
    if sprint is not None:
        query = query.where(Card.sprint_id == sprint)
    cards = list(db.session.scalars(query))
    if len(cards) > limit:
        return cards[:limit], cards[limit - 1].id
    return cards, None


COMMENTS_MAX = 500


def comments_of(card: Card) -> list[Comment]:
    """The card's comments, oldest first, with their authors (the newest COMMENTS_MAX)."""
    query = (
        select(Comment)
        .where(Comment.card_id == card.id)
        .options(selectinload(Comment.author))
        .order_by(Comment.id.desc())
        .limit(COMMENTS_MAX)
    )
    return list(reversed(list(db.session.scalars(query))))


def funding_ideas(partnership: Partnership) -> list[FundingIdea]:
    query = (
        select(FundingIdea)
        .where(FundingIdea.partnership_id == partnership.id)
        .options(selectinload(FundingIdea.projects))
        .order_by(FundingIdea.id)
    )
    return list(db.session.scalars(query))


def card_totals(partnership: Partnership) -> tuple[int, int]:
    """(open cards, done cards) of the board, archived ones left out."""
    row = db.session.execute(
        select(func.count(Card.id), func.count(Card.done_at)).where(
            Card.partnership_id == partnership.id, Card.archived_at.is_(None)
        )
    ).one()
    return row[0] - row[1], row[1]
