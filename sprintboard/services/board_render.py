"""Loading and rendering the board: a fixed handful of queries returning plain rows, and each
card's HTML cached by everything it shows, so a board render is mostly joining strings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app, url_for
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import String, and_, cast, exists, func, or_, select

from ..extensions import db
from ..models import BoardColumn, Card, Label, Membership, Partnership, Project, User
from ..models.board import card_assignees, card_labels
from .board import columns_of

DONE_LIMIT = 20  # most recent cards shown in a done column; the rest are one click away
CELL_LIMIT = 25  # cards per lane and column on the first render; the rest load when scrolled to
GROUPS = ("project", "city", "assignee")
# Dates come back as ISO text: parsing thousands of datetimes per page costs more than the
# query (only a card that must be rendered anew turns its due date into a date).
CARD_FIELDS = (
    Card.id, Card.version, Card.column_id, Card.project_id, Card.author_id, Card.position,
    Card.title, Card.language, Card.estimate, cast(Card.due_date, String).label("due"),
    Card.comment_count, Card.checklist_total, Card.checklist_done,
    cast(Card.updated_at, String).label("stamp"),
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
        return bool(self.q or self.label or self.assignee or self.city or self.due
                    or self.project is not None or self.sprint_id is not None)


@dataclass
class Lane:
    key: str
    title: str
    project_id: int | None = None
    cells: dict[int, list[Markup]] = field(default_factory=dict)
    more: dict[int, int] = field(default_factory=dict)  # column id -> cards not rendered yet


@dataclass
class Board:
    partnership: Partnership
    columns: list[BoardColumn]
    lanes: list[Lane]
    counts: dict[int, int]  # open cards per column (unfiltered), for WIP badges
    done_more: bool


# The render cache ----------------------------------------------------------------------------

# Plain dict operations are atomic under the GIL; when full, the cache starts over (entries of
# changed cards are never read again, so wholesale eviction is as good as LRU here).
_CACHE: dict[tuple, Markup] = {}
CACHE_SIZE = 50_000


def _store(key: tuple, html: Markup) -> None:
    if len(_CACHE) >= CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = html


def clear_cache() -> None:
    _CACHE.clear()


def _rows(statement) -> list:
    """Plain rows through Core: the ORM's per-row machinery costs more than the query here."""
    return db.session.connection().execute(statement).all()


# Loading -------------------------------------------------------------------------------------


@dataclass
class Options:
    """What the filters offer and every card may show: people, projects, labels."""

    people: dict[int, tuple[str, int | None]]
    projects: list
    labels: list


def load_options(partnership: Partnership) -> Options:
    projects = db.session.execute(
        select(Project.id, Project.title, Project.status, Project.lead_city_id)
        .where(Project.partnership_id == partnership.id)
        .order_by(func.lower(Project.title))
    ).all()
    labels = db.session.execute(
        select(Label.id, Label.name, Label.colour)
        .where(Label.partnership_id == partnership.id)
        .order_by(func.lower(Label.name))
    ).all()
    return Options(_people(partnership), projects, labels)


def open_counts(partnership: Partnership, column_ids=None) -> dict[int, int]:
    query = (
        select(Card.column_id, func.count(Card.id))
        .where(Card.partnership_id == partnership.id, Card.archived_at.is_(None))
        .group_by(Card.column_id)
    )
    if column_ids is not None:
        query = query.where(Card.column_id.in_(column_ids))
    return dict(db.session.execute(query).all())


def load_board(partnership: Partnership, filters: Filters, *, options: Options | None = None,
               today: date | None = None, limit: int | None = CELL_LIMIT,
               cell: tuple[str, int] | None = None) -> Board:
    """The board as lanes of cells of rendered cards. `limit` bounds the cards rendered per cell
    (None: all); `cell` = (lane key, column id) loads just that cell, complete."""
    today = today or date.today()
    options = options or load_options(partnership)
    people, projects, labels = options.people, options.projects, options.labels
    columns = columns_of(partnership)
    counts = open_counts(partnership)
    rows, done_more = _card_rows(partnership, columns, filters, today,
                                 column_id=cell[1] if cell else None)
    assignees = _pairs(card_assignees.c.card_id, card_assignees.c.user_id, partnership)
    card_label_ids = _pairs(card_labels.c.card_id, card_labels.c.label_id, partnership)

    lanes = _lanes(partnership, filters.group, projects, people, filters)
    by_key = {lane.key: lane for lane in lanes}
    # First place the rows in their cells, then render only the rows that will be shown.
    placed: dict[tuple[str, int], list] = {}
    for row in rows:
        key = _lane_key(row, filters.group, people, assignees)
        if cell is None or key == cell[0]:
            placed.setdefault((key, row.column_id), []).append(row)
    visible = []
    for (key, column_id), cell_rows in placed.items():
        lane = by_key.get(key) or by_key.setdefault(key, _extra_lane(key))
        if limit is not None and len(cell_rows) > limit:
            lane.more[column_id] = len(cell_rows) - limit
            cell_rows = placed[(key, column_id)] = cell_rows[:limit]
        visible += cell_rows
    fragments = render_cards(
        partnership, visible, people=people, assignees=assignees, card_labels=card_label_ids,
        projects={p.id: p for p in projects}, labels={lb.id: lb for lb in labels},
        done_columns={c.id for c in columns if c.is_done}, today=today,
    )
    for (key, column_id), cell_rows in placed.items():
        by_key[key].cells[column_id] = [fragments[row.id] for row in cell_rows]
    lanes = [lane for lane in by_key.values() if lane.cells or not filters.active]
    for lane in lanes:
        # One string per cell: the template then joins a few dozen pieces, not thousands.
        lane.cells = {
            column_id: Markup("".join(html))  # noqa: S704 - joins already-escaped fragments
            for column_id, html in lane.cells.items()
        }
    return Board(partnership, columns, lanes, counts, done_more)


def _people(partnership) -> dict[int, tuple[str, int | None]]:
    rows = _rows(
        select(User.id, User.name, Membership.city_id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.partnership_id == partnership.id)
        .order_by(func.lower(User.name))
    )
    return {row.id: (row.name, row.city_id) for row in rows}


def _pairs(card_col, other_col, partnership) -> dict[int, list[int]]:
    """card id -> [assignee ids | label ids] for every open card of the board, in one query."""
    result: dict[int, list[int]] = {}
    rows = _rows(
        select(card_col, other_col)
        .join(Card, Card.id == card_col)
        .where(Card.partnership_id == partnership.id, Card.archived_at.is_(None))
    )
    for card_id, other_id in rows:
        result.setdefault(card_id, []).append(other_id)
    return result


def _card_rows(partnership, columns, filters: Filters, today: date, column_id=None):
    conditions = [Card.partnership_id == partnership.id, Card.archived_at.is_(None)]
    if column_id is not None:
        conditions.append(Card.column_id == column_id)
    conditions += _filter_conditions(partnership, filters, today)
    done_ids = [c.id for c in columns if c.is_done]
    open_rows = _rows(
        select(*CARD_FIELDS)
        .where(*conditions, Card.column_id.not_in(done_ids) if done_ids else True)
        .order_by(Card.column_id, Card.position, Card.id)
    )
    if not done_ids:
        return open_rows, False
    rank = func.row_number().over(
        partition_by=Card.column_id, order_by=(Card.done_at.desc(), Card.id.desc())
    ).label("rank")
    ranked = (
        select(*CARD_FIELDS, rank).where(*conditions, Card.column_id.in_(done_ids)).subquery()
    )
    done_rows = _rows(
        select(*[ranked.c[c.key] for c in CARD_FIELDS])
        .where(ranked.c.rank <= DONE_LIMIT + 1)
        .order_by(ranked.c.column_id, ranked.c.rank)
    )
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
        conditions.append(exists().where(card_labels.c.card_id == Card.id,
                                         card_labels.c.label_id == f.label))
    if f.assignee:
        conditions.append(exists().where(card_assignees.c.card_id == Card.id,
                                         card_assignees.c.user_id == f.assignee))
    if f.city:
        city_members = select(Membership.user_id).where(
            Membership.partnership_id == partnership.id, Membership.city_id == f.city
        )
        conditions.append(or_(
            Card.author_id.in_(city_members),
            exists().where(card_assignees.c.card_id == Card.id,
                           card_assignees.c.user_id.in_(city_members)),
        ))
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


def _lane_key(row, group, people, assignees) -> str:
    """The lane a card sits in: its project, its author's city, or its first assignee."""
    if group == "city":
        city = people.get(row.author_id, (None, None))[1]
        return f"c{city or 0}"
    if group == "assignee":
        ids = assignees.get(row.id)
        if not ids:
            return "u0"
        first = min(ids, key=lambda uid: people.get(uid, ("", None))[0].lower())
        return f"u{first}"
    return f"p{row.project_id or 0}"


# Rendering -----------------------------------------------------------------------------------


def render_cards(partnership, rows, *, people, assignees, card_labels, projects, labels,
                 done_columns, today) -> dict[int, Markup]:
    """Each card's HTML, from the cache where possible."""
    locale = str(get_locale())
    epoch = partnership.render_epoch
    city_index = {c.id: i for i, c in enumerate(partnership.cities)}
    city_name = {c.id: c.name for c in partnership.cities}
    template = None
    href = url_for("cards.show", pid=partnership.id, card_id=0)[:-1]  # + the card id
    result: dict[int, Markup] = {}
    cache_get = _CACHE.get
    today_iso, soon = today.isoformat(), (today + timedelta(days=7)).isoformat()
    for row in rows:
        card_id, due = row.id, row.due and row.due[:10]
        if row.column_id in done_columns:
            state = "done"
        elif due is None:
            state = ""
        else:
            state = "overdue" if due < today_iso else "soon" if due <= soon else ""
        # The stamp (updated_at) guards against a reused id (SQLite may reuse the highest rowid).
        key = (card_id, row.version, row.stamp, locale, epoch, state)
        html = cache_get(key)
        if html is None:
            if template is None:
                template = current_app.jinja_env.get_template("cards/_card.html")
            html = Markup(template.render(  # noqa: S704 - autoescaped template output
                card=row, state=state, href=f"{href}{card_id}",
                due=date.fromisoformat(due) if due else None,
                author=_person(row.author_id, people, city_index, city_name),
                assignees=[_person(uid, people, city_index, city_name)
                           for uid in sorted(assignees.get(card_id, ()),
                                             key=lambda u: people.get(u, ("", None))[0].lower())],
                labels=[labels[lid] for lid in card_labels.get(card_id, ()) if lid in labels],
                project=projects.get(row.project_id),
            ))
            _store(key, html)
        result[card_id] = html
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
    options = load_options(partnership)
    row = db.session.execute(select(*CARD_FIELDS).where(Card.id == card.id)).one()
    done_columns = set(db.session.scalars(
        select(BoardColumn.id).where(BoardColumn.partnership_id == partnership.id,
                                     BoardColumn.is_done.is_(True))
    ))
    assignees = {card.id: list(db.session.scalars(
        select(card_assignees.c.user_id).where(card_assignees.c.card_id == card.id)))}
    label_ids = {card.id: list(db.session.scalars(
        select(card_labels.c.label_id).where(card_labels.c.card_id == card.id)))}
    return render_cards(
        partnership, [row], people=options.people, assignees=assignees, card_labels=label_ids,
        projects={p.id: p for p in options.projects}, labels={lb.id: lb for lb in options.labels},
        done_columns=done_columns, today=date.today(),
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
        .where(Card.partnership_id == partnership.id, Card.archived_at.is_(None),
               BoardColumn.is_done.is_(True))
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
    return {"name": name, "initials": initials, "city": city_name.get(city_id, ""),
            "city_index": city_index.get(city_id, 0)}
