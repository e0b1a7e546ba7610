"""Interests, needs, potentials and ideas: the entries of each city that matching pairs up."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..ids import valid_id
from ..models import City, Partnership
from ..models.entry import ENTRY_KINDS, MatchEntry
from ..models.match import Match, match_entry_links
from ..models.theme import Theme
from . import Conflict, DomainError, original_language
from .activity import describes, log

ENTRY_KIND_LABELS = {
    "interest": _l("Interest"),
    "need": _l("Need"),
    "potential": _l("Potential"),
    "idea": _l("Idea"),
}
TEXT_MAX = 500


def _clean_entry(partnership: Partnership, city: City, kind: str, text: str, themes: list[Theme]):
    if city.partnership_id != partnership.id:
        raise DomainError(_("That belongs to another partnership."))
    if kind not in ENTRY_KINDS:
        raise DomainError(_("Choose interest, need, potential or idea."))
    text = " ".join((text or "").split())
    if not text:
        raise DomainError(_("Write the entry first."))
    if len(text) > TEXT_MAX:
        raise DomainError(_("An entry can have at most %(n)d characters.", n=TEXT_MAX))
    if any(t.partnership_id != partnership.id for t in themes):
        raise DomainError(_("Unknown theme."))
    return text


def check_entry(partnership: Partnership, city: City, kind: str, text: str, themes: list[Theme]) -> str:
    """The text cleaned as create_entry would (DomainError on the first broken rule)."""
    return _clean_entry(partnership, city, kind, text, themes)


def create_entry(
    partnership: Partnership, city: City, kind: str, text: str, themes: list[Theme], *, actor, **values
) -> MatchEntry:
    """A new interest / need / potential / idea of `city` (`values`: its language, if given)."""
    text = _clean_entry(partnership, city, kind, text, themes)
    language = original_language(values)
    entry = MatchEntry(
        partnership=partnership,
        city=city,
        kind=kind,
        text=text,
        themes=list(themes),
        created_by_id=actor.id if actor else None,
        **language,
    )
    db.session.add(entry)
    db.session.flush()
    log(actor, "entry.created", entry, partnership=partnership, city=city.name, text=text[:80])
    return entry


def update_entry(
    entry: MatchEntry, city: City, kind: str, text: str, themes: list[Theme], *, actor, **values
) -> MatchEntry:
    language = original_language(values)
    entry.text = _clean_entry(entry.partnership, city, kind, text, themes)
    entry.city, entry.kind, entry.themes = city, kind, list(themes)
    for field, value in language.items():
        setattr(entry, field, value)
    db.session.flush()
    log(actor, "entry.updated", entry, partnership=entry.partnership, city=city.name, text=entry.text[:80])
    return entry


def delete_entry(entry: MatchEntry, *, actor) -> None:
    if any(m.project_id for m in matches_with(entry)):
        raise Conflict(_("This entry is part of a project and cannot be deleted."))
    log(
        actor,
        "entry.deleted",
        entry,
        partnership=entry.partnership,
        city=entry.city.name,
        text=entry.text[:80],
    )
    for m in matches_with(entry):
        db.session.delete(m)  # a match without one of its entries no longer says anything
    db.session.delete(entry)
    db.session.flush()


def entries_of(partnership: Partnership, city: City | None = None) -> list[MatchEntry]:
    query = (
        db.select(MatchEntry)
        .where(MatchEntry.partnership_id == partnership.id)
        .options(selectinload(MatchEntry.themes))
    )
    if city is not None:
        query = query.where(MatchEntry.city_id == city.id)
    return list(db.session.scalars(query.order_by(MatchEntry.city_id, MatchEntry.kind, MatchEntry.id)))


def resolve_entries(partnership: Partnership, ids) -> list[MatchEntry]:
    ids = {valid_id(i) for i in ids or ()}  # (None for an id no row can have: unknown)
    entries = (
        list(
            db.session.scalars(
                db.select(MatchEntry).where(
                    MatchEntry.partnership_id == partnership.id, MatchEntry.id.in_(ids)
                )
            )
        )
        if ids
        else []
    )
    if len(entries) != len(ids):
        raise DomainError(_("Unknown entry."))
    return sorted(entries, key=lambda e: e.id)


def matches_with(entry: MatchEntry) -> list[Match]:
    return list(
        db.session.scalars(
            db.select(Match).join(match_entry_links).where(match_entry_links.c.entry_id == entry.id)
        )
    )


@describes("entry.created")
def _entry_created(d, who):
    return _(
        "%(who)s added an entry for %(city)s: %(text)s",
        who=who,
        city=d.get("city", ""),
        text=d.get("text", ""),
    )


@describes("entry.updated")
def _entry_updated(d, who):
    return _(
        "%(who)s edited an entry for %(city)s: %(text)s",
        who=who,
        city=d.get("city", ""),
        text=d.get("text", ""),
    )


@describes("entry.deleted")
def _entry_deleted(d, who):
    return _(
        "%(who)s deleted an entry for %(city)s: %(text)s",
        who=who,
        city=d.get("city", ""),
        text=d.get("text", ""),
    )
