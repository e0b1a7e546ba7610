"""The status page, its public version and the funding pipeline in a real browser, with axe."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import FundingIdea, Project
from sprintboard.models.base import utcnow
from sprintboard.services import status
from tests import factories


def _content(world):
    p = world.partnership
    member = world.users["member"]
    proj = Project(partnership=p, title="Bike lanes")
    db.session.add(proj)
    db.session.flush()
    factories.card(p, "Count cyclists", column=4, project=proj, actor=member)
    routes = factories.card(p, "Map routes", column=1, project=proj, actor=member, estimate=3)
    factories.sprint(
        p, "Sprint Alpha", start=utcnow().date() - timedelta(days=2), state="active", cards=[routes]
    )
    town = factories.funding_idea(
        p, title="Town twinning", amount="25000", deadline=utcnow().date() + timedelta(10)
    )
    youth = factories.funding_idea(p, title="Youth fund", amount="3000", currency="PLN", status="submitted")
    db.session.commit()
    return p.id, town.id, youth.id


def _status_of(idea_id):
    db.session.rollback()  # see the server's writes
    return db.session.scalar(select(FundingIdea.status).where(FundingIdea.id == idea_id))


def _list(page, status_name):
    return page.locator(f'.funding-list[data-status="{status_name}"]')


@pytest.mark.parametrize("width", [1280, 360])
def test_an_observer_reads_the_status_page(page, live_server, world, log_in, axe_check, width):
    pid, _town, _youth = _content(world)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, world.users["observer"])
    page.goto(f"/p/{pid}/status?lang=de")
    expect(page.get_by_role("row", name="Bike lanes")).to_contain_text("1 von 2")
    expect(page.locator("#status")).to_contain_text("3.000,00\xa0PLN")
    expect(page.locator("#burndown")).to_contain_text("Sprint Alpha")
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_public_status_page_has_no_personal_data(page, live_server, world, axe_check):
    pid, _town, _youth = _content(world)
    token = status.create_public_link(world.partnership, actor=None)
    names = [u.name for u in world.users.values()] + [u.email for u in world.users.values()]
    db.session.commit()
    page.goto(f"/s/{token}")
    expect(page.locator("#status")).to_contain_text("Bike lanes")
    expect(page.locator("#burndown")).to_be_visible()
    content = page.content()
    assert not [n for n in names if n in content]
    axe_check(page)


def test_a_funding_idea_moves_by_keyboard_and_keeps_focus(page, live_server, world, log_in, axe_check):
    pid, town, youth = _content(world)
    log_in(page, world.users["member"])
    page.goto(f"/p/{pid}/funding/")
    page.locator(f"#idea-{town}").focus()
    with page.expect_response(lambda r: r.url.endswith(f"/funding/{town}/move")):
        page.keyboard.press("Shift+ArrowRight")
    expect(_list(page, "researching").locator(f"#idea-{town}")).to_be_visible()
    expect(page.locator(f"#idea-{town}")).to_be_focused()
    expect(page.locator("#funding-status")).to_have_text("“Town twinning” moved to “Researching”.")
    assert _status_of(town) == "researching"
    page.locator(f"#idea-{youth}").focus()
    with page.expect_response(lambda r: r.url.endswith(f"/funding/{youth}/move")):
        page.keyboard.press("Shift+ArrowLeft")  # submitted -> drafting
    expect(_list(page, "drafting").locator(f"#idea-{youth}")).to_be_visible()
    axe_check(page)


def test_drag_and_drop_and_a_refused_move_snaps_back(page, live_server, world, log_in, axe_check):
    pid, town, _youth = _content(world)
    log_in(page, world.users["member"])
    page.goto(f"/p/{pid}/funding/")
    # Sortable moves the element at once; wait for the server's answer (the redrawn board).
    with page.expect_response(lambda r: r.url.endswith(f"/funding/{town}/move")) as moved:
        page.locator(f"#idea-{town}").drag_to(_list(page, "researching"))
    assert moved.value.status == 200
    expect(_list(page, "researching").locator(f"#idea-{town}")).to_be_visible()
    with page.expect_response(lambda r: r.url.endswith(f"/p/{pid}/funding/") and r.request.method == "GET"):
        page.locator(f"#idea-{town}").drag_to(_list(page, "granted"))  # not allowed from "researching"
    # The idea's "Move to" form, as without JavaScript, says why above the pipeline.
    refused = page.locator(f"#funding-refused #funding-move-{town}")
    expect(page.locator("#funding-refused").get_by_role("alert")).to_contain_text("cannot go from")
    expect(refused.get_by_label("Move to")).to_be_visible()
    expect(_list(page, "researching").locator(f"#idea-{town}")).to_be_visible()
    expect(_list(page, "granted").locator(".funding-card")).to_have_count(0)
    assert _status_of(town) == "researching"
    for width, height in ((360, 740), (1366, 768), (1920, 1080)):  # phone, laptop, projector
        page.set_viewport_size({"width": width, "height": height})
        expect(refused.get_by_label("Move to")).to_be_visible()
        axe_check(page)


def test_journey_6_the_city_administration_looks_in(page, live_server, world, log_in, axe_check, new_context):
    """A German observer reads the status, downloads the cards, subscribes to the calendar and is
    refused an edit; the facilitator's public link works for anyone until it is revoked."""
    pid, town, _youth = _content(world)
    observer = world.users["observer"]
    observer.locale = "de"
    db.session.commit()
    log_in(page, observer)
    page.goto(f"/p/{pid}/status")
    expect(page.locator("h2#st-projects-h")).to_have_text("Projekte")
    expect(page.get_by_role("row", name="Bike lanes")).to_contain_text("1 von 2")
    expect(page.locator("#st-done-h")).to_have_text("Erledigt seit dem letzten Workshop")
    with page.expect_download() as download:
        page.get_by_role("link", name="Karten als CSV").click()
    assert "Count cyclists" in Path(download.value.path()).read_text(encoding="utf-8-sig")
    page.get_by_role("button", name="Kalender-Link erstellen").click()
    feed = page.get_by_label("Kalender-Link").input_value()
    assert "/cal/" in feed and feed.endswith(".ics")
    assert "BEGIN:VCALENDAR" in page.request.get(feed).text()
    # She looks up the cycling count from the header ("/" jumps to the search box).
    page.locator("h2#st-projects-h").click()
    page.keyboard.press("/")
    expect(page.locator("#site-search")).to_be_focused()
    page.keyboard.type("cyclists")
    page.keyboard.press("Enter")
    found = page.locator("#search-results")
    expect(found.get_by_role("heading", level=2)).to_have_text("1 Treffer für „cyclists“")
    expect(found.get_by_role("heading", name=re.compile("^Karten"))).to_be_visible()
    found.get_by_role("link", name="Count cyclists").click()
    expect(page.locator("#card-title")).to_have_text("Count cyclists")
    axe_check(page)
    # An edit is politely refused.
    response = page.goto(f"/p/{pid}/funding/{town}/edit")
    assert response.status == 403
    expect(page.locator("main")).to_contain_text("keine Berechtigung")

    facilitator = new_context().new_page()
    log_in(facilitator, world.users["facilitator"])
    facilitator.goto(f"/p/{pid}/status")
    facilitator.get_by_role("button", name="Create a public link").click()
    link = facilitator.get_by_label("Public link").input_value()
    visitor = new_context().new_page()  # a stranger: not logged in
    visitor.goto(link)
    expect(visitor.locator("#status")).to_contain_text("Bike lanes")
    assert observer.name not in visitor.content()
    axe_check(visitor)
    facilitator.once("dialog", lambda dialog: dialog.accept())
    facilitator.get_by_role("button", name="Revoke the public link").click()
    expect(facilitator.locator("#flash")).to_contain_text("revoked")
    assert visitor.goto(link).status == 404
