"""Partnerships, their cities and the people in them."""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_locale
from flask_babel import gettext as _

from .. import timezones
from ..extensions import db
from ..i18n import LANGUAGES
from ..models import ROLES, City, Membership, Partnership, User
from . import DomainError, accounts
from .activity import log


def create_partnership(name: str, description: str, cities: list[tuple[str, str]], *, actor):
    """A partnership of two or more cities, given as (name, ISO country code) pairs."""
    cities = [(n.strip(), c.strip().upper()) for n, c in cities if n.strip()]
    if len(cities) < 2:
        raise DomainError(_("A partnership needs at least two cities."))
    names = [n.casefold() for n, _c in cities]
    if len(set(names)) != len(names):
        raise DomainError(_("Each city can only be added once."))
    partnership = Partnership(
        name=name.strip(), description=description.strip(), timezone=_creator_timezone(actor)
    )
    for position, (city_name, country) in enumerate(cities):
        partnership.cities.append(City(name=city_name, country=country, position=position))
    db.session.add(partnership)
    db.session.flush()
    from .board import create_default_columns

    create_default_columns(partnership, _creator_language(actor))
    from .themes import seed_themes

    seed_themes(partnership)
    from .workshops import plan_standard_series

    plan_standard_series(partnership, actor)
    log(actor, "partnership.created", partnership, partnership=partnership, name=partnership.name)
    return partnership


def _creator_language(actor) -> str:
    """The language of whoever creates a partnership: their saved one, else the page's."""
    if actor is not None and getattr(actor, "locale", None) in LANGUAGES:
        return actor.locale
    return str(get_locale()) if has_request_context() else "en"


def _creator_timezone(actor) -> str:
    """A new partnership's events follow its creator's clock, else the programme's (Berlin)."""
    name = getattr(actor, "timezone", None)
    return name if timezones.is_valid(name) and name != "UTC" else timezones.PARTNERSHIP_DEFAULT


def update_partnership(
    partnership: Partnership, name: str, description: str, *, timezone: str | None = None, actor
) -> None:
    if timezone is not None and not timezones.is_valid(timezone):
        raise DomainError(_("Unknown time zone: %(zone)s", zone=timezone))
    partnership.name = name.strip()
    partnership.description = description.strip()
    if timezone is not None:
        partnership.timezone = timezone
    log(actor, "partnership.updated", partnership, partnership=partnership)


def add_city(partnership: Partnership, name: str, country: str, *, actor) -> City:
    if any(c.name.casefold() == name.strip().casefold() for c in partnership.cities):
        raise DomainError(_("Each city can only be added once."))
    city = City(name=name.strip(), country=country.strip().upper(), position=len(partnership.cities))
    partnership.cities.append(city)
    db.session.flush()
    log(actor, "city.added", city, partnership=partnership, name=city.name)
    return city


def add_member(partnership: Partnership, user: User, role: str, city: City, *, actor) -> Membership:
    check_role(role)
    existing = db.session.scalar(
        db.select(Membership).filter_by(user_id=user.id, partnership_id=partnership.id)
    )
    if existing is not None:
        raise DomainError(_("%(name)s is already a member of this partnership.", name=user.name))
    membership = Membership(user=user, partnership=partnership, role=role, city=city)
    db.session.add(membership)
    db.session.flush()
    log(actor, "member.added", membership, partnership=partnership, user=user.name, role=role)
    return membership


def change_member(membership: Membership, role: str, city: City, *, actor) -> None:
    """Change a member's role and home city; a partnership never loses its last facilitator."""
    check_role(role)
    if membership.role == "facilitator" and role != "facilitator":
        _keep_a_facilitator(membership)
    old = membership.role
    membership.role = role
    membership.city = city
    if role != old:
        accounts.access_changed(membership.user_id)
    log(
        actor,
        "member.changed",
        membership,
        partnership=membership.partnership,
        user=membership.user.name,
        frm=old,
        to=role,
    )


def remove_member(membership: Membership, *, actor) -> None:
    if membership.role == "facilitator":
        _keep_a_facilitator(membership)
    log(actor, "member.removed", membership, partnership=membership.partnership, user=membership.user.name)
    from .notifications import forget_partnership

    forget_partnership(membership.user_id, membership.partnership)
    accounts.access_changed(membership.user_id)
    db.session.delete(membership)
    db.session.flush()


def members_of(partnership: Partnership) -> list[User]:
    """Everyone with a membership in the partnership, by name."""
    return list(
        db.session.scalars(
            db.select(User)
            .join(Membership)
            .where(Membership.partnership_id == partnership.id)
            .order_by(User.name, User.id)
        )
    )


def members_by_city(partnership: Partnership) -> list[tuple[City, list[Membership]]]:
    """Each city of the partnership with its members, facilitators first, then by name."""
    rows = db.session.scalars(
        db.select(Membership)
        .join(User)
        .where(Membership.partnership_id == partnership.id)
        .options(db.joinedload(Membership.user))
        .order_by(User.name)
    ).all()
    rank = {role: i for i, role in enumerate(reversed(ROLES))}
    grouped = {city.id: [] for city in partnership.cities}
    for membership in sorted(rows, key=lambda m: rank[m.role]):
        grouped.setdefault(membership.city_id, []).append(membership)
    return [(city, grouped[city.id]) for city in partnership.cities]


def check_role(role: str) -> None:
    if role not in ROLES:
        raise DomainError(_("Unknown role."))


def _keep_a_facilitator(membership: Membership) -> None:
    others = db.session.scalar(
        db.select(db.func.count(Membership.id)).where(
            Membership.partnership_id == membership.partnership_id,
            Membership.role == "facilitator",
            Membership.id != membership.id,
        )
    )
    if not others:
        raise DomainError(_("A partnership needs at least one facilitator."))
