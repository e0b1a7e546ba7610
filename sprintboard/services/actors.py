"""The actor map of each city: who can help, the stakeholder grid, duplicates and merging.

Privacy: contact fields (person, email, phone) hold data only while consent is recorded;
recording consent stores who recorded it and when, withdrawing it wipes the fields.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Card, City, Partnership, Project
from ..models.actor import ACTOR_KINDS, Actor, actor_themes
from ..models.base import utcnow
from ..models.theme import Theme
from . import Conflict, DomainError, original_language
from .activity import describes, log
from .themes import theme_name

KIND_LABELS = {
    "administration": _l("Administration"),
    "ngo": _l("NGO"),
    "school": _l("School"),
    "university": _l("University"),
    "business": _l("Business"),
    "culture": _l("Cultural institution"),
    "media": _l("Media"),
    "initiative": _l("Initiative"),
    "person": _l("Individual"),
}
NAME_MAX = 200
SCALE = range(1, 6)  # interest and influence: 1 (low) … 5 (high)


class DuplicateActor(Conflict):
    """An actor with the same normalised name exists in the city; `existing` lists them."""

    def __init__(self, existing: list[Actor]):
        super().__init__(_("%(name)s is already on the map of this city.", name=existing[0].name))
        self.existing = existing


def normalise_name(name: str) -> str:
    """casefold, punctuation dropped, whitespace collapsed: "St. Mary's  School" → "st marys school"."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("P"))
    return " ".join(text.split())


def duplicates_of(city: City, name: str, *, exclude: Actor | None = None) -> list[Actor]:
    query = db.select(Actor).where(Actor.city_id == city.id, Actor.name_key == normalise_name(name))
    if exclude is not None:
        query = query.where(Actor.id != exclude.id)
    return list(db.session.scalars(query.order_by(Actor.id)))


def duplicate_groups(partnership: Partnership) -> list[list[Actor]]:
    """Actors that share a normalised name within a city, oldest first: candidates for merging."""
    groups: dict[tuple[int, str], list[Actor]] = {}
    for actor in actors_of(partnership):
        groups.setdefault((actor.city_id, actor.name_key), []).append(actor)
    return [sorted(g, key=lambda a: a.id) for g in groups.values() if len(g) > 1]


def check_actor(partnership: Partnership, city: City, values: dict) -> dict:
    """The values cleaned as create_actor would (DomainError on the first broken rule)."""
    return _clean(partnership, city, values)


def _clean(partnership: Partnership, city: City, values: dict) -> dict:
    if city.partnership_id != partnership.id:
        raise DomainError(_("That belongs to another partnership."))
    name = " ".join((values.get("name") or "").split())
    if not name or not normalise_name(name):
        raise DomainError(_("An actor needs a name."))
    if len(name) > NAME_MAX:
        raise DomainError(_("A name can have at most %(n)d characters.", n=NAME_MAX))
    kind = values.get("kind")
    if kind not in ACTOR_KINDS:
        raise DomainError(_("Unknown kind of actor."))
    scores = {}
    for field in ("interest", "influence"):
        value = values.get(field, 3)
        if not isinstance(value, int) or value not in SCALE:
            raise DomainError(_("Interest and influence go from 1 to 5."))
        scores[field] = value
    website = (values.get("website") or "").strip() or None
    if website is not None:
        parts = urlsplit(website)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or len(website) > 500
            or re.search(r"\s", website)
        ):
            raise DomainError(_("A website must be an http:// or https:// address."))
    email = (values.get("contact_email") or "").strip()
    if values.get("consent") and email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise DomainError(_("This email address is not valid."))
    themes = values.get("themes") or []
    if any(t.partnership_id != partnership.id for t in themes):
        raise DomainError(_("Unknown theme."))
    return {
        "name": name,
        "name_key": normalise_name(name),
        "kind": kind,
        "description": (values.get("description") or "").strip(),
        "website": website,
        "themes": list(themes),
        **scores,
        **original_language(values),
    }


def _apply_contact(actor: Actor, values: dict, user) -> None:
    consent = bool(values.get("consent"))
    contact = {
        "contact_person": " ".join((values.get("contact_person") or "").split()) or None,
        "contact_email": (values.get("contact_email") or "").strip() or None,
        "contact_phone": " ".join((values.get("contact_phone") or "").split()) or None,
    }
    if not consent:
        # Without consent nothing is kept, whatever was sent.
        actor.consent, actor.consent_by_id, actor.consent_at = False, None, None
        actor.contact_person = actor.contact_email = actor.contact_phone = None
        return
    if not actor.consent:
        actor.consent_by_id, actor.consent_at = user.id if user else None, utcnow()
    actor.consent = True
    for field, value in contact.items():
        setattr(actor, field, value)


def create_actor(partnership: Partnership, city: City, *, actor, allow_duplicate=False, **values) -> Actor:
    """A new actor of `city`. Raises DuplicateActor when the name exists there, unless
    `allow_duplicate`. `values`: name, kind, themes, description, website, interest, influence,
    consent, contact_person, contact_email, contact_phone."""
    clean = _clean(partnership, city, values)
    if not allow_duplicate and (existing := duplicates_of(city, clean["name"])):
        raise DuplicateActor(existing)
    record = Actor(partnership=partnership, city=city, created_by_id=actor.id if actor else None)
    for field, value in clean.items():
        setattr(record, field, value)
    _apply_contact(record, values, actor)
    db.session.add(record)
    db.session.flush()
    log(actor, "actor.created", record, partnership=partnership, name=record.name)
    return record


def update_actor(record: Actor, city: City, *, actor, **values) -> Actor:
    clean = _clean(record.partnership, city, values)
    record.city = city
    for field, value in clean.items():
        setattr(record, field, value)
    _apply_contact(record, values, actor)
    db.session.flush()
    log(actor, "actor.updated", record, partnership=record.partnership, name=record.name)
    return record


def add_details(record: Actor, *, actor, **values) -> Actor:
    """Merge what was entered for a would-be duplicate into the existing actor instead: its
    themes are added, an empty description or website is filled, and a contact given with
    consent is kept when the existing actor has none."""
    clean = _clean(record.partnership, record.city, values)
    for theme in clean["themes"]:
        if theme not in record.themes:
            record.themes.append(theme)
    record.description = record.description or clean["description"]
    record.website = record.website or clean["website"]
    if values.get("consent") and not record.consent:
        _apply_contact(record, values, actor)
    db.session.flush()
    log(actor, "actor.updated", record, partnership=record.partnership, name=record.name)
    return record


def delete_actor(record: Actor, *, actor) -> None:
    log(actor, "actor.deleted", record, partnership=record.partnership, name=record.name)
    db.session.delete(record)
    db.session.flush()


def merge_actors(keep: Actor, drop: Actor, *, actor) -> Actor:
    """Move themes, project and card links (and missing details) of `drop` to `keep`, then
    delete `drop`. Both must be of the same city."""
    if keep.id == drop.id:
        raise DomainError(_("Choose another actor to merge."))
    if keep.partnership_id != drop.partnership_id or keep.city_id != drop.city_id:
        raise DomainError(_("Only actors of the same city can be merged."))
    for attr in ("themes", "projects", "cards"):
        mine = getattr(keep, attr)
        for item in getattr(drop, attr):
            if item not in mine:
                mine.append(item)
    keep.description = keep.description or drop.description
    keep.website = keep.website or drop.website
    if not keep.consent and drop.consent:
        keep.consent, keep.consent_by_id, keep.consent_at = True, drop.consent_by_id, drop.consent_at
        keep.contact_person, keep.contact_email = drop.contact_person, drop.contact_email
        keep.contact_phone = drop.contact_phone
    name = drop.name
    db.session.delete(drop)
    db.session.flush()
    log(actor, "actor.merged", keep, partnership=keep.partnership, name=keep.name, other=name)
    return keep


def actors_of(
    partnership: Partnership, *, city: City | None = None, kind: str | None = None, theme: Theme | None = None
) -> list[Actor]:
    query = (
        db.select(Actor)
        .where(Actor.partnership_id == partnership.id)
        .options(selectinload(Actor.themes), joinedload(Actor.city))
    )
    if city is not None:
        query = query.where(Actor.city_id == city.id)
    if kind:
        query = query.where(Actor.kind == kind)
    if theme is not None:
        query = query.where(
            Actor.id.in_(db.select(actor_themes.c.actor_id).where(actor_themes.c.theme_id == theme.id))
        )
    return list(db.session.scalars(query.order_by(Actor.name_key, Actor.id)))


def stakeholder_grid(actors: list[Actor]) -> list[tuple[int, list[tuple[int, list[Actor]]]]]:
    """Rows of influence 5 → 1, each with cells of interest 1 → 5 holding their actors."""
    cells: dict[tuple[int, int], list[Actor]] = {}
    for a in actors:
        cells.setdefault((a.influence, a.interest), []).append(a)
    return [
        (influence, [(interest, cells.get((influence, interest), [])) for interest in SCALE])
        for influence in reversed(SCALE)
    ]


def link_project(record: Actor, project: Project, *, actor) -> None:
    if project.partnership_id != record.partnership_id:
        raise DomainError(_("That belongs to another partnership."))
    if project not in record.projects:
        record.projects.append(project)
        db.session.flush()
        log(actor, "actor.linked", record, partnership=record.partnership, name=record.name, to=project.title)


def link_card(record: Actor, card: Card, *, actor) -> None:
    if card.partnership_id != record.partnership_id:
        raise DomainError(_("That belongs to another partnership."))
    if card not in record.cards:
        record.cards.append(card)
        db.session.flush()
        log(actor, "actor.linked", record, partnership=record.partnership, name=record.name, to=card.title)


def unlink(record: Actor, *, project: Project | None = None, card: Card | None = None, actor) -> None:
    if project is not None and project in record.projects:
        record.projects.remove(project)
    if card is not None and card in record.cards:
        record.cards.remove(card)
    db.session.flush()


def actors_for_card(card: Card) -> list[Actor]:
    """Who can help with this card (for the card page)."""
    return list(
        db.session.scalars(db.select(Actor).where(Actor.cards.contains(card)).order_by(Actor.name_key))
    )


def actors_for_project(project: Project) -> list[Actor]:
    return list(
        db.session.scalars(db.select(Actor).where(Actor.projects.contains(project)).order_by(Actor.name_key))
    )


# Exports ---------------------------------------------------------------------------------------


def _base_row(a: Actor) -> list:
    return [
        a.city.name,
        a.name,
        str(KIND_LABELS[a.kind]),
        "; ".join(theme_name(t) for t in a.themes),
        a.interest,
        a.influence,
        a.website or "",
        a.description,
    ]


def _base_header() -> list[str]:
    return [
        _("City"),
        _("Name"),
        _("Kind"),
        _("Themes"),
        _("Interest"),
        _("Influence"),
        _("Website"),
        _("Description"),
    ]


def actor_csv(partnership: Partnership) -> tuple[list[str], list[list]]:
    """The actor map for members, facilitators and observers: contact columns are filled only
    for actors whose consent is recorded."""
    actors = actors_of(partnership)
    header, rows = _with_languages(_base_header(), [_base_row(a) for a in actors], actors)
    for row, a in zip(rows, actors, strict=True):
        contact = a.contact or {"person": "", "email": "", "phone": ""}
        row += [contact["person"], contact["email"], contact["phone"]]
    return header + [_("Contact person"), _("Email"), _("Phone")], rows


def public_actor_csv(partnership: Partnership) -> tuple[list[str], list[list]]:
    """The actor map without any contact data, for public pages and exports."""
    actors = actors_of(partnership)
    return _with_languages(_base_header(), [_base_row(a) for a in actors], actors)


def _with_languages(header: list[str], rows: list[list], actors) -> tuple[list[str], list[list]]:
    """The description in each language, as far as it is translated (after the original)."""
    from . import translations

    extra, by_actor = translations.language_columns("actor", actors, {"description": _("Description")})
    return header + extra, [row + by_actor[a.id] for row, a in zip(rows, actors, strict=True)]


@describes("actor.created")
def _actor_created(d, who):
    return _("%(who)s added the actor %(name)s", who=who, name=d.get("name", ""))


@describes("actor.updated")
def _actor_updated(d, who):
    return _("%(who)s edited the actor %(name)s", who=who, name=d.get("name", ""))


@describes("actor.deleted")
def _actor_deleted(d, who):
    return _("%(who)s deleted the actor %(name)s", who=who, name=d.get("name", ""))


@describes("actor.merged")
def _actor_merged(d, who):
    return _(
        "%(who)s merged %(other)s into %(name)s", who=who, other=d.get("other", ""), name=d.get("name", "")
    )


@describes("actor.linked")
def _actor_linked(d, who):
    return _("%(who)s linked %(name)s to %(to)s", who=who, name=d.get("name", ""), to=d.get("to", ""))
