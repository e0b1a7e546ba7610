"""JSON backup of one partnership, and restoring it into an empty instance.

The file holds every table with partnership data (found from the schema: tables with a
`partnership_id` and the tables that hang off them, so areas added later are included),
except invitations (single-use secrets), calendar links, and rows that cannot exist without
programme-wide data (applications belong to a call: they are backed up with the programme).
Optional links into programme-wide tables are kept when the target exists. Ids in the file
are local to the file (1, 2, 3 … per table, in the original order); people are referenced
by email. So an
export of a restored partnership is identical to the export it was restored from.

People who do not exist in the target instance are created without a usable password (there
is no password reset yet): `sprintboard set-password EMAIL` gives them one. Site-admin rights
are not part of a partnership backup.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..i18n import LANGUAGES
from ..models import Partnership, User
from ..models.base import utcnow
from . import DomainError, refuse_nul
from .tokens import new_token

FORMAT = "sprintboard.partnership"
SCHEMA_VERSION = 2  # 2: translations name their original by its id in the file
MAX_BYTES = 50 * 1024 * 1024
NOT_EXPORTED = {"users", "user_sessions", "outbox", "invitations", "calendar_feeds", "alembic_version"}
# Personal state, not the partnership's: who was told what, who watches what, password links.
NOT_EXPORTED |= {"notifications", "watches", "password_resets", "api_tokens"}
# Programme-wide tables that also hold a few partnership rows (a partnership's copy of a toolbox
# method): the partnership's rows travel with it; a link to one of them is written "copy:<n>", a
# link to a shared row keeps that row's id (restored if that row exists in the target instance).
PROGRAMME_TABLES = {"methods"}
COPY = "copy:"
# Derived from the content: rebuilt after a restore.
NOT_EXPORTED |= {"search_entries"}
SECRET_COLUMNS = {("partnerships", "status_token_hash")}
# Any column holding a secret (a token's hash, the salt of public links, a signing secret) is
# neither exported nor taken from a file: whoever wrote the file would know the link. A restore
# mints fresh ones (public links are shared anew).
SECRET_NAMES = ("token_hash", "_salt", "secret")
# What the forms allow, for the columns whose values the app relies on (a role it does not know
# broke every page of that person): a restore checks them the same way.
TEXT_MAX = 100_000
INT_LIMIT = 2**63


def _choices() -> dict[tuple[str, str], tuple]:
    from .. import models
    from ..models import actor, entry, facilitation, match, openspace, toolbox, workshop

    return {
        ("memberships", "role"): models.partnership.ROLES,
        ("funding_ideas", "status"): models.FUNDING_STATUSES,
        ("labels", "colour"): models.LABEL_COLOURS,
        ("projects", "status"): models.PROJECT_STATUSES,
        ("translations", "status"): models.TRANSLATION_STATUSES,
        ("workshops", "kind"): workshop.WORKSHOP_KINDS,
        ("workshops", "status"): workshop.WORKSHOP_STATUSES,
        ("actors", "kind"): actor.ACTOR_KINDS,
        ("match_entries", "kind"): entry.ENTRY_KINDS,
        ("retro_notes", "kind"): facilitation.RETRO_KINDS,
        ("matches", "status"): match.MATCH_STATUSES,
        ("openspace_participants", "role"): openspace.PARTICIPANT_ROLES,
        ("methods", "state"): toolbox.METHOD_STATES,
        ("methods", "original_language"): toolbox.METHOD_LOCALES,
        ("method_translations", "locale"): toolbox.METHOD_LOCALES,
    }


URL_COLUMNS = {("funding_ideas", "url"), ("openspace_rooms", "online_url")}
ZONE_COLUMNS = {("partnerships", "timezone"), ("openspace_events", "timezone")}


def _is_secret(table: sa.Table, column: sa.Column) -> bool:
    return (table.name, column.name) in SECRET_COLUMNS or any(n in column.name for n in SECRET_NAMES)


# Columns that point at a row of a table named in the same row: table -> column.
POLYMORPHIC = {"activities": "subject_id", "translations": "object_id"}
# Columns that point at another table without a foreign key: (table, column) -> target table.
LOOSE_REFS = {("cards", "sprint_id"): "sprints"}
UNUSABLE_PASSWORD = "!imported:"  # noqa: S105 (not a password: no Werkzeug hash looks like this)


class BackupError(DomainError):
    """The file cannot be restored; nothing was written."""


# Which tables, and which of their rows -----------------------------------------------------


def partnership_tables() -> list[tuple[sa.Table, sa.ForeignKey | None]]:
    """(table, foreign key that ties its rows to the partnership or None if it has
    partnership_id), parents before children, the activity log last."""
    owned: dict[str, sa.ForeignKey | None] = {"partnerships": None}
    result = []
    for table in db.metadata.sorted_tables:
        if table.name in NOT_EXPORTED or table.name == "partnerships":
            continue
        if _needs_shared_rows(table, owned):
            continue  # e.g. applications to a call: programme data, restored with the programme
        if "partnership_id" in table.c:
            owned[table.name] = None
        else:
            link = next(
                (
                    fk
                    for fk in sorted(table.foreign_keys, key=lambda f: f.parent.name)
                    if fk.column.table.name in owned
                    and fk.column.table.name != "users"
                    and not fk.parent.nullable
                ),
                None,
            )
            if link is None:
                continue  # not partnership data (e.g. a shared toolbox)
            owned[table.name] = link
        result.append((table, owned[table.name]))
    # Rows that name their subject by kind and id (no foreign key) come after every subject.
    result.sort(key=lambda item: (item[0].name == "activities", item[0].name in POLYMORPHIC))
    partnerships = db.metadata.tables["partnerships"]
    return [(partnerships, None), *result]


def _needs_shared_rows(table: sa.Table, owned) -> bool:
    """True if rows cannot exist without a row of a table shared by all partnerships (a
    required foreign key outside the partnership): such rows cannot go into an empty instance."""
    return any(
        not fk.parent.nullable
        and fk.column.table.name not in owned
        and fk.column.table.name != "users"
        and fk.column.table is not table
        for fk in table.foreign_keys
    )


def _where(table: sa.Table, link, pid: int, wheres: dict):
    if table.name == "partnerships":
        return table.c.id == pid
    if link is None:
        return table.c.partnership_id == pid
    parent = link.column.table
    return link.parent.in_(sa.select(link.column).where(wheres[parent.name]))


def _has_ref_id(table: sa.Table) -> bool:
    pk = list(table.primary_key.columns)
    return len(pk) == 1 and pk[0].name == "id"


def _subject_tables() -> dict[str, str]:
    """Activity.subject_type (lower-cased class name) -> table name."""
    return {mapper.class_.__name__.lower(): mapper.local_table.name for mapper in db.Model.registry.mappers}


# Export ------------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, datetime | date | time):  # (time: an open space's slots)
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def export_partnership(partnership: Partnership) -> dict:
    """Everything of the partnership as a JSON-ready dict (see the module docstring)."""
    tables = partnership_tables()
    wheres: dict = {}
    raw: dict[str, list] = {}
    refs: dict[str, dict[int, int]] = {}
    for table, link in tables:
        wheres[table.name] = _where(table, link, partnership.id, wheres)
        rows = (
            db.session.execute(
                sa.select(table).where(wheres[table.name]).order_by(*table.primary_key.columns)
            )
            .mappings()
            .all()
        )
        raw[table.name] = rows
        if _has_ref_id(table):
            refs[table.name] = {row["id"]: n for n, row in enumerate(rows, 1)}

    user_ids = set()
    for table, _link in tables:
        for column in table.c:
            if any(fk.column.table.name == "users" for fk in column.foreign_keys):
                user_ids.update(row[column.name] for row in raw[table.name] if row[column.name])
    users = db.session.scalars(sa.select(User).where(User.id.in_(user_ids))).all() if user_ids else []
    email = {u.id: u.email for u in users}
    subjects = _subject_tables()

    out_tables = {}
    for table, _link in tables:
        out = []
        for row in raw[table.name]:
            item = {}
            for column in table.c:
                name, value = column.name, row[column.name]
                if _is_secret(table, column) or name == "partnership_id":
                    continue
                if name == "id" and table.name in refs:
                    value = refs[table.name][value]
                elif value is not None:
                    value = _export_value(table, column, value, row, refs, email, subjects)
                item[name] = _plain(value)
            out.append(item)
        if table.name not in refs:
            # Rows without an id (links such as card_assignees) in an order that does not depend
            # on this database's ids: people's ids differ from one instance to the next.
            out.sort(key=lambda item: json.dumps(item, sort_keys=True, default=str))
        out_tables[table.name] = out
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "exported_at": utcnow().isoformat(),
        "partnership": partnership.name,
        "users": sorted(
            ({"email": u.email, "name": u.name, "locale": u.locale} for u in users),
            key=lambda u: u["email"],
        ),
        "tables": out_tables,
        "files": _export_files(raw.get("attachments") or []),
    }


# Attached files: their bytes travel in the JSON (base64) under their content-addressed key.


def _export_files(rows) -> dict[str, str]:
    from .. import storage

    files, out = storage.current(), {}
    for row in rows:
        for key in (row["storage_key"], row["thumbnail_key"]):
            if key and key not in out:
                with files.open(key) as fh:
                    out[key] = base64.b64encode(fh.read()).decode("ascii")
    return dict(sorted(out.items()))


def _check_files(data: dict) -> dict[str, bytes]:
    """The export's files, decoded and checked against their keys; every attachment row's
    files must be there (or already in this instance's storage)."""
    from .. import storage

    raw = data.get("files") or {}
    if not isinstance(raw, dict):
        raise BackupError(_("The export is damaged (%(name)s).", name="files"))
    files = {}
    for key, text in raw.items():
        try:
            storage.check_key(key)
            body = base64.b64decode(text, validate=True)
        except (ValueError, TypeError, binascii.Error):
            raise BackupError(_("The export is damaged (%(name)s).", name="files")) from None
        if "." not in key and hashlib.sha256(body).hexdigest() != key:
            raise BackupError(_("The export is damaged (%(name)s).", name=f"files.{key[:12]}"))
        files[key] = body
    store = storage.current()
    for row in data["tables"].get("attachments") or []:
        for key in (row.get("storage_key"), row.get("thumbnail_key")):
            if key and key not in files and not (storage.KEY.match(str(key)) and store.exists(key)):
                raise BackupError(
                    _("The export lacks the file “%(name)s”.", name=str(row.get("filename") or key))
                )
    return files


def _import_files(files: dict[str, bytes]) -> None:
    from .. import storage

    store = storage.current()
    for key, body in files.items():
        store.put(key, io.BytesIO(body))


def _target(table: sa.Table, column: sa.Column) -> str | None:
    fk = next(iter(column.foreign_keys), None)
    if fk is not None:
        return fk.column.table.name
    return LOOSE_REFS.get((table.name, column.name))


def _subject_table(table, row, subjects) -> str:
    """The table a polymorphic reference points into (an activity's subject, a translation's
    original)."""
    if table.name == "activities":
        return subjects.get(row.get("subject_type"), "")
    from .translations import KINDS

    kind = KINDS.get(row.get("kind"))
    return kind.model.__tablename__ if kind is not None else ""


def _export_value(table, column, value, row, refs, email, subjects):
    if (table.name, column.name) in POLYMORPHIC.items():
        return refs.get(_subject_table(table, row, subjects), {}).get(value)
    target = _target(table, column)
    if target == "users":
        return email.get(value)
    if target in PROGRAMME_TABLES:
        copy = refs[target].get(value)
        return f"{COPY}{copy}" if copy else value
    if target in refs:
        return refs[target].get(value)
    return value  # a table shared by all partnerships (or none): kept as it is


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)


# Import ------------------------------------------------------------------------------------


def load(raw: bytes) -> dict:
    """Parse and check a backup file; BackupError with a clear message if it cannot be used."""
    if len(raw) > MAX_BYTES:
        raise BackupError(_("The file is larger than %(n)d MB.", n=MAX_BYTES // 2**20))
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BackupError(_("The file is not complete JSON (is it truncated?).")) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("tables"), dict):
        raise BackupError(_("This is not a Sprintboard partnership export."))
    version = data.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise BackupError(_("The export has no valid schema version."))
    if version > SCHEMA_VERSION:
        raise BackupError(
            _(
                "The export was made by a newer Sprintboard (schema %(v)d; this one reads up "
                "to %(max)d). Update Sprintboard first.",
                v=version,
                max=SCHEMA_VERSION,
            )
        )
    known = {t.name: t for t, _link in partnership_tables()}
    for name, rows in data["tables"].items():
        if name not in known:
            raise BackupError(
                _("The export contains data this Sprintboard does not know (%(name)s).", name=name)
            )
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise BackupError(_("The export is damaged (%(name)s).", name=name))
        unknown = {k for r in rows for k in r} - set(known[name].c.keys())
        if unknown:
            raise BackupError(
                _(
                    "The export contains data this Sprintboard does not know (%(name)s).",
                    name=f"{name}.{sorted(unknown)[0]}",
                )
            )
    if len(data["tables"].get("partnerships") or []) != 1:
        raise BackupError(_("The export is damaged (%(name)s).", name="partnerships"))
    refuse_nul(data["tables"], BackupError)
    data["files"] = _check_files(data)
    return data


def _damaged(column: sa.Column) -> BackupError:
    return BackupError(_("The export is damaged (%(name)s).", name=f"{column.table.name}.{column.name}"))


def _import_value(column: sa.Column, value):
    """A value from the file, checked as the forms would: its type, length, allowed values."""
    if value is None:
        return None
    kind, key = column.type, (column.table.name, column.name)
    try:
        if isinstance(kind, sa.DateTime):
            return datetime.fromisoformat(value)
        if isinstance(kind, sa.Date):
            return date.fromisoformat(value)
        if isinstance(kind, sa.Time):
            return time.fromisoformat(value)
        if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
            number = Decimal(str(value))
            if not number.is_finite() or abs(number) >= 10**12:
                raise ValueError
            return number
    except (TypeError, ValueError, ArithmeticError):
        raise _damaged(column) from None
    if isinstance(kind, sa.Boolean):
        if not isinstance(value, bool):
            raise _damaged(column)
    elif isinstance(kind, sa.Integer):
        if not isinstance(value, int) or isinstance(value, bool) or not -INT_LIMIT < value < INT_LIMIT:
            raise _damaged(column)
    elif isinstance(kind, sa.String):  # (Text too)
        if not isinstance(value, str) or len(value) > (kind.length or TEXT_MAX):
            raise _damaged(column)
    choices = _choices().get(key)
    if choices is not None and value not in choices:
        raise _damaged(column)
    if key in URL_COLUMNS and value and not value.lower().startswith(("http://", "https://")):
        raise _damaged(column)
    if key in ZONE_COLUMNS:
        from .. import timezones

        if not timezones.is_valid(value):
            raise _damaged(column)
    return value


def _fresh_secret(column: sa.Column):
    """A new secret for a column that must hold one; None where a link is optional."""
    if column.nullable:
        return None
    return new_token()[: column.type.length or 32]


def import_partnership(data: dict) -> tuple[Partnership, list[User]]:
    """Restore a checked export (see load) into this instance, which must hold no partnership.

    Returns the partnership and the people that had to be created. Flushes, never commits:
    the caller commits once, or rolls everything back."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(Partnership)):
        raise BackupError(_("This instance already has partnerships: import only into an empty one."))
    users, created = {}, []
    for entry in data.get("users") or []:
        address = User.normalise_email(str(entry.get("email") or ""))
        if not address:
            raise BackupError(_("The export is damaged (%(name)s).", name="users"))
        user = User.by_email(address)
        if user is None:
            user = User(
                email=address,
                name=str(entry.get("name") or address)[:120],
                locale=entry.get("locale") if entry.get("locale") in LANGUAGES else None,
                password_hash=UNUSABLE_PASSWORD + new_token(),
            )
            db.session.add(user)
            created.append(user)
        users[address] = user
    db.session.flush()

    subjects = _subject_tables()
    tables = partnership_tables()
    owned = {t.name for t, _link in tables if _has_ref_id(t)}
    new_ids: dict[str, dict[int, int]] = {}
    deferred = []  # (table, new row id, column, target table, ref): set once all rows exist
    pid = None
    for table, _link in tables:
        has_ref = _has_ref_id(table)
        new_ids[table.name] = {}
        if table.name == "translations" and data.get("schema_version", 1) < 2:
            continue  # (version 1 named the originals by this database's ids: not restorable)
        for row in data["tables"].get(table.name) or []:
            values, later = {}, []
            for column in table.c:
                if _is_secret(table, column) and (column.name in row or not column.nullable):
                    values[column.name] = _fresh_secret(column)
            for name, value in row.items():
                column = table.c[name]
                if name == "id" and has_ref or _is_secret(table, column):
                    continue
                if value is not None:
                    value = _resolve(table, column, value, row, users, new_ids, subjects, owned, later)
                values[name] = _import_value(column, value)
            if "partnership_id" in table.c:
                values["partnership_id"] = pid
            if table.name in PROGRAMME_TABLES and "slug" in values:
                values["slug"] = _free_slug(values["slug"])
            result = db.session.execute(sa.insert(table).values(**values))
            if has_ref:
                new_id = result.inserted_primary_key[0]
                new_ids[table.name][row.get("id")] = new_id
                pid = new_id if table.name == "partnerships" else pid
                deferred.extend((table, new_id, *item) for item in later)
    for table, row_id, column_name, target, ref in deferred:
        db.session.execute(
            sa.update(table).where(table.c.id == row_id).values({column_name: new_ids[target].get(ref)})
        )
    db.session.expire_all()
    _import_files(data.get("files") or {})  # content addressed: a rollback leaves only unused files
    from . import search_index

    search_index.reindex(partnership_id=pid)
    return db.session.get(Partnership, pid), created


def _free_slug(slug):
    """The slug of a restored copy, made unique if this instance already uses it."""
    from .toolbox import get_by_slug, unique_slug

    if not isinstance(slug, str) or get_by_slug(slug) is None:
        return slug  # (a slug that is not text is refused by the value check)
    return unique_slug(slug)


def _resolve(table, column, value, row, users, new_ids, subjects, owned, later):
    if table.name == "activities" and column.name == "subject_id":
        return new_ids.get(subjects.get(row.get("subject_type"), ""), {}).get(value)
    if (table.name, column.name) == ("translations", "object_id"):
        found = new_ids.get(_subject_table(table, row, subjects), {}).get(value)
        if found is None:  # a translation of nothing in the file
            raise _damaged(column)
        return found
    target = _target(table, column)
    if target == "users":
        user = users.get(User.normalise_email(str(value)))
        if user is None:
            raise _damaged(column)
        return user.id
    if target in PROGRAMME_TABLES:
        if isinstance(value, str) and value.startswith(COPY):
            copy = value.removeprefix(COPY)
            if not copy.isdigit() or int(copy) not in new_ids.get(target, {}):
                raise _damaged(column)
            return new_ids[target][int(copy)]
        owned = owned - {target}  # a link to a shared row: kept if that row exists here
    if target not in owned:
        if column.foreign_keys and target in db.metadata.tables:
            # An optional link into a table shared by all partnerships: kept if that row exists here.
            shared = db.metadata.tables[target]
            exists = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(shared)
                .where(next(iter(column.foreign_keys)).column == value)
            )
            return value if exists else None
        return value  # no table behind it: kept as it is
    if target in new_ids and column.foreign_keys:
        if value not in new_ids[target]:
            raise _damaged(column)
        return new_ids[target][value]
    later.append((column.name, target, value))  # no foreign key: its table may come later
    return None
