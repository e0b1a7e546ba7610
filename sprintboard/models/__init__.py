"""The domain model, one module per aggregate. Import every model here so Alembic sees it."""

from .activity import Activity
from .applications import Application, Call, Criterion, Score
from .board import (
    DEFAULT_COLUMNS,
    LABEL_COLOURS,
    BoardColumn,
    Card,
    ChecklistItem,
    Comment,
    Label,
    card_assignees,
    card_labels,
)
from .facilitation import RETRO_KINDS, RetroNote, Vote, VoteItem, VoteSession
from .funding import (
    CURRENCIES,
    FUNDING_STATUSES,
    OPEN_FUNDING_STATUSES,
    CalendarFeed,
    FundingIdea,
    funding_idea_projects,
)
from .invitation import Invitation, Outbox
from .match import Actor, Match, MatchEntry, Theme
from .partnership import ROLES, City, Membership, Partnership
from .project import PROJECT_STATUSES, Project
from .sprint import SPRINT_STATES, Sprint
from .toolbox import Method, MethodTranslation
from .user import User, UserSession
from .workshop import WORKSHOP_KINDS, AgendaItem, Attendance, Workshop

__all__ = [
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
    "DEFAULT_COLUMNS",
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
    "MatchEntry",
    "Theme",
    "Comment",
    "Label",
    "Project",
    "card_assignees",
    "card_labels",
    "Application",
    "Call",
    "Criterion",
    "Method",
    "MethodTranslation",
    "Score",
    "City",
    "Invitation",
    "Membership",
    "Outbox",
    "Partnership",
    "User",
    "UserSession",
]
