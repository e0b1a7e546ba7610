"""A facilitator meets the first-steps checklist of a new partnership and works through it."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_first_steps_checklist(page, live_server, world, log_in, axe_check):
    p = world.partnership
    log_in(page, world.users["facilitator"])
    page.goto(f"/p/{p.id}")
    checklist = page.locator("#first-steps")
    expect(checklist.get_by_role("heading", name="First steps")).to_be_visible()
    expect(page.locator("#first-step-people")).to_have_class(re.compile("is-done"))
    expect(page.locator("#first-step-columns")).to_have_class(re.compile("is-open"))
    axe_check(page)

    # The step's link leads where it is done; confirming the columns ticks it.
    checklist.get_by_role("link", name=re.compile("Set up the board")).click()
    page.wait_for_url(re.compile(r"/board/settings$"))
    page.get_by_role("button", name="These columns fit us").click()
    expect(page.get_by_role("button", name="These columns fit us")).to_have_count(0)
    page.goto(f"/p/{p.id}")
    expect(page.locator("#first-step-columns")).to_have_class(re.compile("is-done"))

    # Hiding the list takes it away for good (an htmx swap, then also after a reload).
    page.get_by_role("button", name="Hide this list").click()
    expect(page.locator("#first-steps")).to_have_count(0)
    page.reload()
    expect(page.locator("#first-steps")).to_have_count(0)
    expect(page.get_by_role("heading", name=p.name, level=1)).to_be_visible()
