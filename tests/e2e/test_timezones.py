"""Time zones in a browser: the facilitator sets the partnership's zone, gives a workshop its
times, and reads them on the partnership's clock and their own; axe on both pages."""

from __future__ import annotations

from playwright.sync_api import expect

from sprintboard.extensions import db
from sprintboard.services import workshops


def test_workshop_times_on_the_partnerships_clock_and_the_readers(
    page, live_server, world, log_in, axe_check
):
    p, fiona = world.partnership, world.users["facilitator"]
    fiona.timezone = "America/New_York"
    workshop = workshops.timeline(p)[0]
    db.session.commit()
    log_in(page, fiona)

    page.goto(f"/p/{p.id}/edit")
    axe_check(page)
    page.get_by_label("Time zone of its events").select_option("Europe/Kyiv")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").first.click()

    page.goto(f"/p/{p.id}/workshops/{workshop.id}")
    page.get_by_text("Edit dates, times, host city and venue").click()
    details = page.locator("#workshop-details")
    expect(details).to_contain_text("Times are in the partnership's time zone: Kyiv.")
    details.get_by_label("Start date").fill("2027-01-12")
    details.get_by_label("Starts at").fill("10:00")
    details.get_by_label("Ends at").fill("12:00")
    details.get_by_role("button", name="Save").click()
    expect(details.locator("time.workshop-time")).to_have_text("10:00–12:00")
    expect(details).to_contain_text("10:00–12:00 (Kyiv)")
    expect(details).to_contain_text("your time: 03:00–05:00 (New York)")
    axe_check(page)
    db.session.rollback()
    db.session.refresh(workshop)
    assert str(workshop.start_time) == "10:00:00" and p.timezone == "Europe/Kyiv"
