"""Journey 1, the applicant's part: a city association applies to an open call as a new visitor would."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

if not (Path(__file__).parent / "conftest.py").exists():
    pytest.skip("no e2e infrastructure (tests/e2e/conftest.py) on this branch", allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from sprintboard.extensions import db  # noqa: E402
from sprintboard.models import Application  # noqa: E402
from sprintboard.services import applications, toolbox  # noqa: E402


@pytest.fixture
def open_call(live_server, world):
    call = applications.open_call(
        "City partnerships 2027",
        "Two cities, one workshop series.",
        countries=["BY", "DE", "RU", "UA"],
        deadline_local=datetime.now() + timedelta(days=20),
        timezone="Europe/Berlin",
        languages=["en", "de", "ru"],
        actor=world.admin,
    )
    db.session.commit()
    return call


def test_a_new_visitor_applies_on_a_phone(page, live_server, open_call, axe_check):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/calls/{open_call.id}/")
    expect(page.get_by_role("heading", name="City partnerships 2027", level=1)).to_be_visible()
    expect(page.get_by_text("(Europe/Berlin)")).to_be_visible()
    axe_check(page)

    # Sending without the self-declaration is refused with a message at the field.
    page.get_by_label("Your city", exact=True).fill("Leipzig")
    page.get_by_label("Country of your city", exact=True).select_option("DE")
    page.get_by_label("Partner city", exact=True).fill("Kyiv")
    page.get_by_label("Country of the partner city", exact=True).select_option("UA")
    institution = page.get_by_label("Institution, organisation or initiative", exact=True)
    institution.fill("Städtepartnerschaft Leipzig–Kyiv e.V.")
    page.get_by_label("Contact person", exact=True).fill("Jana Beispiel")
    page.get_by_label("Email", exact=True).fill("jana@example.org")
    page.get_by_label("1. Who are you?").fill("Two cities, <b>one</b> river of ideas.")
    page.get_by_label("2. What are your hopes").fill("Youth exchanges and joint climate projects.")
    page.get_by_label("3. What motivates you").fill("We met at a conference and want to go further.")
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_text("This declaration is required.")).to_be_visible()
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 0
    axe_check(page)

    page.get_by_label("We declare that this application is supported").check()
    page.get_by_role("button", name="Send application").click()
    page.wait_for_url(re.compile(r"/calls/application/[A-Za-z0-9_-]{43}\?new=1$"))
    expect(page.get_by_text("Thank you! We have received your application")).to_be_visible()
    link = page.get_by_label("Private link to your application").input_value()
    assert link.startswith(live_server.url + "/calls/application/")
    axe_check(page)

    # The private link opens the application again; a correction is saved, HTML stays text.
    page.goto(link)
    expect(page.get_by_label("1. Who are you?")).to_have_value("Two cities, <b>one</b> river of ideas.")
    page.get_by_label("4. Anything else").fill("We can host the first workshop.")
    page.get_by_role("button", name="Save corrections").click()
    expect(page.locator("#flash")).to_contain_text("Your corrections have been saved.")
    db.session.rollback()
    application = db.session.scalars(db.select(Application)).one()
    assert application.answer_other == "We can host the first workshop."


def test_the_toolbox_is_public_and_accessible(page, live_server, world, axe_check):
    toolbox.seed()
    db.session.commit()
    page.goto("/toolbox/")
    expect(page.get_by_role("heading", name="Toolbox", level=1)).to_be_visible()
    axe_check(page)
    page.get_by_label("Phase").select_option("succeed")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Retrospective starfish")).to_be_visible()
    expect(page.get_by_role("link", name="World café")).to_have_count(0)
    page.get_by_role("link", name="Retrospective starfish").click()
    expect(page.get_by_role("heading", name="Retrospective starfish", level=1)).to_be_visible()
    page.get_by_label("Show side by side with").select_option("uk")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Морська зірка"))).to_be_visible()
    axe_check(page)


def test_programme_staff_import_the_toolbox_in_the_browser(
    page, live_server, world, log_in, axe_check, tmp_path
):
    toolbox.seed()
    db.session.commit()
    export = tmp_path / "sprintboard-toolbox.json"
    export.write_text(toolbox.export_json(), encoding="utf-8")
    log_in(page, world.admin)
    page.goto("/toolbox/")
    page.get_by_role("link", name="Import", exact=True).click()
    expect(page.get_by_role("heading", name="Import the toolbox", level=1)).to_be_visible()
    axe_check(page)
    page.get_by_label("Toolbox export (JSON or Markdown zip)").set_input_files(str(export))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator("#flash")).to_contain_text("New methods: 0.")
