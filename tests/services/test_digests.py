"""Daily digests at each person's hour in their time zone (across DST), reminders that fire once,
and every kind of notification email as a real SMTP server receives it."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Notification, User
from sprintboard.models.notification import mode_for
from sprintboard.services import cards, digests, outbox, reminders, watching
from tests import factories
from tests.conftest import mail_html, mail_text


def _at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _comment(p, card, author, text="News"):
    cards.add_comment(card, text, language="en", actor=author)
    db.session.commit()


@pytest.fixture
def watchers(app, world):
    """Two people who watch the board: one in Berlin (Russian), one in New York (German)."""
    p = world.partnership
    berlin = factories.member(p, name="Berta Berlin", locale="ru")
    york = factories.member(p, name="Yuri York", locale="de")
    berlin.timezone, york.timezone = "Europe/Berlin", "America/New_York"
    for user in (berlin, york):
        watching.watch(user, p)
    card = factories.card(p, "Plant trees", actor=world.users["facilitator"])
    db.session.commit()
    return p, card, berlin, york


def _run(when, smtp):
    """The worker's digest run at `when`; the mail goes out afterwards, in real time (aiosmtpd's
    event loop needs a clock that moves)."""
    from flask import current_app

    current_app.config["MAIL_SERVER"] = None
    try:
        with time_machine.travel(_at(when), tick=False):
            digests.send_due()
    finally:
        current_app.config["MAIL_SERVER"] = "127.0.0.1"
    outbox.deliver_due()


def test_digests_go_out_at_each_persons_hour_across_time_zones_and_dst(app, world, watchers, smtp):
    p, card, berlin, york = watchers
    fiona = world.users["facilitator"]
    with app.test_request_context(), time_machine.travel(_at("2027-03-27T05:00"), tick=False):
        _comment(p, card, fiona, "First news")
    _run("2027-03-27T06:50", smtp)  # 07:50 in Berlin (CET), 02:50 in New York (EDT)
    assert smtp.messages == []
    _run("2027-03-27T07:05", smtp)  # 08:05 in Berlin
    _run("2027-03-27T07:20", smtp)  # again: nothing twice
    (first,) = smtp.wait(1)
    assert first.envelope_to == [berlin.email]
    assert first["Subject"].startswith("Ваш дайджест Sprintboard за 27 марта 2027")
    assert "Fiona Facilitator комментирует «Plant trees»" in mail_text(first)
    assert "27.03.2027, 06:00" in mail_text(first)  # the comment's time on a Berlin clock
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    _run("2027-03-27T12:05", smtp)  # 08:05 in New York
    second = smtp.wait(2)[1]
    assert second.envelope_to == [york.email] and second["Subject"].startswith("Dein Sprintboard-Überblick")
    # Sunday: Berlin has moved to summer time, so 08:00 there is 06:00 UTC.
    with app.test_request_context(), time_machine.travel(_at("2027-03-28T01:00"), tick=False):
        _comment(p, card, fiona, "Second news")
    _run("2027-03-28T05:55", smtp)
    assert len(smtp.messages) == 2
    _run("2027-03-28T06:05", smtp)
    third = smtp.wait(3)[2]
    assert third.envelope_to == [berlin.email] and "Second news" not in mail_text(third)
    assert "1 новое уведомление" in mail_text(third)


def test_no_news_means_no_digest(app, world, watchers, smtp):
    _p, _card, berlin, _york = watchers
    _run("2027-03-27T07:05", smtp)
    assert smtp.messages == []
    assert db.session.get(User, berlin.id).digest_sent_on == date(2027, 3, 27)  # the day is used up


def test_news_after_the_hour_waits_for_the_next_digest(app, world, watchers, smtp):
    p, card, berlin, _york = watchers
    _run("2027-03-27T07:05", smtp)  # Berlin's day is claimed, nothing to send
    with app.test_request_context(), time_machine.travel(_at("2027-03-27T09:00"), tick=False):
        _comment(p, card, world.users["facilitator"])
    _run("2027-03-27T09:15", smtp)
    assert smtp.to(berlin.email) == []
    _run("2027-03-28T06:05", smtp)
    assert len(smtp.to(berlin.email)) == 1


def test_reminders_fire_once_on_the_readers_day(app, world, smtp):
    p = world.partnership
    max_ = world.users["member"]
    max_.timezone = "Asia/Tokyo"
    from sprintboard.services import workshops

    with app.test_request_context():
        workshops.create_workshop(
            p,
            kind="custom",
            title="Sprint & Succeed",
            host_city=None,
            start=date(2027, 6, 10),
            end=None,
            venue="",
            actor=world.users["facilitator"],
        )
        card = factories.card(p, "Book the bus", actor=world.users["facilitator"], due_date=date(2027, 6, 4))
        card.assignees = [max_]
        factories.funding_idea(p, actor=world.users["facilitator"], owner=max_, deadline=date(2027, 6, 17))
        db.session.commit()

    def run(when):
        # (sent after the time travel: aiosmtpd's event loop needs a clock that moves)
        app.config["MAIL_SERVER"] = None
        try:
            with time_machine.travel(_at(when), tick=False):
                made = reminders.create_due()
                db.session.commit()
        finally:
            app.config["MAIL_SERVER"] = "127.0.0.1"
        outbox.deliver_due()
        return made

    assert run("2027-06-02T22:30") == 0  # 07:30 on 3 June in Tokyo: before Max's hour (8)
    assert run("2027-06-02T23:05") == 3  # 08:05 in Tokyo: workshop in 7 days, card due tomorrow, 14 days
    assert run("2027-06-03T05:00") == 0  # later that day: nothing twice
    assert run("2027-06-05T23:05") == 0
    assert run("2027-06-08T23:05") == 1  # 9 June: the workshop is tomorrow
    assert run("2027-06-13T23:05") == 1  # 14 June: the deadline in 3 days
    kinds = [n.kind for n in db.session.scalars(select(Notification).where(Notification.user_id == max_.id))]
    assert sorted(kinds) == ["due", "funding", "funding", "workshop", "workshop"]
    smtp.wait(5)
    subjects = sorted(m["Subject"] for m in smtp.to(max_.email))
    assert "The workshop “Sprint & Succeed” is tomorrow" in subjects
    tomorrow = next(m for m in smtp.messages if m["Subject"] == "The workshop “Sprint & Succeed” is tomorrow")
    assert "Date: Thursday, June 10, 2027" in mail_text(tomorrow)
    assert "The deadline of “EU Town Twinning” is in 3 days" in subjects
    assert "The card “Book the bus” is due tomorrow" in subjects


def test_every_immediate_email_has_text_html_and_a_working_one_click_unsubscribe(app, world, smtp, client):
    p = world.partnership
    max_ = world.users["member"]
    max_.locale = "ru"
    db.session.commit()
    with app.test_request_context():
        card = factories.card(p, "Plan the camp", actor=world.users["facilitator"])
        cards.add_comment(
            card, "@Max Member, can you book the hall?", language="en", actor=world.users["facilitator"]
        )
        db.session.commit()
    (message,) = smtp.wait(1)
    assert message["Subject"] == "Fiona Facilitator упоминает вас в «Plan the camp»"
    assert "book the hall" in mail_text(message) and "book the hall" in mail_html(message)
    url = str(message["List-Unsubscribe"]).strip().strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The mail program's one-click POST: no login, no CSRF token.
    r = client.post(url.removeprefix("http://localhost"), data={"List-Unsubscribe": "One-Click"}, csrf=False)
    assert r.status_code == 200
    assert mode_for(db.session.get(User, max_.id), "mention") == "off"


def test_a_timed_workshop_is_tomorrow_on_each_readers_clock(app, world, smtp):
    """At 07:00 in Berlin on 10 June it is still 22:00 on 9 June in Los Angeles: the reader there
    hears "tomorrow" a day earlier, and each email gives the time on its reader's clock."""
    from datetime import time

    from sprintboard.services import workshops

    p = world.partnership
    la, berlin = world.users["member"], world.users["observer"]
    la.timezone, berlin.timezone = "America/Los_Angeles", "Europe/Berlin"
    with app.test_request_context():
        workshops.create_workshop(
            p,
            "custom",
            "Early start",
            start=date(2027, 6, 10),
            start_time=time(7, 0),
            actor=world.users["facilitator"],
        )
        db.session.commit()

    def run(when):
        app.config["MAIL_SERVER"] = None
        try:
            with time_machine.travel(_at(when), tick=False):
                reminders.create_due()
                db.session.commit()
        finally:
            app.config["MAIL_SERVER"] = "127.0.0.1"
        outbox.deliver_due()

    def tomorrow(user):
        return [
            n.data
            for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id))
            if n.data.get("days") == 1
        ]

    run("2027-06-08T15:05")  # 08:05 on 8 June in Los Angeles, 17:05 in Berlin
    assert [d["date"] for d in tomorrow(la)] == ["2027-06-09"] and tomorrow(berlin) == []
    run("2027-06-09T06:05")  # 08:05 on 9 June in Berlin
    assert [d["date"] for d in tomorrow(berlin)] == ["2027-06-10"]
    assert tomorrow(berlin)[0]["start"] == "2027-06-10T05:00"  # the moment, in UTC
    smtp.wait(2)
    subject = "The workshop “Early start” is tomorrow"
    (to_la,) = [m for m in smtp.to(la.email) if m["Subject"] == subject]
    (to_berlin,) = [m for m in smtp.to(berlin.email) if m["Subject"] == subject]
    assert "Date: Wednesday, June 9, 2027, 22:00 (Los Angeles)" in mail_text(to_la)
    assert "Date: Thursday, June 10, 2027, 07:00 (Berlin)" in mail_text(to_berlin)
