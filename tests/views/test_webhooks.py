"""Webhooks: a facilitator adds one; changes reach a real local receiver, signed; failures are
retried with back-off; a webhook that keeps failing is switched off (facilitators told) and
switched back on; URLs on this network are refused (request forgery), also at delivery time."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask_login import login_user

from sprintboard import access
from sprintboard.extensions import db
from sprintboard.models import Notification, Webhook, WebhookDelivery
from sprintboard.models.base import utcnow
from sprintboard.services import board, cards, webhook_delivery, webhooks
from tests import factories


class Receiver:
    """An HTTP server on 127.0.0.1 that checks each delivery's signature with `secret` and
    answers with the next of `answers` (then 200)."""

    def __init__(self):
        self.secret = ""
        self.answers: list[int] = []
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fields = dict(p.split("=", 1) for p in self.headers["X-Sprintboard-Signature"].split(","))
                expected = hmac.new(
                    receiver.secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256
                ).hexdigest()
                signed = hmac.compare_digest(expected, fields["v1"])
                receiver.received.append(
                    {
                        "path": self.path,
                        "event": self.headers["X-Sprintboard-Event"],
                        "delivery": self.headers["X-Sprintboard-Delivery"],
                        "signed": signed,
                        "json": json.loads(body),
                    }
                )
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status if signed else 401)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/sprintboard?x=1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(app):
    server = Receiver()
    saved = {k: app.config.get(k) for k in ("WEBHOOKS_ALLOW_PRIVATE", "WEBHOOK_MAX_FAILURES")}
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True  # the receiver is on loopback
    yield server
    app.config.update(saved)
    server.stop()


def _add(client, world, url, events=("card.created", "card.moved"), **kw):
    return client.post(
        f"/p/{world.partnership.id}/webhooks/", data={"url": url, "events": list(events)}, **kw
    )


def _hook(world) -> Webhook:
    return db.session.scalars(db.select(Webhook).filter_by(partnership_id=world.partnership.id)).one()


def test_a_facilitator_adds_a_webhook_and_chosen_changes_arrive_signed(world, as_role, receiver):
    client = as_role("facilitator")
    response = _add(client, world, receiver.url)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    hook = _hook(world)
    assert hook.secret.startswith("whsec_") and hook.secret in page.get_data(as_text=True)
    assert page.headers["Cache-Control"].startswith("no-store")
    receiver.secret = hook.secret

    card = factories.card(world.partnership, "Book the bus", actor=world.users["member"])
    db.session.commit()  # the change commits: the delivery goes out (the queue runs inline here)
    cards.add_comment(card, "Not an event this hook hears", language=None, actor=world.users["member"])
    db.session.commit()

    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got["signed"] and got["event"] == "card.created" and got["path"] == "/hooks/sprintboard?x=1"
    assert got["json"]["subject"] == {"type": "card", "id": card.id}
    assert got["json"]["actor"]["name"] == "Max Member"
    assert got["json"]["partnership"]["id"] == world.partnership.id
    assert got["json"]["data"]["title"] == "Book the bus"
    assert got["delivery"] == got["json"]["id"]

    log = client.get(f"/p/{world.partnership.id}/webhooks/{hook.id}").get_data(as_text=True)
    assert (
        "HTTP 200" in log and "<code>card.created</code>" in log and "<code>comment.added</code>" not in log
    )


def test_a_rolled_back_change_sends_nothing(world, receiver):
    hook = webhooks.create_webhook(
        world.partnership, url=receiver.url, events=["card.created"], actor=world.users["facilitator"]
    )
    db.session.commit()
    receiver.secret = hook.secret
    factories.card(world.partnership, "Never saved", actor=world.users["member"])
    db.session.rollback()
    db.session.commit()
    assert receiver.received == []
    assert db.session.scalar(db.select(db.func.count(WebhookDelivery.id))) == 0


def test_a_failed_delivery_is_retried_with_growing_back_off_until_it_arrives(world, as_role, receiver):
    hook = webhooks.create_webhook(
        world.partnership, url=receiver.url, events=["card.created"], actor=world.users["facilitator"]
    )
    db.session.commit()
    receiver.secret = hook.secret
    receiver.answers = [500, 503]

    factories.card(world.partnership, "Retry me", actor=world.users["member"])
    db.session.commit()
    delivery = db.session.scalars(db.select(WebhookDelivery)).one()
    assert delivery.attempts == 1 and delivery.next_attempt_at - delivery.tries[0].at == timedelta(seconds=30)

    assert webhook_delivery.deliver_due() == 0  # the back-off is not over: nothing is sent
    assert len(receiver.received) == 1

    later = utcnow() + timedelta(seconds=31)
    webhook_delivery.deliver_due(now=later)
    db.session.expire_all()
    assert delivery.attempts == 2 and delivery.next_attempt_at - later == timedelta(seconds=60)  # doubled

    assert webhook_delivery.deliver_due(now=later + timedelta(seconds=61)) == 1
    db.session.expire_all()
    assert delivery.status == "delivered"
    assert [r["delivery"] for r in receiver.received] == [delivery.uid] * 3
    assert all(r["signed"] for r in receiver.received)
    assert hook.failures == 0

    page = as_role("facilitator").get(f"/p/{world.partnership.id}/webhooks/{hook.id}").get_data(as_text=True)
    assert "HTTP 500" in page and "HTTP 503" in page and "HTTP 200" in page


def test_a_webhook_that_keeps_failing_is_switched_off_and_facilitators_are_told(
    app, world, as_role, receiver
):
    app.config["WEBHOOK_MAX_FAILURES"] = 3
    hook = webhooks.create_webhook(
        world.partnership, url=receiver.url, events=["card.created"], actor=world.users["facilitator"]
    )
    db.session.commit()
    receiver.secret = hook.secret
    receiver.answers = [500] * 3
    factories.card(world.partnership, "One", actor=world.users["member"])
    factories.card(world.partnership, "Two", actor=world.users["member"])
    db.session.commit()  # two deliveries, both fail: 2 failures in a row
    db.session.expire_all()
    assert hook.active and hook.failures == 2
    webhook_delivery.deliver_due(now=utcnow() + timedelta(minutes=5))  # the third failure
    db.session.expire_all()
    assert not hook.active

    told = db.session.scalars(db.select(Notification).filter_by(kind="webhook")).all()
    assert [n.user_id for n in told] == [world.users["facilitator"].id]

    factories.card(
        world.partnership, "Three", actor=world.users["member"]
    )  # a switched-off hook hears nothing
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(WebhookDelivery.id))) == 2
    assert len(receiver.received) == 3

    client = as_role("facilitator")
    page = client.get(f"/p/{world.partnership.id}/webhooks/{hook.id}").get_data(as_text=True)
    assert "Switch back on" in page
    inbox = client.get("/notifications/").get_data(as_text=True)
    assert "switched off after 3 failures in a row" in inbox

    response = client.post(f"/p/{world.partnership.id}/webhooks/{hook.id}/enable")
    assert response.status_code == 303
    db.session.expire_all()
    assert hook.active and hook.failures == 0
    webhook_delivery.deliver_due(now=utcnow() + timedelta(hours=1))  # the waiting ones go out
    db.session.expire_all()
    assert len(receiver.received) == 5
    assert {d.status for d in db.session.scalars(db.select(WebhookDelivery))} == {"delivered"}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://localhost:5000/hook",  # a name that resolves to loopback
        "http://[::ffff:127.0.0.1]/hook",
        "http://2130706433/hook",  # 127.0.0.1 written as a number
    ],
)
def test_addresses_on_this_network_are_refused_with_a_translated_422(world, as_role, url):
    client = as_role("facilitator")
    response = _add(client, world, url, headers={"Accept-Language": "de"})
    assert response.status_code == 422
    assert "lokale, private oder reservierte Adresse" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Webhook.id))) == 0


@pytest.mark.parametrize(
    "url", ["ftp://example.org/hook", "javascript:alert(1)", "http://user:pw@example.org/", "hook"]
)
def test_other_schemes_and_bad_urls_are_refused(world, as_role, url):
    response = _add(as_role("facilitator"), world, url)
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count(Webhook.id))) == 0


def test_the_form_fragment_comes_back_for_htmx_with_the_error(world, as_role):
    client = as_role("facilitator", htmx=True)
    response = _add(client, world, "http://127.0.0.1/", events=())
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (
        html.lstrip().startswith('<section id="webhook-new"') and "Choose at least one kind of event." in html
    )


def test_an_address_that_became_private_is_refused_at_delivery_time(app, world, receiver):
    """A name that resolved to a public address when the form was sent may point here later
    (DNS rebinding): each delivery resolves and checks again, and sends nothing."""
    hook = webhooks.create_webhook(
        world.partnership, url=receiver.url, events=["card.created"], actor=world.users["facilitator"]
    )
    db.session.commit()
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = False
    factories.card(world.partnership, "Sneaky", actor=world.users["member"])
    db.session.commit()
    assert receiver.received == []
    delivery = db.session.scalars(db.select(WebhookDelivery)).one()
    assert delivery.attempts == 1 and delivery.tries[0].error == "blocked"
    assert hook.id == delivery.webhook_id


@pytest.mark.parametrize(
    "address, public",
    [
        ("8.8.8.8", True),
        ("2a00:1450:4001:80b::200e", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),  # noqa: S104 - an address to refuse, not to bind
        ("224.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fc00::1", False),
        ("::ffff:10.0.0.1", False),
        ("64:ff9b::7f00:1", False),
        ("2002:7f00:1::", False),
    ],
)
def test_which_addresses_count_as_public(address, public):
    assert webhooks.is_public(address) is public


def test_members_and_observers_cannot_see_webhooks_nor_their_secrets(world, as_role):
    """(Every webhook route for every role: tests/views/routes/webhooks.py.)"""
    for role in ("member", "observer"):
        assert as_role(role).get(f"/p/{world.partnership.id}/webhooks/").status_code == 403
    assert as_role("outsider").get(f"/p/{world.partnership.id}/webhooks/").status_code == 404
    board = as_role("member").get(f"/p/{world.partnership.id}/members/").get_data(as_text=True)
    assert "/webhooks/" not in board


def test_a_facilitator_changes_renews_the_secret_of_and_deletes_a_webhook(app, world, as_role, receiver):
    hook = webhooks.create_webhook(
        world.partnership, url=receiver.url, events=["card.created"], actor=world.users["facilitator"]
    )
    db.session.commit()
    old_secret, base = hook.secret, f"/p/{world.partnership.id}/webhooks/{hook.id}"
    client = as_role("facilitator", htmx=True)

    app.config["WEBHOOKS_ALLOW_PRIVATE"] = False
    refused = client.post(base, data={"url": "http://169.254.169.254/", "events": ["card.moved"]})
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    assert refused.status_code == 422 and refused.get_data(as_text=True).lstrip().startswith(
        '<div id="webhook-settings"'
    )
    db.session.expire_all()
    assert hook.url == receiver.url and hook.events == ["card.created"]  # nothing changed

    saved = client.post(base, data={"url": receiver.url, "events": ["card.moved", "sprint.started"]})
    assert saved.status_code == 204 and saved.headers["HX-Location"] == base
    db.session.expire_all()
    assert hook.events == ["card.moved", "sprint.started"]

    assert client.post(f"{base}/secret").status_code == 204
    db.session.expire_all()
    assert hook.secret != old_secret and hook.secret.startswith("whsec_")

    assert client.post(f"{base}/delete").status_code == 204
    assert db.session.scalar(db.select(db.func.count(Webhook.id))) == 0
    log = as_role("facilitator").get(f"/p/{world.partnership.id}/activity").get_data(as_text=True)
    assert "deleted the webhook to 127.0.0.1" in log


def test_a_redirect_is_not_followed_and_counts_as_a_failure(world, receiver):
    """(Following it could lead a delivery to an address the checks refuse.)"""
    hook = webhooks.create_webhook(
        world.partnership, url=receiver.url, events=["card.created"], actor=world.users["facilitator"]
    )
    db.session.commit()
    receiver.secret = hook.secret
    receiver.answers = [302]
    factories.card(world.partnership, "Elsewhere", actor=world.users["member"])
    db.session.commit()
    delivery = db.session.scalars(db.select(WebhookDelivery)).one()
    assert len(receiver.received) == 1
    assert delivery.status == "retrying" and delivery.tries[0].status_code == 302
    db.session.expire_all()
    assert hook.failures == 1


def test_a_move_on_the_board_reaches_a_webhook_listening_for_moves(world, as_role, receiver):
    hook = webhooks.create_webhook(
        world.partnership, url=receiver.url, events=["card.moved"], actor=world.users["facilitator"]
    )
    card = factories.card(world.partnership, "Moved by hand", actor=world.users["member"])
    db.session.commit()
    receiver.secret = hook.secret
    url, target = f"/p/{world.partnership.id}/cards/{card.id}/move", board.columns_of(world.partnership)[2]
    r = as_role("member", htmx=True).post(
        url, data={"column": target.id}, headers={"X-Request-Key": "k" * 22}
    )
    assert r.status_code == 200
    assert [(got["event"], got["json"]["data"]["title"], got["signed"]) for got in receiver.received] == [
        ("card.moved", "Moved by hand", True)
    ]


def test_a_webhook_added_after_its_partnership_was_read_hears_the_changes_that_follow(app, world, receiver):
    """A partnership read without a listening webhook lets its changes skip looking for one
    (one statement less on every write), unless a webhook is added or switched on meanwhile."""
    facilitator = world.users["facilitator"]
    with app.test_request_context("/"):
        login_user(facilitator)
        partnership = access.get_partnership_or_404(world.partnership.id)  # no webhook yet
        hook = webhooks.create_webhook(
            partnership, url=receiver.url, events=["card.created"], actor=facilitator
        )
        receiver.secret = hook.secret
        factories.card(partnership, "Heard at once", actor=facilitator)
        db.session.commit()
    assert [got["json"]["data"]["title"] for got in receiver.received] == ["Heard at once"]
