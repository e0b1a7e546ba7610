"""The open-space grid through HTTP: placing (form and htmx), suggest, wall, now / next, print,
notes, cards and entries, the report, the exports and the calendar feed."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import icalendar
import sqlalchemy as sa
import time_machine
from sqlalchemy import event as sa_event

from sprintboard.extensions import db
from sprintboard.models import Card, MatchEntry
from sprintboard.services import openspace, openspace_grid, openspace_sessions
from tests import factories

DAY = date(2026, 5, 4)


def _barcamp(world, sessions=3):
    """A partnership's open space: 2 rooms × 2 slots, `sessions` proposals with dots from 2 cities."""
    event = factories.open_space(
        world.partnership,
        actor=world.users["facilitator"],
        rooms=[("Aula", 40), ("Lab", 2, False)],
        slots=[(DAY, "10:00", "10:45"), (DAY, "11:00", "11:45")],
        timezone="Europe/Minsk",
        dots_per_person=20,
    )
    anna, _ = factories.guest(event, "Anna", city="Minsk", languages=["ru"])
    jonas, _ = factories.guest(event, "Jonas", city="Hamburg", languages=["de"])
    made = []
    for n in range(sessions):
        session = factories.space_session(event, f"Session {n + 1}", by=anna if n % 2 else jonas)
        for person in (anna, jonas)[: n % 3]:
            openspace_sessions.add_dot(session, factories.viewer_of(event, person))
        made.append(session)
    db.session.commit()
    return event, made


def test_placing_by_the_plain_form_and_by_htmx(world, as_role):
    event, (one, two, _three) = _barcamp(world)
    aula, lab = event.rooms
    ten, eleven = event.slots
    client = as_role("facilitator")
    response = client.post(
        f"/o/{event.id}/sessions/{one.id}/place",
        data={"room": aula.id, "slot": ten.id, "next": f"/o/{event.id}/sessions/{one.id}#place"},
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/sessions/{one.id}#place")
    page = client.get(f"/o/{event.id}/sessions/{one.id}").get_data(as_text=True)
    assert "<strong>Aula</strong>" in page
    htmx = as_role("facilitator", htmx=True)
    html = htmx.post(
        f"/o/{event.id}/sessions/{two.id}/place", data={"room": aula.id, "slot": ten.id}
    ).get_data(as_text=True)
    assert html.lstrip().startswith('<div id="grid"')
    assert "“Session 2” is now in Aula, 10:00–10:45." in html  # said in the live region
    db.session.expire_all()
    assert (two.room_id, two.slot_id) == (aula.id, ten.id) and not one.is_placed  # swapped off the grid
    html = htmx.post(f"/o/{event.id}/sessions/{two.id}/place", data={"room": "", "slot": ""}).get_data(
        as_text=True
    )
    assert "“Session 2” is off the grid." in html
    response = htmx.post(f"/o/{event.id}/sessions/{two.id}/place", data={"room": lab.id, "slot": ""})
    assert response.status_code == 422 and "Choose both a room and a time slot" in response.get_data(
        as_text=True
    )
    response = htmx.post(f"/o/{event.id}/sessions/{two.id}/place", data={"room": "abc", "slot": eleven.id})
    assert response.status_code == 422


def test_members_may_look_at_the_grid_but_not_place(world, as_role):
    event, (one, *_rest) = _barcamp(world)
    html = as_role("member").get(f"/o/{event.id}/grid").get_data(as_text=True)
    assert "data-editable" not in html and "Suggest a schedule" not in html and "Session 1" in html
    aula, ten = event.rooms[0], event.slots[0]
    response = as_role("member").post(
        f"/o/{event.id}/sessions/{one.id}/place", data={"room": aula.id, "slot": ten.id}
    )
    assert response.status_code == 403


def test_suggest_fills_the_grid_and_shows_the_conflicts(world, as_role):
    event, sessions = _barcamp(world, sessions=5)
    client = as_role("facilitator")
    response = client.post(f"/o/{event.id}/suggest", data={"keep_placed": "y"})
    assert response.status_code == 303
    html = client.get(f"/o/{event.id}/grid").get_data(as_text=True)
    assert "The grid is filled: 4 of 5 sessions placed." in html
    assert "4 of 4 cells filled" in html and "1 session not placed" in html
    # The most wanted session (two dots, from Minsk and Hamburg) is in the largest room; the
    # least wanted one is left out, as its host is busy in the only free cell's slot.
    db.session.expire_all()
    assert sessions[2].room.name == "Aula" and not sessions[0].is_placed
    # Moved into the small room, the grid says it is too small.
    lab = event.rooms[1]
    lab.capacity = 1
    db.session.commit()
    taken = next(s for s in sessions if s.room_id == lab.id)
    html = (
        as_role("facilitator", htmx=True)
        .post(f"/o/{event.id}/sessions/{sessions[2].id}/place", data={"room": lab.id, "slot": taken.slot_id})
        .get_data(as_text=True)
    )
    assert "2 people are interested, the room has 1 places" in html
    assert "1 session with conflicts" in html


def test_the_grid_page_costs_the_same_few_queries_however_many_sessions(world, as_role):
    client = as_role("facilitator")

    def queries(event):
        seen = []

        def count(*_args):
            seen.append(1)

        sa_event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/o/{event.id}/grid").status_code == 200
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    small, _ = _barcamp(world, sessions=2)
    few = queries(small)
    big, _ = _barcamp(world, sessions=24)
    openspace_grid.apply_suggestion(big, actor=None)
    db.session.commit()
    assert queries(big) == few


def test_wall_and_now_follow_the_venue_clock(world, as_role):
    event, sessions = _barcamp(world)
    openspace_grid.apply_suggestion(event, actor=None)
    db.session.commit()
    client = as_role("member")
    # 07:20 UTC is 10:20 in Minsk: the first slot is on, the second is next.
    with time_machine.travel(datetime(2026, 5, 4, 7, 20, tzinfo=UTC), tick=False):
        client = as_role("member")
        html = client.get(f"/o/{event.id}/now").get_data(as_text=True)
        wall = client.get(f"/o/{event.id}/wall").get_data(as_text=True)
    now = html[html.index('id="now-h"') : html.index('id="next-h"')]
    db.session.expire_all()
    on_now = [s.title for s in sessions if s.slot_id == event.slots[0].id]
    assert on_now and all(title in now for title in on_now)
    assert "Updated 10:20" in html
    assert 'class="os-wall-page"' in wall and "Updated 10:20" in wall and '<tr class="is-now">' in wall
    with time_machine.travel(datetime(2026, 5, 4, 12, 0, tzinfo=UTC), tick=False):
        client = as_role("member")
        html = client.get(f"/o/{event.id}/now").get_data(as_text=True)
    assert "Nothing is on right now." in html and "Nothing more is planned." in html


def test_the_printable_schedule(world, as_role):
    event, _sessions = _barcamp(world)
    openspace_grid.apply_suggestion(event, actor=None)
    db.session.commit()
    client = as_role("observer")
    html = client.get(f"/o/{event.id}/print").get_data(as_text=True)
    assert 'class="os-print os-print-a3"' in html and "Session 1" in html and "Anna (Minsk)" in html
    assert 'class="os-print os-print-a4"' in client.get(f"/o/{event.id}/print?paper=a4").get_data(
        as_text=True
    )


def test_notes_are_saved_and_a_stale_save_shows_both_texts(world, as_role):
    event, (one, *_rest) = _barcamp(world)
    client = as_role("member", htmx=True)
    url = f"/o/{event.id}/sessions/{one.id}/notes"
    html = client.post(
        url,
        data={
            "version": "0",
            "notes": "**Hamburg** hosts in June",
            "outcome": "Choirs meet",
            "languages": ["de"],
        },
    ).get_data(as_text=True)
    assert html.lstrip().startswith('<section id="notes-panel"') and "The notes are saved." in html
    assert "<strong>Hamburg</strong> hosts in June" in html and 'lang="de"' in html
    response = as_role("observer").post(url, data={"version": "1", "notes": "x"})
    assert response.status_code == 403
    stale = as_role("facilitator", htmx=True).post(url, data={"version": "0", "notes": "My older draft"})
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "Someone else saved these notes in the meantime" in text
    assert "<strong>Hamburg</strong> hosts in June" in text and "My older draft" in text
    assert 'name="version" type="hidden" value="1"' in text  # saving again keeps my text
    db.session.expire_all()
    assert one.notes == "**Hamburg** hosts in June" and one.notes_by == "Max Member"


def test_sessions_become_cards_and_entries_in_one_step(world, as_role):
    event, (one, two, _three) = _barcamp(world)
    client = as_role("facilitator")
    p = world.partnership
    response = client.post(f"/o/{event.id}/sessions/{one.id}/card", data={"partnership": p.id})
    assert response.status_code == 303
    card = db.session.scalar(sa.select(Card))
    assert card.title == "Session 1" and card.partnership_id == p.id
    page = client.get(f"/o/{event.id}/sessions/{one.id}").get_data(as_text=True)
    assert "is now a card in the backlog of Minsk – Hamburg" in page
    assert f'href="/p/{p.id}/cards/{card.id}"' in page
    assert client.post(f"/o/{event.id}/sessions/{one.id}/card", data={"partnership": p.id}).status_code == 409
    response = client.post(
        f"/o/{event.id}/sessions/{two.id}/entry", data={"city": p.cities[0].id, "kind": "need"}
    )
    assert response.status_code == 303
    entry = db.session.scalar(sa.select(MatchEntry))
    assert entry.text == "Session 2" and entry.kind == "need" and entry.city_id == p.cities[0].id
    # Another partnership's city is not on offer.
    other_city = world.other.cities[0].id
    response = client.post(
        f"/o/{event.id}/sessions/{two.id}/entry", data={"city": other_city, "kind": "idea"}
    )
    assert response.status_code == 422


def test_the_report_lists_sessions_hosts_and_interest_per_city(world, as_role):
    event, sessions = _barcamp(world)
    openspace_grid.apply_suggestion(event, actor=None)
    openspace_sessions.save_notes(
        sessions[2], factories.viewer_of(event, sessions[2].proposer), "", "A joint concert", [], version=0
    )
    db.session.commit()
    html = as_role("observer").get(f"/o/{event.id}/report").get_data(as_text=True)
    assert "2 participants" in html and "3 sessions proposed" in html and "1 session documented" in html
    assert "Hamburg: 1" in html and "Minsk: 1" in html
    assert "A joint concert" in html and "Jonas (Hamburg)" in html
    assert "Export JSON" not in html  # exports are for facilitators


def test_json_and_csv_exports(world, as_role):
    event, sessions = _barcamp(world)
    sessions[0].title = "=HYPERLINK(1)"
    openspace_grid.apply_suggestion(event, actor=None)
    db.session.commit()
    client = as_role("facilitator")
    data = json.loads(client.get(f"/o/{event.id}/export.json").get_data(as_text=True))
    assert data["format"] == "sprintboard-openspace/1" and len(data["rooms"]) == 2
    third = next(s for s in data["sessions"] if s["title"] == "Session 3")
    assert third["interest_by_city"] == {"Hamburg": 1, "Minsk": 1} and third["dots"] == 2
    assert third["room"] == "Aula" and third["starts"] in ("10:00", "11:00")
    assert data["participants_by_city"] == {"Hamburg": 1, "Minsk": 1}
    response = client.get(f"/o/{event.id}/export.csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "title", "format"] and len(rows) == 4
    assert "'=HYPERLINK(1)" in [r[1] for r in rows]  # formula-safe
    assert as_role("member").get(f"/o/{event.id}/export.csv").status_code == 403


def test_the_calendar_feed_holds_the_placed_sessions_in_the_venue_time_zone(world, as_role):
    event, _sessions = _barcamp(world)
    openspace_grid.apply_suggestion(event, actor=None)
    db.session.commit()
    response = as_role(None).get(f"/o/{event.id}/calendar/{openspace.feed_token(event)}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.get_data())
    items = sorted(cal.walk("VEVENT"), key=lambda e: (e.decoded("dtstart"), str(e["location"])))
    assert len(items) == 3
    start = items[0].decoded("dtstart")
    assert start.utcoffset().total_seconds() == 3 * 3600 and start.hour == 10  # Minsk
    assert str(items[0]["location"]).startswith("Aula")
    assert any("Hosts:" in str(e.get("description", "")) for e in items)


def test_the_stream_answers_with_server_sent_events(world, as_role):
    event, _sessions = _barcamp(world)
    response = as_role("observer").get(f"/o/{event.id}/stream")
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_data(as_text=True).startswith("retry: ")
