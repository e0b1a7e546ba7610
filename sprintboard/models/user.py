from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # IANA name (Europe/Berlin); None until the browser told us on login: UTC (see timezones.py).
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Email per notification kind: {"comment": "off", …}; kinds not listed use DEFAULT_MODES.
    mail_settings: Mapped[dict | None] = mapped_column(JSON)
    digest_hour: Mapped[int] = mapped_column(default=8)  # local hour of the daily digest
    digest_sent_on: Mapped[date | None]  # local date of the last digest (claimed before sending)
    unread_count: Mapped[int] = mapped_column(default=0)  # the bell; kept by services.notifications

    memberships: Mapped[list[Membership]] = relationship(  # noqa: F821
        back_populates="user", cascade="all, delete-orphan"
    )
    # Flask-Login's id is the session token, not the user id (see UserSession).
    session_token = None
    # The person's latest claimed request key as read with the login session, for this request
    # (None: not read; services.request_keys.latest_claim).
    latest_claim = None

    def get_id(self) -> str | None:
        return self.session_token

    @staticmethod
    def normalise_email(email: str) -> str:
        return email.strip().lower()

    @classmethod
    def by_email(cls, email: str) -> User | None:
        return db.session.scalar(db.select(cls).where(cls.email == cls.normalise_email(email)))

    @classmethod
    def count(cls) -> int:
        return db.session.scalar(db.select(func.count(cls.id)))


class UserSession(db.Model):
    """One logged-in browser. Logging out deletes the row, so a replayed cookie is worthless."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]

    user: Mapped[User] = relationship()


class PasswordReset(db.Model):
    """A single-use link to set a new password; only the SHA-256 of its token is stored."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
