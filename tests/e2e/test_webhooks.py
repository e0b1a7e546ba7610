"""Webhooks in a browser, in German: a loopback URL is refused in place (htmx swap, translated),
the receiver's URL is taken; the page shows the secret and, after a change, the delivery log;
both pages pass axe."""

from __future__ import annotations

from playwright.sync_api import expect

from sprintboard.extensions import db
from tests import factories
from tests.views.test_webhooks import Receiver


def test_a_facilitator_adds_a_webhook_and_sees_its_deliveries(
    live_server, new_context, world, log_in, axe_check
):
    app = live_server.app
    fiona = world.users["facilitator"]
    fiona.locale = "de"
    db.session.commit()
    pid = world.partnership.id
    receiver = Receiver()
    try:
        page = log_in(new_context().new_page(), fiona)
        page.goto(f"/p/{pid}/webhooks/")
        expect(page.locator("h2#webhook-new-h")).to_have_text("Neuer Webhook")
        axe_check(page)

        page.locator("#url").fill("http://127.0.0.1:9/hook")
        page.get_by_label("Eine Karte wird angelegt").check()
        page.get_by_role("button", name="Webhook hinzufügen").click()
        expect(page.locator("#url-error")).to_contain_text("lokale, private oder reservierte Adresse")
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # swapped in place
        axe_check(page)

        app.config["WEBHOOKS_ALLOW_PRIVATE"] = True  # the receiver is on loopback
        page.locator("#url").fill(receiver.url)
        page.get_by_role("button", name="Webhook hinzufügen").click()
        secret = page.locator("#webhook-secret")
        expect(secret).to_be_visible()
        receiver.secret = secret.input_value()
        assert receiver.secret.startswith("whsec_")

        db.session.rollback()
        factories.card(world.partnership, "Bus buchen", actor=world.users["member"])
        db.session.commit()  # delivered once this commits (the test app's queue runs inline)
        assert [r["event"] for r in receiver.received] == ["card.created"] and receiver.received[0]["signed"]

        page.reload()
        expect(page.locator("#webhook-log tbody tr")).to_have_count(1)
        expect(page.locator("#webhook-log tbody")).to_contain_text("HTTP 200")
        axe_check(page)
    finally:
        app.config["WEBHOOKS_ALLOW_PRIVATE"] = False
        receiver.stop()
