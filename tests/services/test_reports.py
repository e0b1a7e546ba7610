from datetime import date, datetime, timedelta

import pytest

from sprintboard.services import reports, workshops
from tests import factories


@pytest.fixture(autouse=True)
def _request(app):
    """Translated messages need a request (Flask-Babel picks the locale from it)."""
    with app.test_request_context():
        yield


def _held_workshop(p, fac, last_day):
    w = workshops.timeline(p)[0]
    workshops.update_workshop(
        w,
        title="",
        host_city=p.cities[0],
        start=last_day - timedelta(days=1),
        end=last_day,
        venue="",
        actor=fac,
    )
    workshops.mark_held(w, actor=fac)
    return w


def _done_card(p, title, done_at, author, project=None):
    card = factories.card(p, title, actor=author, project=project)
    card.done_at = done_at
    return card


def test_the_boundary_is_the_end_of_the_workshops_last_day(world):
    p, fac, member = world.partnership, world.users["facilitator"], world.users["member"]
    _held_workshop(p, fac, date(2026, 3, 10))
    boundary = datetime(2026, 3, 11)
    _done_card(p, "Just before", boundary - timedelta(microseconds=1), fac)
    _done_card(p, "Exactly at", boundary, fac)
    _done_card(p, "Just after", boundary + timedelta(seconds=1), member)
    archived = _done_card(p, "Archived", boundary + timedelta(days=1), member)
    archived.archived_at = boundary + timedelta(days=2)
    factories.card(p, "Not done", actor=member)
    report = reports.done_since_last_workshop(p)
    assert report["boundary"] == boundary
    assert [c.title for c in report["cards"]] == ["Exactly at", "Just after"]
    home = reports.summary(p)
    assert (home["count"], [c.title for c in home["latest"]]) == (2, ["Just after", "Exactly at"])


def test_grouped_per_project_and_per_city_of_the_author(world):
    p, fac, member = world.partnership, world.users["facilitator"], world.users["member"]
    project = factories.project(p, "Choir exchange")
    done = datetime(2026, 3, 20)
    _done_card(p, "Song book", done, fac, project)  # facilitator lives in Minsk
    _done_card(p, "Bus", done, member)  # member lives in Hamburg
    report = reports.done_since_last_workshop(p)  # no workshop held yet: everything
    assert report["workshop"] is None
    assert [(pr.title if pr else None, [c.title for c in cs]) for pr, cs in report["by_project"]] == [
        ("Choir exchange", ["Song book"]),
        (None, ["Bus"]),
    ]
    assert [(city.name, [c.title for c in cs]) for city, cs in report["by_city"]] == [
        ("Minsk", ["Song book"]),
        ("Hamburg", ["Bus"]),
    ]
