"""The toolbox of methods: search, editing, open-data export and import, seed."""

from __future__ import annotations

import io
import json
import re
import unicodedata
import zipfile
import zlib
from pathlib import Path

import sqlalchemy as sa
from flask_babel import format_decimal
from flask_babel import gettext as _

from ..extensions import db
from ..models import Method, MethodTranslation
from ..models.base import utcnow
from ..models.toolbox import METHOD_LOCALES, PHASES
from . import DomainError, refuse_nul
from .activity import log

FORMAT = "sprintboard-toolbox"
VERSION = 1
MAX_IMPORT_BYTES = 2_000_000
MAX_METHODS = 1000
SEED_FILE = Path(__file__).resolve().parent.parent / "seed" / "toolbox.json"
TEXT_FIELDS = ("title", "purpose", "materials", "steps")
LIMITS = {"title": 200, "purpose": 2000, "materials": 2000, "steps": 20000}
META_FIELDS = (
    "phase",
    "duration_minutes",
    "group_min",
    "group_max",
    "licence",
    "author",
    "original_language",
)
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def shared() -> sa.ColumnElement[bool]:
    """The methods everyone sees: not a partnership's own copy, not a proposal (see Method.is_shared)."""
    return Method.partnership_id.is_(None) & (Method.state == "published")


def all_methods() -> list[Method]:
    """The shared toolbox (what the public pages, search and exports show)."""
    return list(
        db.session.scalars(
            db.select(Method)
            .where(shared())
            .options(db.selectinload(Method.translations))
            .order_by(Method.slug)
        )
    )


def search(*, q="", phase="", duration=None, group=None, language="", locale="en") -> list[Method]:
    """Methods matching every given filter; `duration` is a (min, max) minutes pair.

    The toolbox holds dozens of methods, so text search runs in Python: case-folding works
    for Cyrillic as well, which SQLite's lower() does not.
    """
    needle = (q or "").strip().casefold()
    found = []
    for method in all_methods():
        if phase and method.phase != phase:
            continue
        if duration and not duration[0] <= method.duration_minutes <= duration[1]:
            continue
        if group and not method.group_min <= group <= method.group_max:
            continue
        if language and language not in method.languages:
            continue
        if needle and not any(
            needle in (getattr(t, f) or "").casefold() for t in method.translations for f in TEXT_FIELDS
        ):
            continue
        found.append(method)
    found.sort(key=lambda m: m.text(locale).title.casefold())
    return found


# Pages of the toolbox at /toolbox/<name>: no method may take their address.
RESERVED_SLUGS = frozenset({"new", "import", "proposals"})
MAX_NUMBER = 100_000  # minutes or people: far above any method, far below a database integer


def method_for(partnership, method_id: int) -> Method | None:
    """A method the partnership may use (a shared one or its own copy), by id."""
    method = db.session.get(Method, method_id)
    if method is None or method.state != "published" or method.partnership_id not in (None, partnership.id):
        return None
    return method


def get_by_slug(slug: str) -> Method | None:
    """Any method with this short name (shared or a partnership's copy): slugs are unique."""
    return db.session.scalar(db.select(Method).where(Method.slug == slug))


def shared_by_slug(slug: str) -> Method | None:
    return db.session.scalar(db.select(Method).where(Method.slug == slug, shared()))


def unique_slug(base: str) -> str:
    """`base`, or `base-2`, `base-3` … whichever no method has yet."""
    base = base[:72].strip("-") or "method"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or get_by_slug(slug) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80]


def save_method(method: Method | None, meta: dict, texts: dict[str, dict], *, slug="", actor) -> Method:
    """Create (method=None) or update a method with its translations (locale -> fields)."""
    _check_meta(meta)
    if not texts:
        raise DomainError(_("A method needs a title and steps in at least one language."))
    creating = method is None
    if creating:
        base = texts.get("en", next(iter(texts.values())))["title"]
        slug = slug or slugify(base) or "method"
        if slug in RESERVED_SLUGS:
            raise DomainError(_("The short name %(slug)s is taken by a page of the toolbox.", slug=slug))
        if get_by_slug(slug) is not None:
            raise DomainError(_("A method with the short name %(slug)s already exists.", slug=slug))
        method = Method(slug=slug)
        db.session.add(method)
    for key in META_FIELDS:
        setattr(method, key, meta[key])
    _set_texts(method, texts, replace=True)
    method.updated_at = utcnow()
    db.session.flush()
    log(actor, "method.created" if creating else "method.updated", method, slug=method.slug)
    return method


def delete_method(method: Method, *, actor) -> None:
    log(actor, "method.deleted", method, slug=method.slug)
    db.session.delete(method)
    db.session.flush()


def _set_texts(method: Method, texts: dict[str, dict], *, replace: bool) -> None:
    existing = {t.locale: t for t in method.translations}
    for locale, fields in texts.items():
        row = existing.get(locale)
        if row is None:
            row = MethodTranslation(locale=locale)
            method.translations.append(row)
        for key in TEXT_FIELDS:
            setattr(row, key, fields.get(key, ""))
    if replace:
        for locale, row in existing.items():
            if locale not in texts:
                method.translations.remove(row)


def _check_meta(meta: dict) -> None:
    if meta.get("phase") not in PHASES:
        raise DomainError(_("Unknown phase."))
    if meta.get("original_language") not in METHOD_LOCALES:
        raise DomainError(_("Unknown language."))
    ints = ("duration_minutes", "group_min", "group_max")
    if any(not isinstance(meta.get(k), int) or isinstance(meta.get(k), bool) or meta[k] < 1 for k in ints):
        raise DomainError(_("Duration and group sizes must be positive whole numbers."))
    if any(meta[k] > MAX_NUMBER for k in ints):
        raise DomainError(_("Duration and group sizes can be at most %(n)s.", n=format_decimal(MAX_NUMBER)))
    if meta["group_min"] > meta["group_max"]:
        raise DomainError(_("The largest group cannot be smaller than the smallest."))
    for key in ("licence", "author"):
        if not isinstance(meta.get(key), str) or len(meta[key]) > 200:
            raise DomainError(_("Licence and author must be short texts."))


# --- open data ---------------------------------------------------------------------------


def method_data(method: Method) -> dict:
    return {
        "slug": method.slug,
        **{key: getattr(method, key) for key in META_FIELDS},
        "translations": {
            t.locale: {key: getattr(t, key) for key in TEXT_FIELDS} for t in method.translations
        },
    }


def export_data() -> dict:
    return {"format": FORMAT, "version": VERSION, "methods": [method_data(m) for m in all_methods()]}


def export_json() -> str:
    return json.dumps(export_data(), ensure_ascii=False, indent=2) + "\n"


def export_markdown_zip() -> bytes:
    """One Markdown file per method and language, with a small front matter."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for method in all_methods():
            meta = {"slug": method.slug, **{key: getattr(method, key) for key in META_FIELDS}}
            for t in method.translations:
                head = {**meta, "locale": t.locale, "title": t.title}
                lines = [
                    "---",
                    *(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in head.items()),
                    "---",
                    "",
                    f"# {t.title}",
                    "",
                    "## Purpose",
                    "",
                    t.purpose,
                    "",
                    "## Materials",
                    "",
                    t.materials,
                    "",
                    "## Steps",
                    "",
                    t.steps,
                    "",
                ]
                archive.writestr(f"{method.slug}/{t.locale}.md", "\n".join(lines))
    return buffer.getvalue()


def _not_an_export(reason: str | None = None) -> DomainError:
    if reason is None:
        return DomainError(_("The file is not a valid toolbox export."))
    return DomainError(_("The file is not a valid toolbox export: %(detail)s", detail=reason))


def _markdown_zip_to_data(raw: bytes) -> dict:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise _not_an_export() from None
    methods: dict[str, dict] = {}
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        total += info.file_size
        if total > MAX_IMPORT_BYTES * 5 or not info.filename.endswith(".md"):
            raise _not_an_export()
        if info.flag_bits & 0x1:
            raise _not_an_export(_("%(name)s is encrypted.", name=info.filename))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _not_an_export(_("%(name)s uses a compression this app does not read.", name=info.filename))
        try:
            text = archive.read(info).decode("utf-8", "replace")
        except (
            zipfile.BadZipFile,
            zlib.error,
            RuntimeError,
            NotImplementedError,
            EOFError,
            OSError,
            ValueError,
        ):
            raise _not_an_export(_("%(name)s is damaged.", name=info.filename)) from None
        meta, sections = _parse_markdown(text)
        slug, locale = meta.get("slug"), meta.get("locale")
        if not isinstance(slug, str) or not isinstance(locale, str):
            raise _not_an_export(info.filename)
        entry = methods.setdefault(slug, {k: meta.get(k) for k in ("slug", *META_FIELDS)})
        entry.setdefault("translations", {})[locale] = {"title": meta.get("title"), **sections}
    return {"format": FORMAT, "version": VERSION, "methods": list(methods.values())}


def _json(text: str):
    """json.loads, with numbers too long to read and nesting too deep refused, not raised."""
    try:
        return json.loads(text)
    except RecursionError:
        raise _not_an_export(_("it is nested too deeply.")) from None
    except json.JSONDecodeError:
        raise _not_an_export() from None
    except ValueError:  # an integer of more than 4,300 digits
        raise _not_an_export(_("it holds a number that is too long.")) from None


def _parse_markdown(text: str) -> tuple[dict, dict]:
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if not match:
        raise _not_an_export()
    meta = {}
    for line in match.group(1).splitlines():
        key, _sep, value = line.partition(": ")
        meta[key.strip()] = _json(value)
    body = text[match.end() :]
    parts = re.split(r"^## (Purpose|Materials|Steps)\n", body, flags=re.M)
    sections = {"purpose": "", "materials": "", "steps": ""}
    for name, content in zip(parts[1::2], parts[2::2], strict=False):
        sections[name.lower()] = content.strip()
    return meta, sections


def import_file(raw: bytes, *, actor=None) -> tuple[int, int]:
    """Import a JSON or Markdown-zip export; returns (created, updated). All or nothing."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise DomainError(_("The file is too large (at most %(n)d MB).", n=MAX_IMPORT_BYTES // 1_000_000))
    if raw[:2] == b"PK":
        data = _markdown_zip_to_data(raw)
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _not_an_export() from None
        data = _json(text)
    refuse_nul(data)
    return import_data(data, actor=actor)


def import_data(data, *, actor=None) -> tuple[int, int]:
    """Validate everything first, then upsert by slug (the caller commits once)."""
    methods = _validate(data)
    created = updated = 0
    for entry in methods:
        method = get_by_slug(entry["slug"])
        if method is None:
            method = Method(slug=entry["slug"])
            db.session.add(method)
            created += 1
        else:
            updated += 1
        for key in META_FIELDS:
            setattr(method, key, entry[key])
        _set_texts(method, entry["translations"], replace=False)
        method.updated_at = utcnow()
    db.session.flush()
    return created, updated


def _validate(data) -> list[dict]:
    bad = _not_an_export

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise bad("format")
    if not isinstance(data.get("methods"), list):
        raise bad("methods")
    if len(data["methods"]) > MAX_METHODS:
        raise bad("too many methods")
    seen = set()
    result = []
    for entry in data["methods"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("slug"), str):
            raise bad("slug")
        slug = entry["slug"]
        if not _SLUG.match(slug) or len(slug) > 80 or slug in seen or slug in RESERVED_SLUGS:
            raise bad(slug)
        existing = get_by_slug(slug)
        if existing is not None and not existing.is_shared:
            raise bad(slug)  # a partnership's own copy: an import never touches it
        seen.add(slug)
        meta = {key: entry.get(key) for key in META_FIELDS}
        meta["author"] = meta["author"] or ""
        try:
            _check_meta(meta)
        except DomainError as error:
            raise bad(f"{slug}: {error.message}") from None
        texts = entry.get("translations")
        if not isinstance(texts, dict) or not texts:
            raise bad(f"{slug}: translations")
        clean = {}
        for locale, fields in texts.items():
            if locale not in METHOD_LOCALES or not isinstance(fields, dict):
                raise bad(f"{slug}: {locale}")
            row = {key: fields.get(key) or "" for key in TEXT_FIELDS}
            if any(not isinstance(v, str) or len(v) > LIMITS[k] for k, v in row.items()) or not row["title"]:
                raise bad(f"{slug}/{locale}")
            clean[locale] = row
        result.append({"slug": slug, **meta, "translations": clean})
    return result


def seed(path: Path | None = None) -> int:
    """Load the bundled methods if the toolbox is empty; returns how many were created."""
    if db.session.scalar(db.select(db.func.count(Method.id))):
        return 0
    created, _updated = import_file((path or SEED_FILE).read_bytes())
    return created


def usage(method: Method) -> list:
    """The workshops whose agenda uses the method: (workshop, partnership) pairs, newest first."""
    from ..models import AgendaItem, Partnership, Workshop

    rows = db.session.execute(
        db.select(Workshop, Partnership)
        .join(AgendaItem, AgendaItem.workshop_id == Workshop.id)
        .join(Partnership, Partnership.id == Workshop.partnership_id)
        .where(AgendaItem.method_id == method.id)
        .distinct()
        .order_by(Workshop.start_date.desc().nulls_last(), Workshop.id.desc())
    ).all()
    return [(row[0], row[1]) for row in rows]


def method_choices(locale: str, partnership=None) -> list[tuple[str, str]]:
    """(id, title in `locale` or the method's original language) for every shared method and
    the partnership's own copies, by title."""
    scope = shared() if partnership is None else shared() | (Method.partnership_id == partnership.id)
    methods = db.session.scalars(
        db.select(Method).where(scope).options(db.selectinload(Method.translations))
    ).all()
    choices = [(str(m.id), m.text(locale).title) for m in methods if m.text(locale)]
    return sorted(choices, key=lambda c: c[1].casefold())
