"""The first-steps checklist on a new partnership's overview: it ticks itself as things happen."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from sprintboard.extensions import db
from sprintboard.models import Workshop
from sprintboard.services import columns as columns_service
from tests import factories


@pytest.fixture
def fresh(db):
    """A partnership just created: one facilitator in Minsk, nobody from Hamburg yet."""
    admin = factories.user("Admin", is_admin=True)
    p = factories.partnership(actor=admin)
    fiona = factories.member(p, "facilitator", 0, name="Fiona Facilitator")
    db.session.commit()
    return p, fiona


def steps(html: str) -> dict[str, str]:
    """{step key: "done" / "open"} as the overview shows them."""
    return {
        key: ("done" if state == "is-done" else "open")
        for key, state in re.findall(r'id="first-step-(\w+)" class="(is-done|is-open)"', html)
    }


def overview(client, p) -> str:
    response = client.get(f"/p/{p.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_checklist_ticks_itself_as_things_happen(client, login, fresh):
    p, fiona = fresh
    login(client, fiona)
    html = overview(client, p)
    assert "First steps" in html
    assert steps(html) == {"people": "open", "kickoffs": "open", "columns": "open", "sprint": "open"}
    assert "still open: Hamburg" in html  # the city nobody comes from yet
    # Each step links to the page where it is done.
    for path in ("members/", "workshops/", "board/settings", "sprints/"):
        assert f'href="/p/{p.id}/{path}"' in html

    factories.member(p, "member", 1, name="Hanna from Hamburg")
    db.session.commit()
    assert steps(overview(client, p))["people"] == "done"

    kickoffs = db.session.scalars(db.select(Workshop).filter_by(partnership_id=p.id, kind="kickoff")).all()
    kickoffs[0].start_date = date.today() + timedelta(days=20)
    db.session.commit()
    html = overview(client, p)
    assert steps(html)["kickoffs"] == "open" and "still open: Kick-off in Hamburg" in html
    kickoffs[1].start_date = date.today() + timedelta(days=40)
    db.session.commit()
    assert steps(overview(client, p))["kickoffs"] == "done"

    columns_service.add_column(p, "Waiting", actor=fiona)
    db.session.commit()
    assert steps(overview(client, p))["columns"] == "done"

    sprint = factories.sprint(p, actor=fiona)
    db.session.commit()
    assert steps(overview(client, p))["sprint"] == "open"  # planned is not started
    from sprintboard.services import sprints

    sprints.start_sprint(sprint, actor=fiona)
    db.session.commit()
    html = overview(client, p)
    assert 'id="first-steps"' not in html and "First steps" not in html  # all done: gone


def test_confirming_the_default_columns_ticks_the_step(client, login, fresh):
    p, fiona = fresh
    login(client, fiona)
    settings = client.get(f"/p/{p.id}/board/settings").get_data(as_text=True)
    assert "These columns fit us" in settings
    response = client.post(f"/p/{p.id}/board/settings/columns/confirm")
    assert response.status_code == 303
    assert steps(overview(client, p))["columns"] == "done"
    assert "These columns fit us" not in client.get(f"/p/{p.id}/board/settings").get_data(as_text=True)
    activity = client.get(f"/p/{p.id}/activity").get_data(as_text=True)
    assert "Fiona Facilitator confirmed the board&#39;s columns" in activity


def test_confirming_with_htmx_answers_with_the_columns_section(login, fresh, app):
    p, fiona = fresh
    client = login(app.test_client(), fiona)
    client.htmx = True
    response = client.post(f"/p/{p.id}/board/settings/columns/confirm")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="columns"')
    assert "These columns fit us" not in html


def test_hiding_the_checklist(client, login, fresh):
    p, fiona = fresh
    login(client, fiona)
    response = client.post(f"/p/{p.id}/first-steps/dismiss")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/p/{p.id}")
    assert 'id="first-steps"' not in overview(client, p)
    # Hiding twice is harmless; with htmx the list is swapped for nothing.
    client.htmx = True
    response = client.post(f"/p/{p.id}/first-steps/dismiss")
    assert response.status_code == 200 and response.get_data(as_text=True) == ""


@pytest.mark.parametrize("role", ["member", "observer"])
def test_only_facilitators_see_the_checklist(as_role, world, role):
    html = as_role(role).get(f"/p/{world.partnership.id}").get_data(as_text=True)
    assert 'id="first-steps"' not in html
    facilitator = as_role("facilitator").get(f"/p/{world.partnership.id}").get_data(as_text=True)
    assert 'id="first-steps"' in facilitator


@pytest.mark.parametrize("role", ["member", "observer"])
def test_others_cannot_confirm_or_hide(as_role, world, role):
    p = world.partnership
    client = as_role(role)
    assert client.post(f"/p/{p.id}/first-steps/dismiss").status_code == 403
    assert client.post(f"/p/{p.id}/board/settings/columns/confirm").status_code == 403
    facilitator = as_role("facilitator").get(f"/p/{p.id}").get_data(as_text=True)
    assert 'id="first-steps"' in facilitator and steps(facilitator)["columns"] == "open"


def test_the_checklist_is_translated(client, login, fresh):
    p, fiona = fresh
    fiona.locale = "uk"
    db.session.commit()
    login(client, fiona)
    html = overview(client, p)
    assert "Перші кроки" in html and "First steps" not in html
