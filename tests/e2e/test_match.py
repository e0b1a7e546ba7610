"""Match & Sprint in the browser: map an actor, compare the cities, mark, dot-vote, make a project."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

if not (Path(__file__).parent / "conftest.py").exists():  # the browser fixtures live there
    pytest.skip("tests/e2e/conftest.py is not on this branch yet", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from sprintboard.extensions import db  # noqa: E402
from sprintboard.models import Card, Project  # noqa: E402
from tests import factories  # noqa: E402


def test_a_workshop_matches_entries_and_turns_the_match_into_a_project(
    page, live_server, world, log_in, axe_check
):
    p = world.partnership
    factories.entry(p, 0, "A youth choir wants to sing abroad", themes=["culture", "youth"])
    factories.entry(p, 1, "Our music school looks for partners", themes=["culture"], kind="need")
    factories.entry(p, 1, "Cycling club", themes=["sport"])
    db.session.commit()
    log_in(page, world.users["member"])

    # The actor map: add an actor through the form (no contact: no consent).
    page.goto(f"/p/{p.id}/actors/")
    axe_check(page)
    page.get_by_role("link", name="Add an actor").click()
    page.get_by_label("Name").fill("Philharmonie")
    page.get_by_label("City").select_option(label="Hamburg")
    page.get_by_label("Kind").select_option("culture")
    page.get_by_role("checkbox", name="Culture").check()
    page.get_by_label("Influence (1–5)").fill("5")
    axe_check(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf"/p/{p.id}/actors/$"))
    expect(page.locator("#actor-results")).to_contain_text("Philharmonie")
    expect(page.locator(".stakeholder-grid")).to_contain_text("Philharmonie")
    axe_check(page)

    # The match page ranks Culture first (both cities carry it) and shows the entries side by side.
    page.get_by_role("navigation", name="Partnership").get_by_role("link", name="Match").click()
    first = page.locator(".theme-rank").first
    expect(first.get_by_role("heading")).to_contain_text("Culture")
    expect(page.locator("#match-compare")).to_contain_text("Themes of only some cities")
    axe_check(page)
    first.get_by_label("A youth choir wants to sing abroad").check()
    first.get_by_label("Our music school looks for partners").check()
    first.get_by_role("button", name="Mark the chosen entries as a match").click()
    matches = page.locator("#matches")
    expect(matches.locator("li[id^=match-]")).to_have_count(1)

    # Turn the match into a project in one step (htmx swaps the list).
    matches.get_by_role("button", name="Turn into a project").click()
    expect(matches.get_by_role("link", name=re.compile("A youth choir"))).to_be_visible()
    axe_check(page)

    db.session.rollback()
    project = db.session.scalar(db.select(Project))
    assert project.lead_city_id == p.cities[0].id
    assert db.session.scalar(db.select(db.func.count(Card.id)).where(Card.project_id == project.id)) == 1

    # The entries and themes pages pass axe as well.
    page.goto(f"/p/{p.id}/entries/")
    expect(page.get_by_role("heading", name="Minsk (1)")).to_be_visible()
    axe_check(page)
    page.goto(f"/p/{p.id}/themes/")
    axe_check(page)

    # On a 360 px phone nothing sticks out sideways (wide tables scroll inside their box).
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("match/", "actors/", "entries/", f"actors/{_first_actor_id()}/edit"):
        page.goto(f"/p/{p.id}/{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path


def _first_actor_id():
    from sprintboard.models import Actor

    db.session.rollback()
    return db.session.scalar(db.select(Actor.id))


def test_matching_works_without_javascript(new_context, live_server, world, log_in):
    p = world.partnership
    factories.entry(p, 0, "Old harbour", themes=["history"])
    factories.entry(p, 1, "Shipyard museum", themes=["history"])
    db.session.commit()
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, world.users["member"])
    page.goto(f"/p/{p.id}/match/")
    page.get_by_label("Old harbour").check()
    page.get_by_label("Shipyard museum").check()
    page.get_by_role("button", name="Mark the chosen entries as a match").click()
    expect(page.locator("#flash")).to_contain_text("The match has been marked.")
    page.locator("#matches").get_by_role("button", name="Turn into a project").click()
    expect(page.locator("#flash")).to_contain_text("first card in the backlog")


def test_the_room_dot_votes_on_matches(page, live_server, world, log_in, axe_check):
    p = world.partnership
    factories.match(p, [factories.entry(p, 0, "Choir festival"), factories.entry(p, 1, "Singers travel")])
    factories.match(p, [factories.entry(p, 0, "Bike lanes"), factories.entry(p, 1, "Bike sharing")])
    db.session.commit()
    log_in(page, world.users["facilitator"])
    page.goto(f"/p/{p.id}/match/")
    page.get_by_label("Votes per person").fill("2")
    page.get_by_role("button", name="Open a dot vote on the open matches").click()
    page.wait_for_url(re.compile(r"/facilitation/votes/\d+$"))
    for used in (1, 2):  # wait for each swap before the next click
        page.get_by_role("button", name=re.compile("vote for Bike lanes")).click()
        expect(page.locator(".budget")).to_contain_text(f"You have used {used} of your 2 votes")
    page.get_by_role("button", name="Reveal the results").click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    page.goto(f"/p/{p.id}/match/")
    first = page.locator("#matches li[id^=match-]").first
    expect(first).to_contain_text("Bike lanes")
    expect(first).to_contain_text("2 dots")
    axe_check(page)
