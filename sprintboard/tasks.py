"""The app's background tasks (run by `sprintboard worker`; see sprintboard/queue).

Areas add theirs here, or in their own module imported from here, so the worker registers them.
"""

from __future__ import annotations

from .queue import crontab, queue


@queue.task(name="mail.deliver")
def deliver_mail() -> int:
    """Send what is due in the outbox (nudged after every commit that queued mail)."""
    from .services import outbox

    return outbox.deliver_due()


@queue.periodic(crontab(minute="*"), name="mail.sweep")
def sweep_mail() -> int:
    """Every minute: retries whose back-off is over, and anything a lost nudge left behind."""
    from .services import outbox

    return outbox.deliver_due()


@queue.periodic(crontab(minute="*/15"), name="notifications.daily")
def daily_mail() -> tuple[int, int]:
    """Every 15 minutes: reminders and digests of everyone whose chosen hour has come."""
    from .extensions import db
    from .services import digests, reminders

    created = reminders.create_due()
    db.session.commit()
    return created, digests.send_due()


@queue.periodic(crontab(minute="30", hour="2"), name="backups.nightly")
def nightly_backup() -> str | None:
    """At 02:30 UTC, with BACKUP_NIGHTLY=1: a snapshot into BACKUP_DIR (see services/snapshots)."""
    from flask import current_app

    from .services import snapshots

    if not current_app.config.get("BACKUP_NIGHTLY"):
        return None
    return str(snapshots.backup())


@queue.task(name="translations.machine")
def machine_translate(row_ids) -> int:
    """Ask the machine-translation server for the pending translations `row_ids` (it can be slow)."""
    from .extensions import db
    from .services import translations

    done = translations.run_machine(row_ids)
    db.session.commit()
    return done


@queue.periodic(crontab(minute="7", hour="3"), name="accounts.purge")
def purge_accounts() -> None:
    """Nightly: expired login sessions and password reset links."""
    from datetime import timedelta

    from .extensions import db
    from .services import accounts, passwords

    accounts.purge_expired_sessions(timedelta(days=1))
    passwords.purge_expired()
    db.session.commit()


@queue.periodic(crontab(minute="23"), name="request_keys.purge")
def purge_request_keys() -> int:
    """Hourly: answers kept for request keys that are more than a day old."""
    from .extensions import db
    from .services import request_keys

    purged = request_keys.purge_expired()
    db.session.commit()
    return purged


@queue.periodic(crontab(minute="41"), name="undo.purge")
def purge_undo() -> int:
    """Hourly: undo offers expired more than an hour ago (kept that long only to answer "too late")."""
    from .extensions import db
    from .services import undo

    purged = undo.purge_expired()
    db.session.commit()
    return purged


@queue.task(name="webhooks.deliver")
def deliver_webhooks() -> int:
    """Send the webhook deliveries that are due (nudged after every commit that made some)."""
    from .services import webhook_delivery

    return webhook_delivery.deliver_due()


@queue.periodic(crontab(minute="*"), name="webhooks.sweep")
def sweep_webhooks() -> int:
    """Every minute: retries whose back-off is over, and anything a lost nudge left behind."""
    from .services import webhook_delivery

    return webhook_delivery.deliver_due()
