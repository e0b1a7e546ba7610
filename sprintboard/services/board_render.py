"""Loading and rendering the board, designed so that a page costs about the same at 50 and at
2,000 cards:

- the board is *planned* from narrow rows (which card goes where: id, version, column, lane),
  with a fixed handful of queries;
- each card's HTML is cached by everything it shows; only cards that changed are read in full
  and rendered anew;
- the whole board's HTML is cached by a signature of that plan (every card's id, version,
  place and state, the columns, the lanes, the filters), so an unchanged board is one lookup.
  Keys are derived from the data itself: no service has to remember to invalidate anything.
"""

from __future__ import annotations

import secrets
from dataclasses import astuple, dataclass, field
from datetime import date, timedelta

from flask import current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy import String, and_, cast, exists, func, or_, select, union_all

from ..extensions import db
from ..models import BoardColumn, Card, Label, Membership, Partnership, Project, User
from ..models.card import card_assignees, card_labels
from .board import columns_of

DONE_LIMIT = 20  # most recent cards shown in a done column; the rest are one click away
CELL_LIMIT = 25  # cards per lane and column on the first render; the rest load when scrolled to
GROUPS = ("project", "city", "assignee")
# Dates come back as ISO text: parsing thousands of datetimes per page costs more than the
# query (only a card that must be rendered anew turns its due date into a date).
_DUE = cast(Card.due_date, String).label("due")
_STAMP = cast(Card.updated_at, String).label("stamp")
# What planning the board needs of every card (and all a cached card's key needs) ...
PLACE_FIELDS = (Card.id, Card.version, _STAMP, Card.column_id, Card.project_id, Card.author_id, _DUE)
# ... and what rendering a card needs, read only for cards not in the cache.
CARD_FIELDS = (
    Card.id,
    Card.version,
    Card.column_id,
    Card.project_id,
    Card.author_id,
    Card.position,
    Card.title,
    Card.language,
    Card.estimate,
    _DUE,
    Card.comment_count,
    Card.checklist_total,
    Card.checklist_done,
    _STAMP,
)


@dataclass
class Filters:
    q: str = ""
    label: int | None = None
    assignee: int | None = None
    city: int | None = None
    project: int | None = None  # 0: cards without a project
    due: str = ""  # "overdue" | "week"
    group: str = "project"
    sprint_id: int | None = None  # only the cards of this sprint (the active one)

    @property
    def active(self) -> bool:
        return bool(
            self.q
            or self.label
            or self.assignee
            or self.city
            or self.due
            or self.project is not None
            or self.sprint_id is not None
        )


@dataclass
class Lane:
    key: str
    title: str
    project_id: int | None = None
    cells: dict[int, Markup] = field(default_factory=dict)  # column id -> the cell's cards' HTML
    more: dict[int, int] = field(default_factory=dict)  # column id -> cards not rendered yet
    rows: dict[int, list] = field(default_factory=dict)  # column id -> the cell's cards (planned)


@dataclass
class Board:
    partnership: Partnership
    columns: list[BoardColumn]
    lanes: list[Lane]
    counts: dict[int, int]  # open cards per column (unfiltered), for WIP badges
    done_more: bool
    options: Options | None = None
    today: date | None = None
    assignees: dict[int, list[int]] | None = None  # loaded for every card when grouped by assignee
    signature: int = 0  # changes whenever anything the board shows changes


# The render caches ---------------------------------------------------------------------------

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


def _rows(statement) -> list:
    """Plain rows through Core: the ORM's per-row machinery costs more than the query here."""
    return db.session.connection().execute(statement).all()


# Loading -------------------------------------------------------------------------------------


@dataclass
class Options:
    """What the filters offer and every card may show: people, projects, labels, cities."""

    people: dict[int, tuple[str, int | None]]
    projects: list
    labels: list
    cities: list = field(default_factory=list)  # (id, name) in the partnership's order

    @property
    def signature(self) -> int:
        """Changes whenever anything a card shows besides the card itself changes (a person's
        name or home city, a project title, a label): part of every cached card's key."""
        if not hasattr(self, "_signature"):
            self._signature = hash(
                (
                    tuple(self.people.items()),
                    tuple(map(tuple, self.projects)),
                    tuple(map(tuple, self.labels)),
                    tuple(self.cities),
                )
            )
        return self._signature


def load_options(partnership: Partnership) -> Options:
    projects = _rows(
        select(Project.id, Project.title, Project.status, Project.lead_city_id)
        .where(Project.partnership_id == partnership.id)
        .order_by(func.lower(Project.title))
    )
    labels = _rows(
        select(Label.id, Label.name, Label.colour)
        .where(Label.partnership_id == partnership.id)
        .order_by(func.lower(Label.name))
    )
    cities = [(c.id, c.name) for c in partnership.cities]
    return Options(_people(partnership), projects, labels, cities)


def open_counts(partnership: Partnership, column_ids=None) -> dict[int, int]:
    query = (
        select(Card.column_id, func.count(Card.id))
        .where(Card.partnership_id == partnership.id, Card.archived_at.is_(None))
        .group_by(Card.column_id)
    )
    if column_ids is not None:
        query = query.where(Card.column_id.in_(column_ids))
    return dict(db.session.execute(query).all())


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


def plan_board(
    partnership: Partnership,
    filters: Filters,
    *,
    options: Options | None = None,
    today: date | None = None,
    limit: int | None = CELL_LIMIT,
    cell: tuple[str, int] | None = None,
) -> Board:
    """Which card goes where, from narrow rows; nothing is rendered yet."""
    today = today or date.today()
    options = options or load_options(partnership)
    columns = columns_of(partnership)
    counts = open_counts(partnership)
    # Grouped by assignee, a card's lane depends on all its assignees: load them for every card.
    assignees = (
        _pairs(card_assignees.c.card_id, card_assignees.c.user_id, _open_card_ids(partnership))
        if filters.group == "assignee"
        else None
    )
    rows, done_more = _card_rows(partnership, columns, filters, today, column_id=cell[1] if cell else None)
    lanes = _lanes(partnership, filters.group, options.projects, options.people, filters)
    by_key = {lane.key: lane for lane in lanes}
    cells: dict[tuple[str, int], list] = {}
    for key, row in zip(_lane_keys(rows, filters.group, options.people, assignees), rows, strict=True):
        cells.setdefault((key, row.column_id), []).append(row)
    for (key, column_id), cell_rows in cells.items():
        if cell is None or key == cell[0]:
            lane = by_key.get(key) or by_key.setdefault(key, _extra_lane(key))
            lane.rows[column_id] = cell_rows
    lanes = [lane for lane in by_key.values() if lane.rows or not filters.active]
    for lane in lanes:
        for column_id, cell_rows in lane.rows.items():
            if limit is not None and len(cell_rows) > limit:
                lane.more[column_id] = len(cell_rows) - limit
                lane.rows[column_id] = cell_rows[:limit]
    signature = hash(
        (
            partnership.id,
            partnership.render_epoch,
            options.signature,
            astuple(filters),
            today,
            limit,
            cell,
            done_more,
            tuple(sorted(counts.items())),
            tuple(rows),
            tuple((c.id, c.name, c.position, c.wip_limit, c.is_done) for c in columns),
        )
    )
    return Board(
        partnership,
        columns,
        lanes,
        counts,
        done_more,
        options=options,
        today=today,
        assignees=assignees,
        signature=signature,
    )


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


def board_html(board: Board, *, may_edit: bool) -> bytes:
    """The board's HTML (board/_board.html), UTF-8 encoded, from the cache when nothing it shows
    has changed. Bytes, not Markup: copying and re-encoding a few hundred KB of text per request
    would cost more than the rest of a cached render."""
    # (the partnership's id, too: not even a hash collision can show one partnership another's board)
    key = (
        board.partnership.id,
        board.signature,
        str(get_locale()),
        may_edit,
        tuple(request.args.items(multi=True)),
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
    return str(escape(generate_csrf())).encode().join(parts)


def filters_html(partnership: Partnership, form, options: Options) -> Markup:
    """The filter form (board/_filters.html): a function of the URL's arguments and of what can
    be chosen, so it is cached by them (WTForms renders a few hundred options slowly)."""
    key = (partnership.id, options.signature, str(get_locale()), tuple(request.args.items(multi=True)))
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


def _people(partnership) -> dict[int, tuple[str, int | None]]:
    rows = _rows(
        select(User.id, User.name, Membership.city_id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.partnership_id == partnership.id)
        .order_by(func.lower(User.name))
    )
    return {row.id: (row.name, row.city_id) for row in rows}


def _open_card_ids(partnership):
    return select(Card.id).where(Card.partnership_id == partnership.id, Card.archived_at.is_(None))


def _pairs(card_col, other_col, card_ids) -> dict[int, list[int]]:
    """card id -> [assignee ids | label ids] for the given cards (a list or a subquery), in one query."""
    result: dict[int, list[int]] = {}
    for card_id, other_id in _rows(select(card_col, other_col).where(card_col.in_(card_ids))):
        result.setdefault(card_id, []).append(other_id)
    return result


def _card_rows(partnership, columns, filters: Filters, today: date, column_id=None):
    """Narrow rows (PLACE_FIELDS) of the cards to show, in order: every open card, and the most
    recent done cards of each done column (with whether there are more)."""
    conditions = [Card.partnership_id == partnership.id, Card.archived_at.is_(None)]
    if column_id is not None:
        conditions.append(Card.column_id == column_id)
    conditions += _filter_conditions(partnership, filters, today)
    done_ids = [c.id for c in columns if c.is_done]
    open_rows = _rows(
        select(*PLACE_FIELDS)
        .where(*conditions, Card.column_id.not_in(done_ids) if done_ids else True)
        .order_by(Card.column_id, Card.position, Card.id)
    )
    if not done_ids:
        return open_rows, False
    # The most recent DONE_LIMIT (+1: are there more?) of each done column, each read through
    # the board index with a bounded sort, however long the board's history.
    recent = [
        select(*PLACE_FIELDS, cast(Card.done_at, String).label("done"))
        .where(*conditions, Card.column_id == done_id)
        .order_by(Card.done_at.desc(), Card.id.desc())
        .limit(DONE_LIMIT + 1)
        for done_id in done_ids
    ]
    if len(recent) == 1:
        done_rows = _rows(recent[0])
    else:
        done_rows = sorted(
            _rows(union_all(*[select(part.subquery()) for part in recent])),
            key=lambda row: (row.done or "", row.id),
            reverse=True,
        )
        done_rows.sort(key=lambda row: row.column_id)
    per_column: dict[int, int] = {}
    kept, more = [], False
    for row in done_rows:
        per_column[row.column_id] = per_column.get(row.column_id, 0) + 1
        if per_column[row.column_id] > DONE_LIMIT:
            more = True
            continue
        kept.append(row)
    return list(open_rows) + kept, more


def _filter_conditions(partnership, f: Filters, today: date) -> list:
    conditions = []
    if f.q:
        needle = f"%{f.q.lower()}%"
        conditions.append(or_(func.lower(Card.title).like(needle), func.lower(Card.body).like(needle)))
    if f.label:
        conditions.append(exists().where(card_labels.c.card_id == Card.id, card_labels.c.label_id == f.label))
    if f.assignee:
        conditions.append(
            exists().where(card_assignees.c.card_id == Card.id, card_assignees.c.user_id == f.assignee)
        )
    if f.city:
        city_members = select(Membership.user_id).where(
            Membership.partnership_id == partnership.id, Membership.city_id == f.city
        )
        conditions.append(
            or_(
                Card.author_id.in_(city_members),
                exists().where(
                    card_assignees.c.card_id == Card.id, card_assignees.c.user_id.in_(city_members)
                ),
            )
        )
    if f.project is not None:
        conditions.append(Card.project_id.is_(None) if f.project == 0 else Card.project_id == f.project)
    if f.sprint_id is not None:
        conditions.append(Card.sprint_id == f.sprint_id)
    if f.due == "overdue":
        conditions.append(and_(Card.due_date < today, Card.done_at.is_(None)))
    elif f.due == "week":
        conditions.append(and_(Card.due_date >= today, Card.due_date <= today + timedelta(days=7)))
    return conditions


# Lanes ---------------------------------------------------------------------------------------


def _lanes(partnership, group, projects, people, filters) -> list[Lane]:
    from flask_babel import gettext as _

    if group == "city":
        lanes = [Lane(f"c{c.id}", c.name) for c in partnership.cities]
        return lanes + [Lane("c0", _("Other"))]
    if group == "assignee":
        lanes = [Lane(f"u{uid}", name) for uid, (name, _city) in people.items()]
        return lanes + [Lane("u0", _("Unassigned"))]
    lanes = [Lane(f"p{p.id}", p.title, project_id=p.id) for p in projects if p.status != "complete"]
    if filters.project:
        lanes = [lane for lane in lanes if lane.project_id == filters.project]
    return lanes + [Lane("p0", _("No project"))]


def _extra_lane(key: str) -> Lane:
    # A card in a lane that is normally hidden (e.g. a completed project): show it anyway.
    return Lane(key, "…")


def _lane_keys(rows, group, people, assignees) -> list[str]:
    """The lane of each card: its project, its author's home city, or its first assignee."""
    if group == "city":
        home = {user_id: f"c{city_id or 0}" for user_id, (_name, city_id) in people.items()}
        return [home.get(row.author_id, "c0") for row in rows]
    if group == "assignee":
        return [_first_assignee(assignees.get(row.id), people) for row in rows]
    return [f"p{row.project_id or 0}" for row in rows]


def _first_assignee(user_ids, people) -> str:
    if not user_ids:
        return "u0"
    return f"u{min(user_ids, key=lambda uid: people.get(uid, ('', None))[0].lower())}"


# Rendering -----------------------------------------------------------------------------------


def render_cards(
    partnership, rows, *, options: Options, done_columns, today, assignees: dict[int, list[int]] | None = None
) -> dict[int, Markup]:
    """Each card's HTML, from the cache where possible. Assignees and labels are loaded only for
    the cards that must be rendered anew (a card's version changes when they change)."""
    key_base = (str(get_locale()), partnership.render_epoch, options.signature)
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
        key = (row.id, row.version, row.stamp, state, *key_base)
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
    full = {row.id: row for row in _rows(select(*CARD_FIELDS).where(Card.id.in_(ids)))}
    if assignees is None:
        assignees = _pairs(card_assignees.c.card_id, card_assignees.c.user_id, ids)
    card_label_ids = _pairs(card_labels.c.card_id, card_labels.c.label_id, ids)
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
                    for uid in sorted(
                        assignees.get(row.id, ()), key=lambda u: people.get(u, ("", None))[0].lower()
                    )
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


def done_cards(partnership: Partnership, page: int, per_page: int = 50):
    """Done cards of the board, most recent first, a page at a time."""
    rows = db.session.execute(
        select(Card.id, Card.title, Card.done_at, Card.project_id, Project.title.label("project"))
        .outerjoin(Project, Project.id == Card.project_id)
        .join(BoardColumn, BoardColumn.id == Card.column_id)
        .where(
            Card.partnership_id == partnership.id, Card.archived_at.is_(None), BoardColumn.is_done.is_(True)
        )
        .order_by(Card.done_at.desc(), Card.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    return rows[:per_page], len(rows) > per_page


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
