"""Journey 1 in a real browser: programme staff bring a new partnership in, in English.

The only thing that exists beforehand is a programme administrator; the call, the application,
the partnership, its workshops and the invitations are all made through the pages.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect

from tests import factories

GERMAN_CITY, UKRAINIAN_CITY = "Freiburg", "Lviv"
PARTNERSHIP = f"{GERMAN_CITY} – {UKRAINIAN_CITY}"
# The deadline as shown, in the call's own time zone (English or British clock).
DEADLINE_TIME = re.compile(r"(11:59\sPM|23:59) \(Europe/Kyiv\)")
CONTACT, PARTNER_CONTACT = "anna.weber@example.org", "oksana.koval@example.org"


def test_journey_1_programme_staff_bring_a_new_partnership_in(
    page, live_server, db, log_in, axe_check, new_context
):
    staff = factories.user("Petra Programme", is_admin=True, locale="en")
    db.session.commit()

    # --- Staff open a call with a deadline ---------------------------------------------------
    log_in(page, staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calls").click()
    expect(page.get_by_role("heading", name="Calls for applications", level=1)).to_be_visible()
    page.get_by_role("link", name="Open a call").click()
    page.get_by_label("Title", exact=True).fill("City partnerships 2027")
    page.get_by_label("Description", exact=True).fill(
        "Two cities, four workshops, one year of sprints together."
    )
    expect(page.get_by_label("Eligible countries", exact=True)).to_have_value("BY, DE, RU, UA")
    deadline = (datetime.now() + timedelta(days=30)).replace(hour=23, minute=59)
    page.get_by_label("Deadline", exact=True).fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Time zone", exact=True).select_option("Europe/Kyiv")
    page.get_by_role("button", name="Open the call").click()
    expect(page.locator("#flash")).to_contain_text("The call is open.")
    expect(page.get_by_role("heading", name="City partnerships 2027", level=1)).to_be_visible()
    expect(page.get_by_text(DEADLINE_TIME)).to_be_visible()
    expect(page.get_by_text("No applications match.")).to_be_visible()

    # --- An association in a German city applies with its Ukrainian partner city ------------
    applicant = new_context().new_page()  # a visitor who is not logged in
    applicant.goto("/calls/")
    applicant.get_by_role("link", name="City partnerships 2027").click()
    expect(applicant.get_by_role("heading", name="City partnerships 2027", level=1)).to_be_visible()
    expect(applicant.get_by_text(DEADLINE_TIME)).to_be_visible()
    axe_check(applicant)
    applicant.get_by_label("Your city", exact=True).fill(GERMAN_CITY)
    applicant.get_by_label("Country of your city", exact=True).select_option(label="Germany")
    applicant.get_by_label("Partner city", exact=True).fill(UKRAINIAN_CITY)
    applicant.get_by_label("Country of the partner city", exact=True).select_option(label="Ukraine")
    applicant.get_by_label("Institution, organisation or initiative", exact=True).fill(
        "Partnerschaftsverein Freiburg–Lviv e.V."
    )
    applicant.get_by_label("Contact person", exact=True).fill("Anna Weber")
    applicant.get_by_label("Email", exact=True).fill(CONTACT)
    applicant.get_by_label("Contact person in the partner city", exact=True).fill("Oksana Koval")
    applicant.get_by_label("Email of the partner city's contact person", exact=True).fill(PARTNER_CONTACT)
    applicant.get_by_label("1. Who are you?").fill(
        "A volunteer association that has linked Freiburg and Lviv since 1989."
    )
    applicant.get_by_label("2. What are your hopes").fill(
        "Joint projects on youth exchange and renewable energy."
    )
    applicant.get_by_label("3. What motivates you").fill(
        "Our partner city needs partners who stay for the long run."
    )
    applicant.get_by_label("4. Anything else").fill("The city hall of Lviv supports us.")
    applicant.get_by_label("We declare that this application is supported").check()
    applicant.get_by_role("button", name="Send application").click()
    expect(applicant.get_by_text("Thank you! We have received your application")).to_be_visible()
    expect(applicant.get_by_label("Private link to your application")).to_have_value(
        re.compile(re.escape(f"{live_server.url}/calls/application/") + r"[A-Za-z0-9_-]{43}$")
    )
    expect(applicant.get_by_role("heading", name="Correct your application")).to_be_visible()

    # --- Staff define criteria, score and shortlist it, then select it -----------------------
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calls").click()
    call_row = page.get_by_role("row", name="City partnerships 2027")
    expect(call_row.get_by_role("cell").nth(2)).to_have_text("1")  # one application
    page.get_by_role("link", name="City partnerships 2027").click()
    row = page.get_by_role("row", name=f"{GERMAN_CITY} (DE) – {UKRAINIAN_CITY} (UA)")
    expect(row).to_contain_text("Partnerschaftsverein Freiburg–Lviv e.V.")
    expect(row).to_contain_text("received")
    axe_check(page)
    for name, weight in (("Strength of the partnership", "2"), ("Feasibility", "1")):
        page.get_by_label("Criterion", exact=True).fill(name)
        page.get_by_label("Weight", exact=True).fill(weight)
        page.get_by_role("button", name="Add criterion").click()
        expect(page.locator("#flash")).to_contain_text("Criterion added.")
        expect(page.locator("#criteria-h + p + ul")).to_contain_text(name)
    axe_check(page)

    page.get_by_role("link", name=f"{GERMAN_CITY} (DE) – {UKRAINIAN_CITY} (UA)").click()
    expect(page.get_by_role("heading", name=PARTNERSHIP, level=1)).to_be_visible()
    expect(page.get_by_text("Self-declaration confirmed.")).to_be_visible()
    page.get_by_label("Strength of the partnership", exact=True).fill("5")
    page.get_by_label("Feasibility", exact=True).fill("4")
    expect(page.get_by_text("Nobody has scored this application yet.")).to_be_visible()
    page.get_by_label("Your note").fill("Strong ties between the two associations.")
    page.get_by_role("button", name="Save my scores").click()
    expect(page.locator("#flash")).to_contain_text("Your scores have been saved.")
    expect(page.get_by_text("Your total: 14")).to_be_visible()
    expect(page.get_by_text("Average: 14 from 1 reviewer")).to_be_visible()

    page.get_by_label("Status", exact=True).select_option(label="shortlisted")
    page.get_by_role("button", name="Change status").click()
    expect(page.locator("#flash")).to_contain_text("The application is now shortlisted.")
    expect(page.locator(".page-head .status")).to_have_text("shortlisted")
    axe_check(page)

    # Both contact people coach their city's team here: staff make them facilitators.
    selection = page.locator("#select-form")
    for name in (CONTACT, PARTNER_CONTACT):
        person = selection.get_by_role("group").filter(has_text=name)
        expect(person.get_by_label("Role", exact=True)).to_have_value("member")  # the default
        person.get_by_label("Role", exact=True).select_option(label="Facilitator")
    expect(
        selection.get_by_role("group").filter(has_text=PARTNER_CONTACT).get_by_label("Home city")
    ).to_have_value("1")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Select and create the partnership").click()
    expect(page.locator("#flash")).to_contain_text(
        f"Selected: the partnership {PARTNERSHIP} has been created and its contact people invited."
    )
    # No mail server here: the result page hands out the links to pass on.
    delivery = page.locator("#delivery")
    expect(delivery).to_contain_text("No mail server is configured")
    expect(delivery.locator("li")).to_have_count(2)
    expect(delivery.locator("li").filter(has_text=PARTNER_CONTACT)).to_contain_text(
        f"Facilitator · {UKRAINIAN_CITY}"
    )
    axe_check(page)
    page.get_by_role("link", name=f"Open the partnership {PARTNERSHIP}").click()

    # --- The partnership exists with both cities -------------------------------------------
    expect(page.get_by_role("heading", name=PARTNERSHIP, level=1)).to_be_visible()
    cities = page.locator("section[aria-labelledby=cities-h]")
    expect(cities.get_by_role("heading", level=3)).to_have_text(
        [f"{GERMAN_CITY} (Germany)", f"{UKRAINIAN_CITY} (Ukraine)"]
    )
    expect(page.locator("#home-workshops-h + p + p")).to_have_text(f"Next: Kick-off in {GERMAN_CITY}")

    # --- ... its standard workshop series is planned ----------------------------------------
    page.get_by_role("navigation", name="Partnership").get_by_role("link", name="Workshops").click()
    timeline = page.locator("ol.timeline > li")
    expect(timeline.get_by_role("link")).to_have_text(
        [
            f"Kick-off in {GERMAN_CITY}",
            f"Kick-off in {UKRAINIAN_CITY}",
            "Match & Sprint",
            "Sprint & Succeed",
        ]
    )
    expect(timeline.filter(has_text="planned")).to_have_count(4)
    expect(timeline.nth(0)).to_contain_text(GERMAN_CITY)
    expect(timeline.nth(1)).to_contain_text(UKRAINIAN_CITY)

    # --- ... and both contact people have invitations ---------------------------------------
    page.get_by_role("navigation", name="Partnership").get_by_role("link", name="People").click()
    invited = page.locator("section[aria-labelledby=invite-h] ul.people > li")
    expect(invited).to_have_count(2)
    expect(invited.filter(has_text=CONTACT)).to_contain_text(f"Facilitator · {GERMAN_CITY}")
    expect(invited.filter(has_text=PARTNER_CONTACT)).to_contain_text(f"Facilitator · {UKRAINIAN_CITY}")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox").click()
    subject = f"Invitation to {PARTNERSHIP} on Sprintboard"
    for email in (CONTACT, PARTNER_CONTACT):
        expect(page.get_by_role("row").filter(has_text=email).filter(has_text=subject)).to_have_count(1)
    # The applicant's receipt, then the decisions: shortlisted, selected.
    applicant = page.get_by_role("row").filter(has_text="Your application to City partnerships 2027")
    expect(applicant).to_have_count(3)
    expect(applicant.filter(has_text=CONTACT)).to_have_count(3)
