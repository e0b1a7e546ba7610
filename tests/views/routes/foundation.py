"""Routes of the foundation: accounts, partnerships, members, admin."""

from flask import current_app

from sprintboard.extensions import db

# endpoint -> who may use it (see tests/views/test_routes.py)
ROUTES = {
    "main.index": "public",
    "main.language": "public",
    "auth.setup": "public",
    "auth.login": "public",
    "auth.logout": "login",
    "auth.account": "login",
    "auth.accept_invitation": "public",
    "admin.outbox": "admin",
    "partnerships.create": "admin",
    "partnerships.show": ("p", "view"),
    "partnerships.edit": ("p", "manage"),
    "partnerships.add_city": ("p", "manage"),
    "partnerships.activity_log": ("p", "view"),
    "partnerships.dismiss_first_steps": ("p", "manage"),
    "members.index": ("p", "view"),
    "members.invite": ("p", "manage"),
    "members.change": ("p", "manage"),
    "members.remove": ("p", "manage"),
    "members.revoke_invitation": ("p", "manage"),
}


def invite(partnership, email, actor):
    from sprintboard.services import invitations

    with current_app.test_request_context():
        invitation, _link = invitations.invite(
            partnership, email, "member", partnership.cities[0], actor=actor
        )
    return invitation


def params(world) -> dict:
    """A valid value for each URL parameter of these routes, in world.partnership."""
    p = world.partnership
    invitation = invite(p, "new@example.org", world.users["facilitator"])
    membership = next(m for m in p.memberships if m.user is world.users["member"])
    db.session.commit()
    return {"pid": p.id, "mid": membership.id, "iid": invitation.id, "token": "x" * 43}


def foreign(world) -> dict:
    """Ids of the same kinds that belong to world.other (another partnership)."""
    other = world.other
    invitation = invite(other, "q@example.org", world.users["outsider"])
    db.session.commit()
    return {"mid": other.memberships[0].id, "iid": invitation.id}
