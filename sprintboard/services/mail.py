"""Outgoing email: every message goes to the outbox; SMTP sends it when configured."""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, g, has_request_context

from ..extensions import db
from ..models import Outbox
from ..models.base import utcnow

log = logging.getLogger(__name__)


def queue(recipient: str, subject: str, body: str) -> Outbox:
    message = Outbox(recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    db.session.flush()
    if has_request_context():
        g.mail_queued = True  # sent after the response is ready (send_after_request)
    return message


def send_after_request(response):
    """after_request: deliver what this request queued, once its transaction is committed."""
    if g.pop("mail_queued", False) and current_app.config.get("MAIL_SERVER") and response.status_code < 400:
        try:
            send_pending()
        except Exception:  # the change itself is committed; the mail waits in the outbox
            log.exception("sending the outbox failed")
            db.session.rollback()
    return response


def recent_outbox(limit: int = 200) -> list[Outbox]:
    """The newest outbox messages, for the admin page."""
    return list(db.session.scalars(db.select(Outbox).order_by(Outbox.id.desc()).limit(limit)))


def send_pending() -> int:
    """Send unsent outbox messages over SMTP (if configured); returns how many were sent."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0
    pending = db.session.scalars(db.select(Outbox).where(Outbox.sent_at.is_(None))).all()
    sent = 0
    for message in pending:
        try:
            _send(config, message)
        except (OSError, smtplib.SMTPException) as exc:
            # The message stays in the outbox; the error text never contains the password.
            message.error = type(exc).__name__[:500]
            log.warning("mail to outbox #%s not sent: %s", message.id, type(exc).__name__)
            continue
        message.sent_at = utcnow()
        message.error = None
        sent += 1
    db.session.commit()
    return sent


def _send(config, message: Outbox) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)
