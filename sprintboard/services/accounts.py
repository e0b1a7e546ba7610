"""Users, passwords and login sessions."""

from __future__ import annotations

import functools
import re
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from .. import timezones
from ..extensions import db
from ..models import Membership, User, UserSession
from ..models.base import utcnow
from . import DomainError, request_keys
from .tokens import hash_token, new_token

MIN_PASSWORD = 10
# Checked against when the email is unknown, so a failed login costs the same either way.
_DUMMY_HASH = generate_password_hash("not a password")


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt, Werkzeug's default


MIN_STRENGTH = 2  # zxcvbn's score (0-4): "aaaaaaaaaa", "password123", "1234567890" score 0


def check_new_password(password: str, hints: tuple[str, ...] = ()) -> None:
    """Long enough, and not easy to guess (repeats, sequences, keyboard rows, common passwords,
    words from `hints` such as the person's name and email)."""
    if len(password) < MIN_PASSWORD:
        raise DomainError(_("Use at least %(n)d characters.", n=MIN_PASSWORD))
    # (zxcvbn's time grows with the length; the first 64 characters tell enough)
    words = [w for hint in hints if hint for w in re.split(r"[\s@._+-]+", hint.lower()) if w]
    if zxcvbn(password[:64], user_inputs=words)["score"] < MIN_STRENGTH:
        raise DomainError(
            _(
                "This password is too easy to guess. Use a few uncommon words; avoid repeated "
                "characters, sequences, keyboard rows, names and dates."
            )
        )


def create_user(email: str, name: str, password: str, *, is_admin=False, locale=None) -> User:
    check_new_password(password, (email, name))
    email = User.normalise_email(email)
    if User.by_email(email) is not None:
        raise DomainError(_("An account with this email address already exists."))
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        is_admin=is_admin,
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    return user


def create_first_admin(email: str, name: str, password: str, locale=None) -> User:
    """The first-run administrator; refused once any user exists."""
    if User.count() > 0:
        raise DomainError(_("This instance is already set up."))
    return create_user(email, name, password, is_admin=True, locale=locale)


def authenticate(email: str, password: str) -> User | None:
    user = User.by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def start_session(user: User) -> str:
    """A new login session for `user`; returns the token that goes into the cookie."""
    token = new_token()
    lifetime = current_app.permanent_session_lifetime
    db.session.add(UserSession(user_id=user.id, token_hash=hash_token(token), expires_at=utcnow() + lifetime))
    db.session.flush()
    user.session_token = token
    return token


@functools.cache
def session_statement():
    # (built once: every request asks; building and keying a statement costs more than the query.
    # The person and the session's end, not the session as an object: one entity loaded; and the
    # person's latest claimed request key, which every page's tag needs: request_keys.latest_claim)
    return (
        db.select(User, UserSession.expires_at, request_keys.latest_claim_of(User.id))
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == db.bindparam("token_hash"))
    )


def user_for_session(token: str) -> User | None:
    return user_of(db.session.execute(session_statement(), {"token_hash": hash_token(token)}).first(), token)


def user_of(found, token: str) -> User | None:
    """The person of a row of `session_statement` (or of a statement that adds columns after
    its own: access reads a partnership with it), None when the session is unknown or over."""
    if found is None or found[1] <= utcnow():
        return None
    user, _expires, latest_claim = found[:3]
    user.session_token, user.latest_claim = token, latest_claim or 0
    return user


def end_session(token: str | None) -> None:
    if token:
        user_id = db.session.scalar(
            db.select(UserSession.user_id).where(UserSession.token_hash == hash_token(token))
        )
        db.session.execute(db.delete(UserSession).where(UserSession.token_hash == hash_token(token)))
        if user_id is not None:
            access_changed(user_id)


def access_changed(user_id: int) -> None:
    """After the commit, the user's open live streams check again what they may still see (a
    logout, a removed membership or a lower role ends them at once)."""
    from ..live import hooks

    hooks.queue_event({"k": "access", "p": f"u{user_id}"})


def stream_role(user_id: int, token: str | None, partnership_id: int) -> str | None:
    """The role the user has in the partnership through this login session (admins are
    facilitators), or None once the session ended or expired or the membership is gone."""
    query = (
        db.select(User.is_admin, Membership.role)
        .select_from(User)
        .outerjoin(
            Membership, (Membership.user_id == User.id) & (Membership.partnership_id == partnership_id)
        )
        .where(User.id == user_id)
    )
    if token is not None:
        query = query.join(
            UserSession,
            (UserSession.user_id == User.id)
            & (UserSession.token_hash == hash_token(token))
            & (UserSession.expires_at > utcnow()),
        )
    row = db.session.execute(query).first()
    if row is None:
        return None
    return "facilitator" if row.is_admin else row.role


def update_profile(user: User, name: str, locale: str | None, timezone: str | None = None) -> None:
    """A new display name, language and time zone (cards on the board show the new name at
    once: their cached HTML is keyed by everyone's names)."""
    user.name = name.strip()
    user.locale = locale
    if timezone is not None:
        if not timezones.is_valid(timezone):
            raise DomainError(_("Unknown time zone: %(zone)s", zone=timezone))
        user.timezone = timezone


def remember_timezone(user: User, name: str | None) -> None:
    """The browser's zone, on the first login (a zone chosen on the account page is kept)."""
    if user.timezone is None and timezones.is_valid(name):
        user.timezone = name


def remember_locale(user: User, lang: str | None) -> None:
    """The language picked before logging in becomes the preference of someone who has none."""
    if user.locale is None and lang:
        user.locale = lang


def change_password(user: User, current: str, new: str) -> None:
    """Change the password and end every session of the user (the caller starts a new one)."""
    if not check_password_hash(user.password_hash, current):
        raise DomainError(_("The current password is not correct."))
    check_new_password(new, (user.email, user.name))
    user.password_hash = hash_password(new)
    db.session.execute(db.delete(UserSession).where(UserSession.user_id == user.id))
    access_changed(user.id)


def purge_expired_sessions(older_than: timedelta = timedelta(0)) -> int:
    result = db.session.execute(db.delete(UserSession).where(UserSession.expires_at < utcnow() - older_than))
    return result.rowcount
