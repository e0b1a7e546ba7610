"""Personal API tokens: made on the account page, shown once, kept as a hash, revocable."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from ..extensions import db
from ..models import API_SCOPES, ApiToken, Membership, Partnership, User
from ..models.base import utcnow
from . import DomainError
from .tokens import hash_token, new_token

NAME_MAX = 80
PREFIX = "sbp_"  # recognisable in a leaked file or a secret scanner
EXPIRY_DAYS = (0, 30, 90, 365)  # 0: never expires
TOKENS_MAX = 20  # active tokens per person


def tokens_of(user: User) -> list[ApiToken]:
    """The person's tokens that still work, newest first, with their partnerships."""
    now = utcnow()
    query = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())
    )
    return [token for token in db.session.scalars(query) if token.active(now)]


def create_token(
    user: User, partnership: Partnership, *, name: str, scope: str, expires_days: int = 0
) -> tuple[ApiToken, str]:
    """A new token of `user` for `partnership`: (the row, the secret to show once)."""
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("A token needs a name."))
    if len(name) > NAME_MAX:
        raise DomainError(_("A name can have at most %(n)d characters.", n=NAME_MAX))
    if scope not in API_SCOPES:
        raise DomainError(_("Choose read or write."))
    if expires_days not in EXPIRY_DAYS:
        raise DomainError(_("Choose one of the offered expiry times."))
    if not user.is_admin and not _is_member(user, partnership):
        raise DomainError(_("You can only make tokens for partnerships you belong to."))
    if len(tokens_of(user)) >= TOKENS_MAX:
        raise DomainError(_("You have %(n)d tokens already: revoke one first.", n=TOKENS_MAX))
    secret = PREFIX + new_token()
    token = ApiToken(
        user=user,
        partnership=partnership,
        name=name,
        scope=scope,
        token_hash=hash_token(secret),
        prefix=secret[:10],
        expires_at=utcnow() + timedelta(days=expires_days) if expires_days else None,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def token_for(secret: str) -> ApiToken | None:
    """The working token with this secret (None for unknown, revoked or expired ones)."""
    if not secret:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    now = utcnow()
    if token is None or not token.active(now):
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        # At most one write per token every few minutes: reads stay reads.
        db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        db.session.commit()
    return token


def _is_member(user: User, partnership: Partnership) -> bool:
    query = select(Membership.id).where(
        Membership.user_id == user.id, Membership.partnership_id == partnership.id
    )
    return db.session.scalar(query) is not None
