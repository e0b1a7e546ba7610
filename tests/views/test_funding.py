from datetime import date, timedelta
from decimal import Decimal

import pytest

from sprintboard.extensions import db
from sprintboard.models import Activity, FundingIdea
from sprintboard.models.base import utcnow
from tests import factories


def _idea(world, **kw):
    idea = factories.funding_idea(world.partnership, actor=world.users["member"], **kw)
    db.session.commit()
    return idea


def url(world, suffix=""):
    return f"/p/{world.partnership.id}/funding{suffix}"


@pytest.mark.parametrize("role", ["observer", "member", "facilitator", "admin"])
def test_everyone_in_the_partnership_sees_pipeline_table_and_idea(world, as_role, role):
    idea = _idea(world, title="Bürgerstiftung", amount="25000", currency="EUR", deadline=date(2027, 1, 15))
    client = as_role(role)
    page = client.get(url(world, "/")).get_data(as_text=True)
    assert "Bürgerstiftung" in page and "€25,000.00" in page
    assert ("New funding idea" in page) is (role != "observer")
    assert ("data-move-url" in page) is (role != "observer")
    table = client.get(url(world, "/table")).get_data(as_text=True)
    assert "Bürgerstiftung" in table and "Jan 15, 2027" in table
    show = client.get(url(world, f"/{idea.id}")).get_data(as_text=True)
    assert "Bürgerstiftung" in show
    assert ('name="status"' in show) is (role != "observer")


@pytest.mark.parametrize(
    "lang, shown", [("de", "25.000,50\xa0UAH"), ("uk", "25\xa0000,50\xa0₴"), ("en", "UAH25,000.50")]
)
def test_amounts_follow_the_language(world, as_role, lang, shown):
    _idea(world, amount="25000.5", currency="UAH")
    assert shown in as_role("member").get(url(world, f"/?lang={lang}")).get_data(as_text=True)


def test_htmx_gets_only_the_board(world, as_role):
    _idea(world)
    response = as_role("member", htmx=True).get(url(world, "/"))
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="funding-board"') and "<html" not in body


def test_member_creates_an_idea(world, as_role):
    client = as_role("member")
    assert client.get(url(world, "/new")).status_code == 200
    response = client.post(
        url(world, "/new"),
        data={
            "title": "Town twinning",
            "funder": "EU",
            "amount": "25,000.00",
            "cofunding": "2500",
            "currency": "PLN",
            "deadline": "2027-03-01",
            "status": "researching",
            "owner": str(world.users["member"].id),
            "next_step": "Call them",
        },
    )
    assert response.status_code == 303
    idea = db.session.scalar(db.select(FundingIdea))
    assert (idea.amount, idea.cofunding, idea.currency) == (Decimal("25000.00"), Decimal("2500.00"), "PLN")
    assert idea.status == "researching" and idea.owner == world.users["member"]
    assert idea.deadline == date(2027, 3, 1)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("amount", "-10", "cannot be negative"),
        ("amount", "lots", "as a number"),
        ("cofunding", "1.005", "two decimals"),
        ("currency", "XYZ", "Unknown currency"),
        ("deadline", "15.01.2027", "YYYY-MM-DD"),
        ("title", "", "This field is required"),
        ("url", "ftp://x", "http"),
    ],
)
def test_bad_input_is_a_422_with_the_field_error_and_nothing_saved(world, as_role, field, value, message):
    data = {"title": "T", "amount": "10", "currency": "EUR", "status": "idea", "owner": "0", field: value}
    response = as_role("member").post(url(world, "/new"), data=data)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body and f'id="{field}-error"' in body
    assert db.session.scalar(db.select(db.func.count(FundingIdea.id))) == 0


def test_edit_changes_fields_and_logs(world, as_role):
    idea = _idea(world, amount="10")
    client = as_role("member")
    form = client.get(url(world, f"/{idea.id}/edit")).get_data(as_text=True)
    assert 'value="10.00"' in form
    response = client.post(
        url(world, f"/{idea.id}/edit"),
        data={"title": "Renamed", "amount": "10.00", "currency": "EUR", "owner": "0"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(FundingIdea, idea.id).title == "Renamed"
    data = db.session.scalar(db.select(Activity.data).where(Activity.verb == "funding.updated"))
    assert data["fields"] == ["title"]


def test_no_js_move_form(world, as_role):
    idea = _idea(world)
    client = as_role("member")
    response = client.post(url(world, f"/{idea.id}/move"), data={"status": "researching", "back": "show"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/funding/{idea.id}")
    db.session.expire_all()
    assert db.session.get(FundingIdea, idea.id).status == "researching"


def test_htmx_move_returns_the_board_with_the_idea_in_its_new_column(world, as_role):
    idea = _idea(world)
    client = as_role("member", htmx=True)
    response = client.post(url(world, f"/{idea.id}/move"), data={"status": "researching"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="funding-board"')
    assert f'id="idea-{idea.id}" class="funding-card" data-status="researching"' in body
    assert 'id="funding-status"' in body and "moved to “Researching”" in body  # for screen readers


def test_a_forbidden_transition_is_refused_and_changes_nothing(world, as_role):
    idea = _idea(world)
    response = as_role("member", htmx=True).post(url(world, f"/{idea.id}/move"), data={"status": "granted"})
    assert response.status_code == 422
    assert "cannot go from" in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#funding-refused"  # above the pipeline
    assert f'id="funding-move-{idea.id}"' in response.get_data(as_text=True)  # with its "Move to" form
    no_js = as_role("member").post(url(world, f"/{idea.id}/move"), data={"status": "granted"})
    assert no_js.status_code == 422
    db.session.expire_all()
    assert db.session.get(FundingIdea, idea.id).status == "idea"


def test_unknown_status_in_the_move_form_is_422(world, as_role):
    idea = _idea(world)
    assert as_role("member").post(url(world, f"/{idea.id}/move"), data={"status": "won"}).status_code == 422


def test_delete(world, as_role):
    idea = _idea(world)
    response = as_role("member").post(url(world, f"/{idea.id}/delete"))
    assert response.status_code == 303
    assert db.session.scalar(db.select(db.func.count(FundingIdea.id))) == 0


@pytest.mark.parametrize(
    "method, suffix, data",
    [
        ("post", "/new", {"title": "x", "currency": "EUR", "owner": "0"}),
        ("post", "/{id}/move", {"status": "researching"}),
        ("post", "/{id}/edit", {"title": "x", "currency": "EUR", "owner": "0"}),
        ("post", "/{id}/delete", {}),
        ("get", "/new", None),
        ("get", "/{id}/edit", None),
    ],
)
def test_observers_write_nothing(world, as_role, method, suffix, data):
    idea = _idea(world)
    before = db.session.scalar(db.select(db.func.count(Activity.id)))
    response = getattr(as_role("observer"), method)(url(world, suffix.format(id=idea.id)), data=data)
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count(Activity.id))) == before


def test_upcoming_deadlines_on_the_home_page(world, as_role):
    _idea(world, title="Due soon", deadline=utcnow().date() + timedelta(days=5))
    _idea(world, title="Due later", deadline=utcnow().date() + timedelta(days=45))
    page = as_role("observer").get(f"/p/{world.partnership.id}").get_data(as_text=True)
    assert 'id="funding-deadlines"' in page
    assert "Due soon" in page and "Due later" not in page


def test_funding_csv_neutralises_formulas(world, as_role):
    _idea(
        world,
        title='=HYPERLINK("http://evil","click")',
        funder="+cmd|' /C calc'!A0",
        next_step="@SUM(1)",
        programme="-2+3",
    )
    response = as_role("observer").get(url(world, "/funding.csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    import csv
    import io

    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Title"
    row = rows[1]
    assert row[0] == '\'=HYPERLINK("http://evil","click")'
    assert row[1].startswith("'+") and row[2].startswith("'-") and row[10] == "'@SUM(1)"
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)


def test_pipeline_and_table_query_counts_do_not_grow_with_ideas(world, as_role):
    from tests.views.test_status import _queries_for

    _idea(world, owner=world.users["member"])
    client = as_role("member")
    few = [_queries_for(client, url(world, suffix)) for suffix in ("/", "/table")]
    for n in range(8):
        _idea(world, title=f"Idea {n}", owner=world.users["facilitator"], deadline=date(2027, 1, n + 1))
    many = [_queries_for(client, url(world, suffix)) for suffix in ("/", "/table")]
    assert many == few


def test_an_idea_whose_owner_left_can_still_be_edited(world, as_role):
    from sprintboard.services import partnerships

    idea = _idea(world, owner=world.users["observer"])
    membership = next(m for m in world.partnership.memberships if m.user is world.users["observer"])
    partnerships.remove_member(membership, actor=None)
    db.session.commit()
    client = as_role("member")
    form = client.get(url(world, f"/{idea.id}/edit")).get_data(as_text=True)
    assert "Olga Observer" in form
    response = client.post(
        url(world, f"/{idea.id}/edit"),
        data={
            "title": "Still here",
            "amount": "1",
            "currency": "EUR",
            "owner": str(world.users["observer"].id),
        },
    )
    assert response.status_code == 303
    response = client.post(
        url(world, f"/{idea.id}/edit"),
        data={"title": "Now Max", "amount": "1", "currency": "EUR", "owner": str(world.users["member"].id)},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(FundingIdea, idea.id).owner == world.users["member"]
