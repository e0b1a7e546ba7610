"""Who is looking at a board: a viewer's name and city, and the indicator that lists them."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from ..extensions import db
from ..models import City, Membership, Partnership


def viewer(partnership: Partnership, user) -> tuple[str, str]:
    """(name, city name) of a viewer, for the presence indicator."""
    city = db.session.scalar(
        select(City.name)
        .join(Membership, Membership.city_id == City.id)
        .where(Membership.partnership_id == partnership.id, Membership.user_id == user.id)
    )
    return user.name, city or ""


def presence_html(people: list[dict], me_user_id: int | None) -> str:
    """The presence indicator: others looking at the board, grouped by city."""
    by_city: dict[str, list[str]] = {}
    seen = set()
    for person in sorted(people, key=lambda p: (p.get("c") or "~", p.get("n", "").lower())):
        if person.get("u") == me_user_id or person.get("u") in seen:
            continue
        seen.add(person.get("u"))
        by_city.setdefault(person.get("c") or "", []).append(person.get("n", ""))
    return render_template("live/_presence.html", by_city=by_city, oob=True)
