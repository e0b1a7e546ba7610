"""The daily digest: once a day, at each person's chosen hour in their time zone, one email with
what happened on the things they watch since their last digest (nothing new: no email).

The worker calls `send_due` every 15 minutes. A person's day is claimed with one conditional
UPDATE (digest_sent_on < today) before anything is sent, so two workers, or a run that repeats,
never send a day's digest twice. Daylight saving time is the zone's business: "8 o'clock" is
whatever 8 o'clock is in Europe/Berlin on that date.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from .. import links, timezones
from ..extensions import db
from ..models import Membership, Notification, User
from ..models.base import utcnow
from . import mail, notifications, unsubscribe


def _claim(user: User, today: date) -> bool:
    """Take `today`'s digest of `user` for this run (committed); False if it was taken."""
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.digest_sent_on.is_(None), User.digest_sent_on < today))
        .values(digest_sent_on=today)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def pending(user: User) -> list[Notification]:
    """The person's notifications waiting for the digest, of partnerships they can still see."""
    query = select(Notification).where(
        Notification.user_id == user.id, Notification.mail == "digest", Notification.mailed_at.is_(None)
    )
    if not user.is_admin:
        mine = select(Membership.partnership_id).where(Membership.user_id == user.id)
        query = query.where(Notification.partnership_id.is_(None) | Notification.partnership_id.in_(mine))
    return list(db.session.scalars(query.order_by(Notification.id)))


def send_due(now: datetime | None = None) -> int:
    """Send the digests whose hour has come; returns how many emails were queued (commits)."""
    now = now or utcnow()
    sent = 0
    # Everyone's day is claimed at their hour, with or without news: what arrives later that day
    # waits for tomorrow's digest instead of going out at some odd hour.
    for user in db.session.scalars(select(User).order_by(User.id)).all():
        local = timezones.user_now(user, now)
        if local.hour < user.digest_hour or (user.digest_sent_on and user.digest_sent_on >= local.date()):
            continue
        if not _claim(user, local.date()):
            continue
        items = pending(user)
        if items:
            send(user, items, local.date())
            sent += 1
        db.session.commit()
    return sent


def send(user: User, items: list[Notification], day: date) -> None:
    """Queue one digest email with `items`, grouped by partnership, and mark them sent."""
    locale = mail.locale_of(user)
    unsubscribe_url = unsubscribe.url(user, unsubscribe.DIGEST)
    with force_locale(locale):
        groups: dict[str, list[tuple[str, str, str]]] = {}
        for note in items:
            name = note.partnership.name if note.partnership is not None else ""
            when = timezones.format_local(note.created_at, user, "short", locale=locale)
            groups.setdefault(name, []).append(
                (notifications.describe(note), links.absolute(note.path), when)
            )
        from flask_babel import format_date

        subject = _("Your Sprintboard digest for %(date)s", date=format_date(day, "long"))
    text, html = mail.render(
        "digest",
        locale=locale,
        subject=subject,
        groups=groups,
        count=len(items),
        user=user,
        unsubscribe_url=unsubscribe_url,
        settings_url=links.external("notifications.settings"),
    )
    mail.queue(user.email, subject, text, html=html, headers=unsubscribe.headers(unsubscribe_url))
    stamp = utcnow()
    for note in items:
        note.mailed_at = stamp
