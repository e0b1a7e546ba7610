"""Webhooks of a partnership: facilitators choose a URL and event kinds; each change of those
kinds is POSTed there, signed with the webhook's secret (services/webhook_delivery.py sends).

Deliveries are made from the Activity log: activity.log() hands each row to `queue_activity`;
when the rows are flushed, one WebhookDelivery per matching webhook is written in the same
transaction (its JSON body fixed then), and the worker is nudged once the change commits. A
rolled-back change therefore sends nothing.

Server-side request forgery: only http(s) URLs whose host resolves to public addresses only
(every address is checked, here and again at each delivery, so a DNS answer changed in between
cannot point a delivery at this network) unless WEBHOOKS_ALLOW_PRIVATE is set.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import secrets
import socket
import uuid
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, insert, select
from sqlalchemy import event as sa_event

from ..extensions import db
from ..models import EVENT_OF_VERB, WEBHOOK_EVENTS, Webhook, WebhookAttempt, WebhookDelivery
from ..models.base import utcnow
from ..queue import queue as task_queue
from . import DomainError
from .activity import describes, listens, log

URL_MAX = 2000
WEBHOOKS_MAX = 10  # per partnership
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, recognisable in a leaked file
LOG_SIZE = 100


class UrlRefused(DomainError):
    """The URL may not be called: `code` says why ("invalid", "dns" or "blocked")."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.code = code


# Managing ----------------------------------------------------------------------------------


def webhooks_of(partnership) -> list[Webhook]:
    return list(
        db.session.scalars(
            select(Webhook).where(Webhook.partnership_id == partnership.id).order_by(Webhook.id)
        )
    )


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _events(events) -> list[str]:
    chosen = [e for e in WEBHOOK_EVENTS if e in set(events or ())]
    if not chosen or len(chosen) != len(set(events)):
        raise DomainError(_("Choose at least one kind of event."))
    return chosen


def create_webhook(partnership, *, url: str, events, actor) -> Webhook:
    """A new webhook of `partnership` with a fresh secret."""
    if len(webhooks_of(partnership)) >= WEBHOOKS_MAX:
        raise DomainError(_("A partnership can have at most %(n)d webhooks.", n=WEBHOOKS_MAX))
    url = check_url(url)
    webhook = Webhook(
        partnership=partnership,
        url=url,
        secret=new_secret(),
        events=_events(events),
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(webhook)
    db.session.flush()
    _forget_without_hooks(partnership.id)
    log(actor, "webhook.created", webhook, partnership=partnership, host=_host(url))
    return webhook


def update_webhook(webhook: Webhook, *, url: str, events, actor) -> None:
    webhook.url = check_url(url)
    webhook.events = _events(events)
    log(actor, "webhook.updated", webhook, partnership=webhook.partnership, host=_host(webhook.url))


def renew_secret(webhook: Webhook, *, actor) -> None:
    """A new secret (the old one stops signing at once)."""
    webhook.secret = new_secret()
    log(actor, "webhook.secret_renewed", webhook, partnership=webhook.partnership, host=_host(webhook.url))


def enable_webhook(webhook: Webhook, *, actor) -> None:
    """Switch a disabled webhook back on: deliveries that were waiting go out again."""
    webhook.disabled_at = None
    webhook.failures = 0
    _forget_without_hooks(webhook.partnership_id)
    log(actor, "webhook.enabled", webhook, partnership=webhook.partnership, host=_host(webhook.url))
    task_queue.after_commit("webhooks.deliver")  # sprintboard/tasks.py


def delete_webhook(webhook: Webhook, *, actor) -> None:
    log(actor, "webhook.deleted", webhook, partnership=webhook.partnership, host=_host(webhook.url))
    db.session.delete(webhook)


def delivery_log(webhook: Webhook, limit: int = LOG_SIZE) -> list[WebhookAttempt]:
    """The latest tries of the webhook's deliveries, newest first."""
    query = (
        select(WebhookAttempt)
        .join(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook.id)
        .options(db.contains_eager(WebhookAttempt.delivery))
        .order_by(WebhookAttempt.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def waiting(webhook: Webhook) -> int:
    """How many deliveries have not gone out yet (nor been given up)."""
    query = select(db.func.count(WebhookDelivery.id)).where(
        WebhookDelivery.webhook_id == webhook.id,
        WebhookDelivery.delivered_at.is_(None),
        WebhookDelivery.failed_at.is_(None),
    )
    return db.session.scalar(query) or 0


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


# Which URLs may be called ------------------------------------------------------------------


def check_url(url: str) -> str:
    """The URL, tidied, if a webhook may call it; UrlRefused (422) otherwise."""
    url = (url or "").strip()
    if not url or len(url) > URL_MAX:
        raise UrlRefused(_("Enter a URL of at most %(n)d characters.", n=URL_MAX))
    host, port = _host_and_port(url)
    resolve(host, port)
    return url


def _host_and_port(url: str) -> tuple[str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused(_("This is not a valid URL.")) from None
    if parts.scheme not in ("http", "https"):
        raise UrlRefused(_("Only http:// and https:// URLs can receive webhooks."))
    if not parts.hostname:
        raise UrlRefused(_("This is not a valid URL."))
    if parts.username is not None or parts.password is not None:
        raise UrlRefused(_("Put no user name or password in the URL: the secret signs each delivery."))
    if any(ch.isspace() for ch in url):
        raise UrlRefused(_("This is not a valid URL."))
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int) -> list[str]:
    """The addresses of `host`, all of them allowed; UrlRefused otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UrlRefused(_("The host %(host)s could not be found.", host=host), "dns") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UrlRefused(_("The host %(host)s could not be found.", host=host), "dns")
    if not current_app.config.get("WEBHOOKS_ALLOW_PRIVATE"):
        for address in addresses:
            if not is_public(address):
                raise UrlRefused(
                    _(
                        "Webhooks cannot be sent to %(host)s: it is a local, private or reserved address.",
                        host=host,
                    ),
                    "blocked",
                )
    return addresses


def is_public(address: str) -> bool:
    """Is `address` on the public internet (not loopback, private, link-local, reserved …)?"""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in ipaddress.ip_network("64:ff9b::/96"):  # NAT64
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public(str(embedded)):
            return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback)


def split_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a stored webhook URL."""
    host, port = _host_and_port(url)
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, host, port, path


# From the Activity log to deliveries ---------------------------------------------------------


@listens
def queue_activity(activity, *, actor=None, partnership=None) -> None:
    """Called by activity.log() for every row: kinds a webhook can hear wait for the flush."""
    if activity.partnership_id is None or activity.verb not in EVENT_OF_VERB:
        return
    who = {"id": actor.id, "name": actor.name} if getattr(actor, "id", None) is not None else None
    where = {"id": activity.partnership_id, "name": getattr(partnership, "name", None)}
    db.session.info.setdefault("webhook_added", []).append((activity, who, where))


_WITHOUT = "webhooks_none"  # session.info: partnerships read without a listening webhook


@functools.cache
def none_of():
    """Whether the partnership in the parameter "pid" has no webhook listening, as a column
    another query reads in the same round trip (access reads it with the partnership): see
    known_without_hooks."""
    table = Webhook.__table__
    return ~exists().where(table.c.partnership_id == bindparam("pid"), table.c.disabled_at.is_(None))


def known_without_hooks(partnership_id: int) -> None:
    """The partnership was read without a listening webhook in this transaction: its changes
    need not look for one when they are flushed (one statement less on every write). Adding or
    enabling a webhook, the commit and a rollback forget it."""
    db.session.info.setdefault(_WITHOUT, set()).add(partnership_id)


def _forget_without_hooks(partnership_id: int) -> None:
    db.session.info.get(_WITHOUT, set()).discard(partnership_id)


@functools.cache
def _hooks_statement():
    # (built once: every change asks; building and keying a statement costs more than the query)
    table = Webhook.__table__
    return select(table.c.id, table.c.partnership_id, table.c.events).where(
        table.c.partnership_id.in_(bindparam("ids", expanding=True)), table.c.disabled_at.is_(None)
    )


def _after_flush_postexec(session, _context) -> None:
    added = session.info.pop("webhook_added", None)
    if not added:
        return
    ready = [(a, who, where) for a, who, where in added if a.id is not None]
    later = [(a, who, where) for a, who, where in added if a.id is None]
    if later:  # not flushed yet (added after this flush started)
        session.info["webhook_added"] = later
    if not ready:
        return
    partnership_ids = {a.partnership_id for a, _who, _where in ready} - session.info.get(_WITHOUT, set())
    if not partnership_ids:
        return
    connection = session.connection()  # (Core: the ORM is in the middle of its flush)
    hooks = connection.execute(_hooks_statement(), {"ids": list(partnership_ids)}).all()
    if not hooks:
        return
    rows = []
    for activity, who, where in ready:
        kind = EVENT_OF_VERB[activity.verb]
        for hook_id, partnership_id, events in hooks:
            if partnership_id != activity.partnership_id or kind not in (events or ()):
                continue
            uid = str(uuid.uuid4())
            rows.append(
                {
                    "webhook_id": hook_id,
                    "uid": uid,
                    "event": kind,
                    "body": payload(uid, kind, activity, who, where),
                    "created_at": utcnow(),
                    "attempts": 0,
                }
            )
    if rows:
        connection.execute(insert(WebhookDelivery.__table__), rows)
        session.info.setdefault("queue_after_commit", {})[("webhooks.deliver", ())] = task_queue.tasks[
            "webhooks.deliver"
        ]


def payload(uid: str, kind: str, activity, who, where) -> str:
    """The JSON body of one delivery."""
    data = {k: v for k, v in (activity.data or {}).items() if k != "tab"}
    when = activity.created_at or utcnow()
    return json.dumps(
        {
            "id": uid,
            "event": kind,
            "action": activity.verb,
            "occurred_at": when.replace(microsecond=0).isoformat() + "Z",
            "partnership": where,
            "actor": who,
            "subject": {"type": activity.subject_type, "id": activity.subject_id},
            "activity_id": activity.id,
            "data": data,
        },
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


_hooked = False


def install() -> None:
    """Hook the deliveries into db.session (idempotent)."""
    global _hooked
    if _hooked:
        return
    sa_event.listen(db.session.session_factory, "after_flush_postexec", _after_flush_postexec)
    sa_event.listen(db.session.session_factory, "after_rollback", _after_rollback)
    sa_event.listen(db.session.session_factory, "after_commit", _after_commit)
    _hooked = True


def _after_rollback(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop("webhook_added", None)
        session.info.pop(_WITHOUT, None)


def _after_commit(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_WITHOUT, None)


# The activity log's sentences ----------------------------------------------------------------


@describes("webhook.created")
def _created(d, who):
    return _("%(who)s added a webhook to %(host)s", who=who, host=d.get("host", ""))


@describes("webhook.updated")
def _updated(d, who):
    return _("%(who)s changed the webhook to %(host)s", who=who, host=d.get("host", ""))


@describes("webhook.secret_renewed")
def _secret_renewed(d, who):
    return _("%(who)s renewed the secret of the webhook to %(host)s", who=who, host=d.get("host", ""))


@describes("webhook.enabled")
def _enabled(d, who):
    return _("%(who)s switched the webhook to %(host)s back on", who=who, host=d.get("host", ""))


@describes("webhook.deleted")
def _deleted(d, who):
    return _("%(who)s deleted the webhook to %(host)s", who=who, host=d.get("host", ""))
