from datetime import date, timedelta

import pytest

from sprintboard.services import Conflict, DomainError, workshops
from tests import factories


@pytest.fixture(autouse=True)
def _request(app):
    """Translated messages need a request (Flask-Babel picks the locale from it)."""
    with app.test_request_context():
        yield


def test_a_new_partnership_gets_the_standard_series(world):
    p = world.partnership
    series = workshops.timeline(p)
    assert [w.kind for w in series] == ["kickoff", "kickoff", "match_sprint", "sprint_succeed"]
    assert [w.host_city for w in series] == [p.cities[0], p.cities[1], None, None]
    assert all(w.status == "planned" for w in series)
    assert workshops.last_held(p) is None
    assert workshops.next_planned(p) is series[0]


def test_marking_held_moves_the_timeline_on(world, app):
    p, fac = world.partnership, world.users["facilitator"]
    kickoff = workshops.timeline(p)[0]
    with pytest.raises(DomainError):
        workshops.mark_held(kickoff, actor=fac)  # no date yet
    today = date.today()
    workshops.update_workshop(
        kickoff,
        title="",
        host_city=p.cities[0],
        start=today - timedelta(days=2),
        end=today - timedelta(days=1),
        venue="Town hall",
        actor=fac,
    )
    workshops.mark_held(kickoff, actor=fac)
    with pytest.raises(Conflict):
        workshops.mark_held(kickoff, actor=fac)
    assert workshops.last_held(p) is kickoff
    assert workshops.next_planned(p).kind == "kickoff"
    assert workshops.next_planned(p).host_city == p.cities[1]


def test_a_future_workshop_cannot_be_held_and_dates_must_be_in_order(world):
    p, fac = world.partnership, world.users["facilitator"]
    kickoff = workshops.timeline(p)[0]
    with pytest.raises(DomainError):
        workshops.update_workshop(
            kickoff,
            title="",
            host_city=None,
            start=date(2026, 5, 2),
            end=date(2026, 5, 1),
            venue="",
            actor=fac,
        )
    kickoff.start_date = date.today() + timedelta(days=3)
    with pytest.raises(DomainError):
        workshops.mark_held(kickoff, actor=fac)
    assert kickoff.status == "planned"


def test_custom_workshops_and_online_meetings_need_a_title(world):
    p, fac = world.partnership, world.users["facilitator"]
    with pytest.raises(DomainError):
        workshops.create_workshop(p, "online", "  ", actor=fac)
    meeting = workshops.create_workshop(p, "online", "Monthly call", start=date(2030, 1, 5), actor=fac)
    assert meeting.end_date == date(2030, 1, 5)
    assert workshops.workshop_title(meeting) == "Monthly call"


def test_agenda_items_are_ordered_and_reorderable(world):
    p, fac = world.partnership, world.users["facilitator"]
    w = workshops.timeline(p)[0]
    a = workshops.add_agenda_item(w, "Welcome", duration=15, responsible=fac, actor=fac)
    b = workshops.add_agenda_item(w, "World café", duration=60, actor=fac)
    c = workshops.add_agenda_item(w, "Wrap-up", actor=fac)
    workshops.move_agenda_item(c, "up", actor=fac)
    assert [i.title for i in w.agenda] == ["Welcome", "Wrap-up", "World café"]
    workshops.move_agenda_item(a, "up", actor=fac)  # already first: nothing happens
    assert w.agenda[0] is a
    workshops.delete_agenda_item(b, actor=fac)
    assert workshops.agenda_minutes(w) == 15
    with pytest.raises(DomainError):
        workshops.add_agenda_item(w, "Someone else's", responsible=world.users["outsider"], actor=fac)


def test_attendance_and_links(world):
    p, fac = world.partnership, world.users["facilitator"]
    w = workshops.timeline(p)[2]
    workshops.set_attendance(w, {p.cities[0]: 12, p.cities[1]: 9}, actor=fac)
    workshops.set_attendance(w, {p.cities[0]: 14}, actor=fac)
    assert [(c.name, n) for c, n in workshops.attendance_of(w)] == [("Minsk", 14), ("Hamburg", 9)]
    card = factories.card(p, "From the café", actor=fac)
    project = factories.project(p, "Choir exchange")
    workshops.link(w, card=card, project=project, actor=fac)
    assert workshops.linked(w) == ([card], [project])
    workshops.unlink(w, card=card, actor=fac)
    assert workshops.linked(w) == ([], [project])
    foreign = factories.card(world.other, "Foreign", actor=None)
    with pytest.raises(DomainError):
        workshops.link(w, card=foreign, actor=fac)
