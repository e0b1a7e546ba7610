"""What the board shows, as plain data: which card goes where (the plan), the filters, the
lanes, and what the filters offer. No Flask request, no HTML (that is board.render).

The board is *planned* from narrow rows (id, revision, column, lane of every card) with a fixed
handful of queries, so a page costs about the same at 50 and at 2,000 cards. The lane a card
belongs in has one rule (`lane_keys`), used by the board and by live updates alike.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import namedtuple
from dataclasses import astuple, dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, NamedTuple

from flask_babel import gettext as _
from sqlalchemy import (
    Integer,
    String,
    and_,
    any_,
    bindparam,
    cast,
    column,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.util import ClauseAdapter

from .. import timezones
from ..extensions import db
from ..models import BoardColumn, Card, City, Label, Membership, Partnership, Project, User
from ..models.card import card_assignees, card_labels
from ..services import board_view
from ..services.board import columns_of
from ..services.translations import with_reader_title

if TYPE_CHECKING:
    from markupsafe import Markup
    from sqlalchemy import Select

    from ..services.board_view import PageState

DONE_LIMIT = 20  # most recent cards shown in a done column; the rest are one click away
CELL_LIMIT = 25  # cards per lane and column on the first render; the rest load when scrolled to
GROUPS = ("project", "city", "assignee")
# Dates come back as ISO text: parsing thousands of datetimes per page costs more than the
# query (only a card that must be rendered anew turns its due date into a date).
_DUE = cast(Card.due_date, String).label("due")
_STAMP = cast(Card.updated_at, String).label("stamp")
# What planning the board needs of every card (and all a cached card's key needs) ...
PLACE_FIELDS = (Card.id, Card.revision, _STAMP, Card.column_id, Card.project_id, Card.author_id, _DUE)
# ... and what rendering a card needs besides (`render_fields`), read only for cards not in the
# cache (or, on a board this process has not rendered yet, with the plan: `plan_board`'s `wide`).
RENDER_FIELDS = (
    Card.position,
    Card.title,
    Card.language,
    Card.estimate,
    Card.comment_count,
    Card.attachment_count,
    Card.checklist_total,
    Card.checklist_done,
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

    @property
    def active_count(self) -> int:
        """How many filters narrow the board (the grouping is no filter)."""
        values = (self.q, self.label, self.assignee, self.city, self.due)
        return sum(map(bool, values)) + (self.project is not None) + (self.sprint_id is not None)


@dataclass
class Lane:
    key: str
    title: str
    project_id: int | None = None
    cells: dict[int, Markup] = field(default_factory=dict)  # column id -> the cell's card list (HTML)
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
    parts: tuple = ()  # what the signature is made of, besides the options'

    def digest(self) -> str:
        """The signature as a digest that is the same in every process (hash() is not): the key
        under which workers share the whole board (made only when one is looked for there)."""
        if not hasattr(self, "_digest"):
            shown = repr((self.options.parts, self.parts)).encode()
            self._digest = hashlib.blake2b(shown, digest_size=16).hexdigest()
        return self._digest


def fetch(statement, params=None) -> list:
    """Plain rows through Core: the ORM's per-row machinery costs more than the query here.
    Named tuples, not SQLAlchemy rows: reading a field of a row by name costs ~0.5 µs, of a
    named tuple ~0.03 µs, and the board reads a dozen fields of thousands of rows."""
    result = db.session.connection().execute(statement, params)
    make = _row_class(tuple(result.keys()))
    return [make(row) for row in result.all()]


def fetch_plain(statement, params=None) -> list:
    """`fetch` for a statement whose columns are all integers and text: the driver's rows as they
    come (SQLAlchemy's own rows, which nothing here needs, cost ~1 µs each)."""
    result = db.session.connection().execute(statement, params)
    make = _row_class(tuple(result.keys()))
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return [make(row) for row in rows]


def place_row(values: tuple):
    """A row of PLACE_FIELDS, as `fetch` gives it, made of `values` in their order."""
    return _row_class(_place_names())(values)


@functools.cache
def _place_names() -> tuple[str, ...]:
    return tuple(select(*PLACE_FIELDS).selected_columns.keys())


@functools.cache
def _row_class(fields: tuple[str, ...]):
    cls = namedtuple("Row", fields, rename=True)  # noqa: PYI024 - a class per query shape
    new = tuple.__new__
    return lambda row: new(cls, row)


# Loading -------------------------------------------------------------------------------------


@dataclass
class Options:
    """What the filters offer and every card may show: people, projects, labels, cities."""

    people: dict[int, tuple[str, int | None]]
    projects: list
    labels: list
    cities: list = field(default_factory=list)  # (id, name) in the partnership's order
    page: PageState | None = None  # the board page's reader's (load_options' `reader`), not shown by cards

    @property
    def signature(self) -> int:
        """Changes whenever anything a card shows besides the card itself changes (a person's
        name or home city, a project title, a label): part of every cached card's key."""
        if not hasattr(self, "_signature"):
            self._signature = hash(self.parts)
        return self._signature

    @property
    def parts(self) -> tuple:
        """What the signature is made of."""
        return (
            tuple(self.people.items()),
            tuple(map(tuple, self.projects)),
            tuple(map(tuple, self.labels)),
            tuple(self.cities),
        )


def load_options(partnership: Partnership, reader: User | None = None) -> Options:
    """The partnership's projects, labels, people and cities in one query (every board page and
    every card changed asks for them: one round trip, not four). With `reader` (the board page),
    the same query reads their page's state too (`Options.page`: board_view.page_values)."""
    projects, labels, people, cities, page = [], [], {}, [], None
    project, label = (
        _row_class(("id", "title", "status", "lead_city_id")),
        _row_class(("id", "name", "colour")),
    )
    params = board_view.page_params(partnership, reader) if reader is not None else {"pid": partnership.id}
    for kind, id_, name, text_, number in db.session.connection().execute(
        _options_statement(reader is not None), params
    ):
        if kind == 0:
            projects.append(project((id_, name, text_, number)))
        elif kind == 1:
            labels.append(label((id_, name, text_)))
        elif kind == 2:
            people[id_] = (name, number)
        elif kind == 3:
            cities.append((id_, name))
        elif kind == 4:  # (density, collapsed, watching, latest activity)
            page = [name, text_, number, id_]
        else:  # (the running sprint's id, name, goal)
            page += [id_, name, text_]
    return Options(people, projects, labels, cities, board_view.state_of(page) if page is not None else None)


@functools.cache
def _options_statement(with_page: bool = False):
    """load_options' query (the partnership's id: the parameter "pid"): rows of (kind, id, name,
    text, number) in each kind's order: 0 projects by title (text: status, number: lead city),
    1 labels by name (text: colour), 2 people by name (number: their city here), 3 cities in
    the partnership's order; `with_page` (parameters: board_view.page_params) then 4 the
    page's (latest activity, density, collapsed lanes, watching) and 5 its running sprint's
    (id, name, goal), a row each."""
    pid, no_text, no_number = bindparam("pid"), cast(null(), String), cast(null(), Integer)

    def part(kind, id_, name, text_, number, order, where, join=None):
        query = select(
            literal_column(str(kind), Integer).label("kind"),
            id_.label("id"),
            name.label("name"),
            text_.label("text"),
            number.label("number"),
            order.label("sort"),
        )
        return (query.join_from(*join) if join else query).where(where)

    parts = [
        part(
            0,
            Project.id,
            Project.title,
            Project.status,
            Project.lead_city_id,
            func.lower(Project.title),
            Project.partnership_id == pid,
        ),
        part(
            1,
            Label.id,
            Label.name,
            Label.colour,
            no_number,
            func.lower(Label.name),
            Label.partnership_id == pid,
        ),
        part(
            2,
            User.id,
            User.name,
            no_text,
            Membership.city_id,
            func.lower(User.name),
            Membership.partnership_id == pid,
            join=(User, Membership, Membership.user_id == User.id),
        ),
        part(
            3,
            City.id,
            City.name,
            no_text,
            City.position,
            literal_column("''", String),
            City.partnership_id == pid,
        ),
    ]
    if with_page:
        density, collapsed, watches, latest, sprint_id, sprint_name, goal = board_view.page_values()
        nothing, always = literal_column("''", String), literal_column("1", Integer) == 1
        parts.append(part(4, latest, density, collapsed, cast(watches, Integer), nothing, always))
        parts.append(part(5, sprint_id, sprint_name, goal, no_number, nothing, always))
    union = union_all(*parts).subquery()
    return select(union.c.kind, union.c.id, union.c.name, union.c.text, union.c.number).order_by(
        union.c.kind, union.c.sort, union.c.number, union.c.id
    )


def open_counts(partnership: Partnership, column_ids=None) -> dict[int, int]:
    if column_ids is None:
        return dict(db.session.execute(_open_counts_statement(False), {"pid": partnership.id}).all())
    statement = _open_counts_statement(True)
    return dict(db.session.execute(statement, {"pid": partnership.id, "column_ids": list(column_ids)}).all())


def counts_and_place(partnership: Partnership, column_ids, card: Card) -> tuple[dict[int, int], int]:
    """Open cards in the given columns, and the 1-based place of `card` in its own column, in one
    query (what a move's answer says)."""
    counts, place = {}, 1
    for column_id, count, above in db.session.execute(
        _counts_and_place_statement(),
        {
            "pid": partnership.id,
            "column_ids": list(column_ids),
            "column_id": card.column_id,
            "position": card.position,
            "card_id": card.id,
        },
    ):
        counts[column_id] = count
        if column_id == card.column_id:
            place = above + 1
    return counts, place


@functools.cache
def _counts_and_place_statement():
    position = bindparam("position")
    above = (Card.column_id == bindparam("column_id")) & (
        (Card.position < position) | ((Card.position == position) & (Card.id < bindparam("card_id")))
    )
    return _open_counts_statement(True).add_columns(func.count(Card.id).filter(above))


@functools.cache
def _open_counts_statement(some_columns: bool):
    # (built once: every page asks; building and keying a statement costs more than the query)
    query = (
        select(Card.column_id, func.count(Card.id))
        .where(Card.partnership_id == bindparam("pid"), Card.archived_at.is_(None))
        .group_by(Card.column_id)
    )
    return query.where(Card.column_id.in_(bindparam("column_ids", expanding=True))) if some_columns else query


def plan_board(
    partnership: Partnership,
    filters: Filters,
    *,
    options: Options | None = None,
    today: date | None = None,
    limit: int | None = CELL_LIMIT,
    cell: tuple[str, int] | None = None,
    wide: str | None = None,
) -> Board:
    """Which card goes where, from narrow rows; nothing is rendered yet. With `wide` (a reader's
    language), the rows of an unfiltered board carry everything rendering them needs, in that
    language (`render_fields`): for a board whose cards are not kept rendered, one query
    instead of a narrow one and then the same cards again."""
    today = today or timezones.partnership_today(partnership)  # overdue after midnight there
    options = options or load_options(partnership)
    columns = columns_of(partnership)
    # Grouped by assignee, a card's lane depends on all its assignees: load them for every card.
    assignees = (
        pairs(card_assignees.c.card_id, card_assignees.c.user_id, _open_card_ids(partnership))
        if filters.group == "assignee"
        else None
    )
    rows, places, done_more, counts, totals = _card_rows(
        partnership,
        columns,
        filters,
        today,
        column_id=cell[1] if cell else None,
        # Grouped by project (a card's lane is in its row), the database cuts each cell short.
        cell_limit=limit if filters.group == "project" and cell is None else None,
        wide=(wide, assignees is None) if wide else None,
    )
    lanes = _lanes(partnership, filters.group, options, filters)
    by_key = {lane.key: lane for lane in lanes}
    cells: dict[tuple[str, int], list] = {}
    for key, row in zip(lane_keys(rows, filters.group, options.people, assignees), rows, strict=True):
        cells.setdefault((key, row.column_id), []).append(row)
    for (key, column_id), cell_rows in cells.items():
        if cell is None or key == cell[0]:
            lane = by_key.get(key) or by_key.setdefault(key, _extra_lane(key))
            lane.rows[column_id] = cell_rows
    lanes = [lane for lane in by_key.values() if lane.rows or not filters.active]
    for lane in lanes:
        for column_id, cell_rows in lane.rows.items():
            # (cells cut short by the database: their whole count is in `totals`)
            total = totals.get((lane.key, column_id)) or len(cell_rows)
            if limit is not None and total > limit:
                lane.more[column_id] = total - limit
                lane.rows[column_id] = cell_rows[:limit]
    parts = (
        partnership.id,
        astuple(filters),
        today,
        limit,
        cell,
        done_more,
        tuple(sorted(counts.items())),
        places,
        tuple(sorted(totals.items())),
        tuple((c.id, c.shown_name, c.position, c.wip_limit, c.is_done) for c in columns),
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
        signature=hash((options.signature, parts)),
        parts=parts,
    )


def _people(partnership) -> dict[int, tuple[str, int | None]]:
    rows = fetch(
        select(User.id, User.name, Membership.city_id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.partnership_id == partnership.id)
        .order_by(func.lower(User.name))
    )
    return {row.id: (row.name, row.city_id) for row in rows}


def _open_card_ids(partnership):
    return select(Card.id).where(Card.partnership_id == partnership.id, Card.archived_at.is_(None))


def id_list(ids):
    """`ids` for an IN: a list as one expanding parameter (SQLAlchemy would otherwise coerce each
    of hundreds of ids into a parameter of its own, and compile the query anew per count);
    a subquery as it is."""
    if isinstance(ids, list | tuple | set | frozenset):
        return bindparam(None, list(ids), expanding=True, type_=Integer)
    return ids


def id_in(id_column, dialect: str, name: str = "ids"):
    """`id_column` is one of the ids in one parameter `name` (its value: `id_values`), for
    hundreds of ids: the statement stays the same whatever the count (built and compiled once;
    an expanding parameter is rewritten and bound id by id on every execution). On SQLite a
    JSON array; on PostgreSQL an array, as `= ANY`: looked up in the index (an IN of its
    unnested ids was hashed against every card of the table)."""
    if dialect == "sqlite":
        return id_column.in_(select(column("value", Integer)).select_from(func.json_each(bindparam(name))))
    if dialect == "postgresql":
        return id_column == any_(bindparam(name, type_=ARRAY(Integer)))
    return id_column.in_(bindparam(name, expanding=True, type_=Integer))


def id_values(dialect: str, ids: list[int]):
    """The value of `id_in`'s parameter."""
    return json.dumps(ids) if dialect == "sqlite" else list(ids)


def pairs(card_col, other_col, card_ids) -> dict[int, list[int]]:
    """card id -> [assignee ids | label ids] for the given cards (a list or a subquery), in one query."""
    result: dict[int, list[int]] = {}
    for card_id, other_id in fetch(select(card_col, other_col).where(card_col.in_(id_list(card_ids)))):
        result.setdefault(card_id, []).append(other_id)
    return result


def _card_rows(
    partnership, columns, filters: Filters, today: date, column_id=None, cell_limit=None, wide=None
):
    """Rows of the cards to show: every open card (or with `cell_limit`, grouped by project: the
    first so many of each project's cell), in their order in each cell, and the most recent done
    cards of each done column (with whether there are more); the open cards per column
    (unfiltered, for the WIP badges); with `cell_limit`, each cut cell's whole count by (lane
    key, column id). The rows are narrow (PLACE_FIELDS, and a done card's "done"), or on an
    unfiltered board with `wide` = (reader's language, with assignees), `render_fields`;
    `places` are their narrow part as plain tuples, the same either way (what the board's
    signature is made of). As a rule one statement (see `_statements`)."""
    filtering = _filter_conditions(partnership, filters, today)
    done_ids = tuple(c.id for c in columns if c.is_done)
    if filtering or column_id is not None:
        statements = _statements(done_ids, cell_limit, tuple(filtering), column_id)
    else:  # the board as a rule: its statements are built once (building costs more than the query)
        dialect = db.session.get_bind().dialect.name
        statements = _plain_statements(done_ids, cell_limit, dialect, wide)
    every, cells, recent = statements
    params = {"pid": partnership.id}
    if cells is None:
        rows = fetch_plain(every, params)
        done = set(done_ids)
        cell_counts = {(row.project_id, row.column_id): row.total for row in rows if row.id is None}
        open_rows = [row for row in rows if row.column_id not in done and row.id is not None]
        done_rows = [row for row in rows if row.column_id in done and row.id is not None]
        open_rows.sort(key=_in_cell_order)
    else:  # SQLite's board as a rule: the cells' counts first, then their first cards
        cell_counts = {(pid, cid): n for pid, cid, n in fetch_plain(cells, params)}
        shown = [cell for cell in cell_counts if cell[1] not in done_ids]
        cut = {"cells": json.dumps(shown)} if cell_limit is not None else {}
        open_rows = fetch_plain(every, params | cut)
        done_rows = fetch_plain(recent, params) if recent is not None else []
    columns_counts = {}
    for (_project_id, cid), n in cell_counts.items():
        columns_counts[cid] = columns_counts.get(cid, 0) + n
    more = any(columns_counts.get(cid, 0) > DONE_LIMIT for cid in done_ids)
    # (the rows' counts are every column's: the columns' WIP counts too, unless filtered)
    counts = open_counts(partnership) if filtering or column_id is not None else columns_counts
    totals: dict[tuple[str, int], int] = {}
    if cell_limit is not None:
        totals = {(f"p{pid or 0}", cid): n for (pid, cid), n in cell_counts.items() if cid not in done_ids}
    place, done_place = len(PLACE_FIELDS), len(PLACE_FIELDS) + 1
    places = tuple([row[:place] for row in open_rows])
    done_rows.sort(key=lambda row: (row.done or "", row.id), reverse=True)
    done_rows.sort(key=lambda row: row.column_id)
    places += tuple([row[:done_place] for row in done_rows])
    return open_rows + done_rows, places, more, counts, totals


def _in_cell_order(row) -> tuple:
    # (the rank is the card's place in its cell, or without a cell limit in its column)
    return row.column_id, row.rank, row.id


class _Statements(NamedTuple):
    every: Select  # the open cards; or, as a rule, the open and recent done cards and the counts
    cells: Select | None  # SQLite's board cell by cell: each cell's count (`every` reads the cells')
    recent: Select | None  # SQLite's board cell by cell: the recent done cards


@functools.lru_cache(maxsize=256)
def _plain_statements(done_ids: tuple[int, ...], cell_limit: int | None, dialect: str, wide: tuple | None):
    return _statements(done_ids, cell_limit, (), None, wide, cell_by_cell=dialect == "sqlite")


def _statements(
    done_ids: tuple[int, ...],
    cell_limit: int | None,
    filtering: tuple,
    column_id: int | None,
    wide=None,
    *,
    cell_by_cell: bool = False,
) -> _Statements:
    """The statements of `_card_rows` (the partnership's id a parameter, "pid"). As a rule one,
    a union: the open cards (all, or with `cell_limit` the first of each project's cell), each
    with its rank in its cell (or column); the most recent DONE_LIMIT cards of each done column;
    and each cell's count (project, column and total, in rows without an id): one round trip,
    not three. With `cell_by_cell` (SQLite's board, where a statement costs no round trip)
    three apart: the cells' counts, the open cards in board order (with `cell_limit` read cell
    by cell, their parameter "cells": the cells' [project id, column id] as JSON), the done
    cards. Rows are narrow (PLACE_FIELDS; the union's and the done cards' with done, total,
    rank), or with `wide` = (reader's language, with assignees) also `render_fields`."""
    conditions = [Card.partnership_id == bindparam("pid"), Card.archived_at.is_(None), *filtering]
    if column_id is not None:
        conditions.append(Card.column_id == column_id)
    open_only = Card.column_id.not_in(done_ids) if done_ids else True
    # Each part reads its cards in a subquery that carries the card columns its rows read (the
    # rows are read from it, not from the cards joined again: PostgreSQL, 700 of 1,600 open
    # cards, 3.3 -> 2.9 ms narrow, 6.5 -> 6.0 ms with what rendering needs).
    carried = (*PLACE_FIELDS, Card.position, *(RENDER_FIELDS if wide is not None else ()))
    carried = tuple({id(field): field for field in carried}.values())

    def rows(inner, done, total, rank):
        """The rows of a part, read from `inner`: narrow, or wide with what rendering needs
        (joined last: SQLite plans a join in the order written, and the cards come first)."""
        statement = select(*PLACE_FIELDS, done.label("done"), total.label("total"), rank.label("rank"))
        return ClauseAdapter(inner).traverse(statement if wide is None else render_fields(statement, *wide))

    # The most recent DONE_LIMIT of each done column, each read through the board index with a
    # bounded sort, however long the board's history.
    recent = []
    for done_id in done_ids:
        inner = (
            select(*carried, Card.done_at, cast(null(), Integer).label("total"))
            .where(*conditions, Card.column_id == done_id)
            .order_by(Card.done_at.desc(), Card.id.desc())
            .limit(DONE_LIMIT)
            .subquery()
        )
        recent.append(rows(inner, cast(Card.done_at, String), inner.c.total, cast(null(), Integer)))
    if cell_by_cell:  # (SQLite: a statement more costs no round trip there, a window over every card does)
        if cell_limit is None:
            every = select(*PLACE_FIELDS).where(*conditions, open_only)
        else:
            # Each cell's first `cell_limit` cards, cell by cell: for each cell, a walk of the
            # index on (partnership, archived, project, column, position) that stops there (a
            # board of 20,000 cards is planned from the few hundred it shows).
            cell = func.json_each(bindparam("cells")).table_valued("value").alias("cell")
            firsts = Card.__table__.alias("firsts")
            first_ids = (
                select(firsts.c.id)
                .where(
                    firsts.c.partnership_id == bindparam("pid"),
                    firsts.c.archived_at.is_(None),
                    firsts.c.project_id.is_(func.json_extract(cell.c.value, "$[0]")),
                    firsts.c.column_id == func.json_extract(cell.c.value, "$[1]"),
                )
                .order_by(firsts.c.position, firsts.c.id)
                .limit(cell_limit)
            )
            every = select(*PLACE_FIELDS).select_from(cell).join(Card, Card.id.in_(first_ids))
        every = every if wide is None else render_fields(every, *wide)
        every = every.order_by(Card.column_id, Card.position, Card.id)
        # The cells' whole counts from the same index, in every column (the same query then
        # counts each column's open cards for the WIP badges).
        cells = select(Card.project_id, Card.column_id, func.count()).where(*conditions)
        cells = cells.group_by(Card.project_id, Card.column_id)
        recent = union_all(*recent) if len(recent) > 1 else recent[0] if recent else None
        return _Statements(every, cells, recent)
    # The open cards ranked in their cell (grouped by project: a partition holds the NULL
    # projects together, as GROUP BY does), or without a cell limit in their column.
    partition = (Card.project_id, Card.column_id) if cell_limit is not None else (Card.column_id,)
    rank = func.row_number(type_=Integer).over(partition_by=partition, order_by=(Card.position, Card.id))
    rank = rank.label("rank")
    inner = select(*carried, rank, cast(null(), Integer).label("total")).where(*conditions, open_only)
    inner = inner.subquery()
    every = rows(inner, cast(null(), String), inner.c.total, inner.c.rank)
    if cell_limit is not None:
        every = every.where(inner.c.rank <= cell_limit)
    # And each cell's count, done columns' too, as rows without an id (a count over a window
    # kept every card of the board in memory: at 20,000 cards twice as slow as counting apart).
    counted = {"column_id": Card.column_id, "project_id": Card.project_id, "total": func.count()}
    counts = select(
        *[counted.get(c.name, cast(null(), c.type)).label(c.name) for c in every.selected_columns]
    ).where(*conditions)
    counts = counts.group_by(Card.project_id, Card.column_id)
    return _Statements(union_all(every, *recent, counts), None, None)


def render_fields(statement, reader: str, with_assignees: bool):
    """`statement` (a select of cards) with what rendering its cards needs besides
    (RENDER_FIELDS), in the reader's language: each card's label (and assignee) ids as text
    "3,12,40" (`_ids_of`), and its title translated into `reader` (or None)."""
    fields = [*RENDER_FIELDS, _ids_of(card_labels.c.card_id, card_labels.c.label_id).label("label_ids")]
    if with_assignees:
        fields.append(_ids_of(card_assignees.c.card_id, card_assignees.c.user_id).label("assignee_ids"))
    return with_reader_title(statement.add_columns(*fields), reader)


def _ids_of(card_col, other_col):
    """The ids linked to each card (labels, assignees) as one text "3,12,40", a subquery per row
    (what the index on the link table answers directly; two queries of id pairs cost more)."""
    return (
        select(func.aggregate_strings(cast(other_col, String), ","))
        .where(card_col == Card.id)
        .scalar_subquery()
    )


def _filter_conditions(partnership, f: Filters, today: date) -> list:
    conditions = []
    if f.q:
        needle = f.q.lower()  # "50%" and "to_do" are searched as written, not as wildcards
        conditions.append(
            or_(
                func.lower(Card.title).contains(needle, autoescape=True),
                func.lower(Card.body).contains(needle, autoescape=True),
            )
        )
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


def _lanes(partnership, group, options: Options, filters) -> list[Lane]:
    projects, people = options.projects, options.people
    if group == "city":
        lanes = [Lane(f"c{city_id}", name) for city_id, name in options.cities]
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


def lane_keys(rows, group, people, assignees) -> list[str]:
    """The lane of each card (rows with author_id, project_id and id): its project, its
    author's home city, or its first assignee in name order. The one lane rule: the board and
    live updates (`card_lanes`) both use it."""
    if group == "city":
        home = {user_id: f"c{city_id or 0}" for user_id, (_name, city_id) in people.items()}
        return [home.get(row.author_id, "c0") for row in rows]
    if group == "assignee":
        return [_first_assignee(assignees.get(row.id), people) for row in rows]
    return [f"p{row.project_id or 0}" for row in rows]


def person_order(people):
    """Sort key for user ids: by name, case-insensitively (as lanes and avatars are ordered)."""
    return lambda uid: (people.get(uid, ("", None))[0].lower(), uid)


def _first_assignee(user_ids, people) -> str:
    if not user_ids:
        return "u0"
    return f"u{min(user_ids, key=person_order(people))}"


def card_lanes(partnership: Partnership, card: Card) -> list[str]:
    """The lanes `card` belongs in, one per grouping (project, city, assignee)."""
    people = _people(partnership)
    assignees = pairs(card_assignees.c.card_id, card_assignees.c.user_id, [card.id])
    return [lane_keys([card], group, people, assignees)[0] for group in GROUPS]


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
