"""Objects for tests, built through the services so they obey the same rules."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from werkzeug.security import generate_password_hash

from sprintboard.extensions import db
from sprintboard.models import User
from sprintboard.services import partnerships

PASSWORD = "correct horse battery"
_HASH = generate_password_hash(PASSWORD)  # hashing once keeps the suite fast
_seq = itertools.count(1)


def user(name=None, *, email=None, is_admin=False, locale=None) -> User:
    n = next(_seq)
    u = User(
        email=(email or f"user{n}@example.org").lower(),
        name=name or f"User {n}",
        password_hash=_HASH,
        is_admin=is_admin,
        locale=locale,
    )
    db.session.add(u)
    db.session.flush()
    return u


def partnership(name="Minsk – Hamburg", cities=(("Minsk", "BY"), ("Hamburg", "DE")), actor=None):
    return partnerships.create_partnership(name, "", list(cities), actor=actor)


def member(p, role="member", city_index=0, **kw) -> User:
    u = user(**kw)
    partnerships.add_member(p, u, role, p.cities[city_index], actor=None)
    return u


def world() -> SimpleNamespace:
    admin = user("Admin", is_admin=True)
    p = partnership(actor=admin)
    users = {
        "facilitator": member(p, "facilitator", 0, name="Fiona Facilitator"),
        "member": member(p, "member", 1, name="Max Member"),
        "observer": member(p, "observer", 1, name="Olga Observer"),
        "admin": admin,
    }
    other = partnership("Lviv – Wrocław", (("Lviv", "UA"), ("Wrocław", "PL")), actor=admin)
    users["outsider"] = member(other, "facilitator", 0, name="Oscar Outsider")
    db.session.commit()
    return SimpleNamespace(partnership=p, other=other, users=users, admin=admin)


def theme(p, key="culture"):
    from sprintboard.models import Theme

    return db.session.scalar(db.select(Theme).filter_by(partnership_id=p.id, key=key))


def actor(p, city_index=0, name=None, *, themes=(), by=None, **values):
    """An actor of p.cities[city_index] tagged with theme keys `themes`."""
    from sprintboard.services import actors

    values.setdefault("kind", "ngo")
    return actors.create_actor(
        p,
        p.cities[city_index],
        name=name or f"Actor {next(_seq)}",
        themes=[theme(p, k) for k in themes],
        actor=by,
        **values,
    )


def entry(p, city_index=0, text=None, *, themes=(), kind="interest", by=None):
    from sprintboard.services import entries

    return entries.create_entry(
        p,
        p.cities[city_index],
        kind,
        text or f"Entry {next(_seq)}",
        [theme(p, k) for k in themes],
        actor=by,
    )


def match(p, entries, *, by=None):
    from sprintboard.services import match as service

    return service.create_match(p, list(entries), actor=by)


def project(p, title="Youth exchange", actor=None, **kw):
    from sprintboard.services import projects

    return projects.create_project(p, title, actor=actor, **kw)


def label(p, name="Urgent", colour="red", actor=None):
    from sprintboard.services import columns

    return columns.create_label(p, name, colour, actor=actor)


def card(p, title="A card", *, column=0, actor=None, project=None, **fields):
    """A card in the `column`-th column of partnership `p` (created through the service)."""
    from sprintboard.services import board, cards

    c = cards.create_card(p, title, column=board.columns_of(p)[column], project=project, actor=actor)
    for name, value in fields.items():
        setattr(c, name, value)
    db.session.flush()
    return c


# Sprints, workshops, facilitation -----------------------------------------------------------


def sprint(p, name="Sprint 1", *, start=None, end=None, actor=None, state="planned", cards=()):
    from datetime import date, timedelta

    from sprintboard.services import sprints

    start = start or date.today()
    end = end or start + timedelta(days=13)
    s = sprints.create_sprint(p, name, "", start, end, actor=actor)
    if cards:
        sprints.add_cards(s, list(cards), actor=actor)
    if state in ("active", "closed"):
        sprints.start_sprint(s, actor=actor)
    if state == "closed":
        sprints.close_sprint(s, actor=actor)
    return s


def funding_idea(p, *, actor=None, title="EU Town Twinning", status="idea", **values):
    from sprintboard.services import funding

    values.setdefault("amount", "25000.00")
    return funding.create_funding_idea(p, actor=actor, status=status, title=title, **values)


# Open space -----------------------------------------------------------------------------------


def open_space(p=None, *, title="BarCamp", actor=None, rooms=(), slots=(), **values):
    """An open-space event of partnership `p` (None: a stand-alone BarCamp) with rooms
    [(name, capacity)] and slots [(date, "10:00", "10:45")]."""
    from datetime import time

    from sprintboard.services import openspace, openspace_venue

    values.setdefault("registration_open", True)
    event = openspace.create_event(title, partnership=p, actor=actor, **values)
    for name, capacity, *rest in rooms:
        openspace_venue.add_room(event, name, capacity, rest[0] if rest else True, actor=actor)
    for day, starts, ends in slots:
        openspace_venue.add_slot(
            event, day, time.fromisoformat(starts), time.fromisoformat(ends), actor=actor
        )
    return event


def guest(event, name="Guest", *, city="Minsk", languages=("ru",), needs_access=False):
    """A guest registered by the public link: (participant, personal key)."""
    from sprintboard.services import openspace_people

    return openspace_people.register(event, name, city, languages, needs_access)


def viewer_of(event, participant=None, *, user=None, role="participant"):
    from sprintboard.services.openspace_people import Viewer

    return Viewer(user, participant, role)


def space_session(event, title="A session", *, by=None, viewer=None, **values):
    """A proposed session, by participant `by` (or a ready `viewer`)."""
    from sprintboard.services import openspace_sessions

    viewer = viewer or viewer_of(event, by)
    return openspace_sessions.propose_session(event, viewer, title, **values)
