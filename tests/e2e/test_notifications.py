"""Journey 8's first steps in browsers: Fiona mentions Max in a comment (choosing him from the
suggestions); Max, in Russian, sees the bell rise on his open board without a reload, opens his
notifications, follows the link to the comment; the email reaches him in Russian."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sprintboard.extensions import db
from tests import factories
from tests.conftest import mail_text


def test_a_mention_rings_the_bell_live_and_mails_in_russian(
    new_context, streams, world, log_in, smtp, axe_check
):
    p = world.partnership
    max_ = world.users["member"]
    max_.locale = "ru"
    card = factories.card(p, "Plan the camp", actor=world.users["facilitator"])
    db.session.commit()
    pid, card_id, email = p.id, card.id, max_.email

    max_page = log_in(new_context().new_page(), max_)  # his saved language is Russian
    max_page.goto(f"/p/{pid}/board")
    expect(max_page.locator("html")).to_have_attribute("lang", "ru")
    expect(max_page.locator("#presence")).to_be_attached()
    expect(max_page.locator("#bell .bell-count")).to_have_count(0)
    max_page.wait_for_timeout(300)  # the stream is open (presence rendered by it)

    fiona = log_in(new_context().new_page(), world.users["facilitator"])
    fiona.goto(f"/p/{pid}/cards/{card_id}")
    box = fiona.locator("#comment-body")
    box.click()
    box.press_sequentially("Can you book the hall, @Ma")
    fiona.locator("button[data-mention='Max Member']").click()  # the suggestion list
    expect(box).to_have_value("Can you book the hall, @Max Member ")
    box.press_sequentially("?")
    with fiona.expect_response(lambda r: r.url.endswith("/comments")):
        fiona.locator("#card-comments form button[type=submit]", has_text="Add comment").click()

    # Max's board: the bell shows one unread, with no reload.
    expect(max_page.locator("#bell .bell-count")).to_have_text("1", timeout=3000)
    expect(max_page.locator("#bell")).to_contain_text("1 непрочитанное")
    assert max_page.evaluate("performance.getEntriesByType('navigation').length") == 1

    max_page.locator("#bell").click()
    expect(max_page.locator("h1")).to_have_text("Уведомления")
    item = max_page.locator(".inbox-item.unread a")
    expect(item).to_have_text("Fiona Facilitator упоминает вас в «Plan the camp»")
    axe_check(max_page)
    item.click()
    expect(max_page).to_have_url(re.compile(rf"/p/{pid}/cards/{card_id}#comment-\d+$"))
    expect(max_page.locator(".comment-list")).to_contain_text("Can you book the hall, @Max Member ?")
    expect(max_page.locator("#bell .bell-count")).to_have_count(0)  # read now

    (message,) = smtp.wait(1)
    assert message.envelope_to == [email]
    assert message["Subject"] == "Fiona Facilitator упоминает вас в «Plan the camp»"
    assert "Открыть: " in mail_text(message) and "Отписаться: " in mail_text(message)


@pytest.mark.parametrize("width", [360, 1366, 1920])
def test_the_notification_pages_pass_axe(new_context, live_server, world, log_in, axe_check, width):
    from sprintboard.services import cards, unsubscribe

    p = world.partnership
    card = factories.card(p, "Plan the camp", actor=world.users["facilitator"])
    cards.add_comment(card, "@Max Member see this", language="en", actor=world.users["facilitator"])
    token = unsubscribe.token(world.users["member"], "comment")
    db.session.commit()
    pid, card_id = p.id, card.id
    context = new_context(viewport={"width": width, "height": 900})
    page = log_in(context.new_page(), world.users["member"])
    for path in ("/notifications/", "/account/notifications", "/account", f"/p/{pid}/board"):
        page.goto(path)
        axe_check(page)
    page.goto(f"/p/{pid}/cards/{card_id}")
    page.locator("#comment-body").press_sequentially("@Fi")
    expect(page.locator(".mention-list button")).to_have_text("@Fiona Facilitator")
    axe_check(page)  # with the suggestion list open
    page.keyboard.press("ArrowDown")
    expect(page.locator(".mention-list button")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#comment-body")).to_have_value("@Fiona Facilitator ")
    anonymous = new_context(viewport={"width": width, "height": 900}).new_page()
    for path in ("/password/forgot", f"/unsubscribe/{token}"):
        anonymous.goto(path)
        axe_check(anonymous)
