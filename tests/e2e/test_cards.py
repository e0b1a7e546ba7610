"""The card page in a real browser: two people editing one card, checklist, no-JS, axe."""

from __future__ import annotations

from playwright.sync_api import expect

from sprintboard.extensions import db
from sprintboard.models import Card
from sprintboard.services import cards
from tests import factories


def _setup(world):
    p = world.partnership
    card = factories.card(p, "Plan the kick-off", column=1, actor=world.users["member"], body="First *draft*")
    cards.add_checklist_item(card, "Book a room", actor=None)
    factories.project(p, "Bridges")
    factories.label(p, "Urgent")
    db.session.commit()
    return p, card.id


def _card(card_id):
    db.session.rollback()  # see the server's writes
    return db.session.get(Card, card_id)


def _open_editor(page, p, card_id):
    page.goto(f"/p/{p.id}/cards/{card_id}")
    page.locator("#card-edit summary").click()
    return page.locator("#card-edit form")


def test_second_editor_gets_a_conflict_view_and_keeps_their_text(
    new_context, live_server, world, log_in, axe_check
):
    p, card_id = _setup(world)
    alice = log_in(new_context().new_page(), world.users["member"])
    bob = log_in(new_context().new_page(), world.users["facilitator"])
    alice_form = _open_editor(alice, p, card_id)
    bob_form = _open_editor(bob, p, card_id)
    axe_check(alice)

    alice_form.get_by_label("Title").fill("Kick-off in Minsk")
    alice_form.get_by_role("button", name="Save card").click()
    expect(alice.locator("#card-title")).to_have_text("Kick-off in Minsk")

    bob_form.get_by_label("Description").fill("Bob's agenda")
    bob_form.get_by_role("button", name="Save card").click()
    conflict = bob.locator("#card-edit.conflict")
    expect(conflict).to_be_visible()
    expect(conflict.locator("td.theirs").first).to_have_text("Kick-off in Minsk")
    expect(conflict.locator("pre.source")).to_have_text("Bob's agenda")
    assert _card(card_id).body == "First *draft*"  # nothing overwritten
    axe_check(bob)

    # Bob takes Alice's title and saves his description on top of her version.
    conflict.get_by_label("Title").fill("Kick-off in Minsk")
    conflict.get_by_role("button", name="Save my version").click()
    expect(bob.locator("#card-detail .md").first).to_contain_text("Bob's agenda")
    card = _card(card_id)
    assert (card.title, card.body) == ("Kick-off in Minsk", "Bob's agenda")


def test_checklist_toggle_updates_in_place(page, live_server, world, log_in):
    p, card_id = _setup(world)
    log_in(page, world.users["member"])
    page.goto(f"/p/{p.id}/cards/{card_id}")
    page.get_by_label("New checklist item").fill("Invite the mayor")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#checklist-progress")).to_have_text("0 of 2 done")
    toggle = page.get_by_role("button", name="Book a room", exact=True)
    toggle.click()
    expect(page.locator("#checklist-progress")).to_have_text("1 of 2 done")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    # The edit form still saves: checklist changes leave its version (the edit lock) alone.
    form = page.locator("#card-edit form")
    page.locator("#card-edit summary").click()
    form.get_by_label("Title").fill("Plan the kick-off!")
    form.get_by_role("button", name="Save card").click()
    expect(page.locator("#card-title")).to_have_text("Plan the kick-off!")
    card = _card(card_id)
    assert (card.checklist_done, card.checklist_total, card.title) == (1, 2, "Plan the kick-off!")


def test_card_page_works_without_javascript(new_context, live_server, world, log_in):
    p, card_id = _setup(world)
    context = new_context(java_script_enabled=False)
    page = log_in(context.new_page(), world.users["member"])
    page.goto(f"/p/{p.id}/cards/{card_id}")
    page.get_by_role("button", name="Book a room", exact=True).click()
    expect(page.locator("#checklist-progress")).to_have_text("1 of 1 done")
    page.locator("#card-edit summary").click()
    page.locator("#card-edit").get_by_label("Estimate (points)").fill("5")
    page.locator("#card-edit").get_by_role("button", name="Save card").click()
    expect(page.locator(".facts")).to_contain_text("5 points")
    page.get_by_label("Column").select_option(label="Review")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/p/{p.id}/cards/{card_id}")
    expect(page.locator(".facts")).to_contain_text("Review")
    page.get_by_role("button", name="Archive card").click()
    expect(page.locator(".notice")).to_contain_text("archived")


def test_settings_projects_and_archive_pages_pass_axe(page, live_server, world, log_in, axe_check):
    p, card_id = _setup(world)
    cards.archive_card(db.session.get(Card, card_id), actor=None)
    db.session.commit()
    log_in(page, world.users["facilitator"])
    for path in ("board/settings", "projects/", "projects/new", "cards/archived?q=kick"):
        page.goto(f"/p/{p.id}/{path}")
        axe_check(page)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"/p/{p.id}/cards/{card_id}")
    axe_check(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the card page scrolls sideways at 360 px ({width}px)"


def test_a_comment_is_written_corrected_and_deleted(page, live_server, world, log_in, axe_check):
    p, card_id = _setup(world)
    log_in(page, world.users["member"])
    page.goto(f"/p/{p.id}/cards/{card_id}")
    comments = page.locator("#card-comments")
    comments.get_by_label("Comment").fill("We meet on Monday")
    comments.get_by_role("button", name="Add comment").click()
    expect(comments.get_by_role("heading")).to_have_text("1 comment")
    comments.locator("summary", has_text="Edit").click()
    comments.get_by_label("Your comment").fill("We meet on Tuesday")
    comments.get_by_role("button", name="Save comment").click()
    expect(comments.locator(".comment-list")).to_contain_text("We meet on Tuesday")
    expect(comments.locator(".comment-list")).to_contain_text("edited")
    axe_check(page)
    page.once("dialog", lambda dialog: dialog.accept())
    comments.get_by_role("button", name="Delete this comment").click()
    expect(comments.get_by_role("heading")).to_have_text("0 comments")
    assert _card(card_id).comment_count == 0
