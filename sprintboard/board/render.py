"""The board as HTML: card fragments and the board page, through the render cache (board/cache.py).

- each card's HTML is kept under (card id, revision, stamp, state, locale) together with what
  it shows of others: its labels' names and colours, its assignees' names and home cities, its
  author's city, its project's title. A hit counts only if those are still the same, so a label
  rename re-renders only that label's cards, a person's rename only their cards, a new member
  none; a re-render replaces the entry (no stale copies pile up). With Redis, fragments are
  shared by every worker;
- the whole board's HTML is kept under the signature of its plan (board.query.plan_board: every
  card's id, revision, place and state, the columns, the lanes, the filters) and the board's
  normalised arguments, so an unchanged board is one lookup; with Redis, whole boards are shared
  too (for minutes), so a new worker's first board is one read there.
Keys are derived from the data itself: nothing has to invalidate anything.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import secrets
import sys
import zlib
from datetime import date, timedelta

from flask import get_template_attribute, render_template, url_for
from flask_babel import get_locale
from markupsafe import Markup, escape
from sqlalchemy import inspect, select

from .. import compression, timezones
from ..extensions import db
from ..models import BoardColumn, Card, Partnership
from . import cache, frame_html
from .card_html import CardRenderer
from .frame_html import board_texts
from .query import (
    CELL_LIMIT,
    PLACE_FIELDS,
    Board,
    Filters,
    Options,
    counts_and_place,
    fetch_plain,
    id_in,
    id_values,
    load_options,
    open_counts,
    person_order,
    place_row,
    plan_board,
    render_fields,
)

log = logging.getLogger(__name__)

# Each viewer's CSRF token goes into a cached board where this marker stands; the board goes
# into its page where the slot stands (user content is escaped: it cannot contain either).
_CSRF_MARK = f"csrf-{secrets.token_hex(16)}"
# A cell's place in the board's frame (see _frame).
_CELL_MARK = f"cell-{secrets.token_hex(16)}-"
_CELL_SPLIT = re.compile(f"<!--{_CELL_MARK}(\\d+)-(\\d+)-->")
_FIELDS_MARK = f"<!--filters-{secrets.token_hex(16)}-->"  # the filters' place in their form
_BOARD_SLOT = Markup(f"<!--board-{secrets.token_hex(16)}-->")  # noqa: S704 - constant


def clear_cache() -> None:
    """Empty the render caches of this process (tests)."""
    cache.clear_all()


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


def wide_plan(partnership: Partnership) -> str | None:
    """plan_board's `wide` for a board page: the reader's language when this process has not
    rendered the partnership's board in it (since it started, or its cache was emptied) and no
    other worker shares rendered cards (Redis): its cards are then planned with everything
    rendering them needs, one query instead of two. None once its cards are likely kept."""
    store = cache.get()
    if store.shared is not None:
        return None
    locale = str(get_locale())
    return None if (partnership.id, locale) in store.boards_seen else locale


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
    cache.get().boards_seen.add((board.partnership.id, str(get_locale())))
    # Each cell's card list, whole (what templates/board/_cell_list.html was): one string per
    # cell, so the board's template joins a few dozen pieces, not thousands, and includes nothing.
    label = board_texts()["cell"]
    for lane in board.lanes:
        key, cells = escape(lane.key), {}
        for column in board.columns:
            aria = escape(label % {"column": column.shown_name, "lane": lane.title})
            cards = "".join([fragments.get(row.id, "") for row in lane.rows.get(column.id, ())])
            head = f'<ol class="card-list" data-column="{column.id}" data-lane="{key}" aria-label="{aria}">'
            cells[column.id] = Markup(f"{head}{cards}</ol>")  # noqa: S704 - escaped parts
        lane.cells = cells


def board_html(
    board: Board, *, may_edit: bool, args: tuple, csrf_token: str, collapsed=()
) -> tuple[bytes, compression.Pieces]:
    """The board's HTML (board/_board.html), UTF-8 encoded, from the cache when nothing it shows
    has changed, and the pieces it is made of (kept for a compressed answer: compressed once,
    see compression.py). Bytes, not Markup: copying and re-encoding a few hundred KB of text per
    request would cost more than the rest of a cached render. `args` are the board's normalised
    arguments (see views.board: only what it shows; its links keep them); `csrf_token` is the
    viewer's and `collapsed` the keys of the lanes they folded, put into the cached HTML.

    When a card changed (or something cards show, such as a label's name), the board is made
    again from its frame (the template without its cells, cached by what the template itself
    shows: columns, lanes, counts) and its cells (card fragments, cached per card): the template
    is rendered only when the board's shape changed."""
    # (the partnership's id, too: not even a hash collision can show one partnership another's board)
    locale = str(get_locale())
    key = ("board", board.partnership.id, board.signature, locale, may_edit, args)
    store = cache.get()
    entry = store.local.get(key)
    if entry is None:
        entry = _board_entry(board, key, may_edit, args)
    texts, slots, pieces = entry
    token, parts = str(escape(csrf_token)).encode(), [texts[0]]
    for slot, text in zip(slots, texts[1:], strict=True):
        parts += [token if slot is None else b"" if slot in collapsed else b" open", text]
    return b"".join(parts), pieces


def _board_entry(board: Board, key: tuple, may_edit: bool, args: tuple) -> tuple:
    """The board's (texts, slots, pieces), kept under `key` in this process' cache: with Redis,
    from the whole board another worker shared (under a digest of what it shows, the same in
    every process: a new worker's first board is then one read; shared compressed for
    RENDER_CACHE_BOARD_TTL seconds), else put together from its frame and its cells, and shared."""
    store = cache.get()
    shared_key = None
    if store.shared is not None:
        shared = (board.partnership.id, board.digest(), key[3], may_edit, args)
        shared_key = f"board:{cache.digest(shared)}"
        found = _shared_values(store, [shared_key], _board_of)[0]
        if found is not None:
            store.stats["boards_shared"] += 1
            return _keep_board(key, *found)
    frame_texts, frame_slots = _frame(board, may_edit, args)
    _render_cells(board)  # (after the frame: a frame rendered now holds marks as its cells)
    # The frame's texts with the cells put in, cut where each viewer's own text goes.
    texts, slots, parts = [], [], []
    for text, slot in zip(frame_texts, [*frame_slots, None], strict=True):
        parts.append(text)
        if type(slot) is tuple:
            parts.append(board.lanes[slot[0]].cells[slot[1]])
        else:
            texts.append("".join(parts).encode())
            slots.append(slot)
            parts = []
    slots.pop()  # (the last text has no slot after it)
    if shared_key is not None:
        store.shared.set_many({shared_key: _board_dump(texts, slots)}, ttl=store.board_ttl)
    return _keep_board(key, texts, slots)


def _keep_board(key: tuple, texts: list[bytes], slots: list) -> tuple:
    entry = (texts, slots, compression.Pieces(texts))
    # (the text, and its deflate once a compressed answer needs it: about a tenth more)
    cache.get().local.put(key, entry, sum(len(text) * 11 // 10 + 64 for text in texts))
    return entry


def _board_dump(texts: list[bytes], slots: list) -> bytes:
    """A whole board as shared: a line of JSON (the slots, each text's length), then the texts,
    compressed (a board of 720 cards: ~0.45 MB of HTML, ~35 KB shared)."""
    head = json.dumps([slots, [len(text) for text in texts]], ensure_ascii=False).encode()
    return zlib.compress(b"".join([head, b"\n", *texts]), 1)


def _board_of(value: bytes) -> tuple[list[bytes], list]:
    data = zlib.decompress(value)
    end = data.index(b"\n")
    slots, sizes = json.loads(data[:end])
    texts, at = [], end + 1
    for size in sizes:
        texts.append(data[at : at + size])
        at += size
    if at != len(data) or len(slots) != len(texts) - 1:
        raise ValueError("not a whole board")
    return texts, slots


def _frame(board: Board, may_edit: bool, args: tuple) -> tuple[list[str], list]:
    """The board's template rendered with a mark where each cell goes, cut there and where each
    viewer's own text goes (see `_cut`). Cached by what the template shows (not the cards: a
    card's change, or a label's rename, leaves the frame as it was)."""
    shape = (
        tuple((c.id, c.shown_name, c.position, c.wip_limit, c.is_done) for c in board.columns),
        tuple(sorted(board.counts.items())),
        board.done_more,
        tuple(
            (
                lane.key,
                lane.title,
                lane.project_id,
                tuple(sorted((column_id, len(rows)) for column_id, rows in lane.rows.items())),
                tuple(sorted(lane.more.items())),
            )
            for lane in board.lanes
        ),
    )
    locale = str(get_locale())
    key = ("frame", board.partnership.id, hash(shape), locale, may_edit, args)

    def make():
        for index, lane in enumerate(board.lanes):
            lane.cells = {c.id: Markup(f"<!--{_CELL_MARK}{index}-{c.id}-->") for c in board.columns}  # noqa: S704
        # Each cut cell's link to the rest of its cards: one URL made, the others from it.
        cell_url = url_for("board.cell", pid=board.partnership.id, lane="\0", column="\1", **dict(args))
        cell_urls = {
            (lane.key, column_id): cell_url.replace("%00", str(lane.key), 1).replace("%01", str(column_id), 1)
            for lane in board.lanes
            for column_id in lane.more
        }
        html = frame_html.frame(
            board, may_edit=may_edit, csrf=_CSRF_MARK, board_args=dict(args), cell_urls=cell_urls
        )
        cache.get().stats["frames"] += 1
        return _cut(html)

    return _kept(
        key,
        make,
        shared=(board.partnership.id, shape, locale, may_edit, args),
        dump=lambda frame: json.dumps(frame, ensure_ascii=False).encode(),
        load=_frame_of,
        size=lambda frame: sum(map(cache.text_size, frame[0])) + 64 * len(frame[1]),
    )


def _frame_of(value: bytes) -> tuple[list[str], list]:
    """A frame shared as JSON (its cells' slots come back as lists)."""
    texts, slots = json.loads(value)
    return texts, [tuple(slot) if isinstance(slot, list) else slot for slot in slots]


def _kept(key: tuple, make, *, shared: tuple, dump, load, size):
    """What `key` names, from this process' cache; else, with Redis, from the one every worker
    shares (under a digest of `shared`: what the key stands for, the same in every process,
    unlike hash()); else made by `make()` and kept in both."""
    return _kept_many([(key, shared, make)], dump=dump, load=load, size=size)[0]


def _kept_many(items: list[tuple], *, dump, load, size) -> list:
    """`_kept` for several (key, shared, make) at once: one round trip to Redis for them all."""
    store = cache.get()
    values = store.local.get_many([key for key, _shared, _make in items])
    missing = [i for i, value in enumerate(values) if value is None]
    if not missing:
        return values
    shared_keys = {}
    if store.shared is not None:
        shared_keys = {i: f"{items[i][0][0]}:{cache.digest(items[i][1])}" for i in missing}
        for i, found in zip(missing, _shared_values(store, list(shared_keys.values()), load), strict=True):
            values[i] = found
    made = {}
    for i in missing:
        if values[i] is None:
            values[i] = items[i][2]()
            if i in shared_keys:
                made[shared_keys[i]] = dump(values[i])
    store.local.put_many([(items[i][0], values[i], size(values[i])) for i in missing])
    if made:
        store.shared.set_many(made)
    return values


def _shared_values(store, keys: list[str], load) -> list:
    """What Redis holds under `keys` (one MGET), each read by `load`; None where it holds nothing,
    or what this code cannot read (another version's format, a damaged value): made anew."""
    values = []
    for key, found in zip(keys, store.shared.get_many(keys), strict=True):
        if found is not None:
            try:
                found = load(found)
            except (ValueError, TypeError, UnicodeDecodeError, zlib.error):
                log.warning("render cache: unreadable shared entry %s, made anew", key)
                found = None
        values.append(found)
    return values


def _cut(html: str) -> tuple[list[str], list]:
    """The board's frame cut where a cell or each viewer's own text goes: (texts, slots), a slot
    between each two texts: (lane index, column id) for a cell, None for the viewer's CSRF
    token, a lane's key for " open" (or nothing: folded).
    (str.find, not a regular expression: an alternation is tried at every character.)"""
    cuts = [(m.start(), m.end(), (int(m[1]), int(m[2]))) for m in _CELL_SPLIT.finditer(html)]
    at = html.find(_CSRF_MARK)
    while at >= 0:
        cuts.append((at, at + len(_CSRF_MARK), None))
        at = html.find(_CSRF_MARK, at + 1)
    at = html.find('data-lane="')
    while at >= 0:
        key_start = at + len('data-lane="')
        key_end = html.find('"', key_start)
        if html.startswith('" open>', key_end):
            cuts.append((key_end + 1, key_end + 6, html[key_start:key_end]))
        at = html.find('data-lane="', key_end)
    texts, slots, at = [], [], 0
    for start, end, slot in sorted(cuts, key=lambda cut: cut[0]):
        texts.append(html[at:start])
        slots.append(slot)
        at = end
    texts.append(html[at:])
    return texts, slots


FILTER_FIELDS = ("q", "group", "sprint", "project", "label", "assignee", "city", "due")  # in the form's order


def filters_html(partnership: Partnership, form, options: Options, args: tuple) -> Markup:
    """The filter form (board/_filters.html): a function of the board's normalised arguments and
    of what can be chosen, so it is cached by them, and each filter by its own value and choices
    (WTForms renders a few hundred options slowly: a label's rename renders the label filter
    again, not the list of people). A form with errors is rendered as sent and not kept."""
    locale = str(get_locale())
    if form.errors:
        return _filters_form(partnership, locale, [_filter_field()(form[name]) for name in FILTER_FIELDS])
    key = ("filters", partnership.id, options.signature, locale, args)
    store = cache.get().local
    html = store.get(key)
    if html is None:
        choices = {
            "project": tuple((p.id, p.title) for p in options.projects),
            "label": tuple((lb.id, lb.name) for lb in options.labels),
            "assignee": tuple((uid, name) for uid, (name, _city) in options.people.items()),
            "city": tuple(options.cities),
        }
        items = []
        for name in FILTER_FIELDS:
            field = form[name]
            what = (partnership.id, locale, name, repr(field.data), choices.get(name))

            def make(field=field):
                cache.get().stats["filters"] += 1
                return _filter_field()(field)

            items.append((("filter", *what[:4], hash(what[4])), what, make))
        fields = _kept_many(
            items,
            dump=lambda html: str(html).encode(),
            load=lambda value: Markup(value.decode()),  # noqa: S704 - as it was kept
            size=cache.text_size,
        )
        html = _filters_form(partnership, locale, fields)
        store.put(key, html, cache.text_size(html))
    return html


def _filter_field():
    return get_template_attribute("board/_filter_field.html", "filter_field")


def _filters_form(partnership, locale: str, fields: list) -> Markup:
    """The filters in their form. The form around them depends only on the partnership and the
    language: rendered once with a mark where the filters go, and kept."""
    around = _kept(
        ("filters-form", partnership.id, locale),
        lambda: render_template("board/_filters.html", partnership=partnership, fields=Markup(_FIELDS_MARK)),  # noqa: S704
        shared=("filters-form", partnership.id, locale),
        dump=str.encode,
        load=bytes.decode,
        size=cache.text_size,
    )
    head, _mark, tail = around.partition(_FIELDS_MARK)
    return Markup(head + "\n".join(fields) + tail)  # noqa: S704 - autoescaped pieces


def page_with_board(template: str, board: bytes, **context) -> bytes:
    """A page (UTF-8) with the board's HTML where the template says `{{ board_html }}`."""
    head, _slot, tail = render_template(template, board_html=_BOARD_SLOT, **context).partition(_BOARD_SLOT)
    return head.encode() + board + tail.encode()


class _Shown:
    """What cards show of others, from the board's options: per label, person and project, the
    values a card's fragment depends on (compared with those it was rendered with)."""

    def __init__(self, options: Options):
        city_index = {city_id: i for i, (city_id, _name) in enumerate(options.cities)}
        city_name = dict(options.cities)
        self.options = options
        self.labels = {lb.id: (lb.name, lb.colour) for lb in options.labels}
        self.projects = {p.id: p.title for p in options.projects}
        self.people = {
            uid: (name, city_name.get(city_id, ""), city_index.get(city_id, 0))
            for uid, (name, city_id) in options.people.items()
        }
        self.cities = {uid: person[1:] for uid, person in self.people.items()}  # an author shows their city

    def of(self, row, label_ids, assignee_ids) -> tuple:
        labels, people = self.labels, self.people
        return (
            self.cities.get(row.author_id),
            self.projects.get(row.project_id),
            tuple(map(labels.get, label_ids)) if label_ids else (),
            tuple(map(people.get, assignee_ids)) if assignee_ids else (),
        )


def _shown(options: Options) -> _Shown:
    shown = getattr(options, "_shown", None)
    if shown is None:
        shown = options._shown = _Shown(options)
    return shown


def render_cards(
    partnership, rows, *, options: Options, done_columns, today, assignees: dict[int, list[int]] | None = None
) -> dict[int, str]:
    """Each card's HTML (escaped text, Markup once joined), from the cache where possible.
    Assignees and labels are loaded only for the cards that must be rendered anew (a card's
    revision changes when they change)."""
    locale = str(get_locale())
    shown = _shown(options)
    store = cache.get()
    today_iso, soon = today.isoformat(), (today + timedelta(days=7)).isoformat()
    result: dict[int, str] = {}
    missing = []
    keyed = []
    for row in rows:
        due = row.due and row.due[:10]
        if row.column_id in done_columns:
            state = "done"
        elif due is None:
            state = ""
        else:
            state = "overdue" if due < today_iso else "soon" if due <= soon else ""
        # The stamp (updated_at) guards against a reused id (SQLite may reuse the highest rowid).
        keyed.append((row, ("card", row.id, row.revision, row.stamp, state, locale), state, due))
    of = shown.of
    for item, entry in zip(keyed, store.local.get_many([item[1] for item in keyed]), strict=True):
        row = item[0]
        if entry is not None and entry[2] == of(row, entry[0], entry[1]):
            result[row.id] = entry[3]
        else:
            missing.append(item)
    store.stats["local_hits"] += len(rows) - len(missing)
    if missing and store.shared is not None:
        missing = _from_shared(store, shown, missing, result)
    if missing:
        result.update(_render_missing(partnership, missing, shown, assignees, store))
    return result


def _shared_key(key: tuple) -> str:
    return ":".join(map(str, key[1:]))


def _from_shared(store, shown: _Shown, missing: list, result: dict) -> list:
    """Fragments other workers rendered (one MGET); returns what is still missing. (Cards that
    show the same of others share one digest; the fragments go into this process' cache at once.)"""
    still, kept, digests = [], [], {}
    values = _shared_values(store, [_shared_key(key) for _row, key, *_rest in missing], _fragment_of)
    for item, value in zip(missing, values, strict=True):
        row, key = item[0], item[1]
        if value is not None:
            label_ids, assignee_ids, check, html = value
            depends = shown.of(row, label_ids, assignee_ids)
            digest = digests.get(depends)
            if digest is None:
                digest = digests[depends] = cache.digest(depends)
            if check == digest:
                kept.append((key, (label_ids, assignee_ids, depends, html), cache.text_size(html)))
                result[row.id] = html
                continue
        still.append(item)
    store.local.put_many(kept)
    store.stats["shared_hits"] += len(missing) - len(still)
    return still


def _fragment_of(value: bytes) -> tuple:
    """A card fragment as shared: "label ids|assignee ids|digest of what it shows|html"."""
    labels, people, check, html = value.decode().split("|", 3)
    label_ids = tuple(map(int, labels.split(","))) if labels else ()
    assignee_ids = tuple(map(int, people.split(","))) if people else ()
    return label_ids, assignee_ids, check, html


def _render_missing(partnership, missing, shown: _Shown, assignees, store) -> dict[int, str]:
    reader = str(get_locale())
    if hasattr(missing[0][0], "title"):  # planned with everything rendering needs (plan_board's `wide`)
        full = {row.id: row for row, *_rest in missing}
    else:
        ids = [row.id for row, *_rest in missing]
        dialect = db.session.get_bind().dialect.name
        statement = _cards_statement(dialect, reader, assignees is None)
        full = {row.id: row for row in fetch_plain(statement, {"ids": id_values(dialect, ids)})}
    options = shown.options
    people = options.people
    labels = {lb.id: lb for lb in options.labels}
    city_index = {city_id: i for i, (city_id, _name) in enumerate(options.cities)}
    city_name = dict(options.cities)
    renderer = CardRenderer()
    card = renderer.card
    href = url_for("cards.show", pid=partnership.id, card_id=0)[:-1]  # + the card id
    # What cards show of others, each made once per batch (not once per card): the author's
    # badge, each person's avatar, each label, each project; and per set of labels or of
    # assignees (as the query gives them, "3,12"), their ids in the order shown and their badges.
    persons = {uid: _person(uid, people, city_index, city_name) for uid in people}
    author_html = {uid: renderer.author(person) for uid, person in persons.items()}
    avatar_html = {uid: renderer.avatar(person) for uid, person in persons.items()}
    label_html = {lid: renderer.label(label) for lid, label in labels.items()}
    project_html = {p.id: renderer.project(p) for p in options.projects}
    order = person_order(people)

    def label_set(text):
        ids = tuple([lid for lid in _id_tuple(text) if lid in labels])
        return ids, "".join([label_html[lid] for lid in ids])

    def assignee_set(ids):
        ids = tuple(sorted(_id_tuple(ids) if type(ids) is str else ids, key=order))
        return ids, "".join([avatar_html[uid] for uid in ids if uid in avatar_html])

    label_sets, assignee_sets, shown_sets = {"": ((), ""), None: ((), "")}, {"": ((), ""), None: ((), "")}, {}
    of, size, items = shown.of, sys.getsizeof, []
    shared = store.shared is not None
    result, to_share = {}, {}
    for place, key, state, due in missing:
        row = full.get(place.id)
        if row is None:  # deleted since the board was planned (PostgreSQL: read committed)
            continue
        cid = row.id
        labelled = label_sets.get(row.label_ids)
        if labelled is None:
            labelled = label_sets[row.label_ids] = label_set(row.label_ids)
        label_ids = labelled[0]
        assigned = row.assignee_ids if assignees is None else tuple(assignees.get(cid, ()))
        people_of = assignee_sets.get(assigned)
        if people_of is None:
            people_of = assignee_sets[assigned] = assignee_set(assigned)
        assignee_ids = people_of[0]
        badges = author_html.get(row.author_id, "") + labelled[1] + people_of[1]
        # The title in the reader's language when someone translated it; else the original,
        # marked when it is in another (known) language.
        title = title_lang = None
        untranslated = False
        if row.language is not None and row.language != reader:
            if row.reader_title:
                title, title_lang = row.reader_title, reader
            else:
                untranslated = True
        html = card(
            row,
            state,
            f"{href}{cid}",
            due,
            badges,
            project_html.get(row.project_id, ""),
            title,
            title_lang,
            untranslated,
        )
        what = (place.author_id, place.project_id, label_ids, assignee_ids)
        depends = shown_sets.get(what)
        if depends is None:
            depends = shown_sets[what] = of(place, label_ids, assignee_ids)
        items.append((key, (label_ids, assignee_ids, depends, html), size(html)))
        if shared:
            value = (
                f"{','.join(map(str, label_ids))}|{','.join(map(str, assignee_ids))}|{cache.digest(depends)}|"
            )
            to_share[_shared_key(key)] = (value + html).encode()
        result[cid] = html
    store.local.put_many(items)
    store.stats["rendered"] += len(result)
    if to_share:
        store.shared.set_many(to_share)
    return result


@functools.lru_cache(maxsize=64)
def _cards_statement(dialect: str, reader: str, with_assignees: bool):
    """One query for the cards to render (their ids: the parameter "ids"): the cards, their
    title in the reader's language, their label (and assignee) ids. Built once per language."""
    fields = render_fields(select(*PLACE_FIELDS), reader, with_assignees)
    return fields.where(id_in(Card.id, dialect))


def _id_tuple(text: str) -> tuple[int, ...]:
    return tuple(sorted(map(int, text.split(","))))


def card_fragment(partnership: Partnership, card: Card) -> Markup:
    """One card's board HTML (after a change), through the same cache as the board."""
    row = _place_of(card)
    column = card.column if card.column_id == row.column_id else db.session.get(BoardColumn, row.column_id)
    html = render_cards(
        partnership,
        [row],
        options=load_options(partnership),
        done_columns={column.id} if column.is_done else set(),  # (all a single card needs to know)
        today=timezones.partnership_today(partnership),
    )[card.id]
    return Markup(html)  # noqa: S704 - escaped by the renderer


_PLACE_ATTRIBUTES = frozenset(
    ("id", "revision", "updated_at", "column_id", "project_id", "author_id", "due_date")
)


def _place_of(card: Card):
    """The card's row of PLACE_FIELDS: from the card itself when it holds them as saved (a move
    answered from what it wrote: database.commit_keeping_loaded), else read. (Its stamp as the
    database casts it: the same text, but for a whole second on SQLite, where the cached card
    is then only missed once.)"""
    state = inspect(card)
    if state.modified or state.pending or _PLACE_ATTRIBUTES & (state.unloaded | state.expired_attributes):
        return db.session.execute(select(*PLACE_FIELDS).where(Card.id == card.id)).one()
    due = card.due_date.isoformat() if card.due_date else None
    return place_row(
        (card.id, card.revision, str(card.updated_at), card.column_id, card.project_id, card.author_id, due)
    )


def column_heads(partnership: Partnership, columns) -> list[tuple[BoardColumn, int]]:
    """(column, open cards) for the given columns: the WIP badges a change refreshes."""
    columns = sorted(columns, key=lambda c: (c.position, c.id))
    counts = open_counts(partnership, [c.id for c in columns])
    return [(column, counts.get(column.id, 0)) for column in columns]


def moved_heads(partnership: Partnership, card: Card, columns) -> tuple[list[tuple[BoardColumn, int]], int]:
    """What a move's answer shows: column_heads of `columns`, and the card's place in its own
    column (1-based), from one query."""
    columns = sorted(columns, key=lambda c: (c.position, c.id))
    counts, place = counts_and_place(partnership, [c.id for c in columns], card)
    return [(column, counts.get(column.id, 0)) for column in columns], place


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
