from datetime import date

import sqlalchemy as sa

from sprintboard.extensions import db
from sprintboard.models import Card, Sprint
from sprintboard.services import board, sprints
from tests import factories


def _url(world, tail=""):
    return f"/p/{world.partnership.id}/sprints/{tail}"


def test_facilitator_creates_a_sprint(world, as_role):
    client = as_role("facilitator")
    response = client.post(
        _url(world),
        data={"name": "Sprint 1", "goal": "Choir tour", "start_date": "2026-04-01", "end_date": "2026-04-14"},
    )
    assert response.status_code == 303
    sprint = db.session.scalar(sa.select(Sprint))
    assert response.headers["Location"].endswith(f"/sprints/{sprint.id}")
    assert (sprint.name, sprint.state, sprint.end_date) == ("Sprint 1", "planned", date(2026, 4, 14))


def test_a_sprint_ending_before_it_starts_is_refused(world, as_role):
    client = as_role("facilitator")
    response = client.post(
        _url(world), data={"name": "Backwards", "start_date": "2026-04-14", "end_date": "2026-04-01"}
    )
    assert response.status_code == 422
    assert "A sprint cannot end before it starts." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Sprint.id))) == 0


def test_planning_pulls_cards_and_compares_with_velocity(world, as_role):
    p, fac = world.partnership, world.users["facilitator"]
    a = factories.card(p, "Print flyers", estimate=3, actor=fac)
    b = factories.card(p, "Book bus", estimate=5, actor=fac)
    sprint = factories.sprint(p, actor=fac)
    db.session.commit()
    client = as_role("facilitator", htmx=True)
    page = as_role("facilitator").get(_url(world, sprint.id)).get_data(as_text=True)
    assert "Print flyers" in page and "Pull cards from the backlog" in page
    response = client.post(_url(world, f"{sprint.id}/cards"), data={"cards": [a.id, b.id]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="sprint-plan"')
    assert "Planned: 8 points" in html and "no velocity yet" in html
    assert {c.id for c in sprints.sprint_cards(sprint)} == {a.id, b.id}


def test_pulling_nothing_is_a_422(world, as_role):
    sprint = factories.sprint(world.partnership, actor=world.users["facilitator"])
    factories.card(world.partnership, "Waiting", actor=world.users["facilitator"])
    db.session.commit()
    response = as_role("facilitator").post(_url(world, f"{sprint.id}/cards"), data={})
    assert response.status_code == 422
    assert "Choose at least one card." in response.get_data(as_text=True)


def test_members_see_the_plan_without_planning_controls(world, as_role):
    sprint = factories.sprint(world.partnership, actor=world.users["facilitator"])
    factories.card(world.partnership, "Backlog card", actor=world.users["member"])
    db.session.commit()
    html = as_role("member").get(_url(world, sprint.id)).get_data(as_text=True)
    assert "Cards in this sprint" in html
    assert "Pull cards from the backlog" not in html and "Start sprint" not in html


def test_start_and_a_second_start_is_a_conflict(world, as_role):
    p, fac = world.partnership, world.users["facilitator"]
    one = factories.sprint(p, "One", actor=fac)
    two = factories.sprint(p, "Two", actor=fac)
    db.session.commit()
    client = as_role("facilitator")
    assert client.post(_url(world, f"{one.id}/start")).status_code == 303
    response = client.post(_url(world, f"{two.id}/start"))
    assert response.status_code == 409
    assert "“One” is still running" in response.get_data(as_text=True)
    db.session.expire_all()
    assert (one.state, two.state) == ("active", "planned")


def test_closing_shows_the_unfinished_cards_first_then_carries_them(world, as_role):
    p, fac = world.partnership, world.users["facilitator"]
    done = factories.card(p, "Done card", estimate=2, actor=fac)
    open_card = factories.card(p, "Open card", estimate=3, actor=fac)
    sprint = factories.sprint(p, "One", actor=fac, cards=[done, open_card], state="active")
    board.move_card(done, board.columns_of(p)[-1], actor=fac)
    nxt = factories.sprint(p, "Two", actor=fac)
    db.session.commit()
    client = as_role("facilitator")
    page = client.get(_url(world, f"{sprint.id}/close")).get_data(as_text=True)
    assert "Open card" in page and "Done card" not in page.split("Unfinished cards")[1]
    assert "Back to the backlog" in page and "Into Two" in page
    response = client.post(_url(world, f"{sprint.id}/close"), data={"carry_to": str(nxt.id)})
    assert response.status_code == 303
    db.session.expire_all()
    assert sprint.state == "closed" and sprint.points_done == 2
    assert db.session.get(Card, open_card.id).sprint_id == nxt.id
    again = client.post(_url(world, f"{sprint.id}/close"), data={"carry_to": "backlog"})
    assert again.status_code == 409
    assert "already closed" in again.get_data(as_text=True)


def test_charts_page_draws_accessible_svg_with_tables(world, as_role):
    p, fac = world.partnership, world.users["facilitator"]
    card = factories.card(p, "Card", estimate=4, actor=fac)
    factories.sprint(p, "Running", actor=fac, cards=[card], state="active")
    db.session.commit()
    html = as_role("observer").get(_url(world, "charts")).get_data(as_text=True)
    assert html.count('role="img"') == 2  # burndown and cumulative flow (no closed sprint yet)
    assert '<title id="burndown-title">Burndown of Running</title>' in html
    assert "Remaining now: 4 points." in html
    assert "Cumulative flow as a table" in html and "No closed sprint yet." in html
    assert "style=" not in html


def test_edit_a_sprint(world, as_role):
    sprint = factories.sprint(world.partnership, "Old name", actor=world.users["facilitator"])
    db.session.commit()
    client = as_role("facilitator")
    assert 'value="Old name"' in client.get(_url(world, f"{sprint.id}/edit")).get_data(as_text=True)
    bad = client.post(
        _url(world, f"{sprint.id}/edit"),
        data={"name": "New", "start_date": "2026-05-10", "end_date": "2026-05-01"},
    )
    assert bad.status_code == 422
    ok = client.post(
        _url(world, f"{sprint.id}/edit"),
        data={"name": "New", "start_date": "2026-05-01", "end_date": "2026-05-10"},
    )
    assert ok.status_code == 303
    db.session.expire_all()
    assert (sprint.name, sprint.end_date) == ("New", date(2026, 5, 10))


def test_send_a_card_back_but_a_done_card_stays(world, as_role):
    p, fac = world.partnership, world.users["facilitator"]
    todo = factories.card(p, "To do", estimate=1, actor=fac)
    done = factories.card(p, "Finished", estimate=2, actor=fac)
    sprint = factories.sprint(p, actor=fac, cards=[todo, done], state="active")
    board.move_card(done, board.columns_of(p)[-1], actor=fac)
    db.session.commit()
    client = as_role("facilitator", htmx=True)
    html = client.post(_url(world, f"{sprint.id}/cards/{todo.id}/remove")).get_data(as_text=True)
    assert html.lstrip().startswith('<section id="sprint-plan"') and "Planned: 2 points" in html
    refused = client.post(_url(world, f"{sprint.id}/cards/{done.id}/remove"))
    assert refused.status_code == 409
    db.session.expire_all()
    assert (todo.sprint_id, done.sprint_id) == (None, sprint.id)


def _running_sprint_with_cards(world):
    p, fac = world.partnership, world.users["facilitator"]
    first = factories.card(p, "Print the flyers", estimate=2, actor=fac)
    second = factories.card(p, "Book the hall", estimate=3, actor=fac)
    start = date(2026, 3, 2)
    sprint = factories.sprint(
        p, "Sprint 2", start=start, end=date(2026, 3, 15), actor=fac, cards=[first, second], state="active"
    )
    db.session.commit()
    return sprint, first, second


def test_the_close_dialog_ticks_every_unfinished_card_and_offers_a_new_sprint(world, as_role):
    sprint, first, second = _running_sprint_with_cards(world)
    html = as_role("facilitator").get(_url(world, f"{sprint.id}/close")).get_data(as_text=True)
    assert f'name="cards" value="{first.id}" checked' in html
    assert f'name="cards" value="{second.id}" checked' in html
    assert "Into a new sprint (below)" in html
    # Pre-filled from the cadence: the next number, from the day after, just as long.
    assert 'value="Sprint 3"' in html and 'value="2026-03-16"' in html and 'value="2026-03-29"' in html


def test_closing_into_a_new_sprint_made_right_there_with_only_the_ticked_cards(world, as_role):
    sprint, first, second = _running_sprint_with_cards(world)
    response = as_role("facilitator").post(
        _url(world, f"{sprint.id}/close"),
        data={
            "picking": "1",
            "cards": [str(first.id)],
            "carry_to": "new",
            "new_name": "Sprint 3",
            "new_goal": "Festival ready",
            "new_start": "2026-03-16",
            "new_end": "2026-03-29",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    new = db.session.scalar(sa.select(Sprint).where(Sprint.name == "Sprint 3"))
    assert new.state == "planned" and new.goal == "Festival ready"
    assert db.session.get(Card, first.id).sprint_id == new.id
    assert db.session.get(Card, second.id).sprint_id is None  # unticked: back to the backlog
    assert db.session.get(Sprint, sprint.id).state == "closed"


def test_a_new_sprint_without_its_dates_re_renders_the_dialog_and_closes_nothing(world, as_role):
    sprint, first, _second = _running_sprint_with_cards(world)
    response = as_role("facilitator").post(
        _url(world, f"{sprint.id}/close"),
        data={
            "picking": "1",
            "cards": [str(first.id)],
            "carry_to": "new",
            "new_name": "Sprint 3",
            "new_start": "",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Needed for the new sprint." in html and 'id="new_start-error"' in html
    assert f'name="cards" value="{first.id}" checked' in html  # the choice is kept
    db.session.expire_all()
    assert db.session.get(Sprint, sprint.id).state == "active"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Sprint)) == 1


def test_every_card_unticked_goes_back_to_the_backlog(world, as_role):
    sprint, first, second = _running_sprint_with_cards(world)
    nxt = factories.sprint(world.partnership, "Later", actor=world.users["facilitator"])
    db.session.commit()
    response = as_role("facilitator").post(
        _url(world, f"{sprint.id}/close"), data={"picking": "1", "carry_to": str(nxt.id)}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert (
        db.session.get(Card, first.id).sprint_id is None and db.session.get(Card, second.id).sprint_id is None
    )
