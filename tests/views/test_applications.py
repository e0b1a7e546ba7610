"""The call for applications over HTTP: applying as anyone, reviewing as an admin."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from sprintboard.extensions import db
from sprintboard.models import Application, Call, Invitation, Outbox
from sprintboard.services import applications as service
from tests.services.test_applications import make_call, sample_application
from tests.views.test_routes import fingerprint


def _form(**overrides):
    data = sample_application(**overrides)
    data["self_declaration"] = "y" if data["self_declaration"] else ""
    return {k: v for k, v in data.items() if v != ""}


@pytest.fixture
def call(world):
    call = make_call(world.admin)
    db.session.commit()
    return call


def _count():
    return db.session.scalar(db.select(db.func.count(Application.id)))


def test_anonymous_applies_and_gets_a_private_link(client, call):
    page = client.get(f"/calls/{call.id}/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Europe/Kyiv" in html and "Ukraine" in html and "self" not in html.lower()[:0]
    response = client.post(f"/calls/{call.id}/", data=_form())
    assert response.status_code == 303
    link = response.headers["Location"]
    assert link.startswith("/calls/application/")
    confirmation = client.get(link).get_data(as_text=True)
    assert "Thank you" in confirmation and "jana@example.org" in confirmation
    mail = db.session.scalars(db.select(Outbox)).one()
    token = link.split("/")[-1].split("?")[0]
    assert token in mail.body
    # the applicant corrects the application through the link
    response = client.post(link.split("?")[0], data=_form(answer_other="<b>bold</b> claim"))
    assert response.status_code == 303
    page = client.get(link.split("?")[0]).get_data(as_text=True)
    assert "&lt;b&gt;bold&lt;/b&gt; claim" in page


def test_unknown_private_link_is_404(client, call):
    assert client.get("/calls/application/" + "a" * 43).status_code == 404


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"self_declaration": False}, "This declaration is required"),
        ({"partner_country": "PL"}, "not eligible"),
        ({"answer_hopes": "x" * 5001}, "Field cannot be longer than 5000 characters"),
        ({"email": "not-an-email"}, "Invalid email address"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(client, call, overrides, message):
    before = fingerprint()
    response = client.post(f"/calls/{call.id}/", data=_form(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-describedby="' in html
    assert fingerprint() == before


def test_honeypot_and_oversized_posts_store_nothing(client, call):
    before = fingerprint()
    assert client.post(f"/calls/{call.id}/", data=_form(website="http://spam.example")).status_code == 400
    huge = _form(answer_other="x" * 300_000)
    assert client.post(f"/calls/{call.id}/", data=huge).status_code == 413
    assert fingerprint() == before


def test_rate_limit_per_ip(app, client, call):
    app.config["APPLY_RATE_LIMIT"] = "2 per hour"
    try:
        for _ in range(2):
            client.post(f"/calls/{call.id}/", data=_form(website="spam"))
        response = client.post(f"/calls/{call.id}/", data=_form())
        assert response.status_code == 429
        assert _count() == 0
    finally:
        app.config.pop("APPLY_RATE_LIMIT")


def test_deadline_closes_the_form(client, world):
    call = make_call(world.admin, deadline=datetime(2030, 1, 15, 18, 0), timezone="Europe/Minsk")
    db.session.commit()
    deadline_utc = datetime(2030, 1, 15, 15, 0)  # Minsk is UTC+3
    with time_machine.travel(deadline_utc - timedelta(seconds=1), tick=False):
        assert client.post(f"/calls/{call.id}/", data=_form(applicant_country="BY")).status_code == 303
    with time_machine.travel(deadline_utc, tick=False):
        page = client.get(f"/calls/{call.id}/").get_data(as_text=True)
        assert "Applications are no longer accepted" in page and "Europe/Minsk" in page
        assert 'id="application-form"' not in page
        response = client.post(f"/calls/{call.id}/", data=_form(applicant_country="BY"))
        assert response.status_code == 422
    assert _count() == 1


def _as(as_role, role, **kw):
    """A client for `role`; the test's app context caches the last user in g, so drop it."""
    from flask import g

    g.pop("_login_user", None)
    return as_role(role, **kw)


def test_only_admins_see_applications(world, as_role, call):
    from flask import current_app

    with current_app.test_request_context():
        service.submit_application(call, sample_application())
    db.session.commit()
    for role in ("facilitator", "member", "observer"):
        assert _as(as_role, role).get(f"/admin/calls/{call.id}/").status_code == 403
    assert _as(as_role, None).get(f"/admin/calls/{call.id}/").status_code == 302
    page = _as(as_role, "admin").get(f"/admin/calls/{call.id}/").get_data(as_text=True)
    assert "Leipzig" in page
    public = _as(as_role, None).get(f"/calls/{call.id}/").get_data(as_text=True)
    assert "jana@example.org" not in public and "Jana Example" not in public


def test_admin_opens_a_call(as_role, world):
    admin = as_role("admin")
    assert admin.get("/admin/calls/new").status_code == 200
    response = admin.post(
        "/admin/calls/new",
        data={
            "title": "Call 2028",
            "description": "",
            "countries": "by, de, ru, ua",
            "deadline": "2031-02-01T12:00",
            "timezone": "Europe/Moscow",
            "languages": ["en", "ru"],
        },
    )
    assert response.status_code == 303
    call = db.session.scalars(db.select(Call)).one()
    assert call.countries == ["BY", "DE", "RU", "UA"] and call.deadline == datetime(2031, 2, 1, 9, 0)
    bad = admin.post("/admin/calls/new", data={"title": "", "countries": "Germany", "deadline": ""})
    assert bad.status_code == 422
    assert db.session.scalar(db.select(db.func.count(Call.id))) == 1


def test_admin_reviews_scores_and_selects(as_role, world, call):
    from flask import current_app

    with current_app.test_request_context():
        application, _t = service.submit_application(call, sample_application())
        service.submit_application(call, sample_application(applicant_country="BY", applicant_city="Brest"))
    db.session.commit()
    admin = as_role("admin")
    base = f"/admin/calls/{call.id}"
    assert admin.post(f"{base}/criteria", data={"name": "Motivation", "weight": "2"}).status_code == 303
    criterion = call.criteria[0]
    filtered = admin.get(f"{base}/?country=BY").get_data(as_text=True)
    assert "Brest (BY)" in filtered and "Leipzig (DE)" not in filtered
    fragment = as_role("admin", htmx=True).get(f"{base}/?status=received")
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="applications"')
    url = f"{base}/applications/{application.id}"
    assert admin.get(url).status_code == 200
    assert admin.post(f"{url}/scores", data={f"score_{criterion.id}": "9"}).status_code == 422
    assert admin.post(f"{url}/scores", data={f"score_{criterion.id}": "4"}).status_code == 303
    assert admin.post(f"{url}/notes", data={"notes": "Strong civic ties."}).status_code == 303
    assert admin.post(f"{url}/status", data={"status": "shortlisted"}).status_code == 303
    db.session.refresh(application)
    assert application.reviews[0].total == 8 and application.notes == "Strong civic ties."
    response = admin.post(f"{url}/select")
    assert response.status_code == 200
    db.session.refresh(application)
    assert application.status == "selected"
    assert f'href="/p/{application.partnership_id}"' in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 2
    page = admin.get(f"/p/{application.partnership_id}").get_data(as_text=True)
    assert "Leipzig" in page and "Kyiv" in page
    # The standard workshop series is planned for the new partnership.
    from sprintboard.models import Workshop

    kinds = db.session.scalars(
        db.select(Workshop.kind)
        .where(Workshop.partnership_id == application.partnership_id)
        .order_by(Workshop.id)
    ).all()
    assert kinds == ["kickoff", "kickoff", "match_sprint", "sprint_succeed"]


def test_csv_export(as_role, call):
    from flask import current_app

    with current_app.test_request_context():
        service.submit_application(call, sample_application(contact_person="@evil"))
    db.session.commit()
    response = as_role("admin").get(f"/admin/calls/{call.id}/applications.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "'@evil" in response.get_data(as_text=True)


@pytest.fixture
def shortlisted(call, world):
    from flask import current_app

    with current_app.test_request_context():
        application, _t = service.submit_application(call, sample_application())
        service.set_status(application, "shortlisted", actor=world.admin)
    db.session.commit()
    return application


def _join(app, link, email):
    """The invited person opens their link and joins; returns their membership."""
    from sprintboard.models import Membership, User

    newcomer = app.test_client()
    password = "a long passphrase"
    data = {"name": email.split("@")[0], "password": password, "confirm": password}
    assert newcomer.post(link.removeprefix("http://localhost"), data=data).status_code == 303
    user = User.by_email(email)
    return db.session.scalars(db.select(Membership).filter_by(user_id=user.id)).one()


def _links(html):
    import re

    return re.findall(r'value="(http://localhost/invite/[^"]+)"', html)


def test_selection_invites_members_of_their_own_city_by_default(app, as_role, shortlisted):
    admin = as_role("admin")
    url = f"/admin/calls/{shortlisted.call_id}/applications/{shortlisted.id}"
    form = admin.get(url).get_data(as_text=True)
    assert "Jana Example" in form and "Oksana Example" in form
    response = admin.post(f"{url}/select")
    assert response.status_code == 200
    links = _links(response.get_data(as_text=True))
    assert len(links) == 2
    db.session.refresh(shortlisted)
    cities = {c.name: c.id for c in shortlisted.partnership.cities}
    jana = _join(app, links[0], "jana@example.org")
    oksana = _join(app, links[1], "oksana@example.org")
    assert (jana.role, jana.city_id) == ("member", cities["Leipzig"])
    assert (oksana.role, oksana.city_id) == ("member", cities["Kyiv"])


def test_selection_applies_the_chosen_roles_and_home_cities(app, as_role, shortlisted):
    admin = as_role("admin")
    url = f"/admin/calls/{shortlisted.call_id}/applications/{shortlisted.id}"
    choices = {
        "applicant_role": "facilitator",
        "applicant_city": "1",
        "partner_role": "observer",
        "partner_city": "0",
    }
    response = admin.post(f"{url}/select", data=choices)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Facilitator · Kyiv" in html and "Observer · Leipzig" in html
    links = _links(html)
    db.session.refresh(shortlisted)
    cities = {c.name: c.id for c in shortlisted.partnership.cities}
    jana = _join(app, links[0], "jana@example.org")
    oksana = _join(app, links[1], "oksana@example.org")
    assert (jana.role, jana.city_id) == ("facilitator", cities["Kyiv"])
    assert (oksana.role, oksana.city_id) == ("observer", cities["Leipzig"])


@pytest.mark.parametrize(
    "choices, message",
    [
        ({"applicant_role": "boss"}, "Not a valid choice"),
        ({"partner_city": "2"}, "Not a valid choice"),
        ({"applicant_city": "Leipzig"}, "Invalid Choice: could not coerce"),
    ],
)
def test_selection_with_bad_choices_changes_nothing(as_role, shortlisted, choices, message):
    admin = as_role("admin")
    url = f"/admin/calls/{shortlisted.call_id}/applications/{shortlisted.id}"
    before = fingerprint()
    response = admin.post(f"{url}/select", data=choices)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'id="select-form"' in html
    assert fingerprint() == before


def test_result_page_says_the_links_must_be_passed_on_without_mail(as_role, shortlisted):
    admin = as_role("admin")
    url = f"/admin/calls/{shortlisted.call_id}/applications/{shortlisted.id}"
    html = admin.post(f"{url}/select").get_data(as_text=True)
    assert "No mail server is configured" in html and "pass each link on" in html
    assert "Sent by email" not in html
    mails = db.session.scalars(db.select(Outbox).where(Outbox.subject.like("Invitation to%"))).all()
    links = _links(html)
    assert len(links) == 2 and all(any(link in m.body for m in mails) for link in links)


def test_result_page_says_the_invitations_went_by_mail(app, as_role, shortlisted):
    app.config["MAIL_SERVER"] = "mail.example.org"
    try:
        admin = as_role("admin")
        url = f"/admin/calls/{shortlisted.call_id}/applications/{shortlisted.id}"
        html = admin.post(f"{url}/select").get_data(as_text=True)
    finally:
        app.config["MAIL_SERVER"] = None
    assert "The invitations are sent by email" in html
    assert html.count("Sent by email") == 2 and _links(html) == []
    assert "No mail server is configured" not in html


@pytest.fixture
def reviewed(call, world):
    """An application with two criteria (weights 2 and 1), and a second reviewer."""
    from flask import current_app

    from tests import factories

    with current_app.test_request_context():
        application, _t = service.submit_application(call, sample_application())
    service.add_criterion(call, "Motivation", 2, actor=world.admin)
    service.add_criterion(call, "Feasibility", 1, actor=world.admin)
    second = factories.user("Second Reviewer", is_admin=True)
    db.session.commit()
    return application, second


def _score(client, application, motivation, feasibility, note=""):
    fit, plan = application.call.criteria
    url = f"/admin/calls/{application.call_id}/applications/{application.id}/scores"
    data = {f"score_{fit.id}": str(motivation), f"score_{plan.id}": str(feasibility), "note": note}
    return client.post(url, data=data)


def test_a_reviewer_sees_the_others_scores_only_after_scoring(app, login, as_role, reviewed):
    application, second = reviewed
    first = as_role("admin")
    assert _score(first, application, 4, 1, note="Clear plan, thin budget.").status_code == 303
    other = login(app.test_client(), second)
    detail = f"/admin/calls/{application.call_id}/applications/{application.id}"
    page = other.get(detail).get_data(as_text=True)
    assert "1 reviewer has scored this application" in page
    assert "Score it yourself to see the other scores." in page
    assert "Clear plan, thin budget." not in page and "Total: 9" not in page and "Average" not in page
    listing = other.get(f"/admin/calls/{application.call_id}/").get_data(as_text=True)
    row = listing.split(f'id="application-{application.id}"')[1].split("</tr>")[0]
    assert "Average" not in row and "Not scored by you yet" in row
    # The second reviewer's own form starts empty, not with the first reviewer's scores.
    fit = application.call.criteria[0]
    assert f'name="score_{fit.id}" type="number" value="4"' not in page
    assert _score(other, application, 2, 3).status_code == 303
    page = other.get(detail).get_data(as_text=True)
    assert "Clear plan, thin budget." in page and "Admin" in page
    assert "Your total: 7" in page and "9" in page
    row = other.get(f"/admin/calls/{application.call_id}/").get_data(as_text=True)
    row = row.split(f'id="application-{application.id}"')[1].split("</tr>")[0]
    assert "Average 8" in row and "7–9" in row


def test_average_and_spread_of_the_reviewers_totals(app, login, as_role, reviewed):
    application, second = reviewed
    first = as_role("admin")
    _score(first, application, 5, 0)  # 10
    _score(login(app.test_client(), second), application, 1, 4)  # 6
    page = first.get(f"/admin/calls/{application.call_id}/applications/{application.id}")
    html = page.get_data(as_text=True)
    assert "Average: 8 from 2 reviewers" in html
    assert "Range: 6–10 · standard deviation 2" in html
    db.session.expire_all()
    assert sorted(r.total for r in db.session.get(Application, application.id).reviews) == [6, 10]


def test_each_reviewer_keeps_their_own_score(app, login, as_role, reviewed):
    application, second = reviewed
    first = as_role("admin")
    _score(first, application, 5, 5)
    _score(login(app.test_client(), second), application, 0, 0)
    _score(first, application, 3, 3)  # the first reviewer changes their mind
    db.session.expire_all()
    reviews = db.session.get(Application, application.id).reviews
    assert {(r.reviewer_id, r.total) for r in reviews} == {
        (reviewed[0].call.created_by_id, 9),
        (second.id, 0),
    }
    # Clearing every score takes the reviewer's score back.
    fit, plan = application.call.criteria
    url = f"/admin/calls/{application.call_id}/applications/{application.id}/scores"
    assert first.post(url, data={f"score_{fit.id}": "", f"score_{plan.id}": ""}).status_code == 303
    db.session.expire_all()
    assert [r.reviewer_id for r in db.session.get(Application, application.id).reviews] == [second.id]


def test_a_note_without_a_score_is_refused(as_role, reviewed):
    application, _second = reviewed
    admin = as_role("admin")
    before = fingerprint()
    response = _score(admin, application, "", "", note="Looks good")
    assert response.status_code == 422
    assert "Give at least one score to save a note." in response.get_data(as_text=True)
    assert fingerprint() == before


def test_a_legacy_score_counts_as_an_earlier_reviewers(as_role, reviewed):
    """Scores given before each reviewer scored on their own became a review without a reviewer."""
    from sprintboard.models import Review, Score

    application, _second = reviewed
    fit, _plan = application.call.criteria
    application.reviews.append(Review(reviewer_id=None, scores=[Score(criterion_id=fit.id, value=5)]))
    db.session.commit()
    admin = as_role("admin")
    detail = f"/admin/calls/{application.call_id}/applications/{application.id}"
    page = admin.get(detail).get_data(as_text=True)
    assert "1 reviewer has scored this application" in page and "Earlier score" not in page
    csv = admin.get(f"/admin/calls/{application.call_id}/applications.csv").get_data(as_text=True)
    assert csv.splitlines()[1].split(",")[-9:-3] == ["1", "", "", "", "", ""]  # no average before scoring
    _score(admin, application, 1, 2)  # 4
    page = admin.get(detail).get_data(as_text=True)
    assert "Earlier score (reviewer unknown)" in page and "Average: 7 from 2 reviewers" in page
    csv = admin.get(f"/admin/calls/{application.call_id}/applications.csv").get_data(as_text=True)
    assert csv.splitlines()[1].split(",")[-9:] == ["2", "7", "4", "10", "3", "4", "", "1", "2"]
