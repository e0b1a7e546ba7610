"""What a live event looks like on the board: the changed card, its column badges and a sentence
for the live region, as HTML that htmx swaps out of band (see static/js/live.js).

Rendering reads the current state from the database, so replaying or repeating an event is
harmless (idempotent). Each (activity, locale) is rendered once per process and memoised, so 200
viewers of a board cost at most one render per language per event.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from concurrent.futures import Future

from flask import render_template
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import select

from ..board import query, render
from ..extensions import db
from ..models import Activity, BoardColumn, Card, ChecklistItem, Comment, Partnership
from ..services import translations
from ..services.activity import describe, latest_id_of
from ..services.board import columns_of

REPLAY_LIMIT = 200  # more missed events than this: the client reloads the board once
ORDER_LIMIT = 500  # card ids sent to place a card among its column's neighbours

# Verbs that change the board's layout (not one card): the client refreshes the board softly
# (only when nobody is typing in it). Areas may add theirs: live.STRUCTURAL.add("…").
STRUCTURAL = {
    "column.added",
    "column.created",
    "column.deleted",
    "column.moved",
    "column.reordered",
    "label.updated",
    "label.deleted",
    "project.created",
    "project.updated",
    "member.changed",
    "sprint.started",
    "sprint.closed",
    "board.frozen",
    "board.unfrozen",
}
# Other page parts follow events by themselves: an element with an id and
# data-live-refresh="<verb prefix>" is re-read (its data-hx-get, else the page) when such an event
# arrives (the timebox: "timebox.", the freeze banner: "board.").
# Subjects that hang off a card: their events refresh that card (comment counts, checklists).
CARD_PARTS = {"comment": Comment, "checklistitem": ChecklistItem}
# verb prefix -> function(partnership, activity) -> Markup with more data-hx-swap-oob fragments
# (e.g. the sprint header or the timebox banner); areas register theirs with @fragment("…").
FRAGMENTS: dict[str, object] = {}


def fragment(prefix: str):
    def register(fn):
        FRAGMENTS[prefix] = fn
        return fn

    return register


# Memo ---------------------------------------------------------------------------------------------

_MEMO: OrderedDict[tuple, Future] = OrderedDict()
_MEMO_LOCK = threading.Lock()
MEMO_SIZE = 2000


def clear_memo() -> None:
    with _MEMO_LOCK:
        _MEMO.clear()


def _memoised(key: tuple, render) -> str:
    with _MEMO_LOCK:
        future = _MEMO.get(key)
        owner = future is None
        if owner:
            future = _MEMO[key] = Future()
            if len(_MEMO) > MEMO_SIZE:
                _MEMO.popitem(last=False)
    if owner:
        try:
            future.set_result(render())
        except BaseException as error:
            with _MEMO_LOCK:
                _MEMO.pop(key, None)
            future.set_exception(error)
    return future.result(timeout=30)


# Rendering ----------------------------------------------------------------------------------------


def render_activity(partnership_id: int, activity_id: int, locale: str) -> str:
    """The event's fragments (memoised per activity and locale); '' when it is not this board's.
    Only the first caller per (activity, locale) touches the database."""

    def render() -> str:
        activity = db.session.get(Activity, activity_id)
        if activity is None or activity.partnership_id != partnership_id:
            return ""
        return _render(db.session.get(Partnership, partnership_id), activity)

    # (the partnership is part of the key: SQLite may reuse the ids of a deleted partnership's rows)
    return _memoised((partnership_id, activity_id, locale), render)


def _render(partnership: Partnership, activity: Activity) -> str:
    data = activity.data or {}
    card_id = _card_id(activity, data)
    attrs = {"data-id": activity.id, "data-verb": activity.verb}
    inner = Markup("")
    shown = data
    column_ids = {data.get("frm_id"), data.get("to_id")} - {None}
    names_column = activity.verb == "translation.saved" and data.get("kind") == "column"
    if activity.verb in STRUCTURAL or names_column:
        attrs["data-structure"] = ""
    if card_id:
        card = db.session.get(Card, card_id)
        attrs["data-card"] = card_id
        if card is None or card.partnership_id != partnership.id or card.archived_at is not None:
            attrs["data-gone"] = ""
            if card is not None and card.partnership_id == partnership.id:
                column_ids.add(card.column_id)
        else:
            column_ids.add(card.column_id)
            attrs["data-column"] = card.column_id
            attrs["data-lanes"] = " ".join(query.card_lanes(partnership, card))
            attrs["data-order"] = " ".join(str(i) for i in _column_order(card))
            inner = render.card_fragment(partnership, card)
            shown = _in_reader_language(data, card)
    if activity.subject_type == "column" or activity.verb.startswith("column.") or names_column:
        column_ids = None  # every badge (a WIP limit or name may have changed)
    columns = columns_of(partnership)  # (named as this reader sees them)
    shown = _columns_in_reader_language(shown, columns)
    if column_ids is not None:
        columns = [c for c in columns if c.id in column_ids]
    # The tab that made the change already shows it: live.js skips events tagged with its id.
    tag = Markup("<!--tab:{}-->").format(data["tab"]) if data.get("tab", "").isalnum() else Markup("")
    html = tag + Markup('<div class="live-event"{}>{}</div>').format(_attrs(attrs), inner)
    html += Markup(  # noqa: S704 - autoescaped template output
        render_template(
            "live/_event.html",
            heads=render.column_heads(partnership, columns),
            message=describe(activity, shown),
        )
    )
    for prefix, fn in FRAGMENTS.items():
        if activity.verb.startswith(prefix):
            html += fn(partnership, activity)
    return str(html)


def _in_reader_language(data: dict, card: Card) -> dict:
    """The event's details with the card's title as the reader's board shows it (translated
    into their language when someone has)."""
    if data.get("title") != card.title or card.language is None:
        return data
    version = translations.version(card, str(get_locale()))
    return {**data, "title": version.text("title")} if version.differs and version.translated else data


def _columns_in_reader_language(data: dict, columns: list[BoardColumn]) -> dict:
    """The event's details with the columns a card moved between named as the reader's board
    names them."""
    names = {c.id: c.shown_name for c in columns if c.shown_name != c.name}
    changed = {
        key: names[data[f"{key}_id"]]
        for key in ("frm", "to")
        if data.get(f"{key}_id") in names and data.get(key) == _name_of(columns, data[f"{key}_id"])
    }
    return {**data, **changed} if changed else data


def _name_of(columns, column_id) -> str | None:
    return next((c.name for c in columns if c.id == column_id), None)


def _card_id(activity: Activity, data: dict) -> int | None:
    if activity.subject_type == "card":
        return activity.subject_id
    if data.get("card_id"):
        return data["card_id"]
    model = CARD_PARTS.get(activity.subject_type)
    part = db.session.get(model, activity.subject_id) if model and activity.subject_id else None
    return part.card_id if part is not None else None


def _attrs(attrs: dict) -> Markup:
    return Markup("").join(
        Markup(' {}="{}"').format(name, value) if value != "" else Markup(" {}").format(name)
        for name, value in attrs.items()
    )


def _column_order(card: Card) -> list[int]:
    """Ids of the cards of the card's column in board order (the client inserts before the
    first following card it shows)."""
    column = db.session.get(BoardColumn, card.column_id)
    query = select(Card.id).where(Card.column_id == card.column_id, Card.archived_at.is_(None))
    if column is not None and column.is_done:
        query = query.order_by(Card.done_at.desc(), Card.id.desc())
    else:
        query = query.order_by(Card.position, Card.id)
    return list(db.session.scalars(query.limit(ORDER_LIMIT)))


def missed(partnership_id: int, since: int, limit: int = REPLAY_LIMIT) -> list[int] | None:
    """Activity ids after `since` (one indexed query); None when more than `limit` were missed."""
    ids = list(
        db.session.scalars(
            select(Activity.id)
            .where(Activity.partnership_id == partnership_id, Activity.id > since)
            .order_by(Activity.id)
            .limit(limit + 1)
        )
    )
    return None if len(ids) > limit else ids


def last_id(partnership_id: int) -> int:
    return db.session.scalar(_last_id_statement(), {"pid": partnership_id}) or 0


@functools.cache
def _last_id_statement():
    # (built once: every page asks; building and keying a statement costs more than the query)
    return select(latest_id_of())


def bell_html(user_id: int) -> str:
    """The header's bell with the person's unread count, swapped in out of band."""
    from ..models import User

    count = db.session.scalar(select(User.unread_count).where(User.id == user_id)) or 0
    return render_template("notifications/_bell.html", unread=count, oob=True)


def reload_marker(last: int) -> str:
    """Too much was missed: the client refreshes the board (softly) and goes on from `last`."""
    return f'<div class="live-event" data-reload data-id="{int(last)}"></div>'


def sse(event: str, data: str, event_id: int | None = None) -> str:
    """One Server-Sent Event (multi-line data split into data: lines)."""
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines.append(f"event: {event}")
    lines += [f"data: {line}" for line in (data or "").split("\n")]
    return "\n".join(lines) + "\n\n"
