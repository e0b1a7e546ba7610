"""`sprintboard demo`: a partnership of two cities with its people (and optionally a board)."""

from __future__ import annotations

from ..extensions import db
from ..models import Partnership, User
from ..services import accounts, partnerships

PEOPLE = [
    # (email, name, role, city index, locale)
    ("facilitator@demo.example", "Olga Facilitator", "facilitator", 0, "ru"),
    ("anna@demo.example", "Anna Müller", "member", 1, "de"),
    ("ivan@demo.example", "Ivan Petrenko", "member", 0, "uk"),
    ("lena@demo.example", "Lena Schmidt", "member", 1, "de"),
    ("observer@demo.example", "City Hall Observer", "observer", 1, "de"),
]


DOMAIN = "@demo.example"


def real_accounts() -> int:
    """How many accounts are not demo people: demo data (a site administrator with a printed
    password among them) does not belong in a database real people use."""
    return db.session.scalar(db.select(db.func.count(User.id)).where(~User.email.endswith(DOMAIN))) or 0


def create_demo(*, password: str, cards: int = 0) -> dict:
    """Create (or reuse) the demo people and a new demo partnership."""
    admin = _user("admin@demo.example", "Demo Admin", password, "en", is_admin=True)
    count = db.session.scalar(db.select(db.func.count(Partnership.id))) or 0
    partnership = partnerships.create_partnership(
        f"Demo partnership {count + 1}: Minsk – Hamburg",
        "A demo partnership to try Sprintboard.",
        [("Minsk", "BY"), ("Hamburg", "DE")],
        actor=admin,
    )
    people = [(admin, "admin")]
    for email, name, role, city_index, locale in PEOPLE:
        user = _user(email, name, password, locale)
        partnerships.add_member(partnership, user, role, partnership.cities[city_index], actor=admin)
        people.append((user, role))
    from .match import fill_match

    fill_match(partnership, actor=admin)
    if cards:
        from .board import fill_board

        fill_board(partnership, cards, [u for u, r in people if r in ("facilitator", "member")])
    from ..services.toolbox import seed

    seed()  # the bundled methods, if the toolbox is empty
    return {"partnership": partnership, "people": people}


def _user(email, name, password, locale, is_admin=False) -> User:
    user = User.by_email(email)
    if user is None:
        user = accounts.create_user(email, name, password, is_admin=is_admin, locale=locale)
    else:
        user.password_hash = accounts.hash_password(password)
    return user
