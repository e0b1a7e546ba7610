"""The foundation as a new user meets it: log in, find the partnership, change language, log out."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from sprintboard.models import User
from tests.factories import PASSWORD


def _path(live_server, path):
    return re.compile(re.escape(live_server.url + path) + "$")


def test_facilitator_walks_through_the_foundation(page, live_server, world, axe_check):
    facilitator, partnership = world.users["facilitator"], world.partnership
    home = f"/p/{partnership.id}"

    # An anonymous visitor is sent to the login form.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login(\?|$)"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    axe_check(page)

    page.get_by_label("Email").fill(facilitator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(_path(live_server, "/"))
    expect(page.get_by_role("heading", name="Partnerships", level=1)).to_be_visible()

    page.get_by_role("link", name=partnership.name).click()
    page.wait_for_url(_path(live_server, home))
    expect(page.get_by_role("heading", name=partnership.name, level=1)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    axe_check(page)

    # The visible switcher: with JavaScript, choosing a language submits the form at once
    # (static/js/app.js); the "Change" button is for keyboards and no-JS (see the test below).
    with page.expect_navigation():
        page.get_by_label("Language").select_option("de")
    page.wait_for_url(_path(live_server, home))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("#lang-select")).to_have_value("de")
    expect(page.get_by_role("heading", name="Städte und Personen")).to_be_visible()

    page.get_by_role("link", name="Personen", exact=True).click()
    page.wait_for_url(_path(live_server, f"{home}/members/"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    axe_check(page)

    page.get_by_role("link", name="Konto", exact=True).click()
    page.wait_for_url(_path(live_server, "/account"))
    axe_check(page)

    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url(re.compile(r"/login$"))
    expect(page.locator("#flash")).to_contain_text("Sie wurden abgemeldet.")

    page.goto(home)
    expect(page).to_have_url(re.compile(r"/login\?next=" + re.escape(home) + "$"))
    expect(page.locator("input[name=password]")).to_be_visible()


def test_login_and_language_work_without_javascript(new_context, live_server, world, log_in, db):
    facilitator, partnership = world.users["facilitator"], world.partnership
    page = new_context(java_script_enabled=False).new_page()

    # Anonymous: the choice is kept in a cookie ...
    page.goto("/login")
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change").click()
    page.wait_for_url(re.compile(r"/login$"))
    expect(page.locator("html")).to_have_attribute("lang", "de")

    # ... and still holds after logging in through the plain form.
    log_in(page, facilitator)
    page.goto(f"/p/{partnership.id}")
    expect(page.locator("html")).to_have_attribute("lang", "de")

    # Logged in: the choice is saved to the account.
    page.locator("#lang-select").select_option("ru")
    page.locator("form.language button[type=submit]").click()
    page.wait_for_url(_path(live_server, f"/p/{partnership.id}"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("#lang-select")).to_have_value("ru")
    db.session.rollback()  # end the test's snapshot to see the server's write
    assert db.session.get(User, facilitator.id).locale == "ru"
