"""Writing emails: every message goes into the outbox (in the transaction of the change that
causes it); the worker sends it (services/outbox.py). Nothing here talks to an SMTP server.

`queue` takes a finished message; `render` makes the plain-text and HTML parts from
templates/mail/<name>.txt and .html in the recipient's language.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale

from ..extensions import db
from ..i18n import DEFAULT, LANGUAGES
from ..models import Outbox
from ..queue import queue as task_queue

PRIVATE = "_private"  # (headers starting with "_" are notes for us, never sent)

PRIVATE = "_private"  # (headers starting with "_" are notes for us, never sent)


def queue(
    recipient: str, subject: str, body: str, *, html: str | None = None, headers=None, private=False
) -> Outbox:
    """Put a message into the outbox; the worker is nudged once the transaction commits.
    Without `html`, the text is also sent as simple HTML (paragraphs, links). `private`: it
    holds a password link, so the admin page hides it and it is blanked once sent."""
    if html is None:
        html = render_template("mail/message.html", text=body, subject=subject)
    headers = dict(headers or {})
    if private:
        headers[PRIVATE] = "1"
    message = Outbox(
        recipient=recipient, subject=subject[:250], body=body, html=html, headers=headers or None
    )
    db.session.add(message)
    db.session.flush()
    task_queue.after_commit("mail.deliver")  # sprintboard/tasks.py
    return message


def locale_of(user) -> str:
    locale = getattr(user, "locale", None)
    return locale if locale in LANGUAGES else DEFAULT


def render(name: str, *, locale: str, **context) -> tuple[str, str]:
    """(text, html) of templates/mail/<name>.txt/.html in `locale`."""
    with force_locale(locale):
        text = render_template(f"mail/{name}.txt", locale=locale, **context)
        html = render_template(f"mail/{name}.html", locale=locale, **context)
    return text.strip() + "\n", html
