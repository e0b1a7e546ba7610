"""Mail goes through a real SMTP server (aiosmtpd): claimed before sending, sent exactly once
by several workers, retried with back-off when the server refuses, then marked failed."""

import threading
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Outbox
from sprintboard.models.base import utcnow
from sprintboard.services import mail, outbox
from tests.conftest import mail_html, mail_text


def _invite(as_role, p, email="lena@example.org", language="de"):
    return as_role("facilitator").post(
        f"/p/{p.id}/members/invite",
        data={"email": email, "role": "member", "city": p.cities[1].id, "language": language},
    )


def test_an_invitation_is_mailed_in_the_chosen_language_with_text_and_html(world, as_role, smtp):
    r = _invite(as_role, world.partnership, language="de")
    assert r.status_code == 200
    (message,) = smtp.wait(1)
    assert message["To"] == "lena@example.org"
    assert message["Subject"] == f"Einladung zur Partnerschaft {world.partnership.name} auf Sprintboard"
    assert "/invite/" in mail_text(message)
    html = mail_html(message)
    assert '<html lang="de">' in html and 'href="http://localhost/invite/' in html
    row = db.session.scalars(select(Outbox)).one()
    assert row.sent_at is not None and row.error is None and row.claim is None


def test_without_smtp_the_message_waits_and_the_inviter_sees_the_link(world, as_role):
    r = _invite(as_role, world.partnership)
    assert "/invite/" in r.get_data(as_text=True)
    message = db.session.scalars(select(Outbox)).one()
    assert message.sent_at is None and message.attempts == 0
    html = as_role("admin").get("/admin/outbox").get_data(as_text=True)
    assert "lena@example.org" in html and "waiting" in html


def _queue(n, ctx_app):
    for i in range(n):
        mail.queue(f"person{i}@example.org", f"Message {i}", f"Hello {i}")
    db.session.commit()


def test_two_workers_on_one_outbox_send_every_message_exactly_once(app, db, smtp):
    app.config["MAIL_SERVER"] = None  # queue without the inline nudge, then let two workers race
    with app.test_request_context():
        _queue(40, app)
    app.config["MAIL_SERVER"] = "127.0.0.1"
    sent, errors = [], []
    start = threading.Barrier(2)

    def worker():
        try:
            with app.app_context():
                start.wait()
                sent.append(outbox.deliver_due())
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sum(sent) == 40
    recipients = sorted(m["To"] for m in smtp.wait(40))
    assert recipients == sorted(f"person{i}@example.org" for i in range(40))  # none twice, none lost
    db.session.rollback()
    assert db.session.scalar(select(db.func.count(Outbox.id)).where(Outbox.sent_at.is_(None))) == 0


def test_a_refusing_server_means_retries_with_back_off_then_failed(app, db, smtp, as_role, world):
    smtp.refuse = "451 4.3.0 Try again later"
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    try:
        start = utcnow()
        with time_machine.travel(start, tick=False) as clock:
            with app.test_request_context():
                mail.queue("lena@example.org", "Hello", "Hello Lena")
                db.session.commit()  # the nudge: the first try, refused
            message = db.session.scalars(select(Outbox)).one()
            assert (message.attempts, message.status, message.error) == (1, "retrying", "SMTPDataError 451")
            assert message.next_attempt_at == start + outbox.backoff(1)
            assert outbox.deliver_due() == 0  # too early: the back-off holds
            assert smtp.attempts == 1
            clock.shift(outbox.backoff(1) + timedelta(seconds=1))
            outbox.deliver_due()
            clock.shift(outbox.backoff(2) + timedelta(seconds=1))
            outbox.deliver_due()
            clock.shift(timedelta(days=1))
            outbox.deliver_due()  # given up: no fourth try
        db.session.expire_all()
        message = db.session.scalars(select(Outbox)).one()
        assert smtp.attempts == 3 and smtp.messages == []
        assert message.status == "failed" and message.failed_at is not None
        page = as_role("admin").get("/admin/outbox").get_data(as_text=True)
        assert "failed" in page and "SMTPDataError 451" in page and "3 tries" in page
        # Once the server accepts again, an administrator sends it again.
        smtp.refuse = None
        r = as_role("admin").post(f"/admin/outbox/{message.id}/retry")
        assert r.status_code == 303
        assert [m["To"] for m in smtp.wait(1)] == ["lena@example.org"]
    finally:
        app.config["MAIL_MAX_ATTEMPTS"] = 6


def test_an_unreachable_server_keeps_the_message_and_the_change(app, world, as_role):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port, MAIL_USE_TLS=False)
    try:
        r = _invite(as_role, world.partnership)
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_USE_TLS=True)
    assert r.status_code == 200
    message = db.session.scalars(select(Outbox)).one()
    assert message.sent_at is None and message.error == "ConnectionRefusedError" and message.attempts == 1


def test_a_rolled_back_change_queues_no_mail_and_sends_nothing(app, db, smtp):
    with app.test_request_context():
        mail.queue("lena@example.org", "Hello", "Hello Lena")
        db.session.rollback()
        mail.queue("anna@example.org", "Hello", "Hello Anna")
        db.session.commit()
    assert [m["To"] for m in smtp.wait(1)] == ["anna@example.org"]
    assert db.session.scalar(select(db.func.count(Outbox.id))) == 1


@pytest.mark.parametrize("status", ["shortlisted", "declined"])
def test_applicants_hear_the_decision_in_the_language_they_applied_in(app, world, smtp, status):
    from sprintboard.services import applications

    from .test_applications import make_call, sample_application

    with app.test_request_context():
        call = make_call(world.admin)
        application, _token = applications.submit_application(call, sample_application(), locale="ru")
        db.session.commit()
        applications.set_status(application, status, actor=None)
        db.session.commit()
    receipt, decision = smtp.wait(2)
    assert receipt["Subject"].startswith("Ваша заявка")
    text = mail_text(decision)
    assert ("шорт-лист" in text) if status == "shortlisted" else ("не была выбрана" in text)
