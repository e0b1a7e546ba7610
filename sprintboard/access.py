"""Who may do what, in one place; loaders that 404 on objects of another partnership.

Roles rank observer < member < facilitator; site admins count as facilitators everywhere.
Every view is login-only unless marked with @public (see enforce_login).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from .extensions import db, limiter
from .models import (
    ROLES,
    BoardColumn,
    Card,
    ChecklistItem,
    City,
    Comment,
    FundingIdea,
    Invitation,
    Label,
    Membership,
    Partnership,
    Project,
    User,
)

# What each action needs.
ACTIONS = {
    "view": "observer",  # read everything of the partnership
    "edit": "member",  # create and change projects, cards, comments …
    "manage": "facilitator",  # columns, sprints, workshops, people
}


def public(view: Callable) -> Callable:
    """Mark a view as reachable without logging in."""
    view.is_public = True
    return view


def _token_rate_limit() -> str:
    from flask import current_app

    return current_app.config["TOKEN_RATE_LIMIT"]


# For public pages reached by a secret token (/s/…, /cal/…): an address that tries too many
# unknown or revoked tokens gets 429 for a while (known tokens do not count).
limit_token_guessing = limiter.shared_limit(
    _token_rate_limit, scope="public-token", deduct_when=lambda response: response.status_code == 404
)


def enforce_login():
    """before_request: anonymous users are sent to the login page unless the view is public."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False) or current_user.is_authenticated:
        return None
    if request.method != "GET":
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def role_in(user: User, partnership: Partnership) -> str | None:
    """The user's role in the partnership (admins are facilitators), or None."""
    if not user.is_authenticated:
        return None
    if user.is_admin:
        return "facilitator"
    # Asked several times per request (loader, template): one query per request.
    roles = g.setdefault("_roles", {})
    key = (user.id, partnership.id)
    if key not in roles:
        membership = membership_of(user, partnership)
        roles[key] = membership.role if membership else None
    return roles[key]


def membership_of(user: User, partnership: Partnership) -> Membership | None:
    return db.session.scalar(db.select(Membership).filter_by(user_id=user.id, partnership_id=partnership.id))


def can(user: User, action: str, partnership: Partnership) -> bool:
    role = role_in(user, partnership)
    return role is not None and ROLES.index(role) >= ROLES.index(ACTIONS[action])


def require_admin() -> None:
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(403)


def get_partnership_or_404(pid: int, need: str = "view") -> Partnership:
    """The partnership if the user belongs to it (404 otherwise) and may `need` (403 otherwise)."""
    partnership = db.session.get(Partnership, pid)
    if partnership is None or role_in(current_user, partnership) is None:
        abort(404)
    if not can(current_user, need, partnership):
        abort(403)
    return partnership


def get_city_or_404(partnership: Partnership, city_id: int | None) -> City:
    return _owned_or_404(City, partnership, city_id)


def get_membership_or_404(partnership: Partnership, membership_id: int) -> Membership:
    return _owned_or_404(Membership, partnership, membership_id)


def get_invitation_or_404(partnership: Partnership, invitation_id: int) -> Invitation:
    return _owned_or_404(Invitation, partnership, invitation_id)


def _owned_or_404(model, owner, object_id, key: str = "partnership_id"):
    """The `model` row `object_id` if it belongs to `owner` (its `key` column is owner.id), else 404."""
    obj = db.session.get(model, object_id) if object_id else None
    if obj is None or getattr(obj, key) != owner.id:
        abort(404)
    return obj


def get_column_or_404(partnership: Partnership, column_id: int) -> BoardColumn:
    return _owned_or_404(BoardColumn, partnership, column_id)


def get_project_or_404(partnership: Partnership, project_id: int) -> Project:
    return _owned_or_404(Project, partnership, project_id)


def get_card_or_404(partnership: Partnership, card_id: int) -> Card:
    return _owned_or_404(Card, partnership, card_id)


def get_label_or_404(partnership: Partnership, label_id: int) -> Label:
    return _owned_or_404(Label, partnership, label_id)


def get_checklist_item_or_404(card: Card, item_id: int) -> ChecklistItem:
    return _owned_or_404(ChecklistItem, card, item_id, key="card_id")


def get_comment_or_404(card: Card, comment_id: int) -> Comment:
    return _owned_or_404(Comment, card, comment_id, key="card_id")


def get_funding_idea_or_404(partnership: Partnership, idea_id: int) -> FundingIdea:
    return _owned_or_404(FundingIdea, partnership, idea_id)


def visible_partnerships(user: User) -> list[Partnership]:
    """The partnerships the user may open: all for admins, their own for everyone else."""
    query = db.select(Partnership).order_by(Partnership.name)
    if not user.is_admin:
        query = query.join(Membership).where(Membership.user_id == user.id)
    return list(db.session.scalars(query))


def get_actor_or_404(partnership: Partnership, actor_id: int):
    from .models import Actor

    return _owned_or_404(Actor, partnership, actor_id)


def get_entry_or_404(partnership: Partnership, entry_id: int):
    from .models import MatchEntry

    return _owned_or_404(MatchEntry, partnership, entry_id)


def get_match_or_404(partnership: Partnership, match_id: int):
    from .models import Match

    return _owned_or_404(Match, partnership, match_id)


def visible_workshops(user: User, workshops: list[tuple]) -> list[tuple]:
    """The (workshop, partnership) pairs whose partnership `user` belongs to."""
    return [(workshop, partnership) for workshop, partnership in workshops if role_in(user, partnership)]


def can_edit_toolbox(user: User) -> bool:
    """Admins, and anyone who is a facilitator in some partnership, keep the toolbox."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return (
        db.session.scalar(db.select(Membership.id).filter_by(user_id=user.id, role="facilitator").limit(1))
        is not None
    )


def require_toolbox_editor() -> None:
    if not can_edit_toolbox(current_user):
        abort(403)


def get_call_or_404(call_id: int):
    """A call for applications; admins only (403 before anything is looked up)."""
    from .models import Call

    require_admin()
    call = db.session.get(Call, call_id)
    if call is None:
        abort(404)
    return call


def get_open_call_or_404(call_id: int):
    """A call for applications as the public sees it (open or closed, never a draft's absence)."""
    from .models import Call

    call = db.session.get(Call, call_id)
    if call is None:
        abort(404)
    return call


def get_criterion_or_404(call, criterion_id: int):
    from .models import Criterion

    return _owned_or_404(Criterion, call, criterion_id, key="call_id")


def get_member_or_404(partnership: Partnership, user_id: int) -> User:
    """A person with a membership in the partnership (by user id)."""
    user = db.session.get(User, user_id)
    if user is None or membership_of(user, partnership) is None:
        abort(404)
    return user


def get_application_or_404(call, application_id: int):
    from .models import Application

    return _owned_or_404(Application, call, application_id, key="call_id")


# Workshops, sprints and facilitation ---------------------------------------------------------


def get_workshop_or_404(partnership: Partnership, workshop_id: int):
    from .models import Workshop

    return _owned_or_404(Workshop, partnership, workshop_id)


def get_agenda_item_or_404(workshop, item_id: int):
    from .models import AgendaItem

    return _owned_or_404(AgendaItem, workshop, item_id, key="workshop_id")


def get_sprint_or_404(partnership: Partnership, sprint_id: int):
    from .models import Sprint

    return _owned_or_404(Sprint, partnership, sprint_id)


def get_vote_session_or_404(partnership: Partnership, session_id: int):
    from .models import VoteSession

    return _owned_or_404(VoteSession, partnership, session_id)


def get_vote_item_or_404(session, item_id: int):
    from .models import VoteItem

    return _owned_or_404(VoteItem, session, item_id, key="session_id")


def get_retro_note_or_404(partnership: Partnership, note_id: int):
    from .models import RetroNote

    return _owned_or_404(RetroNote, partnership, note_id)


# Notifications -------------------------------------------------------------------------------


def get_notification_or_404(user: User, notification_id: int):
    """One of the user's own notifications (another person's: 404)."""
    from .models import Notification

    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        abort(404)
    return note


def get_failed_mail_or_404(message_id: int):
    """A message of the outbox that was given up on; administrators only (403 first)."""
    from .models import Outbox

    require_admin()
    message = db.session.get(Outbox, message_id)
    if message is None or message.failed_at is None:
        abort(404)
    return message
