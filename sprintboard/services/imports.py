"""Bringing work in from spreadsheets: CSV files of cards or actors.

A file is read into rows (encoding and separator detected), each row checked with the same rules
as the forms, and shown as a preview with the row-level errors; the import itself applies all
rows or none, once per file (the file's digest goes into the activity log).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..i18n import LANGUAGES
from ..models import ACTOR_KINDS, Activity, Partnership, Theme
from . import Conflict, DomainError, actors, board, cards, columns, projects, refuse_nul
from .activity import describes, log
from .themes import theme_name

ROWS_MAX = 2000
KINDS = ("cards", "actors")

# Header names recognised, in English, German, Russian, Ukrainian and Belarusian (lower case).
HEADERS = {
    "cards": {
        "title": (
            "title",
            "name",
            "titel",
            "name der karte",
            "название",
            "заголовок",
            "назва",
            "загаловак",
            "назва картки",
        ),
        "description": ("description", "body", "beschreibung", "text", "описание", "опис", "апісанне"),
        "column": (
            "column",
            "status",
            "list",
            "spalte",
            "liste",
            "колонка",
            "столбец",
            "список",
            "стовпець",
            "калонка",
        ),
        "project": ("project", "projekt", "проект", "праект"),
        "labels": ("labels", "label", "tags", "etiketten", "label", "метки", "теги", "мітки", "пазнакі"),
        "assignees": (
            "assignees",
            "assignee",
            "owner",
            "zuständig",
            "verantwortlich",
            "исполнители",
            "ответственный",
            "виконавці",
            "відповідальний",
            "выканаўцы",
            "адказны",
        ),
        "due": ("due", "due date", "deadline", "fällig", "frist", "срок", "дедлайн", "термін", "тэрмін"),
        "estimate": (
            "estimate",
            "points",
            "schätzung",
            "punkte",
            "оценка",
            "очки",
            "оцінка",
            "бали",
            "ацэнка",
            "балы",
        ),
    },
    "actors": {
        "name": (
            "name",
            "organisation",
            "organization",
            "akteur",
            "название",
            "имя",
            "организация",
            "назва",
            "ім'я",
            "ім’я",
            "організація",
            "імя",
            "арганізацыя",
        ),
        "city": ("city", "stadt", "город", "місто", "горад"),
        "kind": ("kind", "type", "art", "typ", "тип", "вид", "від"),
        "themes": ("themes", "theme", "themen", "thema", "темы", "тема", "теми", "тэмы", "тэма"),
        "description": ("description", "beschreibung", "описание", "опис", "апісанне"),
        "website": ("website", "web", "url", "webseite", "сайт", "вебсайт"),
        "interest": ("interest", "interesse", "интерес", "інтерес", "цікавасць"),
        "influence": ("influence", "einfluss", "влияние", "вплив", "уплыў"),
        "consent": ("consent", "einwilligung", "zustimmung", "согласие", "згода"),
        "contact_person": (
            "contact person",
            "contact",
            "kontaktperson",
            "ansprechpartner",
            "контактное лицо",
            "контакт",
            "контактна особа",
            "кантактная асоба",
        ),
        "contact_email": (
            "email",
            "e-mail",
            "contact email",
            "эл. почта",
            "почта",
            "електронна пошта",
            "пошта",
            "электронная пошта",
        ),
        "contact_phone": ("phone", "telefon", "телефон", "тэлефон"),
    },
}
REQUIRED = {"cards": "title", "actors": "name"}
YES = {"1", "yes", "y", "true", "x", "ja", "да", "так", "✓"}


@dataclass
class Preview:
    """What an import would do: the rows as read, and what is wrong with which line."""

    kind: str
    text: str
    columns: dict[str, int] = field(default_factory=dict)  # our field -> column index in the file
    ignored: list[str] = field(default_factory=list)  # header names we do not know
    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line in the file, message)

    @property
    def digest(self) -> str:
        return hashlib.sha256(f"{self.kind}\n{self.text}".encode()).hexdigest()


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM), UTF-16 (BOM), else Windows-1251 when it
    reads as Cyrillic, Windows-1252 otherwise (what Excel writes in Russia and Germany)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    cyrillic = raw.decode("cp1251", errors="replace")
    letters = [c for c in cyrillic if c.isalpha()]
    if letters and sum("\u0400" <= c <= "\u04ff" for c in letters) / len(letters) > 0.5:
        return cyrillic
    return raw.decode("cp1252", errors="replace")


def read_records(text: str) -> list[list[str]]:
    first = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise DomainError(_("The file is not a readable CSV file (%(error)s).", error=str(error))) from None


def preview(partnership: Partnership, kind: str, text: str) -> Preview:
    """Read and check every row of `text` without writing anything."""
    if kind not in KINDS:
        raise DomainError(_("Choose what the file holds."))
    refuse_nul(text)
    result = Preview(kind=kind, text=text)
    records = [r for r in read_records(text) if any(cell.strip() for cell in r)]
    if not records:
        raise DomainError(_("The file is empty."))
    if len(records) - 1 > ROWS_MAX:
        raise DomainError(_("A file can have at most %(n)d rows.", n=ROWS_MAX))
    names = {name: key for key, options in HEADERS[kind].items() for name in options}
    for index, header in enumerate(records[0]):
        key = names.get(" ".join(header.strip().lower().split()))
        if key and key not in result.columns:
            result.columns[key] = index
        elif header.strip():
            result.ignored.append(header.strip())
    if REQUIRED[kind] not in result.columns:
        raise DomainError(
            _("The first row must name the columns; none is called “%(name)s”.", name=REQUIRED[kind])
        )
    check = _check_card if kind == "cards" else check_actor_row
    context = lookups(partnership, kind)
    for line, record in enumerate(records[1:], start=2):
        values = {key: record[i].strip() if i < len(record) else "" for key, i in result.columns.items()}
        try:
            result.rows.append(check(partnership, values, context))
        except DomainError as error:
            result.errors.append((line, error.message))
    return result


def lookups(partnership: Partnership, kind: str) -> dict:
    """Lookups by lower-cased name, loaded once for the whole file."""
    if kind == "cards":
        from .cards import assignable_members

        people = {}
        for user, _city in assignable_members(partnership):
            people[user.name.lower()] = people[user.email.lower()] = user
        return {
            "columns": {c.name.lower(): c for c in board.columns_of(partnership)},
            "projects": {p.title.lower(): p for p in projects.projects_of(partnership)},
            "labels": {label.name.lower(): label for label in columns.labels_of(partnership)},
            "people": people,
        }
    kinds, themes = {}, {}
    partnership_themes = list(db.session.scalars(select(Theme).where(Theme.partnership_id == partnership.id)))
    for locale in LANGUAGES:
        with force_locale(locale):
            kinds.update({str(label).lower(): key for key, label in actors.KIND_LABELS.items()})
            themes.update({theme_name(t).lower(): t for t in partnership_themes})
    kinds.update({key: key for key in ACTOR_KINDS})
    return {"cities": {c.name.lower(): c for c in partnership.cities}, "kinds": kinds, "themes": themes}


def split_names(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;|]", value) if part.strip()]


def _date(value: str) -> date | None:
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise DomainError(_("“%(value)s” is not a date (use 2026-12-31 or 31.12.2026).", value=value))


def _number(value: str, low: int, high: int, message: str) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise DomainError(message) from None
    if not low <= number <= high:
        raise DomainError(message)
    return number


def _check_card(partnership, values: dict, context: dict) -> dict:
    title = cards.clean_title(values.get("title", ""))
    body = values.get("description", "")
    if len(body) > cards.BODY_MAX:
        raise DomainError(_("The description can have at most %(n)d characters.", n=cards.BODY_MAX))
    column = context["columns"].get(values.get("column", "").lower()) if values.get("column") else None
    if values.get("column") and column is None:
        raise DomainError(_("There is no column “%(name)s”.", name=values["column"]))
    project = context["projects"].get(values.get("project", "").lower()) if values.get("project") else None
    if values.get("project") and project is None:
        raise DomainError(_("There is no project “%(name)s”.", name=values["project"]))
    people = []
    for name in split_names(values.get("assignees", "")):
        if name.lower() not in context["people"]:
            raise DomainError(_("“%(name)s” is not a member of the partnership.", name=name))
        people.append(context["people"][name.lower()])
    labels = split_names(values.get("labels", ""))
    if any(len(label) > 40 for label in labels):
        raise DomainError(_("A label can have at most %(n)d characters.", n=40))
    message = _("An estimate is between 0 and %(n)d points.", n=cards.ESTIMATE_MAX)
    return {
        "title": title,
        "body": body,
        "column": column,
        "project": project,
        "labels": labels,
        "assignees": people,
        "due_date": _date(values.get("due", "")),
        "estimate": _number(values.get("estimate", ""), 0, cards.ESTIMATE_MAX, message),
    }


def check_actor_row(partnership, values: dict, context: dict) -> dict:
    city = context["cities"].get(values.get("city", "").lower())
    if city is None:
        names = ", ".join(c.name for c in partnership.cities)
        raise DomainError(_("The city must be one of: %(names)s.", names=names))
    kind = context["kinds"].get(values.get("kind", "").lower() or "ngo")
    if kind is None:
        raise DomainError(_("Unknown kind of actor."))
    themes = []
    for name in split_names(values.get("themes", "")):
        if name.lower() not in context["themes"]:
            raise DomainError(_("Unknown theme “%(name)s”.", name=name))
        themes.append(context["themes"][name.lower()])
    scale = _("Interest and influence go from 1 to 5.")
    consent = values.get("consent", "").lower() in YES
    clean = {
        "name": values.get("name", ""),
        "kind": kind,
        "themes": themes,
        "description": values.get("description", ""),
        "website": values.get("website", ""),
        "interest": _number(values.get("interest", ""), 1, 5, scale) or 3,
        "influence": _number(values.get("influence", ""), 1, 5, scale) or 3,
        "consent": consent,
        # Contact details are kept only with the person's consent (see services.actors).
        "contact_person": values.get("contact_person", "") if consent else "",
        "contact_email": values.get("contact_email", "") if consent else "",
        "contact_phone": values.get("contact_phone", "") if consent else "",
    }
    actors.check_actor(partnership, city, clean)
    return {"city": city, **clean}


def import_rows(partnership: Partnership, result: Preview, *, actor) -> int:
    """Apply every row of a clean preview (all or nothing: the caller commits once)."""
    if result.errors:
        raise DomainError(_("Correct the rows with errors first; nothing was imported."))
    if already_imported(partnership, result.digest):
        raise Conflict(_("This file has been imported already."))
    if result.kind == "cards":
        _import_cards(partnership, result.rows, actor)
    else:
        for row in result.rows:
            actors.create_actor(partnership, row.pop("city"), actor=actor, allow_duplicate=True, **row)
    log(
        actor,
        "board.imported",
        partnership,
        partnership=partnership,
        kind=result.kind,
        rows=len(result.rows),
        digest=result.digest,
    )
    return len(result.rows)


def _import_cards(partnership: Partnership, rows: list[dict], actor) -> None:
    first = board.columns_of(partnership)[0]
    labels = {label.name.lower(): label for label in columns.labels_of(partnership)}
    for row in rows:
        card = cards.create_card(
            partnership,
            row["title"],
            column=row["column"] or first,
            project=row["project"],
            body=row["body"],
            actor=actor,
        )
        for name in row["labels"]:
            if name.lower() not in labels:
                labels[name.lower()] = columns.create_label(partnership, name, "blue", actor=actor)
        card.labels = [labels[name.lower()] for name in dict.fromkeys(row["labels"])]
        card.assignees = list(dict.fromkeys(row["assignees"]))
        card.due_date, card.estimate = row["due_date"], row["estimate"]
    db.session.flush()


def already_imported(partnership: Partnership, digest: str) -> bool:
    query = select(Activity.data).where(
        Activity.partnership_id == partnership.id, Activity.verb == "board.imported"
    )
    return any((data or {}).get("digest") == digest for data in db.session.scalars(query))


@describes("board.imported")
def _imported(d, who):
    if d.get("kind") == "trello":
        return _("%(who)s imported a Trello board (%(n)s cards)", who=who, n=d.get("rows"))
    if d.get("kind") == "actors":
        return _("%(who)s imported %(n)s actors from a CSV file", who=who, n=d.get("rows"))
    return _("%(who)s imported %(n)s cards from a CSV file", who=who, n=d.get("rows"))


# Between the preview and the import the file's text waits in instance/imports/ (one file per
# upload, named by the person and a random key; removed on import, swept after a day).
STASH_DAYS = 1


class TooLarge(DomainError):
    status = 413


def read_upload(stream, limit: int) -> bytes:
    """At most `limit` bytes of an uploaded file (413 beyond)."""
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise TooLarge(too_large_message(limit))
    if not raw:
        raise DomainError(_("The file is empty."))
    return raw


def too_large_message(limit: int) -> str:
    return _("The file is larger than %(n)s MB.", n=round(limit / 1024 / 1024, 1))


def _stash_dir():
    from pathlib import Path

    from flask import current_app

    path = Path(current_app.instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def stash(text: str, user) -> str:
    """Keep `text` for the import step; the key to fetch it again."""
    import secrets
    import time

    folder = _stash_dir()
    for old in folder.iterdir():
        if old.stat().st_mtime < time.time() - STASH_DAYS * 86400:
            old.unlink(missing_ok=True)
    key = secrets.token_urlsafe(16)
    (folder / f"{user.id}-{key}.txt").write_text(text, encoding="utf-8")
    return key


def unstash(key: str, user, *, remove: bool = False) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", key or ""):
        raise DomainError(_("The preview has expired: upload the file again."))
    path = _stash_dir() / f"{user.id}-{key}.txt"
    if not path.exists():
        raise DomainError(_("The preview has expired: upload the file again."))
    text = path.read_text(encoding="utf-8")
    if remove:
        path.unlink(missing_ok=True)
    return text
