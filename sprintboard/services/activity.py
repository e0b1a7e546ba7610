"""The Activity log: every service writes one row per change it makes."""

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from ..extensions import db
from ..live import hooks
from ..models import Activity

_undoing: ContextVar[bool] = ContextVar("undoing", default=False)


@contextmanager
def undoing():
    """What the services log inside this block is an Undo of an earlier change (marked
    "undo" in its data; the history says so). The verbs stay the same, so live boards follow."""
    token = _undoing.set(True)
    try:
        yield
    finally:
        _undoing.reset(token)


def log(actor, verb: str, subject, *, partnership=None, **data) -> Activity:
    """Append `verb` done by `actor` to `subject` (a model instance) to the log."""
    if _undoing.get():
        data["undo"] = True
    if partnership is None:
        partnership = getattr(subject, "partnership", None)
    activity = Activity(
        partnership_id=partnership.id if partnership is not None else None,
        actor_id=actor.id if actor is not None else None,
        verb=verb,
        subject_type=type(subject).__name__.lower(),
        subject_id=subject.id,
        data=data,
    )
    db.session.add(activity)
    hooks.queue_activity(activity)  # published to live board viewers after the commit
    for listener in LISTENERS:  # e.g. services.webhooks: POSTed after the commit
        listener(activity, actor=actor, partnership=partnership)
    return activity


# Functions called with each row logged (activity, actor=, partnership=); areas add theirs.
LISTENERS = []


def listens(fn):
    LISTENERS.append(fn)
    return fn


@functools.cache
def latest_id_of():
    """The latest activity id of the partnership in the parameter "pid" (None: none yet), as a
    column another query can read in the same round trip: where live updates start."""
    return select(func.max(Activity.id)).where(Activity.partnership_id == bindparam("pid")).scalar_subquery()


def recent(partnership, limit: int = 50) -> list[Activity]:
    return list(
        db.session.scalars(
            db.select(Activity)
            .where(Activity.partnership_id == partnership.id)
            .order_by(Activity.id.desc())
            .limit(limit)
        )
    )


# verb -> function(activity, actor name) -> translated sentence. Areas add their own verbs.
DESCRIPTIONS = {}


def describes(verb: str):
    def register(fn):
        DESCRIPTIONS[verb] = fn
        return fn

    return register


def describe(activity: Activity, data: dict | None = None) -> str:
    """The activity as a sentence in the current language (`data`: its details as the reader
    sees them, e.g. with a card's title in their language; by default the recorded ones)."""
    who = activity.actor.name if activity.actor is not None else _("Someone")
    fn = DESCRIPTIONS.get(activity.verb)
    data = (activity.data or {}) if data is None else data
    if fn is None:
        sentence = _("%(who)s: %(verb)s", who=who, verb=activity.verb)
    else:
        sentence = fn(data, who)
    if data.get("undo"):
        return _("Undo: %(sentence)s", sentence=sentence)
    return sentence


@describes("partnership.created")
def _partnership_created(d, who):
    return _("%(who)s created the partnership %(name)s", who=who, name=d.get("name", ""))


@describes("partnership.updated")
def _partnership_updated(d, who):
    return _("%(who)s edited the partnership", who=who)


@describes("city.added")
def _city_added(d, who):
    return _("%(who)s added the city %(name)s", who=who, name=d.get("name", ""))


@describes("member.added")
def _member_added(d, who):
    return _("%(who)s added %(user)s", who=who, user=d.get("user", ""))


@describes("member.changed")
def _member_changed(d, who):
    return _("%(who)s changed the role of %(user)s", who=who, user=d.get("user", ""))


@describes("member.removed")
def _member_removed(d, who):
    return _("%(who)s removed %(user)s", who=who, user=d.get("user", ""))


@describes("invitation.created")
def _invitation_created(d, who):
    return _("%(who)s invited %(email)s", who=who, email=d.get("email", ""))


@describes("invitation.revoked")
def _invitation_revoked(d, who):
    return _("%(who)s revoked the invitation of %(email)s", who=who, email=d.get("email", ""))
