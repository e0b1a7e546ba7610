"""Keeping the search index in step: every flush that adds, changes or deletes something
searchable rewrites its `search_entries` row in the same transaction (an `after_flush` hook, so
every service that writes content is covered without calling us), and `reindex()` rebuilds all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event as sa_event

from ..extensions import db
from ..models import (
    Actor,
    AgendaItem,
    Card,
    ChecklistItem,
    Comment,
    FundingIdea,
    MatchEntry,
    Method,
    MethodTranslation,
    Project,
    SearchEntry,
    Workshop,
)
from ..models.base import utcnow
from ..models.translation import Translation
from .search_terms import terms

# PostgreSQL text-search configuration per content language; `simple` where none exists.
PG_CONFIGS = {"de": "german", "ru": "russian", "en": "english"}

# A change to these attributes changes what is found.
WATCHED = {
    Card: ("title", "body", "language"),
    Comment: ("body", "language"),
    Project: ("title", "summary", "lead_city_id", "language"),
    Workshop: ("title", "host_city_id", "venue", "outcomes", "kind"),
    Actor: ("name", "description", "city_id", "contact_person"),
    MatchEntry: ("text", "city_id"),
    FundingIdea: ("title", "funder", "programme", "next_step", "notes"),
    Method: ("slug", "original_language", "state"),
}
# Parts whose text belongs to their parent's entry: (watched attributes, parent, its key).
PARTS = {
    ChecklistItem: (("text",), Card, "card_id"),
    AgendaItem: (("title", "notes"), Workshop, "workshop_id"),
    MethodTranslation: (("title", "purpose", "materials", "steps"), Method, "method_id"),
}
KIND_OF = {
    Card: "card",
    Comment: "comment",
    Project: "project",
    Workshop: "workshop",
    Actor: "actor",
    MatchEntry: "entry",
    FundingIdea: "funding",
    Method: "method",
}


MODEL_OF = {kind: model for model, kind in KIND_OF.items()}


@dataclass
class Document:
    kind: str
    ref_id: int
    partnership_id: int | None
    title: str
    body: str
    language: str | None = None
    city_id: int | None = None
    card_id: int | None = None
    ref_key: str | None = None

    def row(self) -> dict:
        return {
            "kind": self.kind,
            "ref_id": self.ref_id,
            "partnership_id": self.partnership_id,
            "title": self.title[:300],
            "body": self.body,
            "language": self.language,
            "city_id": self.city_id,
            "card_id": self.card_id,
            "ref_key": self.ref_key,
            "title_terms": terms(self.title),
            "body_terms": terms(self.body),
            "updated_at": utcnow(),
        }


def _join(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def document(obj) -> Document | None:
    """What the index holds for `obj` (None: nothing to find)."""
    if isinstance(obj, Card):
        checklist = [item.text for item in obj.checklist]
        return Document(
            "card",
            obj.id,
            obj.partnership_id,
            obj.title,
            _join(obj.body, *checklist),
            obj.language,
            card_id=obj.id,
        )
    if isinstance(obj, Comment):
        card = obj.card
        return Document(
            "comment", obj.id, card.partnership_id, card.title, obj.body, obj.language, card_id=card.id
        )
    if isinstance(obj, Project):
        return Document(
            "project", obj.id, obj.partnership_id, obj.title, obj.summary, obj.language, obj.lead_city_id
        )
    if isinstance(obj, Workshop):
        from .workshops import standard_titles

        agenda = [_join(item.title, item.notes) for item in obj.agenda]
        body = _join(*standard_titles(obj), obj.venue, obj.outcomes, *agenda)
        return Document("workshop", obj.id, obj.partnership_id, obj.title, body, city_id=obj.host_city_id)
    if isinstance(obj, Actor):
        body = _join(obj.description, obj.contact_person)
        return Document("actor", obj.id, obj.partnership_id, obj.name, body, city_id=obj.city_id)
    if isinstance(obj, MatchEntry):
        return Document("entry", obj.id, obj.partnership_id, obj.text, "", city_id=obj.city_id)
    if isinstance(obj, FundingIdea):
        body = _join(obj.funder, obj.programme, obj.next_step, obj.notes)
        return Document("funding", obj.id, obj.partnership_id, obj.title, body)
    if isinstance(obj, Method):
        original = obj.text()
        if original is None or obj.state != "published":  # proposals are found once accepted
            return None
        texts = [_join(t.title, t.purpose, t.materials, t.steps) for t in obj.translations]
        return Document(
            "method",
            obj.id,
            obj.partnership_id,  # None: the shared toolbox, found by everyone
            original.title,
            _join(*texts),
            obj.original_language,
            ref_key=obj.slug,
        )
    return None


def write(session, objects: Iterable, removed: Iterable[tuple[str, int]] = ()) -> None:
    """Replace the entries of `objects` and drop those of `removed` ((kind, id) pairs)."""
    objects = list(objects)
    docs = [d for d in (document(o) for o in objects) if d is not None]
    _add_translations(session, docs)
    gone: dict[str, set[int]] = {}
    # Everything written is replaced; what has no document any more (e.g. a method no longer
    # published) loses its entry.
    written = [(KIND_OF[type(o)], o.id) for o in objects if type(o) in KIND_OF]
    for kind, ref_id in [*removed, *written, *((d.kind, d.ref_id) for d in docs)]:
        gone.setdefault(kind, set()).add(ref_id)
    table = SearchEntry.__table__
    connection = session.connection()
    for kind, ids in gone.items():
        connection.execute(sa.delete(table).where(table.c.kind == kind, table.c.ref_id.in_(ids)))
    if not docs:
        return
    inserted = connection.execute(sa.insert(table).returning(table.c.id), [d.row() for d in docs])
    if connection.dialect.name == "postgresql":
        ids = [row.id for row in inserted]
        connection.execute(sa.update(table).where(table.c.id.in_(ids)).values(document=pg_document(table)))


def _add_translations(session, docs: list[Document]) -> None:
    """Content translations (cards, comments, projects …) are found too: one query for all."""
    if not docs:
        return
    keys = {(d.kind, d.ref_id): d for d in docs}
    rows = session.execute(
        sa.select(Translation.kind, Translation.object_id, Translation.text).where(
            Translation.status == "ready",
            sa.tuple_(Translation.kind, Translation.object_id).in_(list(keys)),
        )
    )
    for kind, object_id, text in rows:
        doc = keys.get((kind, object_id))
        if doc is not None and text:
            doc.body = _join(doc.body, text)


def pg_document(table) -> sa.ColumnElement:
    """title (A) and body (B) with the entry language's configuration, and our folded words and
    stems (services/search_terms.py) with `simple`, for prefixes and the languages PostgreSQL
    has no configuration for."""
    config = sa.case(
        *(
            (table.c.language == lang, sa.literal_column(f"'{cfg}'::regconfig"))
            for lang, cfg in PG_CONFIGS.items()
        ),
        else_=sa.literal_column("'simple'::regconfig"),
    )
    simple = sa.literal_column("'simple'::regconfig")

    def weighted(cfg, column, weight):
        return sa.func.setweight(sa.func.to_tsvector(cfg, column), sa.literal_column(f"'{weight}'::\"char\""))

    return (
        weighted(config, table.c.title, "A")
        .op("||")(weighted(config, table.c.body, "B"))
        .op("||")(weighted(simple, table.c.title_terms, "A"))
        .op("||")(weighted(simple, table.c.body_terms, "B"))
    )


def _changed(obj, names) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _after_flush(session, _context) -> None:
    """Note what changed (history is still there); the rows are written once the flush is done."""
    touched = session.info.setdefault("search_touched", set())
    removed = session.info.setdefault("search_removed", set())
    deleted = set(session.deleted)
    for obj in deleted:
        kind = KIND_OF.get(type(obj))
        if kind:
            removed.add((kind, obj.id))
    for obj in [*session.new, *session.dirty, *deleted]:
        cls = type(obj)
        if cls is Translation and obj.kind in MODEL_OF:
            touched.add((MODEL_OF[obj.kind], obj.object_id))
        elif cls in PARTS:
            names, parent, key = PARTS[cls]
            if obj in session.new or obj in deleted or _changed(obj, names):
                touched.add((parent, getattr(obj, key)))
        elif cls in WATCHED and obj not in deleted:
            if obj in session.new or _changed(obj, WATCHED[cls]):
                touched.add((cls, obj.id))


def _after_delete(_mapper, _connection, target) -> None:
    """Every row the flush deletes, orphans included (they are not in session.deleted)."""
    session = sa.orm.object_session(target)
    if session is None:
        return
    cls = type(target)
    if cls is Translation:
        if target.kind in MODEL_OF:
            session.info.setdefault("search_touched", set()).add((MODEL_OF[target.kind], target.object_id))
    elif cls in PARTS:
        _names, parent, key = PARTS[cls]
        session.info.setdefault("search_touched", set()).add((parent, getattr(target, key)))
    else:
        session.info.setdefault("search_removed", set()).add((KIND_OF[cls], target.id))


def _after_flush_postexec(session, _context) -> None:
    touched = session.info.pop("search_touched", set())
    removed = session.info.pop("search_removed", set())
    objects = [session.get(cls, ident) for cls, ident in touched if (KIND_OF[cls], ident) not in removed]
    if objects or removed:
        write(session, [o for o in objects if o is not None], removed)


_hooked = False


def install() -> None:
    """Hook the index into db.session (idempotent)."""
    global _hooked
    if _hooked:
        return
    sa_event.listen(db.session.session_factory, "after_flush", _after_flush)
    sa_event.listen(db.session.session_factory, "after_flush_postexec", _after_flush_postexec)
    for model in [*KIND_OF, *PARTS, Translation]:
        sa_event.listen(model, "after_delete", _after_delete)
    _hooked = True


def _of_partnership(model, partnership_id: int):
    if model is Method:
        return Method.partnership_id == partnership_id
    if model is Comment:
        return Comment.card_id.in_(sa.select(Card.id).where(Card.partnership_id == partnership_id))
    return model.partnership_id == partnership_id


def reindex(batch: int = 500, *, partnership_id: int | None = None) -> int:
    """Rebuild the index from the content (all of it, or one partnership's after a restore):
    how many things were indexed."""
    session = db.session
    session.flush()
    gone = sa.delete(SearchEntry)
    if partnership_id is not None:
        gone = gone.where(SearchEntry.partnership_id == partnership_id)
    session.execute(gone)
    count = 0
    for model in KIND_OF:
        scope = _of_partnership(model, partnership_id) if partnership_id is not None else sa.true()
        last = 0
        while True:
            query = sa.select(model).where(scope, model.id > last).order_by(model.id).limit(batch)
            rows = session.scalars(query).all()
            if not rows:
                break
            write(session, rows)
            count += len(rows)
            last = rows[-1].id
    return count
