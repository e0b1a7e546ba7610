"""Match & map: themes, each city's actors and entries, and matches between the cities."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy import Column as SAColumn
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow

ACTOR_KINDS = (
    "administration",
    "ngo",
    "school",
    "university",
    "business",
    "culture",
    "media",
    "initiative",
    "person",
)
ENTRY_KINDS = ("interest", "need", "potential", "idea")
MATCH_STATUSES = ("proposed", "accepted")
# Built-in theme keys, seeded into every partnership; their names come from the message catalog.
BUILTIN_THEMES = (
    "culture",
    "youth",
    "environment",
    "mobility",
    "digital",
    "sport",
    "history",
    "economy",
    "social",
)


def _link(name: str, left: tuple[str, str], right: tuple[str, str]) -> Table:
    """A many-to-many table between (column, table) `left` and `right`."""
    return Table(
        name,
        db.Model.metadata,
        SAColumn(left[0], ForeignKey(f"{left[1]}.id", ondelete="CASCADE"), primary_key=True),
        SAColumn(right[0], ForeignKey(f"{right[1]}.id", ondelete="CASCADE"), primary_key=True, index=True),
    )


_ACTOR, _THEME, _ENTRY = ("actor_id", "actors"), ("theme_id", "themes"), ("entry_id", "match_entries")
actor_themes = _link("actor_themes", _ACTOR, _THEME)
entry_themes = _link("match_entry_themes", _ENTRY, _THEME)
match_entry_links = _link("match_entry_links", ("match_id", "matches"), _ENTRY)
actor_projects = _link("actor_projects", _ACTOR, ("project_id", "projects"))
actor_cards = _link("actor_cards", _ACTOR, ("card_id", "cards"))
project_entries = _link("project_match_entries", ("project_id", "projects"), _ENTRY)
# Which dot-vote item (services.facilitation) stands for which match.
match_vote_items = _link("match_vote_items", ("match_id", "matches"), ("item_id", "vote_items"))


class Theme(db.Model):
    """A theme of a partnership's vocabulary. Built-in themes (`builtin`) are named by the
    message catalog; themes added by facilitators keep a name per locale in `names`."""

    __tablename__ = "themes"
    __table_args__ = (UniqueConstraint("partnership_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    builtin: Mapped[bool] = mapped_column(default=False)
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partnership: Mapped[Partnership] = relationship()  # noqa: F821


class Actor(db.Model):
    """Someone in a city who can help. Contact fields hold data only while `consent` is set."""

    __tablename__ = "actors"
    __table_args__ = (
        Index("ix_actors_city_name_key", "city_id", "name_key"),
        CheckConstraint("interest BETWEEN 1 AND 5", name="interest_range"),
        CheckConstraint("influence BETWEEN 1 AND 5", name="influence_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # normalised name for duplicate detection
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str | None] = mapped_column(String(500))
    interest: Mapped[int] = mapped_column(default=3)
    influence: Mapped[int] = mapped_column(default=3)
    consent: Mapped[bool] = mapped_column(default=False)
    consent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    consent_at: Mapped[datetime | None]
    contact_person: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(60))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partnership: Mapped[Partnership] = relationship()  # noqa: F821
    city: Mapped[City] = relationship()  # noqa: F821
    consent_by: Mapped[User | None] = relationship(foreign_keys=[consent_by_id])  # noqa: F821
    themes: Mapped[list[Theme]] = relationship(secondary=actor_themes, order_by="Theme.position")
    projects: Mapped[list[Project]] = relationship(secondary=actor_projects)  # noqa: F821
    cards: Mapped[list[Card]] = relationship(secondary=actor_cards)  # noqa: F821

    @property
    def contact(self) -> dict | None:
        """The contact fields, or None without consent (so templates cannot leak them)."""
        if not self.consent:
            return None
        return {
            "person": self.contact_person or "",
            "email": self.contact_email or "",
            "phone": self.contact_phone or "",
        }


class MatchEntry(db.Model):
    """An interest, need, potential or idea of one city."""

    __tablename__ = "match_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partnership: Mapped[Partnership] = relationship()  # noqa: F821
    city: Mapped[City] = relationship()  # noqa: F821
    themes: Mapped[list[Theme]] = relationship(secondary=entry_themes, order_by="Theme.position")


class Match(db.Model):
    """Entries of different cities that belong together: a pair, or a group across >2 cities."""

    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partnership: Mapped[Partnership] = relationship()  # noqa: F821
    theme: Mapped[Theme | None] = relationship()
    project: Mapped[Project | None] = relationship()  # noqa: F821
    created_by: Mapped[User | None] = relationship()  # noqa: F821
    entries: Mapped[list[MatchEntry]] = relationship(secondary=match_entry_links, order_by="MatchEntry.id")
