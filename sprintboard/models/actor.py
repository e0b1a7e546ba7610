"""Someone in a city who can help, with the themes, projects and cards they are linked to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import link_table, utcnow
from .theme import Theme

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

_ACTOR = ("actor_id", "actors")
actor_themes = link_table("actor_themes", _ACTOR, ("theme_id", "themes"))
actor_projects = link_table("actor_projects", _ACTOR, ("project_id", "projects"))
actor_cards = link_table("actor_cards", _ACTOR, ("card_id", "cards"))


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
    language: Mapped[str | None] = mapped_column(String(8))  # original language of the text
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
