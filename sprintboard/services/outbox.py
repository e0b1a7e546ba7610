"""Sending the outbox: workers claim due messages before sending, so two workers never send one
message twice; a failure is retried with back-off and marked failed after MAIL_MAX_ATTEMPTS.

A claim is one statement: PostgreSQL picks rows with `FOR UPDATE SKIP LOCKED` (a second worker
skips them instead of waiting), SQLite's single writer makes the `UPDATE … WHERE id IN (…)`
atomic. A claim is a lease: if a worker dies mid-send, another takes the message over after
LEASE (it may then go out twice; never zero times).
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import aliased

from ..extensions import db
from ..models import Outbox
from ..models.base import utcnow
from ..queue import queue as task_queue

log = logging.getLogger(__name__)

BATCH = 50
LEASE = timedelta(minutes=10)
# Wait after the n-th failed try: 1 min, 5 min, 30 min, 2 h, 6 h …
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
BACKOFF_MAX = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    return BACKOFF[attempts - 1] if attempts <= len(BACKOFF) else BACKOFF_MAX


def _due(table, now):
    return (
        table.sent_at.is_(None),
        table.failed_at.is_(None),
        or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
        or_(table.claimed_until.is_(None), table.claimed_until < now),
    )


def claim(limit: int = BATCH) -> tuple[str, list[Outbox]]:
    """Claim up to `limit` due messages for this worker (committed); returns (claim, messages)."""
    now = utcnow()
    token = uuid.uuid4().hex
    pick = aliased(Outbox)  # (not correlated with the UPDATE's own table)
    ids = select(pick.id).where(*_due(pick, now)).order_by(pick.id).limit(limit)
    if db.engine.dialect.name == "postgresql":
        ids = ids.with_for_update(skip_locked=True)
    db.session.execute(
        update(Outbox)
        .where(Outbox.id.in_(ids.scalar_subquery()), *_due(Outbox, now))
        .values(claim=token, claimed_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    messages = db.session.scalars(select(Outbox).where(Outbox.claim == token).order_by(Outbox.id)).all()
    return token, list(messages)


def deliver_due() -> int:
    """Claim and send due messages until none are left; returns how many were sent."""
    if not current_app.config.get("MAIL_SERVER"):
        return 0  # they wait in the outbox (the admin page shows them, inviters see the links)
    sent = 0
    while True:
        token, messages = claim()
        if not messages:
            return sent
        sent += _send_batch(token, messages)


def _send_batch(token: str, messages: list[Outbox]) -> int:
    config = current_app.config
    sent = 0
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            _failed(token, message, error)
        db.session.commit()
        return 0
    try:
        for message in messages:
            try:
                smtp.send_message(build(config, message))
            except (OSError, smtplib.SMTPException) as error:
                _failed(token, message, error)
                if isinstance(error, OSError | smtplib.SMTPServerDisconnected):
                    break  # the connection is gone; the rest keep their claim until the lease ends
            else:
                _sent(token, message)
                sent += 1
            db.session.commit()  # each result is kept at once, whatever happens next
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
    # Messages left claimed after a broken connection are released for the next round.
    db.session.execute(
        update(Outbox)
        .where(Outbox.claim == token, Outbox.sent_at.is_(None))
        .values(claim=None, claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return sent


def _connect(config) -> smtplib.SMTP:
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10)
    if config["MAIL_USE_TLS"]:
        smtp.starttls()
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def _sent(token: str, message: Outbox) -> None:
    values = {"sent_at": utcnow(), "error": None, "claim": None, "claimed_until": None}
    if is_private(message):  # a password link has no business staying in the database
        values.update(body="", html=None)
    db.session.execute(
        update(Outbox)
        .where(Outbox.id == message.id, Outbox.claim == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def is_private(message: Outbox) -> bool:
    return bool((message.headers or {}).get("_private"))


def _failed(token: str, message: Outbox, error: Exception) -> None:
    """Count the try; retry later with back-off, or give up after MAIL_MAX_ATTEMPTS."""
    attempts = message.attempts + 1
    now = utcnow()
    # The class and the server's reply code: never the password or the whole conversation.
    text = type(error).__name__
    if isinstance(error, smtplib.SMTPResponseException):
        text += f" {error.smtp_code}"
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _msg in error.recipients.values()})
        text += " " + " ".join(str(c) for c in codes)
    give_up = attempts >= current_app.config.get("MAIL_MAX_ATTEMPTS", 6)
    db.session.execute(
        update(Outbox)
        .where(Outbox.id == message.id, Outbox.claim == token)
        .values(
            attempts=attempts,
            error=text[:500],
            claim=None,
            claimed_until=None,
            next_attempt_at=None if give_up else now + backoff(attempts),
            failed_at=now if give_up else None,
        )
        .execution_options(synchronize_session=False)
    )
    log.warning("mail #%s not sent (try %s): %s", message.id, attempts, text)


def retry(message: Outbox) -> None:
    """An administrator sends a failed message again (a fresh round of tries)."""
    message.failed_at = None
    message.attempts = 0
    message.next_attempt_at = None
    task_queue.after_commit("mail.deliver")  # sprintboard/tasks.py


def build(config, message: Outbox) -> EmailMessage:
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}", domain=_domain(config))
    email["Auto-Submitted"] = "auto-generated"
    for name, value in (message.headers or {}).items():
        if not name.startswith("_"):
            email[name] = value
    email.set_content(message.body)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    return email


def _domain(config) -> str:
    sender = config.get("MAIL_FROM") or "sprintboard@localhost"
    return sender.rsplit("@", 1)[-1].strip("> ") or "localhost"


def recent(limit: int = 200) -> list[Outbox]:
    return list(db.session.scalars(select(Outbox).order_by(Outbox.id.desc()).limit(limit)))
