"""The call for applications without HTTP: deadline, eligibility, review, selection."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from sprintboard.models import Application, Invitation, Outbox, Partnership
from sprintboard.models.base import utcnow
from sprintboard.services import DomainError
from sprintboard.services import applications as service


def make_call(admin, *, deadline=None, timezone="Europe/Kyiv", countries=("BY", "DE", "RU", "UA")):
    """A call whose deadline (wall-clock time in `timezone`) is 30 days ahead by default."""
    deadline = deadline or (datetime.now() + timedelta(days=30)).replace(microsecond=0)
    return service.open_call(
        "Call 2027",
        "Twin cities wanted.",
        countries=list(countries),
        deadline_local=deadline,
        timezone=timezone,
        languages=["en", "de"],
        actor=admin,
    )


def sample_application(**overrides) -> dict:
    data = {
        "applicant_city": "Leipzig",
        "applicant_country": "DE",
        "partner_city": "Kyiv",
        "partner_country": "UA",
        "institution": "Städtepartnerschaftsverein Leipzig e.V.",
        "contact_person": "Jana Example",
        "email": "Jana@Example.org",
        "phone": "+49 341 000",
        "social": "",
        "partner_contact_person": "Oksana Example",
        "partner_email": "oksana@example.org",
        "answer_who": "Two cities on the Dnipro and the Pleiße.",
        "answer_hopes": "Joint youth projects.",
        "answer_motivation": "We want to work together.",
        "answer_other": "",
        "self_declaration": True,
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def request_ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def admin(world):
    return world.admin


def test_deadline_is_stored_as_utc_and_shown_in_the_calls_zone(db, admin, request_ctx):
    call = make_call(admin, deadline=datetime(2027, 3, 1, 23, 59), timezone="Europe/Kyiv")
    assert call.deadline == datetime(2027, 3, 1, 21, 59)  # Kyiv is UTC+2 in winter
    assert call.local_deadline.hour == 23
    assert "Europe/Kyiv" in service.format_deadline(call)


def test_unknown_time_zone_is_refused(db, admin):
    with pytest.raises(DomainError):
        make_call(admin, timezone="Mars/Olympus")


def test_submit_stores_hashes_the_token_and_queues_a_confirmation(db, admin, request_ctx):
    call = make_call(admin)
    application, token = service.submit_application(call, sample_application())
    assert len(token) >= 22 and application.token_hash != token  # ≥128 bits, only the hash stored
    assert service.find_by_token(token) is application
    assert service.find_by_token("nope") is None
    assert application.email == "jana@example.org"
    mail = db.session.scalars(db.select(Outbox)).one()
    assert mail.recipient == "jana@example.org" and token in mail.body


@pytest.mark.parametrize(
    "overrides",
    [
        {"self_declaration": False},
        {"partner_country": "PL"},
        {"answer_who": "x" * (service.ANSWER_MAX + 1)},
        {"institution": "   "},
    ],
)
def test_bad_applications_store_nothing(db, admin, request_ctx, overrides):
    call = make_call(admin)
    with pytest.raises(DomainError):
        service.submit_application(call, sample_application(**overrides))
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Outbox.id))) == 0


def test_deadline_boundary(db, admin, request_ctx):
    """The last second before the deadline is accepted; the deadline itself is not."""
    call = make_call(admin, deadline=datetime(2030, 6, 30, 12, 0), timezone="Europe/Berlin")
    deadline_utc = datetime(2030, 6, 30, 10, 0)  # CEST is UTC+2
    assert call.deadline == deadline_utc
    with time_machine.travel(deadline_utc - timedelta(seconds=1), tick=False):
        application, _token = service.submit_application(call, sample_application())
    with time_machine.travel(deadline_utc, tick=False):
        with pytest.raises(DomainError):
            service.submit_application(call, sample_application())
        with pytest.raises(DomainError):
            service.update_application(application, sample_application(answer_other="late"))
    assert application.answer_other == ""


def test_applicant_corrects_until_the_deadline(db, admin, request_ctx):
    call = make_call(admin)
    application, _token = service.submit_application(call, sample_application())
    service.update_application(application, sample_application(answer_other="One more thing"))
    assert application.answer_other == "One more thing"


def test_filter_scores_and_status(db, admin, request_ctx):
    call = make_call(admin)
    a, _t = service.submit_application(call, sample_application())
    b, _t = service.submit_application(
        call, sample_application(applicant_country="BY", applicant_city="Hrodna")
    )
    assert service.list_applications(call, country="BY") == [b]
    assert service.list_applications(call, country="UA") == [a, b]
    fit = service.add_criterion(call, "Fit", 2, actor=admin)
    plan = service.add_criterion(call, "Plan", 1, actor=admin)
    review = service.score_application(a, {fit.id: 4, plan.id: 3}, actor=admin)
    assert review.total == 11 and a.review_by(admin) is review
    with pytest.raises(DomainError):
        service.score_application(a, {fit.id: 6}, actor=admin)
    service.set_status(a, "shortlisted", actor=admin)
    assert service.list_applications(call, status="shortlisted") == [a]
    with pytest.raises(DomainError):
        service.set_status(b, "selected", actor=admin)


def test_csv_export_is_formula_safe(db, admin, request_ctx):
    call = make_call(admin)
    service.submit_application(call, sample_application(institution='=HYPERLINK("http://x")'))
    text = service.export_csv(call, admin)
    assert "'=HYPERLINK" in text
    assert "jana@example.org" in text


def test_select_creates_the_partnership_and_invites_both_contacts(db, admin, request_ctx):
    call = make_call(admin)
    application, _token = service.submit_application(call, sample_application())
    with pytest.raises(DomainError):
        service.select_application(application, actor=admin)  # not shortlisted yet
    service.set_status(application, "shortlisted", actor=admin)
    with pytest.raises(DomainError):
        service.select_application(application, actor=admin, choices={"partner": ("owner", 1)})
    with pytest.raises(DomainError):
        service.select_application(application, actor=admin, choices={"partner": ("member", 2)})
    partnership, delivered = service.select_application(
        application, actor=admin, choices={"applicant": ("facilitator", 0)}
    )
    assert application.status == "selected" and application.partnership is partnership
    assert [(c.name, c.country) for c in partnership.cities] == [("Leipzig", "DE"), ("Kyiv", "UA")]
    invitations = db.session.scalars(db.select(Invitation).order_by(Invitation.id)).all()
    assert [(i.email, i.role, i.city.name) for i in invitations] == [
        ("jana@example.org", "facilitator", "Leipzig"),
        ("oksana@example.org", "member", "Kyiv"),
    ]
    assert [(d.name, d.role, d.city) for d in delivered] == [
        ("Jana Example", "facilitator", "Leipzig"),
        ("Oksana Example", "member", "Kyiv"),
    ]
    assert db.session.scalar(db.select(db.func.count(Partnership.id))) == 3  # world has two
    with pytest.raises(DomainError):
        service.select_application(application, actor=admin)


def test_utc_now_helper_is_naive():
    assert utcnow().tzinfo is None
