"""Facilitation during a workshop: timebox, board freeze, dot votes, retrospective."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _

from ..models import Partnership
from ..models.base import utcnow
from . import Conflict, DomainError
from .activity import describes, log

TIMEBOX_MAX_MINUTES = 240


class BoardFrozen(DomainError):
    status = 423

    def __init__(self):
        super().__init__(
            _("The facilitator has frozen the board for the moment: it is read-only until unfrozen.")
        )


def _is_facilitator(actor, partnership: Partnership) -> bool:
    from ..access import role_in

    return role_in(actor, partnership) == "facilitator"


def is_frozen_for(partnership: Partnership, user) -> bool:
    """True when `user` sees the board read-only because a facilitator froze it."""
    return partnership.frozen_at is not None and not _is_facilitator(user, partnership)


def ensure_not_frozen(partnership: Partnership, actor) -> None:
    """Raise BoardFrozen when the board is frozen and `actor` is not a facilitator."""
    if actor is not None and is_frozen_for(partnership, actor):
        raise BoardFrozen()


# Timebox ------------------------------------------------------------------------------------


def start_timebox(partnership: Partnership, minutes: int, label: str = "", *, actor) -> datetime:
    """A countdown of `minutes` from now, by the server's clock."""
    if not 1 <= (minutes or 0) <= TIMEBOX_MAX_MINUTES:
        raise DomainError(_("A timebox lasts from 1 to %(n)d minutes.", n=TIMEBOX_MAX_MINUTES))
    partnership.timebox_ends_at = utcnow() + timedelta(minutes=minutes)
    partnership.timebox_label = (label or "").strip()[:120] or None
    log(
        actor,
        "timebox.started",
        partnership,
        partnership=partnership,
        minutes=minutes,
        label=partnership.timebox_label or "",
    )
    return partnership.timebox_ends_at


def stop_timebox(partnership: Partnership, *, actor) -> None:
    if partnership.timebox_ends_at is None:
        return
    partnership.timebox_ends_at = None
    partnership.timebox_label = None
    log(actor, "timebox.stopped", partnership, partnership=partnership)


def timebox_state(partnership: Partnership) -> dict | None:
    """What facilitation/_timebox.html shows: None, or end time and seconds left."""
    remaining = timebox_remaining(partnership)
    if remaining is None:
        return None
    return {
        "ends_at": partnership.timebox_ends_at,
        "remaining": remaining,
        "label": partnership.timebox_label,
        "clock": f"{remaining // 60:02d}:{remaining % 60:02d}",
    }


def timebox_remaining(partnership: Partnership, now: datetime | None = None) -> int | None:
    """Seconds left on the running timebox (0 when it ran out), None when there is none."""
    if partnership.timebox_ends_at is None:
        return None
    left = (partnership.timebox_ends_at - (now or utcnow())).total_seconds()
    return max(0, int(left + 0.999))


# Freeze ---------------------------------------------------------------------------------------


def freeze_board(partnership: Partnership, *, actor) -> None:
    if partnership.frozen_at is not None:
        raise Conflict(_("The board is already frozen."))
    partnership.frozen_at = utcnow()
    partnership.frozen_by_id = actor.id if actor is not None else None
    log(actor, "board.frozen", partnership, partnership=partnership)


def unfreeze_board(partnership: Partnership, *, actor) -> None:
    if partnership.frozen_at is None:
        raise Conflict(_("The board is not frozen."))
    partnership.frozen_at = None
    partnership.frozen_by_id = None
    log(actor, "board.unfrozen", partnership, partnership=partnership)


@describes("timebox.started")
def _timebox_started(d, who):
    return _("%(who)s started a timebox of %(n)s minutes", who=who, n=d.get("minutes", ""))


@describes("timebox.stopped")
def _timebox_stopped(d, who):
    return _("%(who)s stopped the timebox", who=who)


@describes("board.frozen")
def _board_frozen(d, who):
    return _("%(who)s froze the board", who=who)


@describes("board.unfrozen")
def _board_unfrozen(d, who):
    return _("%(who)s unfroze the board", who=who)
