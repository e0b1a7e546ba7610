"""Partnership settings: the time zone of its events."""

from datetime import UTC, date, datetime

import time_machine

from sprintboard.extensions import db
from sprintboard.services import partnerships
from tests import factories


def test_a_new_partnership_follows_its_creators_zone_else_berlin(db):
    admin = factories.user("Admin", is_admin=True)
    assert factories.partnership(actor=admin).timezone == "Europe/Berlin"
    admin.timezone = "Europe/Kyiv"
    assert factories.partnership("Lviv – Wrocław", actor=admin).timezone == "Europe/Kyiv"


def test_the_facilitator_sets_the_partnerships_time_zone(world, as_role):
    p = world.partnership
    client = as_role("facilitator")
    page = client.get(f"/p/{p.id}/edit").get_data(as_text=True)
    assert "Time zone of its events" in page and '<option selected value="Europe/Berlin">' in page
    response = client.post(f"/p/{p.id}/edit", data={"name": p.name, "timezone": "Europe/Kyiv"})
    assert response.status_code == 303
    db.session.expire_all()
    assert p.timezone == "Europe/Kyiv"


def test_an_unknown_time_zone_is_a_422_and_changes_nothing(world, as_role):
    p = world.partnership
    for zone in ("Mars/Olympus", ""):
        response = as_role("facilitator").post(f"/p/{p.id}/edit", data={"name": "Renamed", "timezone": zone})
        assert response.status_code == 422
        assert "Not a valid choice" in response.get_data(as_text=True)
    db.session.expire_all()
    assert p.timezone == "Europe/Berlin" and p.name != "Renamed"


def test_members_cannot_change_the_time_zone(world, as_role):
    p = world.partnership
    response = as_role("member").post(f"/p/{p.id}/edit", data={"name": p.name, "timezone": "Asia/Tokyo"})
    assert response.status_code == 403
    db.session.expire_all()
    assert p.timezone == "Europe/Berlin"


def test_the_service_refuses_an_unknown_zone(world):
    import pytest

    from sprintboard.services import DomainError

    with pytest.raises(DomainError):
        partnerships.update_partnership(world.partnership, "X", "", timezone="Nowhere/Land", actor=None)


def test_a_card_is_overdue_once_its_day_has_ended_in_the_partnerships_zone(world, as_role):
    """Due on 4 December: still due at 23:30 in Berlin (22:30 UTC), overdue at 00:30 (23:30 UTC),
    whatever the server's or the reader's clock says."""
    p = world.partnership
    factories.card(p, "Poster print", actor=world.users["member"], due_date=date(2026, 12, 4))
    world.users["member"].timezone = "America/New_York"  # the reader's zone does not decide
    db.session.commit()

    def overdue(at):
        with time_machine.travel(at, tick=False):
            client = as_role("member")  # (logged in then: a login from after that time is refused)
            html = client.get(f"/p/{p.id}/board").get_data(as_text=True)
            filtered = client.get(f"/p/{p.id}/board?due=overdue").get_data(as_text=True)
        return "Overdue:" in html, "Poster print" in filtered

    assert overdue(datetime(2026, 12, 4, 22, 30, tzinfo=UTC)) == (False, False)
    assert overdue(datetime(2026, 12, 4, 23, 30, tzinfo=UTC)) == (True, True)


def test_removing_the_last_facilitator_is_refused_beside_their_name(world, as_role):
    p = world.partnership
    fiona = next(m for m in p.memberships if m.user is world.users["facilitator"])
    url = f"/p/{p.id}/members/{fiona.id}/remove"
    response = as_role("facilitator").post(url, headers={"Accept-Language": "de"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<html lang="de"' in html and 'class="error" role="alert"' in html
    assert html.index('class="error" role="alert"') > html.index(f'id="member-{fiona.id}"')
    assert f'action="/p/{p.id}/members/{fiona.id}/remove"' in html
    db.session.expire_all()
    assert fiona.role == "facilitator"
