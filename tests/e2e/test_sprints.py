"""A facilitator plans and starts a sprint, a card is moved to done, and the burndown follows."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from sprintboard.extensions import db
from sprintboard.services import board
from tests import factories


def test_plan_start_and_watch_the_burndown(page, live_server, world, log_in, axe_check):
    p, fac = world.partnership, world.users["facilitator"]
    flyers_id = factories.card(p, "Print flyers", estimate=3, actor=fac).id
    factories.card(p, "Book the bus", estimate=5, actor=fac)
    done_column = board.columns_of(p)[-1].id
    db.session.commit()
    today = date.today()

    log_in(page, fac)
    page.goto(f"/p/{p.id}/sprints/")
    axe_check(page)
    page.get_by_label("Name").fill("Sprint 1")
    page.get_by_label("Goal").fill("Everything for the choir visit")
    page.get_by_label("Start date").fill(today.isoformat())
    page.get_by_label("End date").fill((today + timedelta(days=6)).isoformat())
    page.get_by_role("button", name="Create sprint").click()
    page.wait_for_url(re.compile(r"/sprints/\d+$"))
    sprint_url = page.url

    page.get_by_label("Print flyers").check()
    page.get_by_label("Book the bus").check()
    page.get_by_role("button", name="Add to sprint").click()
    expect(page.locator("#sprint-plan")).to_contain_text("Planned: 8 points")
    axe_check(page)

    page.get_by_role("button", name="Start sprint").click()
    expect(page.locator("#flash")).to_contain_text("The sprint has started.")
    expect(page.locator("#burndown-desc")).to_contain_text("Remaining now: 8 points.")
    axe_check(page)

    # Move "Print flyers" to Done through the board's move endpoint, as the board page does.
    token = page.locator("body").get_attribute("data-hx-headers")
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', token).group(1)
    response = page.request.post(
        f"/p/{p.id}/cards/{flyers_id}/move", form={"column": str(done_column)}, headers={"X-CSRFToken": csrf}
    )
    assert response.ok, response.status

    page.goto(sprint_url)
    expect(page.locator("#burndown-desc")).to_contain_text("Remaining now: 5 points.")
    page.get_by_text("Burndown as a table").click()
    expect(page.locator("#burndown table")).to_contain_text("5")

    page.goto(f"/p/{p.id}/sprints/charts")
    expect(page.locator("#flow svg[role=img]")).to_be_visible()
    axe_check(page)


def test_facilitation_workshop_and_report_pages_pass_axe(page, live_server, world, log_in, axe_check):
    from sprintboard.services import voting, workshops

    p, fac = world.partnership, world.users["facilitator"]
    vote = voting.open_vote(p, "Which match first?", 3, ideas=["Choirs", "Schools"], actor=fac)
    voting.add_retro_note(p, "action", "Book the town hall", actor=fac)
    workshop = workshops.timeline(p)[0]
    workshops.add_agenda_item(workshop, "Welcome", duration=15, responsible=fac, actor=fac)
    db.session.commit()

    log_in(page, fac)
    pages = (
        "",
        "workshops/",
        f"workshops/{workshop.id}",
        "facilitation/",
        f"facilitation/votes/{vote.id}",
        "facilitation/retro",
        "reports/done-since-workshop",
    )
    for path in pages:
        page.goto(f"/p/{p.id}/{path}")
        axe_check(page)

    page.goto(f"/p/{p.id}/facilitation/")
    page.get_by_label("Minutes").fill("10")
    page.get_by_role("button", name="Start timebox").click()
    clock = page.locator("#timebox .timebox-clock")
    expect(clock).to_have_text(re.compile(r"^(10:00|09:\d\d)$"))
    first = clock.inner_text()
    page.wait_for_timeout(1500)
    assert clock.inner_text() != first  # the countdown ticks (static/js/timebox.js)
    axe_check(page)
