"""Forgotten passwords: a single-use link by email (only its SHA-256 is stored), valid for an
hour; using it sets the password and ends every session of the person. People restored by
`sprintboard import` get the same kind of link, valid for a week, to set their first password.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from .. import links
from ..extensions import db
from ..models import PasswordReset, User, UserSession
from ..models.base import utcnow
from . import DomainError, mail
from .accounts import access_changed, check_new_password, hash_password
from .tokens import hash_token, new_token

RESET_LIFETIME = timedelta(hours=1)
WELCOME_LIFETIME = timedelta(days=7)
OPEN_PER_HOUR = 3  # links sent to one address per hour; more requests are answered the same, unsent


def _new_link(user: User, lifetime: timedelta) -> str:
    token = new_token()
    db.session.add(
        PasswordReset(user_id=user.id, token_hash=hash_token(token), expires_at=utcnow() + lifetime)
    )
    db.session.flush()
    return links.external("passwords.reset", token=token)


def request_reset(email: str) -> None:
    """Send a reset link if the address has an account; the caller answers the same either way."""
    user = User.by_email(email or "")
    if user is None:
        return
    recent = db.session.scalar(
        select(func.count(PasswordReset.id)).where(
            PasswordReset.user_id == user.id, PasswordReset.created_at > utcnow() - timedelta(hours=1)
        )
    )
    if recent >= OPEN_PER_HOUR:
        return  # someone is flooding this person's mailbox: the links already sent still work
    link = _new_link(user, RESET_LIFETIME)
    with force_locale(mail.locale_of(user)):
        mail.queue(
            user.email,
            _("Reset your Sprintboard password"),
            _(
                "Hello %(name)s,\n\nsomeone (hopefully you) asked to reset your Sprintboard password. "
                "Open this link within an hour to choose a new one; it works once:\n%(link)s\n\n"
                "If you did not ask for this, ignore this email: your password stays as it is.\n",
                name=user.name,
                link=link,
            ),
            private=True,
        )


def send_welcome(user: User) -> None:
    """Someone created by an import: a link to set their first password (valid for a week)."""
    link = _new_link(user, WELCOME_LIFETIME)
    with force_locale(mail.locale_of(user)):
        mail.queue(
            user.email,
            _("Set your Sprintboard password"),
            _(
                "Hello %(name)s,\n\nyour Sprintboard account has been restored on a new server. "
                "Open this link within seven days to set your password; it works once:\n%(link)s\n",
                name=user.name,
                link=link,
            ),
            private=True,
        )


def find_valid(token: str) -> PasswordReset | None:
    """The open reset of `token`; None when it is unknown, used or expired."""
    if not token or len(token) > 100:
        return None
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == hash_token(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def reset_password(reset: PasswordReset, password: str) -> User:
    """Set the new password (the link is used up), end every session and every other link."""
    check_new_password(password, (reset.user.email, reset.user.name))
    claimed = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # the same link, used twice at once
        raise DomainError(_("This link has already been used. Ask for a new one."))
    user = reset.user
    user.password_hash = hash_password(password)
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    access_changed(user.id)  # open live streams end too
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return user


def purge_expired() -> int:
    cutoff = utcnow() - timedelta(days=1)
    result = db.session.execute(delete(PasswordReset).where(PasswordReset.expires_at < cutoff))
    return result.rowcount
