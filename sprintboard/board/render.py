"""The board as HTML: card fragments and the board page, and the caches (only here).

- each card's HTML is cached by everything it shows: the card's revision (which grows with every
  change to what the card shows, see models/card.py) and stamp, its state (due, done), the
  locale and the signature of what cards show besides themselves (people, projects, labels);
  only cards that changed are read in full and rendered anew;
- the whole board's HTML is cached by the signature of its plan (board.query.plan_board: every
  card's id, revision, place and state, the columns, the lanes, the filters), so an unchanged
  board is one lookup.
Keys are derived from the data itself: nothing has to invalidate anything.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from flask import current_app, render_template, url_for
from flask_babel import get_locale
from markupsafe import Markup, escape
from sqlalchemy import select

from ..extensions import db
from ..models import BoardColumn, Card, Partnership
from ..models.card import card_assignees, card_labels
from .query import (
    CARD_FIELDS,
    CELL_LIMIT,
    PLACE_FIELDS,
    Board,
    Filters,
    Options,
    fetch,
    load_options,
    open_counts,
    pairs,
    person_order,
    plan_board,
)

# Plain dict operations are atomic under the GIL; when full, a cache starts over (entries of
# changed cards and boards are never read again, so wholesale eviction is as good as LRU here).
_CACHE: dict[tuple, Markup] = {}  # one card's HTML
CACHE_SIZE = 50_000
_BOARDS: dict[tuple, list[bytes]] = {}  # a whole board's HTML, split where the CSRF token goes
BOARDS_SIZE = 64  # (a board of 2,000 cards is about 0.5 MB)
_FILTERS: dict[tuple, Markup] = {}  # the filter form's HTML
FILTERS_SIZE = 500
# Each viewer's CSRF token goes into a cached board where this marker stands; the board goes
# into its page where the slot stands (user content is escaped: it cannot contain either).
_CSRF_MARK = f"csrf-{secrets.token_hex(16)}"
_BOARD_SLOT = Markup(f"<!--board-{secrets.token_hex(16)}-->")  # noqa: S704 - constant


def _store(cache: dict, size: int, key: tuple, value) -> None:
    if len(cache) >= size:
        cache.clear()
    cache[key] = value


def clear_cache() -> None:
    _CACHE.clear()
    _BOARDS.clear()
    _FILTERS.clear()


def load_board(
    partnership: Partnership,
    filters: Filters,
    *,
    options: Options | None = None,
    today: date | None = None,
    limit: int | None = CELL_LIMIT,
    cell: tuple[str, int] | None = None,
) -> Board:
    """The board as lanes of cells of rendered cards. `limit` bounds the cards rendered per cell
    (None: all); `cell` = (lane key, column id) loads just that cell, complete."""
    board = plan_board(partnership, filters, options=options, today=today, limit=limit, cell=cell)
    _render_cells(board)
    return board


def _render_cells(board: Board) -> None:
    rows = [row for lane in board.lanes for cell_rows in lane.rows.values() for row in cell_rows]
    fragments = render_cards(
        board.partnership,
        rows,
        options=board.options,
        assignees=board.assignees,
        done_columns={c.id for c in board.columns if c.is_done},
        today=board.today,
    )
    for lane in board.lanes:
        # One string per cell: the template then joins a few dozen pieces, not thousands.
        lane.cells = {
            column_id: Markup("".join(fragments.get(row.id, "") for row in cell_rows))  # noqa: S704 - escaped parts
            for column_id, cell_rows in lane.rows.items()
        }


def board_html(board: Board, *, may_edit: bool, args: tuple, csrf_token: str) -> bytes:
    """The board's HTML (board/_board.html), UTF-8 encoded, from the cache when nothing it shows
    has changed. Bytes, not Markup: copying and re-encoding a few hundred KB of text per request
    would cost more than the rest of a cached render. `args` are the URL's arguments (the
    board's links keep them); `csrf_token` is the viewer's, put into the cached HTML."""
    # (the partnership's id, too: not even a hash collision can show one partnership another's board)
    key = (
        board.partnership.id,
        board.signature,
        str(get_locale()),
        may_edit,
        args,
    )
    parts = _BOARDS.get(key)
    if parts is None:
        _render_cells(board)
        html = render_template(
            "board/_board.html",
            board=board,
            partnership=board.partnership,
            may_edit=may_edit,
            csrf=_CSRF_MARK,
        )
        parts = [part.encode() for part in html.split(_CSRF_MARK)]
        _store(_BOARDS, BOARDS_SIZE, key, parts)
    return str(escape(csrf_token)).encode().join(parts)


def fold_lanes(html: bytes, lanes) -> bytes:
    """The board's HTML with these lanes collapsed: each viewer's own, so the cache holds them open."""
    for key in lanes:
        html = html.replace(f'data-lane="{key}" open>'.encode(), f'data-lane="{key}">'.encode())
    return html


def filters_html(partnership: Partnership, form, options: Options, args: tuple) -> Markup:
    """The filter form (board/_filters.html): a function of the URL's arguments and of what can
    be chosen, so it is cached by them (WTForms renders a few hundred options slowly)."""
    key = (partnership.id, options.signature, str(get_locale()), args)
    html = _FILTERS.get(key)
    if html is None:
        html = Markup(  # noqa: S704 - autoescaped template output
            render_template("board/_filters.html", form=form, partnership=partnership)
        )
        _store(_FILTERS, FILTERS_SIZE, key, html)
    return html


def page_with_board(template: str, board: bytes, **context) -> bytes:
    """A page (UTF-8) with the board's HTML where the template says `{{ board_html }}`."""
    head, _slot, tail = render_template(template, board_html=_BOARD_SLOT, **context).partition(_BOARD_SLOT)
    return head.encode() + board + tail.encode()


def render_cards(
    partnership, rows, *, options: Options, done_columns, today, assignees: dict[int, list[int]] | None = None
) -> dict[int, Markup]:
    """Each card's HTML, from the cache where possible. Assignees and labels are loaded only for
    the cards that must be rendered anew (a card's revision changes when they change)."""
    key_base = (str(get_locale()), options.signature)
    today_iso, soon = today.isoformat(), (today + timedelta(days=7)).isoformat()
    result: dict[int, Markup] = {}
    missing = []
    cache_get = _CACHE.get
    for row in rows:
        due = row.due and row.due[:10]
        if row.column_id in done_columns:
            state = "done"
        elif due is None:
            state = ""
        else:
            state = "overdue" if due < today_iso else "soon" if due <= soon else ""
        # The stamp (updated_at) guards against a reused id (SQLite may reuse the highest rowid).
        key = (row.id, row.revision, row.stamp, state, *key_base)
        html = cache_get(key)
        if html is None:
            missing.append((row, key, state, due))
        else:
            result[row.id] = html
    if missing:
        result.update(_render_missing(partnership, missing, options, assignees))
    return result


def _render_missing(partnership, missing, options: Options, assignees) -> dict[int, Markup]:
    ids = [row.id for row, *_rest in missing]
    full = {row.id: row for row in fetch(select(*CARD_FIELDS).where(Card.id.in_(ids)))}
    if assignees is None:
        assignees = pairs(card_assignees.c.card_id, card_assignees.c.user_id, ids)
    card_label_ids = pairs(card_labels.c.card_id, card_labels.c.label_id, ids)
    people = options.people
    projects = {p.id: p for p in options.projects}
    labels = {lb.id: lb for lb in options.labels}
    city_index = {city_id: i for i, (city_id, _name) in enumerate(options.cities)}
    city_name = dict(options.cities)
    template = current_app.jinja_env.get_template("cards/_card.html")
    href = url_for("cards.show", pid=partnership.id, card_id=0)[:-1]  # + the card id
    result = {}
    for place, key, state, due in missing:
        row = full.get(place.id)
        if row is None:  # deleted since the board was planned (PostgreSQL: read committed)
            continue
        html = Markup(  # noqa: S704 - autoescaped template output
            template.render(
                card=row,
                state=state,
                href=f"{href}{row.id}",
                due=date.fromisoformat(due) if due else None,
                author=_person(row.author_id, people, city_index, city_name),
                assignees=[
                    _person(uid, people, city_index, city_name)
                    for uid in sorted(assignees.get(row.id, ()), key=person_order(people))
                ],
                labels=[labels[lid] for lid in card_label_ids.get(row.id, ()) if lid in labels],
                project=projects.get(row.project_id),
            )
        )
        _store(_CACHE, CACHE_SIZE, key, html)
        result[row.id] = html
    return result


def board_texts() -> dict[str, str]:
    """Translated patterns the board repeats per cell, looked up once per render (a gettext
    call per cell costs more than the rest of the cell); formatted with % in the template."""
    from flask_babel import gettext

    return {
        "cell": gettext("%(column)s in %(lane)s"),
        "new_card": gettext("New card in %(column)s, %(lane)s"),
        "add": gettext("+ Add a card"),
    }


def card_fragment(partnership: Partnership, card: Card) -> Markup:
    """One card's board HTML (after a change), through the same cache as the board."""
    row = db.session.execute(select(*PLACE_FIELDS).where(Card.id == card.id)).one()
    done_columns = set(
        db.session.scalars(
            select(BoardColumn.id).where(
                BoardColumn.partnership_id == partnership.id, BoardColumn.is_done.is_(True)
            )
        )
    )
    return render_cards(
        partnership, [row], options=load_options(partnership), done_columns=done_columns, today=date.today()
    )[card.id]


def column_heads(partnership: Partnership, columns) -> list[tuple[BoardColumn, int]]:
    """(column, open cards) for the given columns: the WIP badges a change refreshes."""
    columns = sorted(columns, key=lambda c: (c.position, c.id))
    counts = open_counts(partnership, [c.id for c in columns])
    return [(column, counts.get(column.id, 0)) for column in columns]


def _person(user_id, people, city_index, city_name):
    if user_id is None or user_id not in people:
        return None
    name, city_id = people[user_id]
    initials = "".join(part[0] for part in name.split()[:2]).upper() or "?"
    return {
        "name": name,
        "initials": initials,
        "city": city_name.get(city_id, ""),
        "city_index": city_index.get(city_id, 0),
    }
