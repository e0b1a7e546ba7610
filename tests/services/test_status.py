import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import event

from sprintboard.extensions import db
from sprintboard.models import Activity, Card
from sprintboard.models.base import utcnow
from sprintboard.services import board, cards, status
from sprintboard.services.activity import log
from tests import factories


@pytest.fixture(autouse=True)
def _request(app, db):
    with app.test_request_context():
        yield


def project(p, title):
    from sprintboard.models import Project

    proj = Project(partnership=p, title=title)
    db.session.add(proj)
    db.session.flush()
    return proj


def test_completion_per_project_counts_cards_and_points(world):
    p = world.partnership
    columns = board.columns_of(p)
    todo, done = columns[1], columns[-1]
    bikes, park = project(p, "Bike lanes"), project(p, "Park")
    project(p, "Empty")
    for title, proj, column, estimate in [
        ("a", bikes, todo, 3),
        ("b", bikes, done, 5),
        ("c", bikes, done, None),
        ("d", park, todo, 2),
    ]:
        card = cards.create_card(p, title, column=column, project=proj, actor=None)
        card.estimate = estimate
    archived = cards.create_card(p, "gone", column=done, project=park, actor=None)
    archived.archived_at = utcnow()
    db.session.commit()
    rows = {r["title"]: r for r in status.project_completion(p)}
    assert (rows["Bike lanes"]["cards"], rows["Bike lanes"]["cards_done"]) == (3, 2)
    assert (rows["Bike lanes"]["points"], rows["Bike lanes"]["points_done"]) == (8, 5)
    assert rows["Bike lanes"]["percent"] == 67
    assert (rows["Park"]["cards"], rows["Park"]["cards_done"], rows["Park"]["percent"]) == (1, 0, 0)
    assert rows["Empty"]["cards"] == 0 and rows["Empty"]["percent"] == 0


def test_participation_counts_members_and_recent_contributors_per_city(world):
    p = world.partnership
    minsk, hamburg = p.cities
    # world: facilitator in Minsk; member and observer in Hamburg
    old = log(world.users["facilitator"], "partnership.updated", p, partnership=p)
    old.created_at = utcnow() - timedelta(days=31)
    log(world.users["member"], "partnership.updated", p, partnership=p)
    log(world.users["member"], "partnership.updated", p, partnership=p)
    log(world.users["outsider"], "partnership.updated", p, partnership=p)  # not a member here
    db.session.commit()
    rows = {r["city"]: r for r in status.participation(p)}
    assert rows[minsk.name] == {"city": "Minsk", "country": "BY", "members": 1, "active": 0}
    assert rows[hamburg.name] == {"city": "Hamburg", "country": "DE", "members": 2, "active": 1}


def test_status_has_the_active_sprint_burndown_next_workshop_and_done_since(world):
    from datetime import date, timedelta

    from sprintboard.services import workshops

    p = world.partnership
    member = world.users["member"]
    card = factories.card(p, "Survey", column=1, actor=member, estimate=5)
    sprint = factories.sprint(
        p, "Sprint 1", start=date.today() - timedelta(days=2), state="active", cards=[card]
    )
    if workshops.next_planned(p) is None:
        workshops.plan_standard_series(p, actor=world.users["facilitator"])
    db.session.commit()
    s = status.status_of(p)
    assert s["sprint"] == sprint
    assert s["burndown"]["data"]["total"] == 5 and s["burndown"]["svg"]["ideal"]
    assert s["next_workshop"] is not None and s["next_workshop"] == workshops.next_planned(p)
    assert s["done_since"]["count"] == 0 and s["done_since"]["workshop"] is None
    assert status._optional("surely_not_an_area") is None


def test_public_link_stores_only_a_hash_and_stops_working_when_revoked(world):
    p = world.partnership
    token = status.create_public_link(p, actor=world.users["facilitator"])
    assert len(token) >= 22  # ≥ 128 bits in URL-safe base64
    assert p.status_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(db.session.execute(db.select(p.__table__)).all())
    assert status.partnership_for_token(token) is p
    assert status.partnership_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert status.partnership_for_token("") is None
    assert status.partnership_for_token("x" * 5000) is None
    newer = status.create_public_link(p, actor=world.users["facilitator"])
    assert status.partnership_for_token(token) is None
    assert status.partnership_for_token(newer) is p
    status.revoke_public_link(p, actor=world.users["facilitator"])
    assert status.partnership_for_token(newer) is None
    verbs = db.session.scalars(
        db.select(Activity.verb).where(Activity.verb.like("status_link.%")).order_by(Activity.id)
    ).all()
    assert verbs == ["status_link.created", "status_link.created", "status_link.revoked"]


def test_admin_overview_uses_a_constant_number_of_queries(world):
    def count_queries():
        statements = []

        def listener(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            rows = status.overview()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return rows, len(statements)

    rows, few = count_queries()
    for n in range(5):
        p = factories.partnership(f"P{n}", cities=((f"A{n}", "DE"), (f"B{n}", "UA")))
        factories.funding_idea(p, amount="10", status="granted", currency="PLN")
        factories.member(p, "facilitator")
    db.session.commit()
    rows, many = count_queries()
    assert many == few
    assert len(rows) == 7
    p0 = next(r for r in rows if r["partnership"].name == "P0")
    assert p0["members"] == 1 and p0["cities"] == ["A0", "B0"]
    from decimal import Decimal

    assert p0["granted"] == [("PLN", Decimal("10.00"))]


def test_card_done_counts_in_overview(world):
    p = world.partnership
    done = board.columns_of(p)[-1]
    cards.create_card(p, "x", column=done, actor=None)
    db.session.commit()
    row = next(r for r in status.overview() if r["partnership"].id == p.id)
    assert (row["cards"], row["cards_done"], row["percent"]) == (1, 1, 100)
    assert db.session.scalar(db.select(db.func.count(Card.id))) == 1
