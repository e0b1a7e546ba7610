"""Who may do what, in one place; loaders that 404 on objects of another partnership.

Roles rank observer < member < facilitator; site admins count as facilitators everywhere.
Every view is login-only unless marked with @public (see enforce_login).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort, g, has_request_context, redirect, request, url_for
from flask_login import current_user

from .extensions import db, limiter
from .ids import valid_id
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
    UndoAction,
    User,
    Webhook,
)
from .services import accounts, webhooks
from .services.tokens import hash_token

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


def load_user(token: str) -> User | None:
    """The person signed in with this login session (Flask-Login's loader). On a partnership's
    page (a "pid" in its URL) the partnership, the person's role in it and whether it has a
    webhook listening are read in the same statement, and a card of it named in the URL
    ("card_id") too: get_partnership_or_404 then reads nothing (one round trip fewer on every
    partnership page and change)."""
    args = (request.view_args or {}) if has_request_context() else {}
    pid = valid_id(args.get("pid"))
    if pid is None:
        return accounts.user_for_session(token)
    card_id = valid_id(args.get("card_id"))
    params = {"token_hash": hash_token(token), "pid": pid, "card_id": card_id}
    row = db.session.execute(_login_statement(card_id is not None), params).first()
    user = accounts.user_of(row, token)
    if user is not None and row.Partnership is not None:
        _read_ahead(user, pid, row, card_id)
    return user


@functools.cache
def _login_statement(with_card: bool):
    statement = accounts.session_statement().add_columns(Partnership)
    statement = statement.outerjoin(Partnership, Partnership.id == db.bindparam("pid"))
    return _with_role(statement, User.id, with_card)


def _with_role(statement, user_id, with_card: bool):
    """`statement` (partnerships in its FROM) with the role of the person `user_id` in the
    partnership, whether it has a webhook listening, and with_card the card "card_id" (not the
    card's partnership: _owned_or_404 still checks it)."""
    statement = statement.add_columns(Membership.role, webhooks.none_of().label("no_hooks")).outerjoin(
        Membership, (Membership.partnership_id == Partnership.id) & (Membership.user_id == user_id)
    )
    if with_card:
        statement = statement.add_columns(Card).outerjoin(Card, Card.id == db.bindparam("card_id"))
    return statement


def _read_ahead(user: User, pid: int, row, card_id: int | None) -> tuple:
    """Keep what was read with the partnership for get_partnership_or_404 (held in `g`: the
    session holds unchanged rows only weakly): (pid, partnership, card id, card)."""
    g.setdefault("_roles", {})[(user.id, pid)] = row.role
    if row.no_hooks:
        webhooks.known_without_hooks(pid)
    card = row.Card if card_id is not None else None
    g.partnership_read_ahead = (pid, row.Partnership, card_id, card)
    return g.partnership_read_ahead


def enforce_login():
    """before_request: anonymous users are sent to the login page unless the view is public."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint)
    if is_api_request():
        return authenticate_api(view)
    if getattr(view, "is_public", False) or current_user.is_authenticated:
        return None
    if request.method != "GET":
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


# The JSON API ------------------------------------------------------------------------------

API_PREFIX = "/api/"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def authenticate_api(view):
    """For /api/: a personal token (`Authorization: Bearer …`) is the only credential. Session
    cookies are ignored there, so a page on another site cannot act through them (hence no CSRF)."""
    from flask_login import AnonymousUserMixin

    from .services import api_tokens

    g._login_user = AnonymousUserMixin()  # what Flask-Login's current_user reads first
    g.api_token = None
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        g.api_token = api_tokens.token_for(secret.strip())
    if g.api_token is None:
        if getattr(view, "is_public", False):
            return None
        abort(401)
    g._login_user = g.api_token.user
    pid = (request.view_args or {}).get("pid")
    if pid is not None:
        # Before the body is read: who may not write learns nothing about what they sent.
        get_api_partnership_or_404(pid, need="view" if request.method in ("GET", "HEAD") else "edit")
    return None


def api_token():
    """The token of the current API request (set by authenticate_api)."""
    return g.api_token


def get_api_partnership_or_404(pid: int, need: str = "view") -> Partnership:
    """get_partnership_or_404 for the API: the token must be for this partnership (404), and
    a read token may only read (403); the person's role still decides the rest."""
    from flask_babel import gettext as _

    from .services import Forbidden

    token = g.get("api_token")
    if token is None or token.partnership_id != pid:
        abort(404)
    if need != "view" and token.scope != "write":
        raise Forbidden(_("This token may only read."))
    return get_partnership_or_404(pid, need)


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
    return db.session.scalar(_membership_statement(), {"user_id": user.id, "partnership_id": partnership.id})


@functools.cache
def _membership_statement():
    # (built once: every request asks; building and keying a statement costs more than the query)
    return db.select(Membership).where(
        Membership.user_id == db.bindparam("user_id"),
        Membership.partnership_id == db.bindparam("partnership_id"),
    )


def can(user: User, action: str, partnership: Partnership) -> bool:
    role = role_in(user, partnership)
    return role is not None and ROLES.index(role) >= ROLES.index(ACTIONS[action])


def require_admin() -> None:
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(403)


def get_partnership_or_404(pid: int, need: str = "view", *, card_id=None) -> Partnership:
    """The partnership if the user belongs to it (404 otherwise) and may `need` (403 otherwise).
    `card_id`: a card of it the view loads next (get_card_or_404), read in the same query."""
    partnership = _partnership_with_role(pid, card_id)
    if partnership is None or role_in(current_user, partnership) is None:
        abort(404)
    if not can(current_user, need, partnership):
        abort(403)
    return partnership


def _partnership_with_role(pid, card_id=None) -> Partnership | None:
    """The partnership with this id, and the signed-in member's role in it found in the same
    query (every partnership page asks for both: one round trip, not two); with it whether it
    has a webhook listening (its writes need not look: services.webhooks.known_without_hooks)
    and the card `card_id` (a card's page or change: it is then in the session already)."""
    pid, user = valid_id(pid), current_user
    if pid is None:
        return None
    roles = g.setdefault("_roles", {})
    card_id = valid_id(card_id)
    ahead = g.get("partnership_read_ahead")
    if ahead is None or ahead[0] != pid or card_id not in (None, ahead[2]):  # (not read with the login)
        if not user.is_authenticated or user.is_admin or (card_id is None and (user.id, pid) in roles):
            return db.session.get(Partnership, pid)
        params = {"pid": pid, "user_id": user.id, "card_id": card_id}
        row = db.session.execute(_partnership_role_statement(card_id is not None), params).first()
        if row is None:
            return None
        ahead = _read_ahead(user, pid, row, card_id)
    if card_id is not None:  # (held for get_card_or_404: the session holds unchanged rows weakly)
        g.card_read_ahead = ahead[3]
    return ahead[1]


@functools.cache
def _partnership_role_statement(with_card: bool):
    statement = db.select(Partnership).where(Partnership.id == db.bindparam("pid"))
    return _with_role(statement, db.bindparam("user_id"), with_card)


def get_city_or_404(partnership: Partnership, city_id: int | None) -> City:
    return _owned_or_404(City, partnership, city_id)


def get_membership_or_404(partnership: Partnership, membership_id: int) -> Membership:
    return _owned_or_404(Membership, partnership, membership_id)


def get_invitation_or_404(partnership: Partnership, invitation_id: int) -> Invitation:
    return _owned_or_404(Invitation, partnership, invitation_id)


def _get(model, object_id):
    """The row with this id, or None, also for ids no row can have (huge, negative, not numbers)."""
    object_id = valid_id(object_id)
    return db.session.get(model, object_id) if object_id is not None else None


def _owned_or_404(model, owner, object_id, key: str = "partnership_id"):
    """The `model` row `object_id` if it belongs to `owner` (its `key` column is owner.id), else 404."""
    obj = _get(model, object_id)
    if obj is None or getattr(obj, key) != owner.id:
        abort(404)
    return obj


def get_webhook_or_404(partnership: Partnership, webhook_id: int) -> Webhook:
    return _owned_or_404(Webhook, partnership, webhook_id)


def get_column_or_404(partnership: Partnership, column_id: int, among=None) -> BoardColumn:
    """`among`: the partnership's columns, loaded already (services.board.columns_of)."""
    if among is None:
        return _owned_or_404(BoardColumn, partnership, column_id)
    column_id = valid_id(column_id)
    column = next((c for c in among if c.id == column_id and c.partnership_id == partnership.id), None)
    if column is None:
        abort(404)
    return column


def get_project_or_404(partnership: Partnership, project_id: int) -> Project:
    return _owned_or_404(Project, partnership, project_id)


def get_card_or_404(partnership: Partnership, card_id: int) -> Card:
    return _owned_or_404(Card, partnership, card_id)


def get_label_or_404(partnership: Partnership, label_id: int) -> Label:
    return _owned_or_404(Label, partnership, label_id)


def get_undo_or_404(partnership: Partnership, undo_id: int) -> UndoAction:
    """An undo offer of this partnership (who may use it is the service's rule: its actor)."""
    return _owned_or_404(UndoAction, partnership, undo_id)


def get_checklist_item_or_404(card: Card, item_id: int) -> ChecklistItem:
    return _owned_or_404(ChecklistItem, card, item_id, key="card_id")


def get_comment_or_404(card: Card, comment_id: int) -> Comment:
    return _owned_or_404(Comment, card, comment_id, key="card_id")


def get_translatable_or_404(partnership: Partnership, spec, object_id: int):
    """A piece of content of the partnership that can be translated (a card, a comment …).

    `spec` is the kind's entry in `services.translations.KINDS` (None for an unknown kind)."""
    obj = db.session.get(spec.model, object_id) if spec is not None else None
    if obj is None or spec.partnership_id(obj) != partnership.id:
        abort(404)
    return obj


def get_funding_idea_or_404(partnership: Partnership, idea_id: int) -> FundingIdea:
    return _owned_or_404(FundingIdea, partnership, idea_id)


def get_attachment_or_404(partnership: Partnership, attachment_id: int):
    from .models import Attachment

    return _owned_or_404(Attachment, partnership, attachment_id)


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


def is_facilitator_anywhere(user: User) -> bool:
    """Admins, and anyone who is a facilitator in some partnership."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return (
        db.session.scalar(db.select(Membership.id).filter_by(user_id=user.id, role="facilitator").limit(1))
        is not None
    )


def can_edit_toolbox(user: User) -> bool:
    """The shared toolbox, which every partnership sees, is kept by programme staff (admins)."""
    return user.is_authenticated and user.is_admin


def require_toolbox_editor() -> None:
    """403 with the way out: a partnership adapts its own copy of a shared method."""
    from flask_babel import gettext as _

    from .services import Forbidden

    if not can_edit_toolbox(current_user):
        raise Forbidden(
            _(
                "Shared toolbox methods are kept by programme staff, because every partnership "
                "sees them. To change a method for your partnership, open it and choose "
                "“Adapt for our partnership”."
            )
        )


def can_propose_methods(user: User) -> bool:
    """Members and facilitators of a partnership (and staff) propose toolbox methods."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    mine = db.select(Membership.id).where(
        Membership.user_id == user.id, Membership.role.in_(("member", "facilitator"))
    )
    return db.session.scalar(mine.limit(1)) is not None


def require_proposer() -> None:
    from flask_babel import gettext as _

    from .services import Forbidden

    if not can_propose_methods(current_user):
        raise Forbidden(_("Toolbox methods are proposed by members and facilitators of a partnership."))


def get_proposal_or_404(proposal_id: int):
    """A method proposal (in any state): its proposer and programme staff see it, nobody else."""
    from .models import Method

    method = _get(Method, proposal_id)
    if method is None or method.proposed_by_id is None or method.partnership_id is not None:
        abort(404)
    if not (current_user.is_admin or method.proposed_by_id == current_user.id):
        abort(404)
    return method


def facilitated_partnerships(user: User) -> list[Partnership]:
    """The partnerships where `user` is a facilitator by membership (where they may adapt methods)."""
    if not user.is_authenticated:
        return []
    return list(
        db.session.scalars(
            db.select(Partnership)
            .join(Membership)
            .where(Membership.user_id == user.id, Membership.role == "facilitator")
            .order_by(Partnership.name)
        )
    )


def get_method_copy_or_404(partnership: Partnership, method_id: int):
    """The partnership's own copy of a toolbox method (another partnership's, or a shared one: 404)."""
    from .models import Method

    return _owned_or_404(Method, partnership, method_id)


def get_call_or_404(call_id: int):
    """A call for applications; admins only (403 before anything is looked up)."""
    from .models import Call

    require_admin()
    call = _get(Call, call_id)
    if call is None:
        abort(404)
    return call


def get_open_call_or_404(call_id: int):
    """A call for applications as the public sees it (open or closed, never a draft's absence)."""
    from .models import Call

    call = _get(Call, call_id)
    if call is None:
        abort(404)
    return call


def get_criterion_or_404(call, criterion_id: int):
    from .models import Criterion

    return _owned_or_404(Criterion, call, criterion_id, key="call_id")


def get_member_or_404(partnership: Partnership, user_id: int) -> User:
    """A person with a membership in the partnership (by user id)."""
    user = _get(User, user_id)
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

    note = _get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        abort(404)
    return note


def get_failed_mail_or_404(message_id: int):
    """A message of the outbox that was given up on; administrators only (403 first)."""
    from .models import Outbox

    require_admin()
    message = _get(Outbox, message_id)
    if message is None or message.failed_at is None:
        abort(404)
    return message


# Open-space events ---------------------------------------------------------------------------
# An event's viewer is a user (by their role in the event's partnership, or as a participant of
# a stand-alone event) or a guest (a registered participant without an account, known by a
# signed cookie). Guests reach the event's own pages only, never the partnership's.

GUEST_COOKIE = "sprintboard_guest"
EVENT_ROLES = ("observer", "participant", "facilitator")
EVENT_NEEDS = {"view": "observer", "take_part": "participant", "manage": "facilitator"}
_FROM_PARTNERSHIP = {"observer": "observer", "member": "participant", "facilitator": "facilitator"}


def _guest_serializer():
    from flask import current_app
    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(current_app.secret_key, salt="openspace-guest")


def guest_keys() -> dict[str, str]:
    """{event id: "participant id.key"} from the guest cookie (empty when missing or forged)."""
    from itsdangerous import BadSignature

    raw = request.cookies.get(GUEST_COOKIE)
    if not raw or len(raw) > 4000:
        return {}
    try:
        value = _guest_serializer().loads(raw)
    except BadSignature:
        return {}
    return value if isinstance(value, dict) else {}


def guest_cookie_value(keys: dict[str, str]) -> str:
    return _guest_serializer().dumps(keys)


def guest_of(event):
    """The guest participant of `event` this browser registered as, or None."""
    from .services import openspace_people

    pid, _dot, key = guest_keys().get(str(event.id), "").partition(".")
    if not pid.isdigit() or not key:
        return None
    return openspace_people.guest_by_key(event, int(pid), key)


def event_viewer(event):
    """Who looks at `event` (a Viewer with a role), or None when they have no part in it."""
    from .services.openspace_people import Viewer, participant_of_user

    cached = g.setdefault("_event_viewers", {})
    if event.id in cached:
        return cached[event.id]
    roles, participant, user = [], None, None
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        if user.is_admin:
            roles.append("facilitator")
        if event.partnership is not None and role_in(user, event.partnership):
            roles.append(_FROM_PARTNERSHIP[role_in(user, event.partnership)])
        participant = participant_of_user(event, user)
    else:
        participant = guest_of(event)
    if participant is not None:
        roles.append(participant.role)
    role = max(roles, key=EVENT_ROLES.index) if roles else None
    cached[event.id] = viewer = Viewer(user, participant, role) if role else None
    return viewer


def may_event(viewer, need: str) -> bool:
    return viewer is not None and EVENT_ROLES.index(viewer.role) >= EVENT_ROLES.index(EVENT_NEEDS[need])


def load_event_or_404(event_id: int, need: str = "view"):
    """(event, viewer): 404 for people with no part in it, 403 when their part is too small.
    Anonymous visitors without a guest cookie are sent to log in (401 for writes)."""
    from .models import OpenSpace

    event = _get(OpenSpace, event_id)
    viewer = event_viewer(event) if event is not None else None
    if viewer is None and not current_user.is_authenticated:
        if request.method != "GET":
            abort(401)
        abort(redirect(url_for("auth.login", next=request.full_path.rstrip("?"))))
    if viewer is None:
        abort(404)
    if not may_event(viewer, need):
        abort(403)
    if viewer.is_guest:
        g.no_store = True  # a guest's pages depend on their cookie: no cache keeps them
    return event, viewer


def get_event_by_link_or_404(event_id: int, token: str, purpose: str = "join"):
    """The event whose registration ("join") or calendar ("feed") link this is; 404 otherwise."""
    from .models import OpenSpace
    from .services import openspace

    event = _get(OpenSpace, event_id)
    expected = None
    if event is not None:
        expected = openspace.registration_token(event) if purpose == "join" else openspace.feed_token(event)
    if expected is None or not openspace.token_matches(expected, token):
        abort(404)
    return event


def get_guest_by_link_or_404(event_id: int, guest_key: str):
    """(event, guest participant) of a guest's personal link ("<participant id>.<key>"); 404 otherwise."""
    from .models import OpenSpace
    from .services import openspace_people

    event = _get(OpenSpace, event_id)
    pid, _dot, key = guest_key.partition(".")
    guest = (
        openspace_people.guest_by_key(event, int(pid), key) if event is not None and pid.isdigit() else None
    )
    if guest is None:
        abort(404)
    return event, guest


def get_space_room_or_404(event, room_id: int):
    from .models import SpaceRoom

    return _owned_or_404(SpaceRoom, event, room_id, key="event_id")


def get_space_slot_or_404(event, slot_id: int):
    from .models import SpaceSlot

    return _owned_or_404(SpaceSlot, event, slot_id, key="event_id")


def get_space_session_or_404(event, session_id: int):
    from .models import SpaceSession

    return _owned_or_404(SpaceSession, event, session_id, key="event_id")


def get_space_participant_or_404(event, participant_id: int):
    from .models import SpaceParticipant

    return _owned_or_404(SpaceParticipant, event, participant_id, key="event_id")


def can_host_open_space(user: User) -> bool:
    """Stand-alone events (BarCamps) are opened by admins and facilitators of any partnership."""
    return is_facilitator_anywhere(user)


def get_api_token_or_404(token_id: int):
    """One of the current user's own API tokens."""
    from .models import ApiToken

    return _owned_or_404(ApiToken, current_user, token_id, key="user_id")
