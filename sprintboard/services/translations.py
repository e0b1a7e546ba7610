"""Translations of user content: side by side with the original, outdated when it changes,
a queue of what needs translating, and machine suggestions through the worker."""

from __future__ import annotations

import difflib
import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, aliased

from ..extensions import db
from ..i18n import LANGUAGES, language_name
from ..models import (
    Actor,
    AgendaItem,
    BoardColumn,
    Card,
    City,
    Comment,
    FundingIdea,
    MatchEntry,
    Partnership,
    Project,
    RetroNote,
    Sprint,
    Translation,
    Workshop,
)
from ..models.base import utcnow
from ..queue import queue
from . import DomainError
from . import machine_translation as machine
from .activity import describes, log

log_ = logging.getLogger("sprintboard.translations")


class MachineUnavailable(DomainError):
    """Machine translation is not set up here (503: the form stays usable)."""

    status = 503


def _own(stmt, partnership, model):
    return stmt.where(model.partnership_id == partnership.id)


def _via_city(stmt, partnership, model):
    return stmt.join(City, City.id == model.city_id).where(City.partnership_id == partnership.id)


def _via_workshop(stmt, partnership, model):
    return stmt.join(Workshop, Workshop.id == model.workshop_id).where(
        Workshop.partnership_id == partnership.id
    )


def _via_card(stmt, partnership, model):
    return stmt.join(Card, Card.id == model.card_id).where(
        Card.partnership_id == partnership.id, Card.archived_at.is_(None)
    )


def _live_cards(stmt, partnership, model):
    return stmt.where(Card.partnership_id == partnership.id, Card.archived_at.is_(None))


@dataclass(frozen=True)
class Kind:
    """A kind of content that can be translated: its model, fields (name -> max length), the
    partnership it belongs to, what to call it, and how the queue finds a partnership's ones."""

    model: type
    fields: dict[str, int]
    partnership_id: Callable
    label: object
    card_id: Callable = field(default=lambda obj: None)
    scope: Callable = _own


KINDS: dict[str, Kind] = {
    "card": Kind(
        Card,
        {"title": 200, "body": 20_000},
        lambda c: c.partnership_id,
        _l("Card"),
        lambda c: c.id,
        _live_cards,
    ),
    "comment": Kind(
        Comment,
        {"body": 5000},
        lambda c: c.card.partnership_id,
        _l("Comment"),
        lambda c: c.card_id,
        _via_card,
    ),
    "project": Kind(Project, {"title": 200, "summary": 5000}, lambda o: o.partnership_id, _l("Project")),
    "funding": Kind(
        FundingIdea, {"title": 200, "next_step": 300}, lambda o: o.partnership_id, _l("Funding idea")
    ),
    "sprint": Kind(Sprint, {"goal": 5000}, lambda o: o.partnership_id, _l("Sprint goal")),
    "workshop": Kind(Workshop, {"outcomes": 20_000}, lambda o: o.partnership_id, _l("Workshop outcomes")),
    "agenda": Kind(
        AgendaItem,
        {"title": 200, "notes": 20_000},
        lambda o: o.workshop.partnership_id,
        _l("Agenda item"),
        scope=_via_workshop,
    ),
    "actor": Kind(
        Actor, {"description": 5000}, lambda o: o.city.partnership_id, _l("Actor"), scope=_via_city
    ),
    "entry": Kind(
        MatchEntry,
        {"text": 500},
        lambda o: o.city.partnership_id,
        _l("Interest, need, potential or idea"),
        scope=_via_city,
    ),
    "retro": Kind(RetroNote, {"text": 500}, lambda o: o.partnership_id, _l("Retro note")),
    "column": Kind(BoardColumn, {"name": 60}, lambda o: o.partnership_id, _l("Column name")),
}


def source_hash(text: str) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()


def kind_of(obj) -> str:
    for name, kind in KINDS.items():
        if isinstance(obj, kind.model):
            return name
    raise LookupError(type(obj).__name__)


def _fields_with_text(kind: str, obj) -> list[str]:
    return [name for name in KINDS[kind].fields if (getattr(obj, name) or "").strip()]


@dataclass
class Version:
    """What a reader in `language` sees of one object: the original, and the translation into
    their language when there is one (with who made it, and whether it is outdated)."""

    obj: object
    kind: str
    language: str
    rows: dict[str, Translation]

    @property
    def excerpt(self) -> str:
        """The original's first text (to name it in lists)."""
        return next((getattr(self.obj, n) for n in _fields_with_text(self.kind, self.obj)), "")

    @property
    def original_language(self) -> str | None:
        return self.obj.language

    @property
    def needed(self) -> bool:
        """The original is in another language and not (currently) translated into this one."""
        return self.differs and (not self.translated or self.outdated)

    @property
    def differs(self) -> bool:
        """The original is (or may be, when its language is not known) in another language."""
        return self.obj.language != self.language

    @property
    def translated(self) -> bool:
        """Every field with text has a translation to show (outdated or not)."""
        names = _fields_with_text(self.kind, self.obj)
        return bool(names) and all(self._ready(n) for n in names)

    def _ready(self, name: str) -> bool:
        row = self.rows.get(name)
        return row is not None and row.status == "ready" and bool(row.text)

    def text(self, name: str) -> str:
        """The translated text of the field when there is one, else the original."""
        row = self.rows.get(name)
        if self.translated and row is not None and row.status == "ready":
            return row.text
        return getattr(self.obj, name) or ""

    @property
    def outdated(self) -> bool:
        return any(
            self._ready(n) and self.rows[n].source_hash != source_hash(getattr(self.obj, n))
            for n in _fields_with_text(self.kind, self.obj)
        )

    @property
    def machine(self) -> bool:
        return any(row.machine and row.status == "ready" for row in self.rows.values())

    @property
    def pending(self) -> bool:
        return any(row.status == "pending" for row in self.rows.values())

    @property
    def error(self) -> str | None:
        return next((row.error for row in self.rows.values() if row.status == "failed"), None)

    @property
    def translator(self):
        people = [row.translator for row in self.rows.values() if row.translator is not None]
        return people[0] if people else None

    def changes(self, name: str) -> list[tuple[str, str]]:
        """The original's lines changed since the translation was made: [("-"|"+", line)]."""
        row = self.rows.get(name)
        if row is None:
            return []
        old, new = row.source_text.splitlines(), (getattr(self.obj, name) or "").splitlines()
        return [(line[0], line[2:]) for line in difflib.ndiff(old, new) if line[:1] in "+-"]


def versions(kind: str, objects: list, language: str) -> dict[int, Version]:
    """object id -> its Version in `language`, for many objects in one query."""
    ids = [obj.id for obj in objects]
    rows: dict[int, dict[str, Translation]] = {i: {} for i in ids}
    if ids:
        found = db.session.scalars(
            select(Translation).where(
                Translation.kind == kind, Translation.object_id.in_(ids), Translation.language == language
            )
        )
        for row in found:
            rows[row.object_id][row.field] = row
    return {obj.id: Version(obj, kind, language, rows[obj.id]) for obj in objects}


def version(obj, language: str) -> Version:
    kind = kind_of(obj)
    return versions(kind, [obj], language)[obj.id]


def _check_language(obj, language: str) -> None:
    if language not in LANGUAGES:
        raise DomainError(_("Unknown language."))
    if obj.language is not None and obj.language == language:
        raise DomainError(_("This text is already written in that language."))


def _row(kind: str, obj, name: str, language: str) -> Translation:
    row = db.session.scalar(
        select(Translation).where(
            Translation.kind == kind,
            Translation.object_id == obj.id,
            Translation.field == name,
            Translation.language == language,
        )
    )
    if row is None:
        row = Translation(
            partnership_id=KINDS[kind].partnership_id(obj),
            kind=kind,
            object_id=obj.id,
            field=name,
            language=language,
            text="",
            source_text="",
            source_hash="",
        )
        db.session.add(row)
    return row


def save_translation(obj, language: str, texts: dict[str, str], *, actor) -> list[Translation]:
    """A person writes (or corrects, or accepts) the translation of `obj` into `language`; it
    replaces any machine translation and records the original it was made from."""
    kind = kind_of(obj)
    _check_language(obj, language)
    names = _fields_with_text(kind, obj)
    if not names:
        raise DomainError(_("There is no text to translate."))
    cleaned = {}
    for name in names:
        text = (texts.get(name) or "").replace("\r\n", "\n").strip()
        if name == "title":
            text = " ".join(text.split())
        if not text:
            raise DomainError(_("Write the translation of every part of the text."))
        limit = KINDS[kind].fields[name]
        if len(text) > limit:
            raise DomainError(_("A translation can have at most %(n)d characters here.", n=limit))
        cleaned[name] = text
    rows = []
    for name, text in cleaned.items():
        row = _row(kind, obj, name, language)
        original = getattr(obj, name)
        row.text, row.source_text, row.source_hash = text, original, source_hash(original)
        row.machine, row.provider, row.status, row.error = False, None, "ready", None
        row.translator_id = actor.id if actor is not None else None
        row.updated_at = utcnow()
        rows.append(row)
    if kind == "card":
        obj.touch()  # the board shows the title in the reader's language: a new revision
    db.session.flush()
    partnership = db.session.get(Partnership, KINDS[kind].partnership_id(obj))
    log(
        actor,
        "translation.saved",
        rows[0],
        partnership=partnership,
        kind=kind,
        object_id=obj.id,
        card_id=KINDS[kind].card_id(obj),
        language=language,
    )
    return rows


def request_machine(obj, language: str, *, actor) -> list[Translation]:
    """Ask the machine service for a translation of `obj` into `language` (done by the worker
    once this commits). A person's current translation is never replaced by a machine's."""
    kind = kind_of(obj)
    _check_language(obj, language)
    if not machine.is_enabled():
        raise MachineUnavailable(_("Machine translation is not set up on this server."))
    if not machine.is_enabled(language):
        raise MachineUnavailable(
            _("The machine translation service here does not translate into this language.")
        )
    rows = []
    for name in _fields_with_text(kind, obj):
        row = _row(kind, obj, name, language)
        if row.status == "ready" and not row.machine and row.source_hash == source_hash(getattr(obj, name)):
            continue  # a person's translation of this very text
        row.status, row.error, row.updated_at = "pending", None, utcnow()
        rows.append(row)
    if not rows:
        raise DomainError(_("This text is already translated by a person."))
    db.session.flush()
    queue.after_commit("translations.machine", tuple(row.id for row in rows))
    return rows


def run_machine(row_ids) -> int:
    """Worker: fill in the pending machine translations `row_ids`; returns how many it filled.
    Idempotent: rows no longer pending (done already, or written by a person) are skipped."""
    rows = db.session.scalars(
        select(Translation).where(Translation.id.in_(list(row_ids)), Translation.status == "pending")
    ).all()
    client = machine.provider()
    done = 0
    for row in rows:
        obj = db.session.get(KINDS[row.kind].model, row.object_id)
        if obj is None:
            db.session.delete(row)
            continue
        original = getattr(obj, row.field) or ""
        try:
            if client is None:
                raise machine.TranslateError(machine.NOT_CONFIGURED)
            text = client.translate(original, source=obj.language, target=row.language)
        except machine.TranslateError as exc:
            log_.warning("machine translation %s failed: %s", row.id, exc.code)
            row.status, row.error = "failed", exc.code
            continue
        row.text, row.source_text, row.source_hash = text.strip(), original, source_hash(original)
        row.machine, row.provider, row.status, row.error = True, client.name, "ready", None
        row.translator_id, row.updated_at = None, utcnow()
        if row.kind == "card":
            obj.touch()
        done += 1
    db.session.flush()
    return done


_KEPT = (
    "field",
    "language",
    "text",
    "source_hash",
    "source_text",
    "machine",
    "provider",
    "status",
    "translator_id",
)


def kept(kind: str, object_id: int) -> list[dict]:
    """An object's translations as plain values (an Undo keeps them with what it restores)."""
    rows = db.session.scalars(
        select(Translation).where(Translation.kind == kind, Translation.object_id == object_id)
    )
    return [{name: getattr(row, name) for name in _KEPT} for row in rows]


def restore(kind: str, obj, rows: list[dict]) -> None:
    """Translations kept by `kept` back on `obj` (a deleted object restored, with its new id);
    rows that are not what `kept` gives are left out."""
    for values in rows:
        if not isinstance(values, dict) or set(values) != set(_KEPT):
            continue
        row = _row(kind, obj, values["field"], values["language"])
        for name in _KEPT[2:]:
            setattr(row, name, values[name])
    db.session.flush()


def forget(kind: str, object_ids: list[int]) -> None:
    """Remove the translations of deleted objects."""
    if object_ids:
        db.session.execute(
            Translation.__table__.delete().where(
                Translation.kind == kind, Translation.object_id.in_(object_ids)
            )
        )


@dataclass
class QueueItem:
    version: Version
    card_id: int | None


QUEUE_SCAN = 300  # newest objects per kind looked at (bounded work per request)


def queue_for(partnership, language: str, kind: str | None = None, limit: int = 100) -> list[QueueItem]:
    """What needs a translation into `language` (none yet, or outdated), newest first."""
    items = []
    for name in [kind] if kind else list(KINDS):
        spec = KINDS[name]
        stmt = select(spec.model).where(spec.model.language.is_not(None), spec.model.language != language)
        stmt = spec.scope(stmt, partnership, spec.model)
        objects = db.session.scalars(stmt.order_by(spec.model.id.desc()).limit(QUEUE_SCAN)).all()
        for obj_version in versions(name, objects, language).values():
            if obj_version.needed and _fields_with_text(name, obj_version.obj):
                items.append(QueueItem(obj_version, spec.card_id(obj_version.obj)))
    items.sort(key=lambda item: getattr(item.version.obj, "created_at", None) or datetime.min, reverse=True)
    return items[:limit]


def with_reader_title(statement, language: str):
    """`statement` (a select of card columns, with cards in its FROM), with `reader_title`: the
    card's title translated into `language`, or None (the board reads it in the same query)."""
    title = aliased(Translation)
    return statement.add_columns(title.text.label("reader_title")).outerjoin(
        title,
        and_(
            title.kind == "card",
            title.object_id == Card.id,
            title.field == "title",
            title.language == language,
            title.status == "ready",
        ),
    )


def name_columns(columns: list, language: str, found: dict | None = None) -> list:
    """Give each column its name in `language` for this render (`column.shown_name`): a
    translation made from its current name, else the name itself. One query, or none with
    `found`: column id -> (text, source hash) read with the columns (`with_column_names`)."""
    translated = found or {}
    ids = [c.id for c in columns if c.language is not None and c.language != language]
    if ids and found is None:
        rows = db.session.execute(_column_names_statement(), {"ids": ids, "language": language})
        translated = {object_id: (text, digest) for object_id, text, digest in rows}
    for column in columns:
        text, digest = translated.get(column.id, (None, None)) if column.id in ids else (None, None)
        # (a renamed column shows its new name until someone translates that one)
        column.reader_name = text if text and digest == source_hash(column.name) else None
    return columns


def with_column_names(statement):
    """`statement` (a select of board columns) with each column's name translated into the
    parameter "language": its text and the hash of the name it was made from, or None (a board
    reads them with its columns, for `name_columns`)."""
    name = aliased(Translation)
    return statement.add_columns(name.text, name.source_hash).outerjoin(
        name,
        and_(
            name.kind == "column",
            name.object_id == BoardColumn.id,
            name.field == "name",
            name.language == bindparam("language"),
            name.status == "ready",
        ),
    )


@functools.cache
def _column_names_statement():
    """name_columns' query, built once (every board page runs it; building costs more than
    running it): the parameters "ids" and "language"."""
    return select(Translation.object_id, Translation.text, Translation.source_hash).where(
        Translation.kind == "column",
        Translation.object_id.in_(bindparam("ids", expanding=True)),
        Translation.field == "name",
        Translation.language == bindparam("language"),
        Translation.status == "ready",
    )


def translate_default_columns(columns: list, names: dict[str, list[str]]) -> None:
    """The default columns of a new board come translated into every other language: `names`
    maps a language to the default names in it (the catalogs' translations)."""
    for language, translated in names.items():
        for column, text in zip(columns, translated, strict=True):
            if language == column.language:
                continue
            row = _row("column", column, "name", language)
            row.text, row.source_text, row.source_hash = text, column.name, source_hash(column.name)
    db.session.flush()


def language_columns(kind: str, objects: list, labels: dict[str, str]) -> tuple[list[str], dict]:
    """For CSV exports: one column per language for each translatable field (`labels`: field ->
    its column title), holding the text in that language: the original where it is written in
    it, else a person's or machine's translation, else empty; and a column with the original's
    language. Returns (header, {object id: values}); one query."""
    ids = [obj.id for obj in objects]
    found: dict[tuple[int, str, str], str] = {}
    if ids:
        rows = db.session.execute(
            select(Translation.object_id, Translation.field, Translation.language, Translation.text).where(
                Translation.kind == kind, Translation.object_id.in_(ids), Translation.status == "ready"
            )
        )
        found = {(object_id, name, language): text for object_id, name, language, text in rows}
    header = [_("Original language")] + [
        f"{label} ({language_name(code)})" for name, label in labels.items() for code in LANGUAGES
    ]
    values = {
        obj.id: [obj.language or ""]
        + [
            (getattr(obj, name) or "") if obj.language == code else found.get((obj.id, name, code), "")
            for name in labels
            for code in LANGUAGES
        ]
        for obj in objects
    }
    return header, values


def translated_ids(kind: str, object_ids: list[int], language: str) -> set[int]:
    """Which of the objects have a translation into `language` (for markers on lists)."""
    if not object_ids:
        return set()
    return set(
        db.session.scalars(
            select(Translation.object_id)
            .where(
                Translation.kind == kind,
                Translation.object_id.in_(object_ids),
                Translation.language == language,
                Translation.status == "ready",
            )
            .distinct()
        )
    )


@describes("translation.saved")
def _translation_saved(d, who):
    return _(
        "%(who)s translated a text into %(language)s",
        who=who,
        language=LANGUAGES.get(d.get("language"), d.get("language")),
    )


@sa_event.listens_for(Session, "before_flush")
def _record_original_language(session, _flush_context, _instances) -> None:
    """New content of a translatable kind without a language is in its author's UI language
    (the page's language when it is written); forms can say otherwise."""
    if not has_request_context():
        return
    models = tuple(spec.model for spec in KINDS.values())
    language = None
    for obj in session.new:
        if isinstance(obj, models) and obj.language is None:
            language = language or str(get_locale())
            obj.language = language
