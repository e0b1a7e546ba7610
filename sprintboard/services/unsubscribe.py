"""One-click unsubscribe (RFC 8058): every notification email names its kind in a signed token
(no login needed, no expiry); the token names the person too, so it cannot touch anyone else.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from .. import links
from ..extensions import db
from ..models import KINDS, User
from ..models.notification import modes_of

DIGEST = "digest"  # the daily digest's own "kind": every kind that goes to the digest


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="unsubscribe")


def token(user: User, kind: str) -> str:
    return _signer().dumps([user.id, kind])


def url(user: User, kind: str) -> str:
    return links.external("notifications.unsubscribe", token=token(user, kind))


def headers(unsubscribe_url: str) -> dict:
    return {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def read(value: str) -> tuple[User, str] | None:
    """(person, kind) of a genuine token; None when forged, mangled or the person is gone."""
    try:
        user_id, kind = _signer().loads(value)
    except (BadSignature, ValueError, TypeError):
        return None
    if kind not in (*KINDS, DIGEST) or not isinstance(user_id, int):
        return None
    user = db.session.get(User, user_id)
    return (user, kind) if user is not None else None


def apply(user: User, kind: str) -> None:
    """No more email of this kind (DIGEST: every kind that went to the digest)."""
    if kind == DIGEST:
        modes = {k: "off" for k, mode in modes_of(user).items() if mode == "digest"}
    else:
        modes = {kind: "off"}
    user.mail_settings = {**(user.mail_settings or {}), **modes}
