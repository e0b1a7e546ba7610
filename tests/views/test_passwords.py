"""Forgot password: the same answer for every address, one link that works once for an hour,
every session ended; people restored by an import get a link to set their first password."""

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Outbox, PasswordReset, UserSession
from sprintboard.models.base import utcnow
from tests.conftest import mail_text
from tests.views.test_routes import fingerprint


def _link(message) -> str:
    return re.search(r"http://localhost(/password/reset/\S+)", mail_text(message)).group(1)


def _page(response) -> str:
    """The page without its CSRF tokens (they carry the second they were signed in)."""
    return CSRF.sub("csrf", response.get_data(as_text=True))


CSRF = re.compile(
    r"I[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,8}\.[A-Za-z0-9_-]{20,}"
)  # (base64 of a JSON string: "I…")


def test_a_reset_link_arrives_works_once_and_ends_every_session(app, world, client, login, smtp):
    max_ = world.users["member"]
    other_browser = login(app.test_client(), max_)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"})
    known = client.post("/password/forgot", data={"email": max_.email.upper()})
    assert unknown.status_code == known.status_code == 200
    answer = _page(unknown).replace("nobody@example.org", "X")
    assert answer == _page(known).replace(max_.email.upper(), "X")  # no hint either way
    (message,) = smtp.wait(1)
    assert message.envelope_to == [max_.email] and message["Subject"] == "Reset your Sprintboard password"
    link = _link(message)
    # Only the hash is stored, and the sent message's text is blanked in the outbox.
    assert db.session.scalars(select(PasswordReset)).one().token_hash not in link
    assert db.session.scalars(select(Outbox)).one().body == ""
    assert client.get(link).status_code == 200
    r = client.post(link, data={"password": "a brand new secret", "confirm": "a brand new secret"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/login")
    assert db.session.scalar(select(db.func.count(UserSession.id))) == 0
    assert other_browser.get("/account").status_code == 302  # logged out there too
    again = client.post(link, data={"password": "another secret 1", "confirm": "another secret 1"})
    assert again.status_code == 404 and "This link does not work" in again.get_data(as_text=True)
    r = client.post("/login", data={"email": max_.email, "password": "a brand new secret"})
    assert r.status_code == 303


def test_expired_and_guessed_links_are_refused_and_rate_limited(app, world, client, smtp):
    max_ = world.users["member"]
    client.post("/password/forgot", data={"email": max_.email})
    link = _link(smtp.wait(1)[0])
    before = fingerprint()
    with time_machine.travel(utcnow() + timedelta(hours=1, minutes=1)):
        r = client.post(link, data={"password": "a brand new secret", "confirm": "a brand new secret"})
    assert r.status_code == 404 and fingerprint() == before
    statuses = [client.get(f"/password/reset/{'g' * 43}{i}").status_code for i in range(6)]
    # RESET_RATE_LIMIT (5 per 15 minutes) counts the expired try too; then even a good link waits.
    assert statuses == [404] * 4 + [429] * 2


def test_asking_too_often_is_rate_limited_and_floods_no_mailbox(app, world, client, smtp):
    max_ = world.users["member"]
    statuses = [client.post("/password/forgot", data={"email": max_.email}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert db.session.scalar(select(db.func.count(PasswordReset.id))) == 3  # OPEN_PER_HOUR


def test_a_weak_new_password_is_refused_in_place(world, client, smtp):
    client.post("/password/forgot", data={"email": world.users["member"].email})
    link = _link(smtp.wait(1)[0])
    r = client.post(link, data={"password": "short", "confirm": "short"})
    assert r.status_code == 422 and "At least" in r.get_data(as_text=True)
    assert client.get(link).status_code == 200  # still usable


def test_people_restored_by_an_import_get_a_set_password_mail(app, world, db, tmp_path, smtp):
    from sprintboard.services import backup
    from tests.services.test_backup import empty_instance

    member_email = world.users["member"].email
    path = tmp_path / "export.json"
    path.write_text(backup.dumps(backup.export_partnership(world.partnership)), encoding="utf-8")
    empty_instance(db)
    result = app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "email with a link" in result.output
    received = smtp.wait(4)
    subjects = {m["Subject"] for m in received}
    assert subjects == {"Set your Sprintboard password"}
    assert any(member_email in m.envelope_to for m in received)
