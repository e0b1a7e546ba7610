"""Help pages in the browser: reached from an area's heading and from the top bar, accessible."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_help_from_an_area_and_the_index(page, live_server, world, log_in, axe_check):
    p = world.partnership
    log_in(page, world.users["member"])
    page.goto(f"/p/{p.id}/sprints/")
    page.get_by_role("link", name="Help about this page").click()
    page.wait_for_url(re.compile(r"/help/sprints$"))
    expect(page.get_by_role("heading", name="Sprints", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="How a sprint runs")).to_be_visible()
    axe_check(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Help").click()
    page.wait_for_url(re.compile(r"/help/$"))
    page.get_by_role("link", name="Files and photos").click()
    expect(page.get_by_role("heading", name="Files and photos", level=1)).to_be_visible()


def test_help_page_in_belarusian_for_a_visitor(page, live_server, axe_check):
    page.goto("/help/board?lang=be")
    expect(page.locator("html")).to_have_attribute("lang", "be")
    expect(page.get_by_role("heading", name="Дошка і карткі", level=1)).to_be_visible()
    axe_check(page)
