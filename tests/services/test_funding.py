from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from sprintboard.extensions import db
from sprintboard.models import Activity
from sprintboard.services import DomainError, funding
from tests import factories


@pytest.fixture(autouse=True)
def _request(app, db):
    with app.test_request_context():  # translated error messages need a request
        yield


def _verbs(idea):
    return [
        a.verb
        for a in db.session.scalars(
            db.select(Activity)
            .where(Activity.subject_type == "fundingidea", Activity.subject_id == idea.id)
            .order_by(Activity.id)
        )
    ]


def test_create_keeps_exact_amounts_and_logs(world):
    idea = factories.funding_idea(
        world.partnership,
        actor=world.users["member"],
        amount="25000.10",
        cofunding="0.20",
        currency="uah",
        deadline=date(2027, 1, 31),
    )
    db.session.commit()
    db.session.expire_all()
    assert idea.amount == Decimal("25000.10") and isinstance(idea.amount, Decimal)
    assert idea.cofunding == Decimal("0.20")
    assert idea.currency == "UAH"
    assert idea.status == "idea"
    assert _verbs(idea) == ["funding.created"]


@pytest.mark.parametrize(
    "locale, text, expected",
    [
        ("en", "25000", Decimal("25000.00")),
        ("en", "25,000.50", Decimal("25000.50")),
        ("de", "25.000,50", Decimal("25000.50")),
        ("de", "1.234.567,8", Decimal("1234567.80")),
        ("de", "1.005", Decimal("1005.00")),
        ("ru", "25 000,50", Decimal("25000.50")),
        ("uk", "25000.50", Decimal("25000.50")),
        ("de", "25000.50", Decimal("25000.50")),
        ("en", "", None),
    ],
)
def test_amounts_are_read_exactly_in_the_users_language(app, locale, text, expected):
    with app.test_request_context(f"/?lang={locale}", headers={"Accept-Language": locale}):
        assert funding.parse_amount(text) == expected


@pytest.mark.parametrize("text", ["-5", "abc", "NaN", "Infinity", "1.005", "12,5", "10000000000000"])
def test_bad_amounts_are_refused(world, text):
    with pytest.raises(DomainError):
        factories.funding_idea(world.partnership, actor=world.users["member"], amount=text)


def test_three_decimals_as_decimal_are_refused():
    with pytest.raises(DomainError, match="two decimals"):
        funding.parse_amount(Decimal("1.234"))


def test_unknown_currency_and_bad_url_are_refused(world):
    with pytest.raises(DomainError, match="currency"):
        factories.funding_idea(world.partnership, currency="EURO")
    with pytest.raises(DomainError, match="http"):
        factories.funding_idea(world.partnership, url="javascript:alert(1)")
    assert funding.ideas_of(world.partnership) == []


def test_owner_and_projects_must_belong_to_the_partnership(world):
    with pytest.raises(DomainError):
        factories.funding_idea(world.partnership, owner=world.users["outsider"])


def test_the_pipeline_goes_forward_and_logs_every_move(world):
    actor = world.users["member"]
    idea = factories.funding_idea(world.partnership, actor=actor)
    for status in ("researching", "drafting", "submitted", "granted"):
        assert funding.move_funding_idea(idea, status, actor=actor)
    assert idea.status == "granted"
    assert _verbs(idea) == ["funding.created"] + ["funding.moved"] * 4
    assert funding.move_funding_idea(idea, "granted", actor=actor) is False  # already there


@pytest.mark.parametrize(
    "frm, to",
    [
        ("idea", "granted"),
        ("idea", "rejected"),
        ("researching", "granted"),
        ("drafting", "rejected"),
        ("granted", "idea"),
        ("granted", "withdrawn"),
        ("granted", "rejected"),
        ("rejected", "granted"),
        ("withdrawn", "drafting"),
        ("withdrawn", "submitted"),
        ("rejected", "withdrawn"),
    ],
)
def test_decisions_need_a_submission_and_closed_ideas_reopen_as_ideas(world, frm, to):
    idea = factories.funding_idea(world.partnership, status=frm)
    with pytest.raises(DomainError):
        funding.move_funding_idea(idea, to, actor=None)
    assert idea.status == frm


@pytest.mark.parametrize(
    "frm, to",
    [
        ("idea", "drafting"),
        ("idea", "submitted"),
        ("submitted", "drafting"),
        ("drafting", "idea"),
    ],
)
def test_open_ideas_move_freely_between_open_stages(world, frm, to):
    idea = factories.funding_idea(world.partnership, status=frm)
    assert funding.move_funding_idea(idea, to, actor=None)
    assert idea.status == to


@pytest.mark.parametrize("frm", ["idea", "researching", "drafting", "submitted"])
def test_any_open_idea_can_be_withdrawn_and_reopened(world, frm):
    idea = factories.funding_idea(world.partnership, status=frm)
    funding.move_funding_idea(idea, "withdrawn", actor=None)
    funding.move_funding_idea(idea, "idea", actor=None)
    assert idea.status == "idea"


def test_a_decision_can_be_corrected_and_a_rejection_retried(world):
    idea = factories.funding_idea(world.partnership, status="submitted")
    funding.move_funding_idea(idea, "granted", actor=None)
    funding.move_funding_idea(idea, "submitted", actor=None)  # recorded by mistake
    funding.move_funding_idea(idea, "rejected", actor=None)
    funding.move_funding_idea(idea, "idea", actor=None)  # next call of the programme
    assert idea.status == "idea"


def test_unknown_status_is_refused(world):
    idea = factories.funding_idea(world.partnership)
    with pytest.raises(DomainError):
        funding.move_funding_idea(idea, "won", actor=None)


def test_totals_per_status_per_currency_are_exact_and_never_converted(world):
    p = world.partnership
    for amount, currency, status in [
        ("0.10", "EUR", "idea"),
        ("0.20", "EUR", "idea"),
        ("1000", "UAH", "idea"),
        ("99999999999.99", "EUR", "granted"),
        ("0.01", "EUR", "granted"),
        ("5", "PLN", "submitted"),
    ]:
        factories.funding_idea(p, amount=amount, currency=currency, status=status)
    factories.funding_idea(p, amount="", status="idea")  # no amount: not counted
    factories.funding_idea(world.other, amount="7", currency="EUR")  # another partnership
    db.session.commit()
    totals = dict(funding.totals_by_status(p))
    assert totals["idea"] == [("EUR", Decimal("0.30")), ("UAH", Decimal("1000.00"))]
    assert totals["granted"] == [("EUR", Decimal("100000000000.00"))]
    assert totals["submitted"] == [("PLN", Decimal("5.00"))]
    assert list(dict(funding.totals_by_status(p))) == ["idea", "submitted", "granted"]


def test_update_logs_changed_fields_only(world):
    idea = factories.funding_idea(world.partnership, amount="100")
    assert funding.update_funding_idea(idea, actor=None, amount="100.00", funder="GIZ") == ["funder"]
    assert funding.update_funding_idea(idea, actor=None, funder="GIZ") == []
    assert _verbs(idea) == ["funding.created", "funding.updated"]


def test_upcoming_deadlines_are_the_open_ideas_of_the_next_30_days(world):
    p = world.partnership
    today = date(2026, 11, 23)
    with time_machine.travel("2026-11-23 12:00:00", tick=False):
        soon = factories.funding_idea(p, title="Soon", deadline=today + timedelta(days=3))
        factories.funding_idea(p, title="Later", deadline=today + timedelta(days=31))
        factories.funding_idea(p, title="Past", deadline=today - timedelta(days=1))
        factories.funding_idea(p, title="Sent", deadline=today + timedelta(days=2), status="submitted")
        last = factories.funding_idea(p, title="Last day", deadline=today + timedelta(days=30))
        assert funding.upcoming_deadlines(p) == [soon, last]


def test_the_table_is_sorted_by_deadline_with_undated_last(world):
    p = world.partnership
    factories.funding_idea(p, title="No date")
    factories.funding_idea(p, title="March", deadline=date(2027, 3, 1))
    factories.funding_idea(p, title="January", deadline=date(2027, 1, 1))
    assert [i.title for i in funding.ideas_of(p)] == ["January", "March", "No date"]


def test_delete_logs(world):
    idea = factories.funding_idea(world.partnership)
    funding.delete_funding_idea(idea, actor=world.users["member"])
    last = db.session.scalar(db.select(Activity.verb).order_by(Activity.id.desc()).limit(1))
    assert last == "funding.deleted"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(cell):
    from sprintboard import csvsafe

    assert csvsafe.safe_cell(cell) == "'" + cell
    assert csvsafe.safe_cell("plain") == "plain" and csvsafe.safe_cell(None) == ""
    assert csvsafe.to_csv(["h"], [[cell]]).splitlines()[1].lstrip('"').startswith("'")
