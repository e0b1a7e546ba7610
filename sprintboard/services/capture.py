"""Quick capture during a workshop: actors and interests/needs/potentials/ideas typed one after
another (name + city + kind, Enter, next), or pasted as rows from a spreadsheet.

A kind is "actor:<actor kind>" or "entry:<entry kind>", so one form takes both. Pasted rows are
read and checked with services.imports (the CSV importer's reader, header names and actor
rules); every row's error is shown before anything is saved, and the rows are saved all or none.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..i18n import LANGUAGES
from ..models import City, Partnership
from ..models.actor import ACTOR_KINDS, Actor
from ..models.entry import ENTRY_KINDS, MatchEntry
from . import DomainError, actors, entries, imports

PASTE_ROWS_MAX = 500
RECENT = 10
KIND_GROUPS = {"actor": _l("Actors"), "entry": _l("Interests, needs, potentials, ideas")}
# The columns of a paste without a header row, in order.
POSITIONAL = ("name", "city", "kind")
# Header names an entry's text may have besides the actor's "name" ones.
TEXT_HEADERS = ("text", "entry", "eintrag", "текст", "запись", "запис", "запіс")


def kind_choices() -> dict[str, list[tuple[str, str]]]:
    """The kinds, grouped (a <select> with optgroups)."""
    return {
        str(KIND_GROUPS["actor"]): [(f"actor:{k}", str(actors.KIND_LABELS[k])) for k in ACTOR_KINDS],
        str(KIND_GROUPS["entry"]): [(f"entry:{k}", str(entries.ENTRY_KIND_LABELS[k])) for k in ENTRY_KINDS],
    }


def kind_values() -> set[str]:
    return {f"actor:{k}" for k in ACTOR_KINDS} | {f"entry:{k}" for k in ENTRY_KINDS}


def capture_one(partnership: Partnership, city: City, kind: str, text: str, *, actor) -> Actor | MatchEntry:
    """One actor or entry from the quick form; an actor already on the city's map is refused."""
    what, _sep, key = (kind or "").partition(":")
    if what == "actor" and key in ACTOR_KINDS:
        return actors.create_actor(partnership, city, name=text, kind=key, themes=[], actor=actor)
    if what == "entry" and key in ENTRY_KINDS:
        return entries.create_entry(partnership, city, key, text, [], actor=actor)
    raise DomainError(_("Choose what to add."))


def recent(partnership: Partnership, user, limit: int = RECENT) -> list[dict]:
    """What `user` added last (actors and entries, newest first), for the list above the form."""
    found = []
    for model in (Actor, MatchEntry):
        rows = db.session.scalars(
            db.select(model)
            .where(model.partnership_id == partnership.id, model.created_by_id == user.id)
            .order_by(model.id.desc())
            .limit(limit)
        )
        found += list(rows)
    found.sort(key=lambda r: (r.created_at, r.id), reverse=True)
    return [_item(r) for r in found[:limit]]


def _item(record: Actor | MatchEntry) -> dict:
    if isinstance(record, Actor):
        what, text, kind = "actor", record.name, actors.KIND_LABELS[record.kind]
    else:
        what, text, kind = "entry", record.text, entries.ENTRY_KIND_LABELS[record.kind]
    return {"what": what, "id": record.id, "text": text, "city": record.city.name, "kind": kind}


@dataclass
class Paste:
    """Pasted rows as read: what each would create, and what is wrong with which line."""

    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message)


def _entry_kinds() -> dict[str, str]:
    """Entry kinds by lower-cased label in every language (and by key)."""
    found = {k: k for k in ENTRY_KINDS}
    for locale in LANGUAGES:
        with force_locale(locale):
            found.update({str(label).lower(): k for k, label in entries.ENTRY_KIND_LABELS.items()})
    return found


def _header(first: list[str]) -> dict[str, int] | None:
    """Our field -> column index when the first row names the columns; None when it is data."""
    names = {name: key for key, options in imports.HEADERS["actors"].items() for name in options}
    names.update({name: "name" for name in TEXT_HEADERS})
    columns: dict[str, int] = {}
    for index, cell in enumerate(first):
        key = names.get(" ".join(cell.strip().lower().split()))
        if key and key not in columns:
            columns[key] = index
    return columns if "name" in columns and ("city" in columns or "kind" in columns) else None


def read_paste(partnership: Partnership, text: str) -> Paste:
    """Read and check pasted rows (tab-, comma- or semicolon-separated; a header row naming the
    columns is optional, else the columns are name, city, kind) without writing anything."""
    records = [r for r in imports.read_records(text or "") if any(cell.strip() for cell in r)]
    if not records:
        raise DomainError(_("Paste at least one row."))
    columns = _header(records[0])
    first_line = 2 if columns else 1
    if columns:
        records = records[1:]
    else:
        columns = {key: i for i, key in enumerate(POSITIONAL)}
    if len(records) > PASTE_ROWS_MAX:
        raise DomainError(_("Paste at most %(n)d rows at a time.", n=PASTE_ROWS_MAX))
    result = Paste()
    context = imports.lookups(partnership, "actors")
    entry_kinds = _entry_kinds()
    seen: set[tuple[int, str]] = set()
    for line, record in enumerate(records, start=first_line):
        values = {key: record[i].strip() if i < len(record) else "" for key, i in columns.items()}
        try:
            result.rows.append(_check_row(partnership, values, context, entry_kinds, seen))
        except DomainError as error:
            result.errors.append((line, error.message))
    return result


def _check_row(partnership, values: dict, context: dict, entry_kinds: dict, seen: set) -> dict:
    kind = values.get("kind", "").lower()
    if kind in entry_kinds:
        city = context["cities"].get(values.get("city", "").lower())
        if city is None:
            names = ", ".join(c.name for c in partnership.cities)
            raise DomainError(_("The city must be one of: %(names)s.", names=names))
        themes = []
        for name in imports.split_names(values.get("themes", "")):
            if name.lower() not in context["themes"]:
                raise DomainError(_("Unknown theme “%(name)s”.", name=name))
            themes.append(context["themes"][name.lower()])
        text = entries.check_entry(partnership, city, entry_kinds[kind], values.get("name", ""), themes)
        return {"what": "entry", "city": city, "kind": entry_kinds[kind], "text": text, "themes": themes}
    row = imports.check_actor_row(partnership, values, context)
    key = (row["city"].id, actors.normalise_name(row["name"]))
    if key in seen or actors.duplicates_of(row["city"], row["name"]):
        raise DomainError(_("%(name)s is already on the map of this city.", name=row["name"]))
    seen.add(key)
    return {"what": "actor", **row}


def save_paste(partnership: Partnership, paste: Paste, *, actor) -> int:
    """Create every row of a clean paste (all or nothing: the caller commits once)."""
    if paste.errors:
        raise DomainError(_("Correct the rows with errors first; nothing was added."))
    for row in paste.rows:
        row = dict(row)
        if row.pop("what") == "entry":
            entries.create_entry(
                partnership, row["city"], row["kind"], row["text"], row["themes"], actor=actor
            )
        else:
            actors.create_actor(partnership, row.pop("city"), actor=actor, **row)
    return len(paste.rows)
