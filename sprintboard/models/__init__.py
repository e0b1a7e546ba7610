"""The domain model, one module per aggregate. Import every model here so Alembic sees it."""

from .activity import Activity
from .actor import ACTOR_KINDS, Actor
from .api_token import API_SCOPES, ApiToken
from .applications import Application, Call, Criterion, Review, Score
from .attachment import ATTACHMENT_OWNERS, Attachment
from .board_view import DENSITIES, BoardView
from .card import Card, ChecklistItem, card_assignees, card_labels
from .column import BoardColumn
from .comment import Comment
from .entry import ENTRY_KINDS, MatchEntry
from .facilitation import RETRO_KINDS, RetroNote, Vote, VoteItem, VoteSession
from .funding import (
    CURRENCIES,
    FUNDING_STATUSES,
    OPEN_FUNDING_STATUSES,
    CalendarFeed,
    FundingIdea,
    funding_idea_projects,
)
from .invitation import Invitation
from .label import LABEL_COLOURS, Label
from .match import Match
from .notification import DEFAULT_MODES, KINDS, MODES, Notification, Watch
from .openspace import (
    OpenSpace,
    SpaceDot,
    SpaceParticipant,
    SpaceRoom,
    SpaceSession,
    SpaceSlot,
)
from .outbox import Outbox
from .partnership import ROLES, City, Membership, Partnership
from .project import PROJECT_STATUSES, Project
from .request_key import RequestKey
from .search import SEARCH_KINDS, SearchEntry
from .sprint import SPRINT_STATES, Sprint
from .theme import BUILTIN_THEMES, Theme
from .toolbox import Method, MethodTranslation
from .translation import TRANSLATION_STATUSES, Translation
from .undo import UndoAction
from .user import PasswordReset, User, UserSession
from .webhook import EVENT_OF_VERB, WEBHOOK_EVENTS, Webhook, WebhookAttempt, WebhookDelivery
from .workshop import WORKSHOP_KINDS, AgendaItem, Attendance, Workshop

__all__ = [
    "EVENT_OF_VERB",
    "WEBHOOK_EVENTS",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "UndoAction",
    "SEARCH_KINDS",
    "SearchEntry",
    "ATTACHMENT_OWNERS",
    "Attachment",
    "API_SCOPES",
    "ApiToken",
    "ACTOR_KINDS",
    "DENSITIES",
    "BoardView",
    "BUILTIN_THEMES",
    "ENTRY_KINDS",
    "CURRENCIES",
    "RETRO_KINDS",
    "SPRINT_STATES",
    "WORKSHOP_KINDS",
    "AgendaItem",
    "Attendance",
    "RetroNote",
    "Sprint",
    "Vote",
    "VoteItem",
    "VoteSession",
    "Workshop",
    "FUNDING_STATUSES",
    "OPEN_FUNDING_STATUSES",
    "CalendarFeed",
    "FundingIdea",
    "funding_idea_projects",
    "LABEL_COLOURS",
    "PROJECT_STATUSES",
    "ROLES",
    "Activity",
    "BoardColumn",
    "Card",
    "ChecklistItem",
    "Actor",
    "Match",
    "OpenSpace",
    "SpaceDot",
    "SpaceParticipant",
    "SpaceRoom",
    "SpaceSession",
    "SpaceSlot",
    "MatchEntry",
    "Theme",
    "Comment",
    "Label",
    "Project",
    "RequestKey",
    "card_assignees",
    "card_labels",
    "Application",
    "Call",
    "Criterion",
    "Method",
    "MethodTranslation",
    "Review",
    "Score",
    "City",
    "Invitation",
    "Membership",
    "Outbox",
    "Partnership",
    "User",
    "UserSession",
    "PasswordReset",
    "DEFAULT_MODES",
    "KINDS",
    "MODES",
    "Notification",
    "Watch",
    "TRANSLATION_STATUSES",
    "Translation",
]
