"""The toolbox in the browser: a facilitator adapts a shared method for their partnership."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

if not (Path(__file__).parent / "conftest.py").exists():
    pytest.skip("no e2e infrastructure (tests/e2e/conftest.py) on this branch", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from sprintboard.extensions import db  # noqa: E402
from sprintboard.services import toolbox  # noqa: E402


def test_a_facilitator_adapts_a_shared_method(page, live_server, world, log_in, axe_check):
    toolbox.seed()
    db.session.commit()
    log_in(page, world.users["facilitator"])
    page.goto("/toolbox/world-cafe")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    axe_check(page)
    page.get_by_role("button", name="Adapt for our partnership").click()
    page.wait_for_url(re.compile(rf"/p/{world.partnership.id}/toolbox/\d+$"))
    expect(page.locator("#flash")).to_contain_text("its own version")
    axe_check(page)
    page.get_by_role("link", name="Edit").click()
    page.locator("#text_en-title").fill("Our café")
    axe_check(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Our café", level=1)).to_be_visible()
    page.goto("/toolbox/")
    expect(page.get_by_role("link", name="Our café")).to_be_visible()
    axe_check(page)


def test_a_member_proposes_a_method_and_staff_accept_it(page, live_server, world, log_in, axe_check):
    log_in(page, world.users["member"])
    page.goto("/toolbox/")
    page.get_by_role("link", name="Propose a method").click()
    expect(page.get_by_role("heading", name="Propose a method", level=1)).to_be_visible()
    axe_check(page)
    page.locator("#text_en-title").fill("Walking stand-up")
    page.locator("#text_en-steps").fill("1. Walk around the block")
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_text("Waiting for review")).to_be_visible()
    axe_check(page)
    page.context.clear_cookies()

    log_in(page, world.admin)
    page.goto("/toolbox/proposals/review")
    axe_check(page)
    page.get_by_role("link", name="Walking stand-up").click()
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_text("a note is needed to decline")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("heading", name="Walking stand-up", level=1)).to_be_visible()
    expect(page.get_by_text("Max Member")).to_be_visible()
    axe_check(page)
