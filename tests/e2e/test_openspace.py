"""The open-space grid in a real browser: drag and drop, the plain form without JavaScript, and
axe on every page of an event at 360, 1366 and 1920 px."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from sprintboard.extensions import db
from sprintboard.models import SpaceSession
from sprintboard.services import openspace, openspace_grid, openspace_sessions
from tests import factories

DAY = date(2026, 5, 4)
WIDTHS = (360, 1366, 1920)


def _event(world):
    event = factories.open_space(
        world.partnership,
        actor=world.users["facilitator"],
        rooms=[("Aula", 40), ("Lab", 2, False)],
        slots=[(DAY, "10:00", "10:45"), (DAY, "11:00", "11:45")],
    )
    anna, _ = factories.guest(event, "Anna", city="Minsk", languages=["ru"], needs_access=True)
    sessions = [factories.space_session(event, f"Session {n}", by=anna, languages=["de"]) for n in (1, 2, 3)]
    openspace_sessions.add_dot(sessions[0], factories.viewer_of(event, anna))
    openspace_sessions.save_notes(
        sessions[0], factories.viewer_of(event, anna), "- *one*", "Done", ["ru"], version=0
    )
    db.session.commit()
    return event, sessions


def test_drag_a_session_into_the_grid_and_onto_another(page, live_server, world, log_in):
    event, (one, two, _three) = _event(world)
    log_in(page, world.users["facilitator"])
    page.goto(f"/o/{event.id}/grid")
    cells = page.locator("td .os-cell")
    page.locator(f"li[data-session='{one.id}']").drag_to(cells.nth(0))
    expect(cells.nth(0)).to_contain_text("Session 1")
    expect(page.locator("#grid-status")).to_have_text("“Session 1” is now in Aula, 10:00–10:45.")
    # Dropped onto a taken cell, the two swap: Session 1 goes back where Session 2 was.
    page.locator(f"li[data-session='{two.id}']").drag_to(cells.nth(0))
    expect(cells.nth(0)).to_contain_text("Session 2")
    expect(page.locator(".os-pool")).to_contain_text("Session 1")
    # The conflicts show at once: someone who needs step-free access, in the Lab.
    page.locator(f"li[data-session='{one.id}']").drag_to(cells.nth(1))
    expect(cells.nth(1).locator(".os-conflicts")).to_contain_text("needs step-free access")
    db.session.rollback()
    placed = {s.title: (s.room.name if s.room else None) for s in db.session.scalars(db.select(SpaceSession))}
    assert placed == {"Session 1": "Lab", "Session 2": "Aula", "Session 3": None}


def test_placing_works_without_javascript(new_context, live_server, world, log_in):
    event, (one, *_rest) = _event(world)
    page = log_in(new_context(java_script_enabled=False).new_page(), world.users["facilitator"])
    page.goto(f"/o/{event.id}/grid")
    page.get_by_role("link", name="Session 1").click()
    page.get_by_label("Room", exact=True).select_option(label="Lab")
    page.get_by_label("Time slot").select_option(label="04.05. 11:00–11:45")
    page.get_by_role("button", name="Place").click()
    page.wait_for_url(re.compile(rf"/sessions/{one.id}#place$"))
    expect(page.locator("#place")).to_contain_text("Lab")
    expect(page.locator("#place .os-conflicts")).to_contain_text("needs step-free access")
    page.get_by_role("link", name="Grid").click()
    expect(page.locator("tbody tr").nth(1).locator("td").nth(1)).to_contain_text("Session 1")


def test_every_event_page_passes_axe(new_context, live_server, world, log_in, axe_check):
    event, (one, *_rest) = _event(world)
    openspace_grid.apply_suggestion(event, actor=None)
    db.session.commit()
    eid = event.id
    pages = [
        "/o/",
        f"/p/{world.partnership.id}/openspace",
        f"/o/{eid}",
        f"/o/{eid}/propose",
        f"/o/{eid}/sessions/{one.id}",
        f"/o/{eid}/sessions/{one.id}/edit",
        f"/o/{eid}/grid",
        f"/o/{eid}/now",
        f"/o/{eid}/wall",
        f"/o/{eid}/print",
        f"/o/{eid}/report",
        f"/o/{eid}/me",
        f"/o/{eid}/people",
        f"/o/{eid}/settings",
    ]
    public = [f"/o/{eid}/join/{openspace.registration_token(event)}"]
    for width in WIDTHS:
        context = new_context(viewport={"width": width, "height": 900})
        page = log_in(context.new_page(), world.users["facilitator"])
        visitor = new_context(viewport={"width": width, "height": 900}).new_page()
        for url, browser in [(u, page) for u in pages] + [(u, visitor) for u in public]:
            browser.goto(url)
            axe_check(browser)
            overflow = browser.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if url.endswith(("/grid", "/report", "/people", "/wall", "/print")):
                continue  # wide tables scroll in their own box (the wall and print are for big screens)
            assert overflow <= 0, f"{url} is {overflow}px too wide at {width}px"
        context.close()
