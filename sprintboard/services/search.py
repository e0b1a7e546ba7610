"""Search: what the person may see (access.py), matching every word (folded, stemmed, as a
prefix), ranked with titles first, grouped by kind and highlighted. One service for both
databases: SQLite's FTS5 (`search_fts`) and PostgreSQL's tsvector (`search_entries.document`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from markupsafe import Markup, escape

from ..extensions import db
from ..models import SEARCH_KINDS, SearchEntry
from .search_terms import WORD, keys_of, query_keys

LIMIT = 100  # ranked results per search (bounded work per request)
PER_KIND = 10  # shown per group before "show all of this kind"
SNIPPET_WORDS = 30


@dataclass
class Results:
    query: str
    keys: list[tuple[str, ...]]
    hits: list[tuple[SearchEntry, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def groups(self, per_kind: int | None = PER_KIND) -> list[tuple[str, list[SearchEntry], int]]:
        """(kind, its best entries, how many matched in all), in the order of SEARCH_KINDS."""
        by_kind: dict[str, list[SearchEntry]] = {}
        for entry, _rank in self.hits:
            by_kind.setdefault(entry.kind, []).append(entry)
        return [
            (kind, by_kind[kind][:per_kind], self.counts.get(kind, 0))
            for kind in SEARCH_KINDS
            if kind in by_kind
        ]


def search(
    partnership_ids: list[int],
    query: str,
    *,
    kind: str | None = None,
    city_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    with_toolbox: bool = True,
    limit: int = LIMIT,
) -> Results:
    """Entries of `partnership_ids` (and the toolbox, shared by all) matching every word of `query`."""
    keys = query_keys(query)
    results = Results(query, keys)
    if not keys:
        return results
    e = SearchEntry
    scope = e.partnership_id.in_(partnership_ids) if partnership_ids else sa.false()
    if with_toolbox and city_id is None:
        scope = sa.or_(scope, e.partnership_id.is_(None))
    filters = [scope]
    if city_id is not None:
        filters.append(e.city_id == city_id)
    if since is not None:
        filters.append(e.updated_at >= datetime.combine(since, time.min))
    if until is not None:
        filters.append(e.updated_at < datetime.combine(until + timedelta(days=1), time.min))
    matched, rank = _match(keys, [w for w in WORD.findall(query)][: len(keys)])
    counted = sa.select(e.kind, sa.func.count()).where(matched, *filters).group_by(e.kind)
    results.counts = {k: n for k, n in db.session.execute(_joined(counted))}
    if kind in SEARCH_KINDS:
        filters.append(e.kind == kind)
    ranked = sa.select(e, rank.label("rank")).where(matched, *filters).order_by(rank, e.id).limit(limit)
    results.hits = [(entry, r) for entry, r in db.session.execute(_joined(ranked))]
    return results


def titles_in(results: Results, locale: str) -> dict[int, str]:
    """Titles that depend on the reader's language (entry id -> title): standard workshop names,
    toolbox methods in their translation. Two queries at most."""
    from ..models import Method, Workshop
    from .workshops import workshop_title

    ids = {kind: [e.ref_id for e, _r in results.hits if e.kind == kind] for kind in ("workshop", "method")}
    workshops = {
        w.id: w for w in db.session.scalars(sa.select(Workshop).where(Workshop.id.in_(ids["workshop"])))
    }
    methods = {m.id: m for m in db.session.scalars(sa.select(Method).where(Method.id.in_(ids["method"])))}
    titles = {}
    for entry, _rank in results.hits:
        if entry.kind == "workshop" and entry.ref_id in workshops:
            titles[entry.id] = workshop_title(workshops[entry.ref_id])
        elif entry.kind == "method" and entry.ref_id in methods:
            text = methods[entry.ref_id].text(locale)
            if text is not None:
                titles[entry.id] = text.title
    return titles


def cities_of(partnerships) -> list:
    """The cities of `partnerships` (with their partnership loaded), for the city filter."""
    from sqlalchemy.orm import contains_eager

    from ..models import City, Partnership

    query = (
        sa.select(City)
        .join(City.partnership)
        .options(contains_eager(City.partnership))
        .where(City.partnership_id.in_([p.id for p in partnerships]))
        .order_by(Partnership.name, City.position)
    )
    return list(db.session.scalars(query))


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _joined(statement):
    if _is_postgresql():
        return statement
    fts = sa.table("search_fts", sa.column("rowid"))
    return statement.join_from(SearchEntry, fts, fts.c.rowid == SearchEntry.id)


def _match(keys: list[tuple[str, ...]], words: list[str]):
    """The WHERE clause and the ORDER BY (best first) for `keys`, on this database."""
    if _is_postgresql():
        query = None
        for alternatives, word in zip(keys, words, strict=True):
            # to_tsquery on our own keys (only \w characters: nothing to escape), and the
            # word through PostgreSQL's own stemmers.
            one = sa.func.to_tsquery(
                sa.literal_column("'simple'::regconfig"), " | ".join(f"'{k}':*" for k in alternatives)
            )
            for cfg in ("german", "russian", "english"):
                one = one.op("||")(sa.func.plainto_tsquery(sa.literal_column(f"'{cfg}'::regconfig"), word))
            query = one if query is None else query.op("&&")(one)
        document = SearchEntry.document
        return document.op("@@")(query), -sa.func.ts_rank(document, query)
    expression = " AND ".join("(" + " OR ".join(f'"{k}"*' for k in alts) + ")" for alts in keys)
    return (
        sa.text("search_fts MATCH :fts").bindparams(fts=expression),
        sa.literal_column("bm25(search_fts, 10.0, 1.0)"),
    )


def _hit(word: str, keys: list[tuple[str, ...]]) -> bool:
    mine = keys_of(word)
    return any(k.startswith(q) for alternatives in keys for q in alternatives for k in mine)


def highlight(text: str, keys: list[tuple[str, ...]]) -> Markup:
    """`text`, escaped, with the matching words in <mark>."""
    out, last = [], 0
    for match in WORD.finditer(text or ""):
        if _hit(match.group(), keys):
            out.append(escape(text[last : match.start()]))
            out.append(Markup("<mark>%s</mark>") % match.group())
            last = match.end()
    out.append(escape((text or "")[last:]))
    return Markup("").join(out)


def snippet(text: str, keys: list[tuple[str, ...]], words: int = SNIPPET_WORDS) -> Markup:
    """A few words of `text` around its first match, highlighted ('…' where cut)."""
    spans = [m.span() for m in re.finditer(r"\S+", text or "")]
    if not spans:
        return Markup("")
    first = next(
        (i for i, (a, b) in enumerate(spans) if any(_hit(w, keys) for w in WORD.findall(text[a:b]))), 0
    )
    start = max(0, first - words // 3)
    end = min(len(spans), start + words)
    piece = text[spans[start][0] : spans[end - 1][1]]
    return (
        (Markup("… ") if start else Markup(""))
        + highlight(piece, keys)
        + (Markup(" …") if end < len(spans) else "")
    )
