"""Routes of notifications, email settings, watching, mentions, password resets, the outbox."""

from sprintboard.extensions import db
from sprintboard.services import notifications

ROUTES = {
    "notifications.index": "login",
    "notifications.open_one": "login",
    "notifications.read_all": "login",
    "notifications.settings": "login",
    "notifications.unsubscribe": "public",
    "notifications.watch": ("p", "view"),
    "notifications.suggest_mentions": ("p", "view"),
    "passwords.forgot": "public",
    "passwords.reset": "public",
    "admin.retry": "admin",
}

# Writes that take no CSRF token, and why (tests/views/test_routes.py checks the others).
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail programs POST without a session; the signed token is
    # the authorisation, and the only effect is less email for the person it names.
    "notifications.unsubscribe": "signed token instead (RFC 8058)",
}


def params(world) -> dict:
    note = notifications.notify(
        [world.users["member"]],
        "mention",
        "walk:1",
        actor=world.users["facilitator"],
        partnership=world.partnership,
        path=f"/p/{world.partnership.id}/board",
        data={"title": "Walk"},
    )[0]
    db.session.commit()
    return {"notification_id": note.id, "mid": 1}  # (names unique across areas: retro notes are nid)
