"""Sending webhook deliveries: claimed by one worker (as the mail outbox is), POSTed signed,
retried with exponential back-off, given up after WEBHOOK_MAX_ATTEMPTS tries; a webhook that
failed WEBHOOK_MAX_FAILURES times in a row is switched off and its facilitators are told.

Signature: `X-Sprintboard-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with
the webhook's secret as key; receivers should refuse old timestamps (replays).

The host is resolved again for every try and every address checked (services/webhooks.resolve);
the connection then goes to one of exactly those addresses, so a DNS answer that changes
between the check and the connection (rebinding) cannot reach this network. Redirects are
not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import logging
import socket
import ssl
import time
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Membership, Webhook, WebhookAttempt, WebhookDelivery
from ..models.base import utcnow
from . import notifications, webhooks

log = logging.getLogger(__name__)

BATCH = 20
LEASE = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=6)
USER_AGENT = "Sprintboard-Webhooks/1"
READ_MAX = 64 * 1024  # of a receiver's answer: read (to keep the connection sane), never kept


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<timestamp>.<body>" keyed with `secret`."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed try: WEBHOOK_RETRY_SECONDS, doubled each time, at most 6 h."""
    base = current_app.config.get("WEBHOOK_RETRY_SECONDS", 30)
    return min(timedelta(seconds=base * 2 ** (attempts - 1)), BACKOFF_MAX)


def _due(table, webhook, now):
    return (
        table.delivered_at.is_(None),
        table.failed_at.is_(None),
        or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
        or_(table.claimed_until.is_(None), table.claimed_until < now),
        table.webhook_id.in_(select(webhook.id).where(webhook.disabled_at.is_(None))),
    )


def claim(limit: int = BATCH, now=None) -> tuple[str, list[WebhookDelivery]]:
    """Claim up to `limit` due deliveries of enabled webhooks (committed)."""
    now = now or utcnow()
    token = uuid.uuid4().hex
    pick = aliased(WebhookDelivery)
    ids = select(pick.id).where(*_due(pick, aliased(Webhook), now)).order_by(pick.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        ids = ids.with_for_update(of=pick, skip_locked=True)
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids.scalar_subquery()), *_due(WebhookDelivery, Webhook, now))
        .values(claim=token, claimed_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.claim == token)
        .options(db.joinedload(WebhookDelivery.webhook))
        .order_by(WebhookDelivery.id)
    )
    return token, list(db.session.scalars(query))


def deliver_due(now=None) -> int:
    """Claim and send due deliveries until none are left; returns how many arrived."""
    arrived = 0
    while True:
        token, deliveries = claim(now=now)
        if not deliveries:
            return arrived
        for delivery in deliveries:
            arrived += deliver(token, delivery, now=now)
            db.session.commit()  # each result is kept at once


def deliver(token: str, delivery: WebhookDelivery, now=None) -> bool:
    """One try of `delivery`; records it, schedules the next try or gives up."""
    webhook = delivery.webhook
    if webhook.disabled_at is not None:  # switched off after the claim: wait for "re-enable"
        _release(token, delivery)
        return False
    now = now or utcnow()  # when this try started: the log's time, and the back-off's start
    started = time.monotonic()
    status, error = post(webhook, delivery)
    took = int((time.monotonic() - started) * 1000)
    number = delivery.attempts + 1
    db.session.add(
        WebhookAttempt(
            delivery_id=delivery.id, at=now, number=number, status_code=status, error=error, duration_ms=took
        )
    )
    ok = status is not None and 200 <= status < 300
    if ok:
        values = {"delivered_at": now, "next_attempt_at": None}
    else:
        give_up = number >= current_app.config.get("WEBHOOK_MAX_ATTEMPTS", 8)
        values = {
            "next_attempt_at": None if give_up else now + backoff(number),
            "failed_at": now if give_up else None,
        }
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery.id, WebhookDelivery.claim == token)
        .values(attempts=number, claim=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    if ok:
        db.session.execute(
            update(Webhook)
            .where(Webhook.id == webhook.id)
            .values(failures=0)
            .execution_options(synchronize_session=False)
        )
    else:
        log.warning(
            "webhook #%s delivery %s failed (try %s): %s", webhook.id, delivery.uid, number, error or status
        )
        _count_failure(webhook, now)
    return ok


def _release(token: str, delivery: WebhookDelivery) -> None:
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery.id, WebhookDelivery.claim == token)
        .values(claim=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )


def _count_failure(webhook: Webhook, now) -> None:
    """One more failure in a row; at WEBHOOK_MAX_FAILURES the webhook is switched off (once)."""
    db.session.execute(
        update(Webhook)
        .where(Webhook.id == webhook.id)
        .values(failures=Webhook.failures + 1)
        .execution_options(synchronize_session=False)
    )
    limit = current_app.config.get("WEBHOOK_MAX_FAILURES", 10)
    switched = db.session.execute(
        update(Webhook)
        .where(Webhook.id == webhook.id, Webhook.disabled_at.is_(None), Webhook.failures >= limit)
        .values(disabled_at=now)
        .execution_options(synchronize_session=False)
    )
    if switched.rowcount == 1:  # this worker switched it off: it alone tells the facilitators
        db.session.refresh(webhook)
        _tell_facilitators(webhook)


def _tell_facilitators(webhook: Webhook) -> None:
    from ..links import path_for

    partnership = webhook.partnership
    people = db.session.scalars(
        select(Membership.user_id).where(
            Membership.partnership_id == partnership.id, Membership.role == "facilitator"
        )
    ).all()
    notifications.notify(
        people,
        "webhook",
        f"webhook.disabled:{webhook.id}:{webhook.disabled_at:%Y%m%d%H%M%S}",
        actor=None,
        partnership=partnership,
        path=path_for("webhooks.show", pid=partnership.id, wid=webhook.id),
        data={"host": webhooks.split_url(webhook.url)[1], "failures": webhook.failures},
    )


# HTTP ---------------------------------------------------------------------------------------


def post(webhook: Webhook, delivery: WebhookDelivery) -> tuple[int | None, str | None]:
    """POST the delivery: (status code, None) when the receiver answered, else (None, error code)."""
    try:
        scheme, host, port, path = webhooks.split_url(webhook.url)
        addresses = webhooks.resolve(host, port)  # checked again: the DNS answer may have changed
    except webhooks.UrlRefused as refused:
        return None, refused.code
    body = delivery.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Sprintboard-Event": delivery.event,
        "X-Sprintboard-Delivery": delivery.uid,
        "X-Sprintboard-Signature": f"t={timestamp},v1={sign(webhook.secret, timestamp, body)}",
    }
    timeout = current_app.config.get("WEBHOOK_TIMEOUT", 10)
    connection = _connection(scheme, host, port, addresses, timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(READ_MAX)
        return response.status, None
    except TimeoutError:
        return None, "timeout"
    except ssl.SSLError:
        return None, "tls"
    except ConnectionRefusedError:
        return None, "connection_refused"
    except (OSError, http.client.HTTPException):
        return None, "connection"
    finally:
        connection.close()


def _connection(scheme, host, port, addresses, timeout):
    """An HTTP(S) connection to `host` that connects only to the checked `addresses`."""
    if scheme == "https":
        connection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)

    def connect_checked(_address, timeout=timeout, source_address=None):
        error = None
        for address in addresses:
            try:
                return socket.create_connection((address, port), timeout, source_address)
            except OSError as e:
                error = e
        raise error or OSError("no address")

    connection._create_connection = connect_checked  # (http.client's hook; TLS still checks `host`)
    return connection
