from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

from sprintboard.extensions import db
from sprintboard.models import Card, Vote
from sprintboard.services import facilitation, voting
from tests import factories


def _url(world, tail=""):
    return f"/p/{world.partnership.id}/facilitation/{tail}"


def test_timebox_is_rendered_from_the_server_clock(world, as_role):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False):
        client = as_role("facilitator")  # logged in at the travelled time, so the session is fresh
        response = client.post(_url(world, "timebox"), data={"minutes": "10", "label": "Pitches"})
        assert response.status_code == 303
    with time_machine.travel(datetime(2026, 3, 2, 10, 3, 30, tzinfo=UTC), tick=False):
        html = client.get(_url(world, "timebox"), headers={"HX-Request": "true"}).get_data(as_text=True)
        page = client.get(_url(world, "timebox")).get_data(as_text=True)
    assert html.lstrip().startswith('<div id="timebox"')
    # Opened directly (a second screen, a projector): a whole page with the large clock.
    assert page.startswith("<!doctype html>") and '<html lang="en"' in page and "<title>Timebox · " in page
    assert 'class="panel timebox-page"' in page and "06:30" in page
    assert 'data-remaining="390"' in html and "06:30" in html and "Pitches" in html
    assert '<time datetime="2026-03-02T10:10:00Z">' in html


def test_a_bad_timebox_is_a_422(world, as_role):
    response = as_role("facilitator").post(_url(world, "timebox"), data={"minutes": "0"})
    assert response.status_code == 422
    db.session.expire_all()
    assert world.partnership.timebox_ends_at is None


def test_frozen_board_shows_a_banner_and_refuses_member_writes_with_423(world, as_role):
    p = world.partnership
    facilitation.freeze_board(p, actor=world.users["facilitator"])
    note = voting.add_retro_note(p, "action", "Book the hall", actor=world.users["member"])
    db.session.commit()
    member = as_role("member")
    assert "you can look but not change anything" in member.get(_url(world)).get_data(as_text=True)
    response = member.post(_url(world, f"retro/{note.id}/card"))
    assert response.status_code == 423
    assert "frozen the board" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Card.id))) == 0


def test_freeze_and_unfreeze_by_htmx(world, as_role):
    client = as_role("facilitator", htmx=True)
    html = client.post(_url(world, "freeze")).get_data(as_text=True)
    assert html.lstrip().startswith('<section id="freeze-panel"') and "Unfreeze the board" in html
    assert client.post(_url(world, "freeze")).status_code == 409
    client.post(_url(world, "unfreeze"))
    db.session.expire_all()
    assert world.partnership.frozen_at is None


def test_dot_voting_hides_votes_and_keeps_the_budget(world, as_role):
    p = world.partnership
    session = voting.open_vote(
        p, "What first?", 2, ideas=["Choir", "Bikes"], actor=world.users["facilitator"]
    )
    db.session.commit()
    choir = session.items[0]
    client = as_role("member", htmx=True)
    url = _url(world, f"votes/{session.id}/items/{choir.id}/vote")
    client.post(url)
    html = client.post(url).get_data(as_text=True)
    assert "You have used 2 of your 2 votes." in html
    response = client.post(url)
    assert response.status_code == 422
    assert "You have used all your 2 votes" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Vote.id))) == 2
    assert "Results" not in html


def test_facilitator_opens_and_reveals_a_vote(world, as_role):
    client = as_role("facilitator")
    response = client.post(
        _url(world, "votes"),
        data={"question": "Which match?", "votes_per_person": "3", "ideas": "Choirs\nSchools\n"},
    )
    assert response.status_code == 303
    vote_url = response.headers["Location"]
    session = voting.vote_sessions(world.partnership)[0]
    voting.cast_vote(session, session.items[1], actor=world.users["facilitator"])
    db.session.commit()
    htmx = as_role("facilitator", htmx=True)
    html = htmx.post(_url(world, f"votes/{session.id}/reveal")).get_data(as_text=True)
    assert html.index("Schools") < html.index("Choirs") and "1 vote" in html
    assert client.get(vote_url).status_code == 200
    one_idea = client.post(
        _url(world, "votes"), data={"question": "Q", "votes_per_person": "3", "ideas": "Only"}
    )
    assert one_idea.status_code == 422


def test_retro_notes_and_an_action_becomes_a_card(world, as_role):
    client = as_role("member", htmx=True)
    html = client.post(_url(world, "retro"), data={"kind": "action", "text": "Invite the mayor"}).get_data(
        as_text=True
    )
    assert html.lstrip().startswith('<section id="retro"') and "Invite the mayor" in html
    note = voting.retro_notes(world.partnership)["action"][0]
    html = client.post(_url(world, f"retro/{note.id}/card")).get_data(as_text=True)
    assert "card created" in html
    assert db.session.scalar(sa.select(Card.title)) == "Invite the mayor"
    assert client.post(_url(world, "retro"), data={"kind": "well", "text": ""}).status_code == 422


def test_an_action_made_a_card_is_confirmed_at_once_not_on_the_next_page(world, as_role):
    note = voting.add_retro_note(world.partnership, "action", "Invite the mayor", actor=None)
    db.session.commit()
    client = as_role("member", htmx=True)
    html = client.post(_url(world, f"retro/{note.id}/card")).get_data(as_text=True)
    assert '<div id="flash" data-hx-swap-oob="innerHTML">' in html
    assert "“Invite the mayor” is now a card in the backlog." in html
    client.htmx = False
    board = client.get(f"/p/{world.partnership.id}/board").get_data(as_text=True)
    assert "is now a card in the backlog" not in board  # no stale message later


def test_a_frozen_board_refuses_moves_and_new_cards_from_members(world, as_role):
    from sprintboard.services import board

    p = world.partnership
    card = factories.card(p, "Flyers", actor=world.users["member"])
    columns = board.columns_of(p)
    facilitation.freeze_board(p, actor=world.users["facilitator"])
    db.session.commit()
    member = as_role("member", htmx=True)
    response = member.post(f"/p/{p.id}/cards/{card.id}/move", data={"column": str(columns[2].id)})
    assert response.status_code == 423
    assert "frozen the board" in response.get_data(as_text=True)
    db.session.expire_all()
    assert card.column_id == columns[0].id


def test_the_frozen_message_is_translated(world, as_role):
    p = world.partnership
    world.users["member"].locale = "de"
    facilitation.freeze_board(p, actor=world.users["facilitator"])
    note = voting.add_retro_note(p, "action", "Saal buchen", actor=world.users["member"])
    db.session.commit()
    response = as_role("member").post(_url(world, f"retro/{note.id}/card"))
    assert response.status_code == 423
    assert "Die Moderation hat das Board vorübergehend eingefroren" in response.get_data(as_text=True)


def test_stop_the_timebox(world, as_role):
    facilitation.start_timebox(world.partnership, 5, actor=world.users["facilitator"])
    db.session.commit()
    html = as_role("facilitator", htmx=True).post(_url(world, "timebox/stop")).get_data(as_text=True)
    assert html.lstrip().startswith('<section id="timebox-panel"') and "No timebox is running." in html
    db.session.expire_all()
    assert world.partnership.timebox_ends_at is None


def test_take_a_vote_back_and_observers_only_watch(world, as_role):
    p = world.partnership
    session = voting.open_vote(p, "Q?", 1, ideas=["A", "B"], actor=world.users["facilitator"])
    voting.cast_vote(session, session.items[0], actor=world.users["member"])
    db.session.commit()
    client = as_role("member", htmx=True)
    unvote = _url(world, f"votes/{session.id}/items/{session.items[0].id}/unvote")
    assert "You have used 0 of your 1 votes." in client.post(unvote).get_data(as_text=True)
    assert client.post(unvote).status_code == 422  # nothing left to take back


def test_observers_see_the_vote_without_buttons(world, as_role):
    session = voting.open_vote(world.partnership, "Q?", 1, ideas=["A", "B"], actor=world.users["facilitator"])
    db.session.commit()
    html = as_role("observer").get(_url(world, f"votes/{session.id}")).get_data(as_text=True)
    assert "Votes stay hidden" in html and "+1" not in html and "Reveal the results" not in html


def test_facilitator_deletes_a_retro_note(world, as_role):
    note = voting.add_retro_note(world.partnership, "improve", "Start on time", actor=world.users["member"])
    db.session.commit()
    html = (
        as_role("facilitator", htmx=True).post(_url(world, f"retro/{note.id}/delete")).get_data(as_text=True)
    )
    assert "Start on time" not in html
    assert voting.retro_notes(world.partnership)["improve"] == []


def test_the_timebox_end_is_shown_on_each_readers_clock_across_the_dst_change(world, as_role, login, app):
    """Berlin leaves summer time at 01:00 UTC on 25 October 2026: a 30-minute timebox started at
    02:50 summer time ends at 02:20 winter time; Kyiv changes at the same moment, New York not yet."""
    world.users["member"].timezone = "Europe/Kyiv"
    world.users["observer"].timezone = "America/New_York"
    db.session.commit()
    with time_machine.travel(datetime(2026, 10, 25, 0, 50, tzinfo=UTC), tick=False):
        facilitator = as_role("facilitator")  # no zone of their own: the partnership's (Berlin)
        assert facilitator.post(_url(world, "timebox"), data={"minutes": "30"}).status_code == 303
        member, observer = as_role("member"), as_role("observer")
    with time_machine.travel(datetime(2026, 10, 25, 1, 5, tzinfo=UTC), tick=False):
        shown = {
            who: client.get(_url(world, "timebox"), headers={"HX-Request": "true"}).get_data(as_text=True)
            for who, client in (("facilitator", facilitator), ("member", member), ("observer", observer))
        }
    for html in shown.values():
        assert '<time datetime="2026-10-25T01:20:00Z">' in html and "15:00" in html
    assert "02:20</time> (Berlin)" in shown["facilitator"]
    assert "03:20</time> (Kyiv)" in shown["member"]
    assert "21:20</time> (New York)" in shown["observer"]
    assert " UTC" not in shown["facilitator"]
