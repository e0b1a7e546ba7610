"""Creating and changing cards (moves live in services.board)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, union_all

from ..extensions import db
from ..i18n import LANGUAGES
from ..models import (
    Activity,
    BoardColumn,
    Card,
    ChecklistItem,
    City,
    Comment,
    Label,
    Membership,
    Partnership,
    Project,
    User,
)
from ..models.base import utcnow
from . import DomainError, Forbidden, alerts, translations
from .activity import describes, log
from .board import StaleEdit, claim_version, columns_of, end_position
from .facilitation import ensure_not_frozen

TITLE_MAX = 200


def clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("A card needs a title."))
    if len(title) > TITLE_MAX:
        raise DomainError(_("A title can have at most %(n)d characters.", n=TITLE_MAX))
    return title


def create_card(
    partnership: Partnership,
    title: str,
    *,
    column: BoardColumn,
    project: Project | None = None,
    actor,
    language: str | None = None,
    body: str = "",
) -> Card:
    """A new card at the end of `column`."""
    ensure_not_frozen(partnership, actor)
    if column.partnership_id != partnership.id or (
        project is not None and project.partnership_id != partnership.id
    ):
        raise DomainError(_("That belongs to another partnership."))
    card = Card(
        partnership=partnership,
        column=column,
        project=project,
        title=clean_title(title),
        body=body,
        language=language,
        position=end_position(column),
        author=actor,
    )
    if column.is_done:
        card.done_at = utcnow()
    db.session.add(card)
    db.session.flush()
    log(actor, "card.created", card, partnership=partnership, title=card.title, column=column.name)
    alerts.card_written(card, actor=actor)
    return card


BODY_MAX = 20_000
COMMENT_MAX = 5000
CHECKLIST_TEXT_MAX = 300
ESTIMATE_MAX = 100
ARCHIVE_PAGE_SIZE = 50


# Editing -----------------------------------------------------------------------------------


def update_card(
    card: Card,
    *,
    version: int,
    title: str,
    body: str,
    project: Project | None,
    estimate: int | None,
    due_date: date | None,
    language: str | None,
    assignees: list[User],
    labels: list[Label],
    actor,
) -> list[str]:
    """Apply an edit made on `version` of the card; returns the names of the changed fields.

    Raises StaleEdit when someone changed the card since, so nothing is overwritten silently.
    """
    partnership = card.partnership
    ensure_not_frozen(partnership, actor)
    title = clean_title(title)
    body = (body or "").replace("\r\n", "\n").strip()
    if len(body) > BODY_MAX:
        raise DomainError(_("The description can have at most %(n)d characters.", n=BODY_MAX))
    if estimate is not None and not 0 <= estimate <= ESTIMATE_MAX:
        raise DomainError(_("An estimate is between 0 and %(n)d points.", n=ESTIMATE_MAX))
    if language is not None and language not in LANGUAGES:
        raise DomainError(_("Unknown language."))
    if (
        project is not None
        and project.partnership_id != partnership.id
        or any(label.partnership_id != partnership.id for label in labels)
    ):
        raise DomainError(_("That belongs to another partnership."))
    allowed = {user.id for user, _city in assignable_members(partnership)}
    allowed |= {user.id for user in card.assignees}  # keep someone who became an observer since
    if any(user.id not in allowed for user in assignees):
        raise DomainError(_("Only members of the partnership can be assigned."))
    if card.version != version:
        raise StaleEdit(card)

    new = {
        "title": title,
        "body": body,
        "project_id": project.id if project else None,
        "estimate": estimate,
        "due_date": due_date,
        "language": language or None,
    }
    changed = [name for name, value in new.items() if getattr(card, name) != value]
    label_ids = {label.id for label in labels}
    if label_ids != {label.id for label in card.labels}:
        changed.append("labels")
    old_people = {user.id: user for user in card.assignees}
    new_people = {user.id: user for user in assignees}
    added = [new_people[i].name for i in new_people.keys() - old_people.keys()]
    removed = [old_people[i].name for i in old_people.keys() - new_people.keys()]
    if not changed and not added and not removed:
        return []

    claim_version(card, version)
    for name in changed:
        if name != "labels":
            setattr(card, name, new[name])
    if "project_id" in changed:
        card.project = project
    if "labels" in changed:
        card.labels = list(labels)
    if added or removed:
        card.assignees = list(assignees)
    db.session.flush()
    fields = [("project" if name == "project_id" else name) for name in changed]
    if fields:
        log(actor, "card.edited", card, partnership=partnership, title=card.title, fields=list(fields))
    if added or removed:
        log(
            actor,
            "card.assigned",
            card,
            partnership=partnership,
            title=card.title,
            added=sorted(added),
            removed=sorted(removed),
        )
        fields.append("assignees")
    added_people = [new_people[i] for i in new_people.keys() - old_people.keys()]
    alerts.card_written(card, actor=actor, body_changed="body" in changed, added=added_people)
    return fields


CARD_CHOICES = 300  # select lists offer the most recently changed open cards


def card_choices(partnership: Partnership, *, without_workshop: bool = False) -> list[tuple[int, str]]:
    """(id, title) of open cards for a select list: the CARD_CHOICES most recently changed,
    by title (a card's own page can link any card)."""
    query = select(Card.id, Card.title).where(
        Card.partnership_id == partnership.id, Card.archived_at.is_(None)
    )
    if without_workshop:
        query = query.where(Card.workshop_id.is_(None))
    recent = query.order_by(Card.updated_at.desc(), Card.id.desc()).limit(CARD_CHOICES).subquery()
    return [tuple(row) for row in db.session.execute(select(recent).order_by(recent.c.title, recent.c.id))]


def assignable_members(partnership: Partnership) -> list[tuple[User, City]]:
    """Members who can take on a card (everyone but observers), by name."""
    rows = db.session.execute(
        select(User, City)
        .join(Membership, Membership.user_id == User.id)
        .join(City, City.id == Membership.city_id)
        .where(Membership.partnership_id == partnership.id, Membership.role != "observer")
        .order_by(User.name, User.id)
    )
    return [(user, city) for user, city in rows]


def home_cities(partnership: Partnership) -> dict[int, tuple[City, int]]:
    """user id -> (home city, the city's index in the partnership) for the badge colour."""
    index = {city.id: i for i, city in enumerate(partnership.cities)}
    rows = db.session.execute(
        select(Membership.user_id, City)
        .join(City, City.id == Membership.city_id)
        .where(Membership.partnership_id == partnership.id)
    )
    return {user_id: (city, index.get(city.id, 0)) for user_id, city in rows}


# Checklist ---------------------------------------------------------------------------------


def _free_id(model, wanted: int) -> int | None:
    """`wanted` (a deleted row's id, so links to it work again) unless a new row took it since
    (SQLite hands out freed ids again): then a new one."""
    return wanted if db.session.get(model, wanted) is None else None


def add_checklist_item(card: Card, text: str, *, actor) -> ChecklistItem:
    ensure_not_frozen(card.partnership, actor)
    text = " ".join((text or "").split())
    if not text:
        raise DomainError(_("A checklist item needs some text."))
    if len(text) > CHECKLIST_TEXT_MAX:
        raise DomainError(_("A checklist item can have at most %(n)d characters.", n=CHECKLIST_TEXT_MAX))
    top = db.session.scalar(select(func.max(ChecklistItem.position)).where(ChecklistItem.card_id == card.id))
    item = ChecklistItem(card=card, text=text, position=(top or 0) + 1)
    db.session.add(item)
    card.checklist_total = Card.checklist_total + 1
    card.touch()
    db.session.flush()
    log(actor, "card.checklist_added", card, partnership=card.partnership, title=card.title, item=item.text)
    return item


def toggle_checklist_item(item: ChecklistItem, *, actor) -> ChecklistItem:
    card = item.card
    ensure_not_frozen(card.partnership, actor)
    item.done = not item.done
    card.checklist_done = Card.checklist_done + (1 if item.done else -1)
    card.touch()
    db.session.flush()
    log(
        actor,
        "card.checklist_ticked" if item.done else "card.checklist_unticked",
        card,
        partnership=card.partnership,
        title=card.title,
        item=item.text,
    )
    return item


def delete_checklist_item(item: ChecklistItem, *, actor) -> None:
    card = item.card
    ensure_not_frozen(card.partnership, actor)
    card.checklist_total = Card.checklist_total - 1
    if item.done:
        card.checklist_done = Card.checklist_done - 1
    card.checklist.remove(item)
    card.touch()
    db.session.flush()
    log(actor, "card.checklist_removed", card, partnership=card.partnership, title=card.title, item=item.text)


def restore_checklist_item(card: Card, *, item_id: int, text: str, done: bool, position: int, actor):
    """A deleted checklist item back as it was (its id, text, tick and place), e.g. by Undo."""
    ensure_not_frozen(card.partnership, actor)
    item = ChecklistItem(
        id=_free_id(ChecklistItem, item_id), card=card, text=text, done=done, position=position
    )
    db.session.add(item)
    card.checklist_total = Card.checklist_total + 1
    if done:
        card.checklist_done = Card.checklist_done + 1
    card.touch()
    db.session.flush()
    log(actor, "card.checklist_added", card, partnership=card.partnership, title=card.title, item=item.text)
    return item


# Comments ----------------------------------------------------------------------------------


def _clean_comment(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise DomainError(_("A comment cannot be empty."))
    if len(body) > COMMENT_MAX:
        raise DomainError(_("A comment can have at most %(n)d characters.", n=COMMENT_MAX))
    return body


def add_comment(card: Card, body: str, *, language: str | None, actor) -> Comment:
    ensure_not_frozen(card.partnership, actor)
    comment = Comment(card=card, body=_clean_comment(body), language=language, author=actor)
    db.session.add(comment)
    card.comment_count = Card.comment_count + 1
    card.touch()
    db.session.flush()
    log(actor, "card.commented", card, partnership=card.partnership, title=card.title, comment_id=comment.id)
    alerts.comment_added(comment, actor=actor)
    return comment


def ensure_may_edit_comment(comment: Comment, actor) -> None:
    """Only its author changes a comment (403)."""
    if actor is None or comment.author_id != actor.id:
        raise Forbidden(_("Only its author can change a comment."))


def ensure_may_delete_comment(comment: Comment, actor, *, moderator: bool = False) -> None:
    """Its author deletes a comment; so may a facilitator (`moderator`) (else 403)."""
    if not moderator and (actor is None or comment.author_id != actor.id):
        raise Forbidden(_("Only its author or a facilitator can delete a comment."))


def edit_comment(comment: Comment, body: str, *, actor) -> Comment:
    """Only its author changes a comment; the card shows it was edited."""
    card = comment.card
    ensure_not_frozen(card.partnership, actor)
    ensure_may_edit_comment(comment, actor)
    comment.body = _clean_comment(body)
    comment.edited_at = utcnow()
    card.touch()
    db.session.flush()
    log(
        actor,
        "card.comment_edited",
        card,
        partnership=card.partnership,
        title=card.title,
        comment_id=comment.id,
    )
    alerts.comment_edited(comment, actor=actor)
    return comment


def delete_comment(comment: Comment, *, actor, moderator: bool = False) -> None:
    """Its author deletes a comment; so may a facilitator (`moderator`)."""
    card = comment.card
    ensure_not_frozen(card.partnership, actor)
    ensure_may_delete_comment(comment, actor, moderator=moderator)
    card.comment_count = Card.comment_count - 1
    translations.forget("comment", [comment.id])
    card.comments.remove(comment)
    card.touch()
    db.session.flush()
    log(actor, "card.comment_deleted", card, partnership=card.partnership, title=card.title)


def restore_comment(
    card: Card,
    *,
    comment_id: int,
    author_id: int | None,
    body: str,
    language: str | None,
    created_at,
    edited_at,
    actor,
) -> Comment:
    """A deleted comment back as it was (its id, author and times), e.g. by Undo."""
    ensure_not_frozen(card.partnership, actor)
    if author_id is not None and db.session.get(User, author_id) is None:
        author_id = None  # (the account is gone since)
    comment = Comment(
        id=_free_id(Comment, comment_id),
        card=card,
        author_id=author_id,
        body=body,
        language=language,
        created_at=created_at,
        edited_at=edited_at,
    )
    db.session.add(comment)
    card.comment_count = Card.comment_count + 1
    card.touch()
    db.session.flush()
    log(
        actor,
        "card.comment_restored",
        card,
        partnership=card.partnership,
        title=card.title,
        comment_id=comment.id,
    )
    return comment


# Archive -----------------------------------------------------------------------------------


def archive_card(card: Card, *, actor) -> None:
    ensure_not_frozen(card.partnership, actor)
    if card.archived_at is not None:
        return
    card.archived_at = utcnow()
    card.touch()
    db.session.flush()
    log(actor, "card.archived", card, partnership=card.partnership, title=card.title)


def restore_card(card: Card, *, actor) -> None:
    ensure_not_frozen(card.partnership, actor)
    if card.archived_at is None:
        return
    card.archived_at = None
    card.touch()
    db.session.flush()
    log(actor, "card.restored", card, partnership=card.partnership, title=card.title)


def search_archived(
    partnership: Partnership, query: str = "", page: int = 1, per_page: int = ARCHIVE_PAGE_SIZE
) -> tuple[list[Card], int]:
    """Archived cards whose title or body contains `query` (any case), newest first; and the total."""
    where = [Card.partnership_id == partnership.id, Card.archived_at.is_not(None)]
    words = (query or "").lower().split()  # lower() in SQL too (SQLite: see database.py)
    for word in words:
        where.append(
            or_(
                func.lower(Card.title).contains(word, autoescape=True),
                func.lower(Card.body).contains(word, autoescape=True),
            )
        )
    total = db.session.scalar(select(func.count(Card.id)).where(*where))
    cards = db.session.scalars(
        select(Card)
        .where(*where)
        .order_by(Card.archived_at.desc(), Card.id.desc())
        .limit(per_page)
        .offset(max(page - 1, 0) * per_page)
    ).all()
    return list(cards), total


# Reading -----------------------------------------------------------------------------------


def history(card: Card, limit: int = 100) -> list[Activity]:
    """What happened to the card, newest first."""
    return list(
        db.session.scalars(
            select(Activity)
            .where(
                Activity.partnership_id == card.partnership_id,
                Activity.subject_type == "card",
                Activity.subject_id == card.id,
            )
            .order_by(Activity.id.desc())
            .limit(limit)
        )
    )


def move_targets(partnership: Partnership, card: Card, per_column: int = 100):
    """[(column, [(card id, title)…])]: where the card can go, up to `per_column` cards each
    (each column read in order through its index, however many cards it holds)."""
    columns = columns_of(partnership)
    firsts = [
        select(Card.id, Card.title, Card.column_id, Card.position)
        .where(Card.column_id == column.id, Card.archived_at.is_(None), Card.id != card.id)
        .order_by(Card.position, Card.id)
        .limit(per_column)
        .subquery()
        for column in columns
    ]
    by_column: dict[int, list[tuple[int, str]]] = {c.id: [] for c in columns}
    if firsts:
        rows = db.session.execute(union_all(*[select(first) for first in firsts])).all()
        rows.sort(key=lambda row: (row.column_id, row.position, row.id))
        for card_id, title, column_id, _position in rows:
            by_column[column_id].append((card_id, title))
    return [(column, by_column[column.id]) for column in columns]


# Activity sentences ------------------------------------------------------------------------

FIELD_LABELS = {
    "title": _l("title"),
    "body": _l("description"),
    "project": _l("project"),
    "estimate": _l("estimate"),
    "due_date": _l("due date"),
    "language": _l("language"),
    "labels": _l("labels"),
    "assignees": _l("assignees"),
}


@describes("card.edited")
def _card_edited(d, who):
    fields = ", ".join(str(FIELD_LABELS.get(f, f)) for f in d.get("fields", []))
    return _(
        "%(who)s edited the card “%(title)s” (%(fields)s)", who=who, title=d.get("title", ""), fields=fields
    )


@describes("card.assigned")
def _card_assigned(d, who):
    parts = []
    if d.get("added"):
        parts.append(
            _(
                "%(who)s assigned %(people)s to “%(title)s”",
                who=who,
                people=", ".join(d["added"]),
                title=d.get("title", ""),
            )
        )
    if d.get("removed"):
        parts.append(
            _(
                "%(who)s took %(people)s off “%(title)s”",
                who=who,
                people=", ".join(d["removed"]),
                title=d.get("title", ""),
            )
        )
    return "; ".join(parts) or _(
        "%(who)s changed who works on “%(title)s”", who=who, title=d.get("title", "")
    )


@describes("card.commented")
def _card_commented(d, who):
    return _("%(who)s commented on “%(title)s”", who=who, title=d.get("title", ""))


@describes("card.comment_edited")
def _card_comment_edited(d, who):
    return _("%(who)s edited a comment on “%(title)s”", who=who, title=d.get("title", ""))


@describes("card.comment_deleted")
def _card_comment_deleted(d, who):
    return _("%(who)s deleted a comment on “%(title)s”", who=who, title=d.get("title", ""))


@describes("card.comment_restored")
def _card_comment_restored(d, who):
    return _("%(who)s brought back a deleted comment on “%(title)s”", who=who, title=d.get("title", ""))


@describes("card.checklist_added")
def _card_checklist_added(d, who):
    return _(
        "%(who)s added “%(item)s” to the checklist of “%(title)s”",
        who=who,
        item=d.get("item", ""),
        title=d.get("title", ""),
    )


@describes("card.checklist_ticked")
def _card_checklist_ticked(d, who):
    return _(
        "%(who)s ticked off “%(item)s” on “%(title)s”",
        who=who,
        item=d.get("item", ""),
        title=d.get("title", ""),
    )


@describes("card.checklist_unticked")
def _card_checklist_unticked(d, who):
    return _(
        "%(who)s reopened “%(item)s” on “%(title)s”",
        who=who,
        item=d.get("item", ""),
        title=d.get("title", ""),
    )


@describes("card.checklist_removed")
def _card_checklist_removed(d, who):
    return _(
        "%(who)s removed “%(item)s” from the checklist of “%(title)s”",
        who=who,
        item=d.get("item", ""),
        title=d.get("title", ""),
    )


@describes("card.archived")
def _card_archived(d, who):
    return _("%(who)s archived the card “%(title)s”", who=who, title=d.get("title", ""))


@describes("card.restored")
def _card_restored(d, who):
    return _("%(who)s restored the card “%(title)s”", who=who, title=d.get("title", ""))
