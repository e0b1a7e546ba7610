"""Invitations: the only way into a partnership (besides being the first administrator)."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from ..extensions import db
from ..models import City, Invitation, Membership, Partnership, User
from ..models.base import utcnow
from . import DomainError
from .accounts import create_user
from .activity import log
from .mail import queue
from .partnerships import add_member, check_role
from .tokens import hash_token, new_token


def invite(partnership: Partnership, email: str, role: str, city: City, *, actor, locale="en"):
    """Create an invitation and queue its email; returns (invitation, link to pass on)."""
    check_role(role)
    email = User.normalise_email(email)
    user = User.by_email(email)
    if user is not None and db.session.scalar(
        db.select(Membership).filter_by(user_id=user.id, partnership_id=partnership.id)
    ):
        raise DomainError(_("%(email)s is already a member of this partnership.", email=email))
    # A new invitation replaces an open one for the same address.
    for old in open_invitations(partnership):
        if old.email == email:
            old.revoked_at = utcnow()
    token = new_token()
    invitation = Invitation(
        partnership=partnership,
        email=email,
        role=role,
        city=city,
        token_hash=hash_token(token),
        invited_by=actor,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    link = invitation_link(token)
    with force_locale(locale):
        queue(
            email,
            _("Invitation to %(partnership)s on Sprintboard", partnership=partnership.name),
            _(
                "%(inviter)s invites you to join the partnership %(partnership)s on Sprintboard.\n\n"
                "Open this link to accept (valid for %(days)d days):\n%(link)s\n",
                inviter=actor.name,
                partnership=partnership.name,
                days=current_app.config["INVITATION_DAYS"],
                link=link,
            ),
        )
    log(actor, "invitation.created", invitation, partnership=partnership, email=email, role=role)
    return invitation, link


def invitation_link(token: str) -> str:
    base = current_app.config.get("PUBLIC_URL")
    path = url_for("auth.accept_invitation", token=token)
    return base + path if base else url_for("auth.accept_invitation", token=token, _external=True)


def find_open(token: str) -> Invitation | None:
    invitation = db.session.scalar(db.select(Invitation).where(Invitation.token_hash == hash_token(token)))
    return invitation if invitation is not None and invitation.is_open else None


def accept(invitation: Invitation, *, user: User | None = None, name="", password="") -> User:
    """Accept: an existing (logged-in) user joins, or a new account is created."""
    if not invitation.is_open:
        raise DomainError(_("This invitation is no longer valid."))
    if user is None:
        if User.by_email(invitation.email) is not None:
            raise DomainError(_("An account with this email address already exists. Log in first."))
        user = create_user(invitation.email, name, password)
    elif user.email != invitation.email:
        raise DomainError(_("This invitation was sent to another email address."))
    add_member(invitation.partnership, user, invitation.role, invitation.city, actor=user)
    invitation.accepted_at = utcnow()
    return user


def revoke(invitation: Invitation, *, actor) -> None:
    if invitation.accepted_at is not None:
        raise DomainError(_("This invitation has already been accepted."))
    invitation.revoked_at = utcnow()
    log(actor, "invitation.revoked", invitation, partnership=invitation.partnership, email=invitation.email)


def open_invitations(partnership: Partnership) -> list[Invitation]:
    return list(
        db.session.scalars(
            db.select(Invitation)
            .where(
                Invitation.partnership_id == partnership.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at)
        )
    )
