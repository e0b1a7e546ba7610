"""Each person's view of a board: density and collapsed lanes.

A personal preference, not a change to the partnership's data: no Activity row is written (it
would show in everyone's activity log and make every open board refresh).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, select

from ..extensions import db
from ..models import DENSITIES, BoardView, Partnership, User
from . import DomainError, activity, sprints, watching

LANE_KEY = re.compile(r"^[pcu]\d{1,12}$")  # see board.query: project, city or assignee lanes
MAX_COLLAPSED = 200


def view_of(partnership: Partnership, user: User) -> BoardView:
    """The person's saved view, or the default one (not stored until it is changed)."""
    view = None
    if user.is_authenticated:
        view = db.session.scalar(_view_statement(), {"pid": partnership.id, "user_id": user.id})
    return view or BoardView(density="comfortable", collapsed="")


@dataclass
class PageState:
    """What the board page shows of the person reading it, and where its live updates start."""

    view: BoardView  # their density and collapsed lanes
    watching: bool  # whether they watch the whole board
    live_since: int  # the latest activity id (0: none): the live stream replays from there
    sprint: sprints.Running | None  # the partnership's running sprint


def page_values() -> tuple:
    """The board page's small look-ups (a PageState), each of one value, as columns another
    statement reads in the same round trip (board.query.load_options; its parameters:
    `page_params`): density, collapsed lanes, watching, latest activity id, and the running
    sprint's id, name and goal (`state_of` reads them)."""
    where = (BoardView.partnership_id == bindparam("pid"), BoardView.user_id == bindparam("user_id"))
    return (
        select(BoardView.density).where(*where).scalar_subquery(),
        select(BoardView.collapsed).where(*where).scalar_subquery(),
        watching.watching_of(),
        activity.latest_id_of(),
        *sprints.running_of(),
    )


def page_params(partnership: Partnership, user: User) -> dict:
    return {"pid": partnership.id, "user_id": user.id, "scope": watching.scope_of(partnership)}


def state_of(values) -> PageState:
    """The PageState of `page_values`, read (in their order)."""
    density, collapsed, watches, latest, *sprint = values
    view = BoardView(density=density or "comfortable", collapsed=collapsed or "")
    return PageState(view, watching=bool(watches), live_since=latest or 0, sprint=sprints.running(sprint))


@functools.cache
def _view_statement():
    # (built once: every page asks; building and keying a statement costs more than the query)
    return select(BoardView).where(
        BoardView.partnership_id == bindparam("pid"), BoardView.user_id == bindparam("user_id")
    )


def _stored(partnership: Partnership, user: User) -> BoardView:
    view = view_of(partnership, user)
    if view.id is None:
        view.user_id, view.partnership_id = user.id, partnership.id
        db.session.add(view)
    return view


def _clean_lanes(keys) -> list[str]:
    keys = sorted({k for k in keys or () if k})
    if any(not LANE_KEY.match(k) for k in keys):
        raise DomainError(_("That is not a lane of this board."))
    if len(keys) > MAX_COLLAPSED:
        one, many = "At most %(num)d lane can be collapsed.", "At most %(num)d lanes can be collapsed."
        raise DomainError(ngettext(one, many, MAX_COLLAPSED))
    return keys


def save_view(partnership: Partnership, user: User, *, density: str, collapsed, actor) -> BoardView:
    """Set the density and the whole set of collapsed lanes."""
    if density not in DENSITIES:
        raise DomainError(_("Choose comfortable or compact."))
    view = _stored(partnership, user)
    view.density = density
    view.collapsed = " ".join(_clean_lanes(collapsed))
    db.session.flush()
    return view


def fold_lane(partnership: Partnership, user: User, lane: str, *, collapsed: bool, actor) -> BoardView:
    """Collapse or expand one lane (what a click on its title does)."""
    keys = view_of(partnership, user).collapsed_lanes - {lane}
    view = _stored(partnership, user)
    view.collapsed = " ".join(_clean_lanes(keys | {lane} if collapsed else keys))
    db.session.flush()
    return view
