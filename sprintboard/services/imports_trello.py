"""Bringing a Trello board in: the JSON of Trello's "Export as JSON".

The file is parsed defensively (size, nesting, numbers and every field's shape checked), then
read into a preview: which list goes to which column (a new one, or one of the board's own),
what will be created, which Trello members have no account here. The import applies that
preview in one transaction and writes one activity entry (the file's digest makes it once per file).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..models import BoardColumn, Card, ChecklistItem, Comment, Label, Partnership
from ..models.base import utcnow
from . import Conflict, DomainError, board, cards, columns, refuse_nul
from .activity import log
from .facilitation import ensure_not_frozen
from .imports import TooLarge, already_imported, read_upload

NEW = "new"  # a list goes to a new column of its own name
# What one board may hold (Trello's own limits are lower for lists and labels).
LIMITS = {"lists": 500, "cards": 5000, "labels": 1000, "checklists": 10_000, "members": 1000}
CHECK_ITEMS_MAX = 50_000
ACTIONS_MAX = 200_000
ATTACHMENTS_MAX = 100  # per card, kept as links
NUMBER_DIGITS_MAX = 20

# What `_too_many` says, per part of the board.
TOO_MANY = {
    "lists": _l("The board has more than %(n)d lists; split it first."),
    "cards": _l("The board has more than %(n)d cards; split it first."),
    "labels": _l("The board has more than %(n)d labels; split it first."),
    "checklists": _l("The board has more than %(n)d checklists; split it first."),
    "checkItems": _l("The board has more than %(n)d checklist items; split it first."),
    "members": _l("The board has more than %(n)d members; split it first."),
    "actions": _l("The board has more than %(n)d actions (comments and history); split it first."),
}
# Trello's colour names (also "green_dark", "sky_light" …) → the colours of our labels.
COLOURS = {
    "green": "green",
    "lime": "green",
    "yellow": "orange",
    "orange": "orange",
    "red": "red",
    "pink": "purple",
    "purple": "purple",
    "blue": "blue",
    "sky": "teal",
    "black": "grey",
}
# A Trello label may have a colour and no name: it gets its colour's name.
COLOUR_NAMES = {
    "green": _l("Green"),
    "lime": _l("Lime"),
    "yellow": _l("Yellow"),
    "orange": _l("Orange"),
    "red": _l("Red"),
    "pink": _l("Pink"),
    "purple": _l("Purple"),
    "blue": _l("Blue"),
    "sky": _l("Sky"),
    "black": _l("Black"),
}


class BadFile(DomainError):
    """The file cannot be read as a Trello board (422)."""


@dataclass
class Preview:
    """What importing the board would create, and what stands in its way."""

    text: str
    name: str
    lists: list[dict] = field(default_factory=list)  # open lists by pos: id, name, cards, column
    skipped: list[dict] = field(default_factory=list)  # closed lists: name, cards
    cards: list[dict] = field(default_factory=list)
    labels: dict[str, dict] = field(default_factory=dict)  # Trello id -> name, colour, existing
    members: list[dict] = field(default_factory=list)  # name, user (None: no account here)
    errors: list[str] = field(default_factory=list)

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"trello\n{self.text}".encode()).hexdigest()

    @property
    def unmatched(self) -> list[str]:
        return [m["name"] for m in self.members if m["user"] is None]

    @property
    def counts(self) -> dict[str, int]:
        used = {label_id for card in self.cards for label_id in card["labels"]}
        new_labels = {self.labels[i]["name"].casefold() for i in used if self.labels[i]["existing"] is None}
        return {
            "new_columns": sum(1 for item in self.lists if item["column"] is None),
            "mapped_columns": sum(1 for item in self.lists if item["column"] is not None),
            "cards": len(self.cards),
            "archived": sum(1 for card in self.cards if card["archived"]),
            "new_labels": len(new_labels),
            "checklist_items": sum(len(card["checklist"]) for card in self.cards),
            "checklist_done": sum(done for card in self.cards for _text, done in card["checklist"]),
            "comments": sum(len(card["comments"]) for card in self.cards),
            "assigned": sum(1 for card in self.cards if card["assignees"]),
        }


# Reading the file --------------------------------------------------------------------------


class _Number(ValueError):
    pass


def _int(text: str) -> int:
    if len(text.lstrip("-")) > NUMBER_DIGITS_MAX:
        raise _Number(text)
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if len(text) > 64 or not math.isfinite(value):
        raise _Number(text)
    return value


def _constant(text: str):
    raise _Number(text)  # NaN, Infinity: not JSON, and not in any Trello export


def read(stream, limit: int) -> str:
    """The text of an uploaded export (at most `limit` bytes, UTF-8), or BadFile."""
    try:
        raw = read_upload(stream, limit)
    except TooLarge as error:
        raise BadFile(error.message) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadFile(_("The file is not valid JSON (is it complete?).")) from None


def parse(text: str) -> dict:
    """The board object of a Trello export, or BadFile with the reason."""
    try:
        data = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except _Number:
        raise BadFile(_("The file holds a number too large to be from Trello.")) from None
    except RecursionError:
        raise BadFile(_("The file is nested too deeply to be a Trello export.")) from None
    except ValueError:
        raise BadFile(_("The file is not valid JSON (is it complete?).")) from None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("lists"), list)
        and isinstance(data.get("cards"), list)
        and isinstance(data.get("name") or "", str)
    ):
        raise BadFile(_("This JSON file is not a Trello board export (it has no lists and cards)."))
    refuse_nul(data, BadFile)
    for key, limit in [*LIMITS.items(), ("actions", ACTIONS_MAX)]:
        value = data.get(key)
        if value is not None and not isinstance(value, list):
            raise _shape(key)
        if len(value or ()) > limit:
            raise _too_many(limit, key)
    return data


def _too_many(limit: int, what: str) -> BadFile:
    return BadFile(str(TOO_MANY[what]) % {"n": limit})


def _shape(where: str) -> BadFile:
    return BadFile(_("The file is not a usable Trello export (%(where)s has the wrong form).", where=where))


def _objects(data: dict, key: str, where: str = "") -> list[dict]:
    value = data.get(key)
    label = f"{where}.{key}" if where else key
    if value is None:
        return []
    if not isinstance(value, list):
        raise _shape(label)
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise _shape(f"{label}[{index}]")
    return value


def _text(item: dict, key: str, where: str, *, required: bool = False) -> str:
    value = item.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise _shape(f"{where}.{key}")
    return value


def _id(item: dict, where: str) -> str:
    value = _text(item, "id", where, required=True)
    if not value or len(value) > 64:
        raise _shape(f"{where}.id")
    return value


def _pos(item: dict, where: str) -> float:
    value = item.get("pos", 0)
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        if isinstance(value, str) and value in ("top", "bottom"):  # seen in hand-made files
            return -1.0 if value == "top" else math.inf
        raise _shape(f"{where}.pos")
    return float(value)


def _flag(item: dict, key: str, where: str) -> bool:
    value = item.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _shape(f"{where}.{key}")
    return value


def _ids(item: dict, key: str, where: str) -> list[str]:
    value = item.get(key) or []
    if not isinstance(value, list):
        raise _shape(f"{where}.{key}")
    out = []
    for entry in value:
        if isinstance(entry, dict):  # some exports list objects instead of ids
            entry = entry.get("id")
        if not isinstance(entry, str):
            raise _shape(f"{where}.{key}")
        out.append(entry)
    return out


def _when(value, where: str) -> datetime | None:
    """A Trello timestamp ("2026-03-01T09:30:00.000Z") as naive UTC."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise _shape(where)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _shape(where) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


# The preview -------------------------------------------------------------------------------


def _people(partnership: Partnership) -> tuple[dict, dict]:
    by_email, by_name = {}, {}
    for user, _city in cards.assignable_members(partnership):
        by_email[user.email.casefold()] = user
        by_name.setdefault(" ".join(user.name.split()).casefold(), user)
    return by_email, by_name


def _member(item: dict, where: str, people: tuple[dict, dict]) -> dict:
    name = " ".join(_text(item, "fullName", where).split()) or _text(item, "username", where)
    email = _text(item, "email", where).strip().casefold()
    by_email, by_name = people
    user = by_email.get(email) if email else None
    if user is None and name:
        user = by_name.get(name.casefold())
    return {"name": name or "?", "user": user}


def preview(partnership: Partnership, text: str, mapping: dict[str, str] | None = None) -> Preview:
    """Read the whole board without writing anything. `mapping`: Trello list id → a column id
    of this board, or NEW; lists not in it go to a column of the same name, else a new one."""
    data = parse(text)
    result = Preview(text=text, name=" ".join(_text(data, "name", "name").split())[:200])
    own = board.columns_of(partnership)
    by_id = {str(column.id): column for column in own}
    by_name = {column.name.casefold(): column for column in own}

    lists = {}
    for index, item in enumerate(_objects(data, "lists")):
        where = f"lists[{index}]"
        entry = {
            "id": _id(item, where),
            "name": " ".join(_text(item, "name", where).split()) or "?",
            "pos": _pos(item, where),
            "closed": _flag(item, "closed", where),
            "cards": 0,
        }
        lists[entry["id"]] = entry

    labels = result.labels
    existing = {label.name.casefold(): label for label in columns.labels_of(partnership)}
    for index, item in enumerate(_objects(data, "labels")):
        where = f"labels[{index}]"
        colour = _text(item, "color", where).split("_")[0]
        name = " ".join(_text(item, "name", where).split())[: columns.LABEL_NAME_MAX].strip()
        if not name and colour in COLOUR_NAMES:
            name = str(COLOUR_NAMES[colour])
        if not name:
            continue  # neither name nor colour: nothing to show
        labels[_id(item, where)] = {
            "name": name,
            "colour": COLOURS.get(colour, "grey"),
            "existing": existing.get(name.casefold()),
        }

    people = _people(partnership)
    members = {}
    for index, item in enumerate(_objects(data, "members")):
        members[_id(item, f"members[{index}]")] = _member(item, f"members[{index}]", people)

    checklists: dict[str, list] = {}
    items_seen = 0
    for index, item in enumerate(_objects(data, "checklists")):
        where = f"checklists[{index}]"
        card_id = _text(item, "idCard", where, required=True)
        entries = []
        for number, check in enumerate(_objects(item, "checkItems", where)):
            spot = f"{where}.checkItems[{number}]"
            state = _text(check, "state", spot)
            entries.append((_pos(check, spot), _text(check, "name", spot), state == "complete"))
        items_seen += len(entries)
        if items_seen > CHECK_ITEMS_MAX:
            raise _too_many(CHECK_ITEMS_MAX, "checkItems")
        checklists.setdefault(card_id, []).append((_pos(item, where), sorted(entries, key=lambda e: e[0])))

    comments: dict[str, list] = {}
    for index, item in enumerate(_objects(data, "actions")):
        where = f"actions[{index}]"
        if item.get("type") != "commentCard":
            continue
        details = item.get("data")
        if not isinstance(details, dict) or not isinstance(details.get("card"), dict):
            raise _shape(f"{where}.data")
        card_id = _text(details["card"], "id", f"{where}.data.card", required=True)
        author = item.get("memberCreator") or {}
        if not isinstance(author, dict):
            raise _shape(f"{where}.memberCreator")
        member = members.get(_text(item, "idMemberCreator", where))
        if member is None:
            member = _member(author, f"{where}.memberCreator", people)
            if author.get("id") and isinstance(author["id"], str):
                members[author["id"]] = member
        when = _when(item.get("date"), f"{where}.date")
        comments.setdefault(card_id, []).append((when, member, _text(details, "text", f"{where}.data")))
    result.members = list({id(m): m for m in members.values()}.values())

    for index, item in enumerate(_objects(data, "cards")):
        where = f"cards[{index}]"
        card = _card(item, where, lists, labels, members, checklists, comments, result.errors)
        if card is not None:
            result.cards.append(card)
    result.cards.sort(key=lambda c: (lists[c["list"]]["pos"], c["list"], c["pos"]))

    mapping = mapping or {}
    for entry in sorted(lists.values(), key=lambda e: (e["pos"], e["id"])):
        if entry["closed"]:
            result.skipped.append(entry)
            continue
        choice = mapping.get(entry["id"])
        if choice is None:
            column = by_name.get(entry["name"].casefold())
        elif choice == NEW:
            column = None
        elif choice in by_id:
            column = by_id[choice]
        else:
            raise DomainError(_("The column chosen for “%(name)s” no longer exists.", name=entry["name"]))
        if column is None and len(entry["name"]) > columns.COLUMN_NAME_MAX:
            result.errors.append(
                _(
                    "List “%(name)s”: a column name can have at most %(n)d characters; "
                    "choose one of the board's columns for it.",
                    name=entry["name"][:80],
                    n=columns.COLUMN_NAME_MAX,
                )
            )
        result.lists.append({**entry, "column": column})
    skipped = {entry["id"] for entry in result.skipped}
    result.cards = [card for card in result.cards if card["list"] not in skipped]
    return result


def _card(item, where, lists, labels, members, checklists, comments, errors) -> dict | None:
    card_id = _id(item, where)
    list_id = _text(item, "idList", where, required=True)
    if list_id not in lists:
        raise _shape(f"{where}.idList")
    lists[list_id]["cards"] += 1
    name = _text(item, "name", where)
    body = _text(item, "desc", where).replace("\r\n", "\n").strip()
    links = []
    for number, attachment in enumerate(_objects(item, "attachments", where)[:ATTACHMENTS_MAX]):
        url = _text(attachment, "url", f"{where}.attachments[{number}]").strip()
        if url.lower().startswith(("http://", "https://")) and "\n" not in url:
            title = " ".join(_text(attachment, "name", f"{where}.attachments[{number}]").split()) or url
            links.append(f"- [{title.replace(']', ')')}](<{url.replace('>', '%3E')}>)")
    if links:
        body = "\n\n".join(part for part in (body, "📎\n" + "\n".join(links)) if part)
    due = _when(item.get("due"), f"{where}.due")
    label_ids = [i for i in dict.fromkeys(_ids(item, "idLabels", where)) if i in labels]
    assignees = [members[i]["user"] for i in _ids(item, "idMembers", where) if i in members]
    checklist = [
        (" ".join(text.split()), done)
        for _pos_, entries in sorted(checklists.get(card_id, []), key=lambda c: c[0])
        for _p, text, done in entries
        if text.strip()
    ]
    notes = []
    for when, member, text in sorted(comments.get(card_id, []), key=lambda c: c[0] or datetime.min):
        text = text.replace("\r\n", "\n").strip()
        if not text:
            continue
        if member["user"] is None:  # no account here: the name (and date) stay with the text
            stamp = f" · {when:%Y-%m-%d %H:%M}" if when else ""
            text = f"**{member['name']}**{stamp} (Trello)\n\n{text}"
        notes.append({"author": member["user"], "body": text, "created_at": when})
    card = {
        "title": name,
        "body": body,
        "list": list_id,
        "pos": _pos(item, where),
        "archived": _flag(item, "closed", where),
        "due_date": due.date() if due else None,
        "labels": label_ids,
        "assignees": list(dict.fromkeys(user for user in assignees if user is not None)),
        "checklist": checklist,
        "comments": notes,
    }
    try:
        card["title"] = cards.clean_title(name)
        if len(body) > cards.BODY_MAX:
            raise DomainError(_("The description can have at most %(n)d characters.", n=cards.BODY_MAX))
        if any(len(text) > cards.CHECKLIST_TEXT_MAX for text, _done in checklist):
            raise DomainError(
                _("A checklist item can have at most %(n)d characters.", n=cards.CHECKLIST_TEXT_MAX)
            )
        if any(len(note["body"]) > cards.COMMENT_MAX for note in notes):
            raise DomainError(_("A comment can have at most %(n)d characters.", n=cards.COMMENT_MAX))
    except DomainError as error:
        shown = " ".join(name.split())[:80] or "?"
        errors.append(
            _(
                "Card “%(card)s” in list “%(list)s”: %(message)s",
                card=shown,
                list=lists[list_id]["name"],
                message=error.message,
            )
        )
    return card


# The import --------------------------------------------------------------------------------


def import_board(partnership: Partnership, result: Preview, *, actor) -> int:
    """Create everything `result` shows (all or nothing: the caller commits once); the number
    of cards."""
    if result.errors:
        raise DomainError(_("Correct the errors first; nothing was imported."))
    if not result.cards and not result.lists:
        raise DomainError(_("The board has no lists and no cards: there is nothing to import."))
    if already_imported(partnership, result.digest):
        raise Conflict(_("This board has been imported already."))
    ensure_not_frozen(partnership, actor)
    place = {}
    count = len(board.columns_of(partnership))
    for entry in result.lists:
        column = entry["column"]
        if column is None:
            column = BoardColumn(partnership=partnership, name=entry["name"], position=count)
            db.session.add(column)
            count += 1
        place[entry["id"]] = column
    db.session.flush()

    labels = {}
    names = {label.name.casefold(): label for label in columns.labels_of(partnership)}
    used = dict.fromkeys(label_id for spec in result.cards for label_id in spec["labels"])
    for trello_id in used:  # labels no card carries stay in Trello (its six unnamed defaults)
        spec = result.labels[trello_id]
        key = spec["name"].casefold()
        if key not in names:
            names[key] = Label(partnership_id=partnership.id, name=spec["name"], colour=spec["colour"])
            db.session.add(names[key])
        labels[trello_id] = names[key]

    ends = {}
    now = utcnow()
    for spec in result.cards:
        column = place[spec["list"]]
        if column.id not in ends:
            top = db.session.scalar(select(func.max(Card.position)).where(Card.column_id == column.id))
            ends[column.id] = top or 0
        ends[column.id] += board.GAP
        _add_card(partnership, column, spec, ends[column.id], labels, actor=actor, now=now)
    db.session.flush()
    log(
        actor,
        "board.imported",
        partnership,
        partnership=partnership,
        kind="trello",
        name=result.name,
        rows=len(result.cards),
        digest=result.digest,
    )
    return len(result.cards)


def _add_card(partnership, column, spec, position, labels, *, actor, now) -> Card:
    card = Card(
        partnership=partnership,
        column=column,
        title=spec["title"],
        body=spec["body"],
        due_date=spec["due_date"],
        position=position,
        author=actor,
        done_at=now if column.is_done else None,
        archived_at=now if spec["archived"] else None,
        comment_count=len(spec["comments"]),
        checklist_total=len(spec["checklist"]),
        checklist_done=sum(done for _text, done in spec["checklist"]),
    )
    card.labels = list(dict.fromkeys(labels[i] for i in spec["labels"]))
    card.assignees = spec["assignees"]
    card.checklist = [
        ChecklistItem(text=text, done=done, position=number)
        for number, (text, done) in enumerate(spec["checklist"], start=1)
    ]
    card.comments = [
        Comment(author=note["author"], body=note["body"], created_at=note["created_at"] or now)
        for note in spec["comments"]
    ]
    db.session.add(card)
    return card
