import re

import pytest

from sprintboard.extensions import db
from sprintboard.models import Activity, Partnership
from sprintboard.services import board, cards, status
from tests import factories


def status_url(world):
    return f"/p/{world.partnership.id}/status"


def _content(world):
    p = world.partnership
    from sprintboard.models import Project

    proj = Project(partnership=p, title="Bike lanes")
    db.session.add(proj)
    db.session.flush()
    done = board.columns_of(p)[-1]
    cards.create_card(p, "Count cyclists", column=done, project=proj, actor=world.users["member"])
    factories.funding_idea(p, amount="1000", currency="BYN", status="idea")
    factories.funding_idea(p, amount="500", currency="EUR", status="idea")
    db.session.commit()


@pytest.mark.parametrize("role", ["observer", "member", "facilitator", "admin"])
def test_everyone_in_the_partnership_sees_the_status(world, as_role, role):
    _content(world)
    page = as_role(role).get(status_url(world)).get_data(as_text=True)
    assert "Bike lanes" in page and "1 of 1" in page
    assert "BYN" in page and "€500.00" in page
    assert "Participation per city" in page and "Hamburg" in page
    assert ("Create a public link" in page) is (role in ("facilitator", "admin"))
    assert ("backup.json" in page) is (role in ("facilitator", "admin"))
    assert "Create calendar link" in page  # observers may subscribe too


def test_status_is_a_partnership_tab(world, as_role):
    page = as_role("observer").get(f"/p/{world.partnership.id}").get_data(as_text=True)
    assert f'href="/p/{world.partnership.id}/status"' in page
    assert f'href="/p/{world.partnership.id}/funding/"' in page


def test_observer_cannot_create_or_revoke_the_public_link(world, as_role):
    client = as_role("observer")
    assert client.post(status_url(world) + "/link").status_code == 403
    assert client.post(status_url(world) + "/link/revoke").status_code == 403
    db.session.expire_all()
    assert db.session.get(Partnership, world.partnership.id).status_token_hash is None


def _create_link(client, world) -> str:
    response = client.post(status_url(world) + "/link")
    assert response.status_code == 200
    match = re.search(r'value="http://localhost/s/([A-Za-z0-9_-]+)"', response.get_data(as_text=True))
    assert match, "the new link is shown once"
    return match.group(1)


def test_public_page_shows_the_status_without_personal_data(world, as_role):
    _content(world)
    token = status.create_public_link(world.partnership, actor=world.users["facilitator"])
    db.session.commit()
    response = as_role(None).get(f"/s/{token}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Bike lanes" in page and "Minsk" in page and "Hamburg" in page and "BYN" in page
    for user in world.users.values():
        assert user.name not in page and user.email not in page
    assert "@" not in page.split("<main", 1)[1]
    assert "Log out" not in page and "public link" not in page.lower() and "calendar" not in page.lower()
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_facilitator_creates_and_revokes_the_public_link(world, as_role):
    facilitator = as_role("facilitator")
    token = _create_link(facilitator, world)
    assert len(token) >= 22
    assert as_role(None).get(f"/s/{token}").status_code == 200
    response = facilitator.post(status_url(world) + "/link/revoke")
    assert response.status_code == 303
    assert as_role(None).get(f"/s/{token}").status_code == 404
    verbs = db.session.scalars(
        db.select(Activity.verb).where(Activity.verb.like("status_link%")).order_by(Activity.id)
    ).all()
    assert verbs == ["status_link.created", "status_link.revoked"]


def test_a_new_public_link_switches_the_old_one_off(world, as_role):
    facilitator = as_role("facilitator")
    old = _create_link(facilitator, world)
    new = _create_link(facilitator, world)
    anonymous = as_role(None)
    assert anonymous.get(f"/s/{old}").status_code == 404
    assert anonymous.get(f"/s/{new}").status_code == 200


@pytest.mark.parametrize("token", ["x" * 43, "guess", "A" * 300, "%00"])
def test_guessed_tokens_are_404(world, as_role, token):
    _create_link(as_role("facilitator"), world)
    assert as_role(None).get(f"/s/{token}").status_code == 404


def test_logged_in_outsider_with_the_link_sees_the_public_page(world, as_role):
    token = status.create_public_link(world.partnership, actor=None)
    db.session.commit()
    assert as_role("outsider").get(f"/s/{token}").status_code == 200


def test_admin_overview(world, as_role):
    _content(world)
    page = as_role("admin").get("/admin/status").get_data(as_text=True)
    assert world.partnership.name in page and world.other.name in page
    assert "Minsk – Hamburg" in page


def test_status_service_hash_lookup_is_constant_time_compare(world, monkeypatch):
    calls = []
    real = status.same
    monkeypatch.setattr(status, "same", lambda a, b: calls.append((a, b)) or real(a, b))
    token = status.create_public_link(world.partnership, actor=None)
    assert status.partnership_for_token(token) is world.partnership
    assert calls, "the stored hash is compared with hmac.compare_digest"


def test_htmx_gets_the_status_fragment(world, as_role):
    _content(world)
    body = as_role("observer", htmx=True).get(status_url(world)).get_data(as_text=True)
    assert body.lstrip().startswith('<div id="status"') and "Bike lanes" in body and "<html" not in body


def test_htmx_link_creation_returns_the_sharing_panel(world, as_role):
    response = as_role("facilitator", htmx=True).post(status_url(world) + "/link")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="sharing"') and "/s/" in body


def _queries_for(client, url):
    from sqlalchemy import event

    statements = []

    def listener(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


def test_status_page_query_count_does_not_grow_with_content(world, as_role, login):
    from sprintboard.models import Project

    _content(world)
    client = as_role("observer")
    few = _queries_for(client, status_url(world))
    p = world.partnership
    for n in range(6):
        proj = Project(partnership=p, title=f"Project {n}")
        db.session.add(proj)
        db.session.flush()
        factories.card(p, f"Card {n}", column=n % 5, project=proj, actor=world.users["member"])
        factories.funding_idea(
            p, amount=str(n + 1), currency=("EUR", "UAH", "PLN")[n % 3], status=("idea", "submitted")[n % 2]
        )
    db.session.commit()
    many = _queries_for(login(as_role(None), world.users["observer"]), status_url(world))
    assert many <= few


def _sprint_and_workshop(world):
    from datetime import date, timedelta

    from sprintboard.services import workshops

    p = world.partnership
    card = factories.card(p, "Survey", column=1, actor=world.users["member"], estimate=5)
    factories.sprint(p, "Sprint Alpha", start=date.today() - timedelta(days=2), state="active", cards=[card])
    workshops.create_workshop(
        p,
        "custom",
        "Kick-off in Minsk",
        host_city=p.cities[0],
        start=date.today() + timedelta(days=9),
        actor=world.users["facilitator"],
    )
    db.session.commit()


def test_status_shows_sprint_burndown_and_next_workshop(world, as_role):
    _sprint_and_workshop(world)
    page = as_role("observer").get(status_url(world)).get_data(as_text=True)
    assert "Sprint Alpha" in page and 'id="burndown"' in page
    assert 'id="st-workshop-h"' in page and 'id="st-done-h"' in page
    assert "The full report" in page


def test_public_status_has_the_sprint_but_no_report_link(world, as_role):
    _sprint_and_workshop(world)
    token = status.create_public_link(world.partnership, actor=None)
    db.session.commit()
    page = as_role(None).get(f"/s/{token}").get_data(as_text=True)
    assert "Sprint Alpha" in page and 'id="burndown"' in page
    assert "The full report" not in page
    for user in world.users.values():
        assert user.name not in page


def test_guessing_public_tokens_is_rate_limited(app, world, client, db):
    """Unknown tokens count against the address (shared by /s/ and /cal/); known ones do not."""
    from sprintboard.services import status as status_service

    token = status_service.create_public_link(world.partnership, actor=None)
    db.session.commit()
    limit = int(app.config["TOKEN_RATE_LIMIT"].split()[0])
    for _ in range(5):
        assert client.get(f"/s/{token}").status_code == 200
    for i in range(limit):
        url = f"/s/guess{i}" if i % 2 else f"/cal/guess{i}.ics"
        assert client.get(url).status_code == 404
    assert client.get("/s/one-more-guess").status_code == 429
    assert client.get("/cal/one-more-guess.ics").status_code == 429


def test_right_after_a_close_the_status_shows_the_last_sprint_s_burndown_and_velocity(world, as_role):
    from datetime import date, timedelta

    from sprintboard.services import sprints

    p, fac = world.partnership, world.users["facilitator"]
    card = factories.card(p, "Paint the bench", estimate=5, actor=fac)
    start = date.today() - timedelta(days=10)
    sprint = factories.sprint(
        p, "Sprint 1", start=start, end=start + timedelta(days=9), actor=fac, cards=[card], state="active"
    )
    board.move_card(card, board.columns_of(p)[-1], actor=fac)
    sprints.close_sprint(sprint, actor=fac)
    db.session.commit()
    for page in (status_url(world), None):
        client = as_role("observer")
        if page is None:  # the public page shows the same
            page = f"/s/{status.create_public_link(p, actor=fac)}"
            db.session.commit()
            client = as_role(None)
        html = client.get(page).get_data(as_text=True)
        assert "No sprint is running." in html
        assert "Last closed sprint: Sprint 1" in html and "5 points done" in html
        assert 'id="burndown"' in html and "Burndown of Sprint 1" in html
        assert 'id="velocity"' in html and "Velocity per closed sprint" in html


def test_the_status_page_has_a_print_button_that_works_without_javascript(world, as_role):
    client = as_role("member")
    html = client.get(status_url(world)).get_data(as_text=True)
    assert "Print / PDF" in html and "data-print" in html
    html = client.get(status_url(world) + "?print=1").get_data(as_text=True)
    assert "Save as PDF" in html


def test_the_next_workshops_time_is_on_the_partnerships_clock_and_the_readers(world, as_role):
    from datetime import date, time, timedelta

    from sprintboard.services import workshops

    p = world.partnership
    w = workshops.timeline(p)[0]
    w.start_date, w.start_time, w.end_time = date.today() + timedelta(days=9), time(10), time(12)
    world.users["observer"].timezone = "Asia/Tokyo"  # no daylight saving: 8 or 7 hours ahead
    token = status.create_public_link(p, actor=None)
    db.session.commit()
    page = as_role("observer").get(status_url(world)).get_data(as_text=True)
    public = as_role(None).get(f"/s/{token}").get_data(as_text=True)
    section = page[page.index('id="st-workshop-h"') :]
    assert "10:00–12:00</time> (Berlin)" in section and "your time: " in section and "(Tokyo)" in section
    assert "10:00–12:00</time> (Berlin)" in public and "your time" not in public
