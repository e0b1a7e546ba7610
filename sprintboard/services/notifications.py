"""Notifications: written by the services in the transaction of the change that causes them,
one per event × person (`key`), never for the actor, never for someone without access.

Each person chooses per kind how email tells them (DEFAULT_MODES): at once (the message goes
into the outbox in the same transaction), in the daily digest (services/digests.py), or not at
all. The inbox shows everything; the bell in the header counts what is unread
(`User.unread_count`, kept here) and rises live on open boards (a "bell" event per person).
"""

from __future__ import annotations

from datetime import date, datetime

from babel import dates as babel_dates
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import links, timezones
from ..extensions import db
from ..live import hooks
from ..models import KINDS, MODES, Membership, Notification, Partnership, User
from ..models.base import utcnow
from ..models.notification import mode_for
from . import DomainError, mail, unsubscribe
from .activity import DESCRIPTIONS

KIND_LABELS = {
    "mention": _l("Someone mentions me"),
    "assigned": _l("I am assigned to a card"),
    "comment": _l("Comments on cards I watch"),
    "done": _l("A card I watch is done"),
    "sprint": _l("A sprint starts or closes"),
    "workshop": _l("Workshop in 7 days and tomorrow"),
    "funding": _l("Funding deadline in 14 and 3 days"),
    "due": _l("A card of mine is due tomorrow"),
    "webhook": _l("A webhook stops after repeated failures"),
    "toolbox": _l("My toolbox method proposal is reviewed"),
}
MODE_LABELS = {"now": _l("Immediately"), "digest": _l("In the daily digest"), "off": _l("Off")}
PAGE_SIZE = 50
EXCERPT = 300


# Settings ----------------------------------------------------------------------------------------


def save_settings(user: User, modes: dict[str, str], *, digest_hour: int) -> None:
    """The person's email choices and the hour (their time) of their daily digest."""
    if any(kind not in KINDS or mode not in MODES for kind, mode in modes.items()):
        raise DomainError(_("Unknown setting."))
    if not 0 <= digest_hour <= 23:
        raise DomainError(_("Choose an hour between 0 and 23."))
    user.mail_settings = {**(user.mail_settings or {}), **modes}
    user.digest_hour = digest_hour


# Writing ------------------------------------------------------------------------------------------


def with_access(user_ids: set[int], partnership: Partnership | None) -> set[int]:
    """Those of `user_ids` who may see the partnership now (members and administrators)."""
    if not user_ids or partnership is None:
        return set(user_ids)
    members = select(Membership.user_id).where(
        Membership.partnership_id == partnership.id, Membership.user_id.in_(user_ids)
    )
    admins = select(User.id).where(User.id.in_(user_ids), User.is_admin.is_(True))
    return set(db.session.scalars(members.union(admins)))


def notify(
    recipients, kind: str, key: str, *, actor, partnership, path: str, data: dict, card=None
) -> list[Notification]:
    """Tell each of `recipients` (users or ids) about one event, once; returns what was written."""
    ids = {r if isinstance(r, int) else r.id for r in recipients if r is not None}
    ids.discard(getattr(actor, "id", None))
    ids = with_access(ids, partnership)
    if ids:
        ids -= set(
            db.session.scalars(
                select(Notification.user_id).where(Notification.key == key, Notification.user_id.in_(ids))
            )
        )
    if not ids:
        return []
    users = db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)).all()
    data = {**data, "who": actor.name if actor is not None else data.get("who", "")}
    written = [
        Notification(
            user=user,
            partnership_id=partnership.id if partnership is not None else None,
            card_id=card.id if card is not None else None,
            actor_id=getattr(actor, "id", None),
            kind=kind,
            key=key,
            path=path,
            data=data,
            mail=mode_for(user, kind),
        )
        for user in users
    ]
    written = _insert(written)
    if not written:
        return []
    db.session.execute(
        update(User)
        .where(User.id.in_([n.user_id for n in written]))
        .values(unread_count=User.unread_count + 1)
        .execution_options(synchronize_session=False)
    )
    for note in written:
        db.session.expire(note.user, ["unread_count"])
        if note.mail == "now":
            send_now(note)
        hooks.queue_event({"k": "bell", "p": f"u{note.user_id}"})
    return written


def _insert(notes: list[Notification]) -> list[Notification]:
    """Insert; when a concurrent transaction wrote some of the same events, skip those."""
    try:
        with db.session.begin_nested():
            db.session.add_all(notes)
    except IntegrityError:
        kept = []
        for note in notes:
            try:
                with db.session.begin_nested():
                    db.session.add(note)
                kept.append(note)
            except IntegrityError:
                continue
        return kept
    return notes


def excerpt(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


# Reading ------------------------------------------------------------------------------------------


def describe(note: Notification) -> str:
    """The notification as a sentence in the current language."""
    d = note.data or {}
    who = note.actor.name if note.actor is not None else d.get("who") or _("Someone")
    title = d.get("title", "")
    if note.kind == "mention":
        return _("%(who)s mentioned you on “%(title)s”", who=who, title=title)
    if note.kind == "assigned":
        return _("%(who)s assigned you to “%(title)s”", who=who, title=title)
    if note.kind == "workshop":
        if d.get("days") == 1:
            return _("The workshop “%(title)s” is tomorrow", title=title)
        return ngettext(
            "The workshop “%(title)s” is in %(num)d day",
            "The workshop “%(title)s” is in %(num)d days",
            d.get("days", 7),
            title=title,
        )
    if note.kind == "funding":
        return ngettext(
            "The deadline of “%(title)s” is in %(num)d day",
            "The deadline of “%(title)s” is in %(num)d days",
            d.get("days", 3),
            title=title,
        )
    if note.kind == "due":
        return _("The card “%(title)s” is due tomorrow", title=title)
    if note.kind == "webhook":
        return ngettext(
            "The webhook to %(host)s was switched off after %(num)d failure in a row",
            "The webhook to %(host)s was switched off after %(num)d failures in a row",
            d.get("failures", 0),
            host=d.get("host", ""),
        )
    if note.kind == "toolbox":
        if d.get("verb") == "accepted":
            return _("Your method “%(title)s” was accepted into the toolbox", title=title)
        return _("Your method proposal “%(title)s” was declined", title=title)
    describe_verb = DESCRIPTIONS.get(d.get("verb", ""))
    return describe_verb(d, who) if describe_verb else title


def reminder_when(note: Notification) -> str:
    """A reminder's date (and a workshop's time, on the reader's clock) in the current language."""
    data = note.data or {}
    if data.get("start"):
        moment = timezones.to_local(datetime.fromisoformat(data["start"]), note.user)
        return _(
            "%(date)s, %(time)s (%(zone)s)",
            date=format_date(moment.date(), "full"),
            time=babel_dates.format_time(moment, "HH:mm", locale=str(get_locale())),
            zone=timezones.place(moment.tzinfo, str(get_locale())),
        )
    day = data.get("date")
    return format_date(date.fromisoformat(day), "full") if day else ""


def send_now(note: Notification) -> None:
    """Queue the email of one notification, in its reader's language."""
    user = note.user
    locale = mail.locale_of(user)
    unsubscribe_url = unsubscribe.url(user, note.kind)
    from flask_babel import force_locale

    with force_locale(locale):
        sentence = describe(note)
        kind_label = str(KIND_LABELS[note.kind])
        when = reminder_when(note)
    text, html = mail.render(
        "notification",
        locale=locale,
        note=note,
        sentence=sentence,
        link=links.absolute(note.path),
        kind_label=kind_label,
        when=when,
        unsubscribe_url=unsubscribe_url,
        settings_url=links.external("notifications.settings"),
        user=user,
    )
    mail.queue(user.email, sentence, text, html=html, headers=unsubscribe.headers(unsubscribe_url))
    note.mailed_at = utcnow()


def inbox(user: User, page: int = 1) -> list[Notification]:
    """The person's notifications, newest first, of partnerships they can still see."""
    query = (
        select(Notification)
        .where(Notification.user_id == user.id)
        .options(db.joinedload(Notification.actor), db.joinedload(Notification.partnership))
        .order_by(Notification.id.desc())
        .limit(PAGE_SIZE)
        .offset(max(page - 1, 0) * PAGE_SIZE)
    )
    if not user.is_admin:
        mine = select(Membership.partnership_id).where(Membership.user_id == user.id)
        query = query.where(Notification.partnership_id.is_(None) | Notification.partnership_id.in_(mine))
    return list(db.session.scalars(query))


def grouped(notes: list[Notification]) -> list[tuple[Notification, list[Notification]]]:
    """Consecutive groups by card (or by the single thing they are about), newest first."""
    groups: dict[tuple, list[Notification]] = {}
    for note in notes:
        groups.setdefault(("card", note.card_id) if note.card_id else ("note", note.id), []).append(note)
    return [(items[0], items) for items in groups.values()]


def total(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(Notification.user_id == user.id))


def _recount(user: User) -> None:
    user.unread_count = db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )
    hooks.queue_event({"k": "bell", "p": f"u{user.id}"})


def mark_read(user: User, note: Notification) -> None:
    if note.user_id != user.id:
        raise DomainError(_("Not found."))
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.flush()
        _recount(user)


def mark_all_read(user: User) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    _recount(user)


def forget_partnership(user_id: int, partnership: Partnership) -> None:
    """Someone left a partnership: its notifications and watches of theirs go."""
    from ..models import Watch

    db.session.execute(
        Notification.__table__.delete().where(
            Notification.user_id == user_id, Notification.partnership_id == partnership.id
        )
    )
    db.session.execute(
        Watch.__table__.delete().where(Watch.user_id == user_id, Watch.partnership_id == partnership.id)
    )
    user = db.session.get(User, user_id)
    if user is not None:
        _recount(user)
