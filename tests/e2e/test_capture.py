"""Quick capture in the browser: name, city, kind, Enter, next — and rows pasted from a spreadsheet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

if not (Path(__file__).parent / "conftest.py").exists():  # the browser fixtures live there
    pytest.skip("tests/e2e/conftest.py is not on this branch yet", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from sprintboard.extensions import db  # noqa: E402
from sprintboard.models import Actor, MatchEntry  # noqa: E402


def _recorded():
    db.session.rollback()  # see what the browser wrote
    actors = {(a.name, a.city.name, a.kind) for a in db.session.scalars(db.select(Actor))}
    entries = {(e.text, e.city.name, e.kind) for e in db.session.scalars(db.select(MatchEntry))}
    return actors, entries


def test_quick_capture_by_keyboard_and_by_pasting_rows(page, live_server, world, log_in, axe_check):
    p = world.partnership
    log_in(page, world.users["member"])
    page.goto(f"/p/{p.id}/actors/")
    page.get_by_role("link", name="Quick capture").click()
    page.wait_for_url(re.compile(rf"/p/{p.id}/capture/$"))
    name = page.get_by_label("Name or text")
    expect(name).to_be_focused()
    axe_check(page)

    # Type, Enter, type, Enter: after each save the form is back, empty, the cursor in the name.
    name.fill("Youth club Nord")
    page.get_by_label("Kind").select_option("actor:ngo")
    name.press("Enter")
    listed = page.locator(".captured li")
    expect(listed).to_have_count(1)
    expect(listed.first).to_contain_text("Youth club Nord")
    expect(name).to_be_focused()
    expect(name).to_have_value("")
    expect(page.locator("#flash")).to_contain_text("Added: Youth club Nord")
    page.keyboard.type("Choir wants partners")
    page.get_by_label("City").select_option(label="Minsk")
    page.get_by_label("Kind").select_option("entry:need")
    page.get_by_label("Name or text").press("Enter")
    expect(listed).to_have_count(2)
    expect(listed.first).to_contain_text("Choir wants partners")  # newest first, above the form
    expect(page.get_by_label("Name or text")).to_be_focused()
    page.keyboard.type("Old town walks")
    page.keyboard.press("Enter")  # the same city and kind as the last one
    expect(listed).to_have_count(3)
    expect(listed.first).to_contain_text("Old town walks")

    # A name already on the city's map is refused in place, and the typing is kept.
    page.get_by_label("Name or text").fill("Youth club Nord")
    page.get_by_label("City").select_option(label="Hamburg")
    page.get_by_label("Kind").select_option("actor:school")
    page.get_by_label("Name or text").press("Enter")
    expect(page.locator("#quick-capture .error")).to_contain_text(
        "Youth club Nord is already on the map of this city."
    )
    expect(page.get_by_label("Name or text")).to_have_value("Youth club Nord")
    axe_check(page)

    # Rows from a spreadsheet: a bad row stops them all, with its line; corrected, all are added.
    rows = page.get_by_role("textbox", name="Rows from a spreadsheet")
    rows.fill("Gymnasium 5\tMinsk\tSchool\nBike repair café\tParis\tneed\n")
    page.get_by_role("button", name="Add all rows").click()
    expect(page.locator("#paste-capture [role=alert]")).to_contain_text(
        "Line 2: The city must be one of: Minsk, Hamburg."
    )
    axe_check(page)
    assert len(_recorded()[0]) == 1
    page.get_by_role("textbox", name="Rows from a spreadsheet").fill(
        "Gymnasium 5\tMinsk\tSchool\nBike repair café\tHamburg\tneed\n"
    )
    page.get_by_role("button", name="Add all rows").click()
    expect(page.locator("#flash")).to_contain_text("2 rows have been added.")
    expect(page.locator(".captured li").first).to_contain_text("Bike repair café")
    axe_check(page)

    actors, entries = _recorded()
    assert actors == {("Youth club Nord", "Hamburg", "ngo"), ("Gymnasium 5", "Minsk", "school")}
    assert entries == {
        ("Choir wants partners", "Minsk", "need"),
        ("Old town walks", "Minsk", "need"),
        ("Bike repair café", "Hamburg", "need"),
    }


def test_quick_capture_works_without_javascript(new_context, live_server, world, log_in):
    p = world.partnership
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, world.users["member"])
    page.goto(f"/p/{p.id}/capture/")
    page.get_by_label("Name or text").fill("Town hall")
    page.get_by_label("City").select_option(label="Minsk")
    page.get_by_label("Kind").select_option("actor:administration")
    page.get_by_label("Name or text").press("Enter")
    expect(page.locator("#flash")).to_contain_text("Added: Town hall")
    expect(page.locator(".captured li").first).to_contain_text("Town hall")
    expect(page.get_by_label("Name or text")).to_have_value("")
    expect(page.get_by_label("Kind")).to_have_value("actor:administration")
    page.get_by_role("textbox", name="Rows from a spreadsheet").fill(
        "Name,City,Kind\nRiver clean-up,Hamburg,idea\n"
    )
    page.get_by_role("button", name="Add all rows").click()
    expect(page.locator("#flash")).to_contain_text("1 row has been added.")
    actors, entries = _recorded()
    assert actors == {("Town hall", "Minsk", "administration")}
    assert entries == {("River clean-up", "Hamburg", "idea")}
