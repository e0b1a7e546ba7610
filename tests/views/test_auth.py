"""Logging in and out, sessions, passwords, first run, invitations."""

import re

import pytest
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Membership, Outbox, User, UserSession
from tests import factories
from tests.conftest import csrf_from


def _log_in(client, email, password=factories.PASSWORD, next_url=""):
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login",
        data={"email": email, "password": password, "next": next_url, "csrf_token": token},
        csrf=False,
    )


def test_first_run_asks_for_an_administrator_then_only_logins(client):
    assert client.get("/").headers["Location"].endswith("/setup")
    page = client.get("/setup").get_data(as_text=True)
    assert "first administrator" in page
    r = client.post(
        "/setup",
        data={
            "name": "Ada",
            "email": "Ada@Example.org",
            "password": "a long passphrase",
            "confirm": "a long passphrase",
        },
    )
    assert r.status_code == 303
    admin = db.session.scalars(select(User)).one()
    assert admin.is_admin and admin.email == "ada@example.org"
    assert admin.password_hash.startswith("scrypt:")  # a modern KDF, never the password
    # The setup page is gone for good.
    assert as_other(client).get("/setup").headers["Location"].endswith("/login")


def as_other(client):
    return client.application.test_client()


def test_setup_rejects_short_or_mismatched_passwords(client):
    r = client.post(
        "/setup", data={"name": "Ada", "email": "ada@example.org", "password": "short", "confirm": "short"}
    )
    assert r.status_code == 422 and "At least 10 characters" in r.get_data(as_text=True)
    r = client.post(
        "/setup",
        data={
            "name": "Ada",
            "email": "ada@example.org",
            "password": "a long passphrase",
            "confirm": "another one!!",
        },
    )
    assert r.status_code == 422 and "do not match" in r.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(User.id))) == 0


def test_login_renews_the_session_and_logout_kills_it(world, client):
    user = world.users["member"]
    client.get("/login")
    before = client.get_cookie("sprintboard_session").value
    r = _log_in(client, user.email)
    assert r.status_code == 303
    after = client.get_cookie("sprintboard_session").value
    assert after != before
    assert client.get(f"/p/{world.partnership.id}").status_code == 200
    stolen = after
    token = csrf_from(client.get("/account").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token}, csrf=False)
    assert db.session.scalar(select(db.func.count(UserSession.id))) == 0
    replay = client.application.test_client()
    replay.set_cookie("sprintboard_session", stolen)
    r = replay.get(f"/p/{world.partnership.id}")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_wrong_password_is_422_and_rate_limited(world, client):
    user = world.users["member"]
    for _ in range(5):
        r = _log_in(client, user.email, "wrong password")
        assert r.status_code == 422 and "Wrong email or password" in r.get_data(as_text=True)
    r = _log_in(client, user.email, factories.PASSWORD)
    assert r.status_code == 429  # even the right password waits now
    assert "Too many attempts" in r.get_data(as_text=True)


def test_unknown_email_gives_the_same_answer(world, client):
    r = _log_in(client, "nobody@example.org", "whatever password")
    assert r.status_code == 422 and "Wrong email or password" in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "https://evil.example/",
        "/\r\nLocation: https://evil.example",
    ],
)
def test_next_cannot_leave_the_site(world, client, target):
    r = _log_in(client, world.users["member"].email, next_url=target)
    assert r.status_code == 303
    location = r.headers["Location"]
    assert "evil" not in location and not location.startswith("javascript")


def test_next_inside_the_site_is_followed(world, client):
    url = f"/p/{world.partnership.id}/members/"
    r = _log_in(client, world.users["member"].email, next_url=url)
    assert r.headers["Location"].endswith(url)


def test_password_change_logs_out_other_sessions(world, app, client):
    user = world.users["member"]
    other = app.test_client()
    _log_in(other, user.email)
    _log_in(client, user.email)
    token = csrf_from(client.get("/account").get_data(as_text=True))
    r = client.post(
        "/account",
        data={
            "csrf_token": token,
            "password-current": factories.PASSWORD,
            "password-password": "a new long passphrase",
            "password-confirm": "a new long passphrase",
        },
        csrf=False,
    )
    assert r.status_code == 303
    assert client.get("/account").status_code == 200  # this browser got a fresh session
    assert other.get("/account").status_code == 302  # the other one is logged out
    assert _log_in(app.test_client(), user.email, "a new long passphrase").status_code == 303


def test_password_change_needs_the_current_password(world, as_role):
    client = as_role("member")
    r = client.post(
        "/account",
        data={
            "password-current": "not it",
            "password-password": "a new long passphrase",
            "password-confirm": "a new long passphrase",
        },
    )
    assert r.status_code == 422 and "current password is not correct" in r.get_data(as_text=True)


def test_invitation_flow(world, as_role, app):
    p = world.partnership
    facilitator = as_role("facilitator")
    r = facilitator.post(
        f"/p/{p.id}/members/invite",
        data={"email": "Neu@Example.org", "role": "member", "city": p.cities[1].id},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    link = re.search(r'value="(http://localhost/invite/[^"]+)"', html).group(1)
    outbox = db.session.scalars(select(Outbox)).one()
    assert outbox.recipient == "neu@example.org" and link in outbox.body
    path = link.removeprefix("http://localhost")
    newcomer = app.test_client()
    assert "Join" in newcomer.get(path).get_data(as_text=True)
    r = newcomer.post(
        path, data={"name": "Nina Neu", "password": "a long passphrase", "confirm": "a long passphrase"}
    )
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/p/{p.id}")
    user = User.by_email("neu@example.org")
    membership = db.session.scalars(select(Membership).filter_by(user_id=user.id)).one()
    assert (membership.role, membership.city_id) == ("member", p.cities[1].id)
    assert newcomer.get(f"/p/{p.id}").status_code == 200  # logged in right away
    # Single use: the link is dead now.
    assert app.test_client().get(path).status_code == 404


def test_registration_only_by_invitation(client, world):
    assert client.get("/invite/not-a-real-token").status_code == 404
    assert client.get("/register").status_code == 404


def test_facilitator_changes_roles_and_removes_members_but_keeps_one_facilitator(world, as_role):
    p = world.partnership
    facilitator = as_role("facilitator")
    member = next(m for m in p.memberships if m.user is world.users["member"])
    r = facilitator.post(f"/p/{p.id}/members/{member.id}", data={"role": "observer", "city": p.cities[0].id})
    assert r.status_code == 303
    db.session.refresh(member)
    assert (member.role, member.city_id) == ("observer", p.cities[0].id)
    own = next(m for m in p.memberships if m.user is world.users["facilitator"])
    r = facilitator.post(f"/p/{p.id}/members/{own.id}/remove")
    assert r.status_code == 422 and "at least one facilitator" in r.get_data(as_text=True)
    member_id = member.id
    r = facilitator.post(f"/p/{p.id}/members/{member_id}/remove")
    assert r.status_code == 303
    db.session.expunge_all()
    assert db.session.get(Membership, member_id) is None


def test_users_see_only_their_partnerships(world, as_role):
    html = as_role("member").get("/").get_data(as_text=True)
    assert world.partnership.name in html and world.other.name not in html
    admin = as_role("admin").get("/").get_data(as_text=True)
    assert world.partnership.name in admin and world.other.name in admin


def test_admin_creates_a_partnership_of_three_cities(world, as_role):
    r = as_role("admin").post(
        "/p/new",
        data={
            "name": "Trio",
            "description": "",
            "cities-0-name": "Grodno",
            "cities-0-country": "by",
            "cities-1-name": "Lublin",
            "cities-1-country": "PL",
            "cities-2-name": "Lutsk",
            "cities-2-country": "UA",
        },
    )
    assert r.status_code == 303
    from sprintboard.models import Partnership

    trio = db.session.scalars(select(Partnership).filter_by(name="Trio")).one()
    assert [(c.name, c.country) for c in trio.cities] == [("Grodno", "BY"), ("Lublin", "PL"), ("Lutsk", "UA")]


def test_partnership_needs_two_cities(world, as_role):
    r = as_role("admin").post(
        "/p/new", data={"name": "Solo", "cities-0-name": "Grodno", "cities-0-country": "BY"}
    )
    assert r.status_code == 422 and "at least two cities" in r.get_data(as_text=True)


def test_security_headers(world, as_role):
    r = as_role("member").get(f"/p/{world.partnership.id}")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["Cache-Control"] == "private, no-cache"  # back and forward work; see test_caching
    set_cookie = (
        as_role(None)
        .post("/login", data={"email": world.users["member"].email, "password": factories.PASSWORD})
        .headers.get("Set-Cookie", "")
    )
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie


def test_session_cookie_is_secure_over_https(world, client):
    token = csrf_from(client.get("/login", base_url="https://localhost").get_data(as_text=True))
    r = client.post(
        "/login",
        base_url="https://localhost",
        csrf=False,
        data={"email": world.users["member"].email, "password": factories.PASSWORD, "csrf_token": token},
        headers={"Referer": "https://localhost/login"},
    )
    assert r.status_code == 303
    assert "Secure" in r.headers["Set-Cookie"]


def test_error_pages_are_pages_and_fragments(world, as_role):
    page = as_role("member").get("/p/999999")
    assert page.status_code == 404 and "<html" in page.get_data(as_text=True)
    fragment = as_role("member", htmx=True).get("/p/999999")
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 404 and "<html" not in body and "Not found" in body
    assert fragment.headers["HX-Retarget"] == "#flash"
