"""Open-space events through HTTP: creating, rooms and slots, registration of guests, proposals
and dots, what guests may and may not see."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from sprintboard import access
from sprintboard.extensions import db
from sprintboard.models import OpenSpace, SpaceDot, SpaceParticipant, SpaceSession
from sprintboard.services import openspace
from tests import factories

DAY = date(2026, 5, 4)


def _event(world, **values):
    event = factories.open_space(
        world.partnership,
        actor=world.users["facilitator"],
        rooms=[("Aula", 40), ("Lab", 8)],
        slots=[(DAY, "10:00", "10:45"), (DAY, "11:00", "11:45")],
        **values,
    )
    db.session.commit()
    return event


def _register(client, event, name="Anna", **fields):
    token = openspace.registration_token(event)
    data = {"name": name, "city": "Minsk", "languages": ["ru", "en"], **fields}
    return client.post(f"/o/{event.id}/join/{token}", data=data)


def test_a_facilitator_opens_an_event_for_the_partnership(world, as_role):
    client = as_role("facilitator")
    pid = world.partnership.id
    page = client.get(f"/p/{pid}/openspace").get_data(as_text=True)
    assert "New open space or BarCamp" in page
    assert "None: a BarCamp open to everyone" in page  # facilitators may open BarCamps too
    response = client.post(
        "/o/",
        data={"title": "Match & Sprint open space", "partnership": str(pid), "timezone": "Europe/Minsk",
              "dots_per_person": "4"},
    )  # fmt: skip
    assert response.status_code == 303
    event = db.session.scalar(sa.select(OpenSpace))
    assert response.headers["Location"].endswith(f"/o/{event.id}/settings")
    assert event.partnership_id == pid and event.dots_per_person == 4 and event.timezone == "Europe/Minsk"
    assert "Match &amp; Sprint open space" in client.get(f"/p/{pid}/openspace").get_data(as_text=True)


def test_creating_is_refused_with_bad_input_or_too_few_rights(world, as_role):
    client = as_role("facilitator")
    response = client.post("/o/", data={"title": "", "partnership": "", "dots_per_person": "3"})
    assert response.status_code == 422 and "This field is required." in response.get_data(as_text=True)
    # A member is facilitator nowhere: no form, and a post is refused.
    member = as_role("member")
    assert "New open space" not in member.get("/o/").get_data(as_text=True)
    response = member.post("/o/", data={"title": "Mine", "partnership": "", "dots_per_person": "3"})
    assert response.status_code == 403
    # A facilitator of another partnership cannot open one for this partnership.
    response = as_role("outsider").post(
        "/o/", data={"title": "X", "partnership": str(world.partnership.id), "dots_per_person": "3"}
    )
    assert response.status_code == 422  # not among the choices
    assert db.session.scalar(sa.select(sa.func.count(OpenSpace.id))) == 0


def test_rooms_and_slots_are_added_in_place(world, as_role):
    event = _event(world)
    client = as_role("facilitator", htmx=True)
    html = client.post(
        f"/o/{event.id}/rooms",
        data={"new-room-name": "Garden", "new-room-capacity": "25", "new-room-accessible": "y"},
    ).get_data(as_text=True)
    assert html.lstrip().startswith('<section id="rooms"') and "Garden" in html and "25 places" in html
    response = client.post(
        f"/o/{event.id}/slots",
        data={"new-slot-day": "2026-05-04", "new-slot-starts": "10:30", "new-slot-ends": "11:15"},
    )
    assert response.status_code == 422
    assert "This overlaps the slot 10:00–10:45 on the same day." in response.get_data(as_text=True)
    response = client.post(
        f"/o/{event.id}/slots",
        data={"new-slot-day": "2026-05-04", "new-slot-starts": "12:00", "new-slot-ends": "11:00"},
    )
    assert response.status_code == 422 and "A slot ends after it starts." in response.get_data(as_text=True)
    client.post(
        f"/o/{event.id}/slots",
        data={"new-slot-day": "2026-05-04", "new-slot-starts": "12:00", "new-slot-ends": "12:45"},
    )
    db.session.expire_all()
    assert [r.name for r in event.rooms] == ["Aula", "Lab", "Garden"]
    assert len(event.slots) == 3
    room = event.rooms[1]
    response = as_role("facilitator").post(
        f"/o/{event.id}/rooms/{room.id}",
        data={f"room-{room.id}-name": "Lab 2", f"room-{room.id}-capacity": "9"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert (room.name, room.capacity, room.accessible) == ("Lab 2", 9, False)


def test_a_guest_registers_by_the_link_and_takes_part(app, world, as_role):
    event = _event(world, capacity=2)
    guest = as_role(None)
    page = guest.get(f"/o/{event.id}/join/{openspace.registration_token(event)}").get_data(as_text=True)
    assert "2 places left." in page and "No account needed" in page and "help the facilitators plan" in page
    response = _register(guest, event, needs_access="y")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/o/{event.id}/me")
    cookie = response.headers["Set-Cookie"]
    assert access.GUEST_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    profile = guest.get(f"/o/{event.id}/me").get_data(as_text=True)
    assert "Welcome, Anna! You are registered." in profile
    link = re.search(r'id="personal-link" class="copy" type="text" readonly value="([^"]+)"', profile).group(
        1
    )
    assert f"/o/{event.id}/me/" in link
    # Proposing from the phone, then a dot on it.
    response = guest.post(
        f"/o/{event.id}/sessions",
        data={"title": "Хоровой обмен", "format": "workshop", "languages": ["ru"], "needs": ["flip_chart"]},
    )
    assert response.status_code == 303
    session = db.session.scalar(sa.select(SpaceSession))
    assert [h.name for h in session.hosts] == ["Anna"] and session.format == "workshop"
    guest.htmx = True
    html = guest.post(f"/o/{event.id}/sessions/{session.id}/dot").get_data(as_text=True)
    assert "You have used 1 of your 3 dots." in html and "Your dots: 1" in html
    # The personal link makes another device (a phone) the same guest.
    phone = app.test_client()
    response = phone.get(link.replace("http://localhost", ""))
    assert response.status_code == 303
    assert "Хоровой обмен" in phone.get(f"/o/{event.id}").get_data(as_text=True)


def test_guests_see_the_event_and_nothing_of_the_partnership(world, as_role):
    event = _event(world)
    guest = as_role(None)
    _register(guest, event)
    page = guest.get(f"/o/{event.id}").get_data(as_text=True)
    p = world.partnership
    assert event.title in page and p.name not in page and f"/p/{p.id}/" not in page
    assert "Settings" not in page and "People" not in page  # facilitators' pages
    assert guest.get(f"/p/{p.id}/board").status_code == 302  # to the login page
    assert guest.get(f"/o/{event.id}/settings").status_code == 403
    # A member sees the way back to the partnership.
    member_page = as_role("member").get(f"/o/{event.id}").get_data(as_text=True)
    assert f'href="/p/{p.id}/openspace"' in member_page


def test_registration_when_full_or_closed(world, as_role):
    event = _event(world, capacity=1)
    _register(as_role(None), event, "First")
    late = as_role(None)
    assert "the event is full" in late.get(
        f"/o/{event.id}/join/{openspace.registration_token(event)}"
    ).get_data(as_text=True)
    response = _register(late, event, "Second")
    assert response.status_code == 409
    assert "Sorry, the event is full: all 1 places are taken." in response.get_data(as_text=True)
    event.registration_open = False
    db.session.commit()
    response = _register(late, event, "Third")
    assert response.status_code == 409 and "Registration for this event is closed." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count(SpaceParticipant.id))) == 1
    assert _register(late, event, "").status_code == 422


def test_a_renewed_registration_link_stops_the_old_one(world, as_role):
    event = _event(world)
    old = openspace.registration_token(event)
    client = as_role("facilitator", htmx=True)
    html = client.post(f"/o/{event.id}/link/renew").get_data(as_text=True)
    db.session.expire_all()
    new = openspace.registration_token(event)
    assert new != old and new in html
    assert as_role(None).get(f"/o/{event.id}/join/{old}").status_code == 404


def test_dot_counts_are_hidden_from_participants_unless_shown(world, as_role):
    event = _event(world)
    anna, _ = factories.guest(event, "Anna")
    session = factories.space_session(event, "Choir", by=anna)
    from sprintboard.services import openspace_sessions

    openspace_sessions.add_dot(session, factories.viewer_of(event, anna))
    db.session.commit()
    assert "1 dot" not in as_role("member").get(f"/o/{event.id}").get_data(as_text=True)
    assert "1 person · 1 dot" in as_role("facilitator").get(f"/o/{event.id}").get_data(as_text=True)
    event.votes_visible = True
    db.session.commit()
    assert "1 person · 1 dot" in as_role("member").get(f"/o/{event.id}").get_data(as_text=True)


def test_a_proposal_without_a_title_is_shown_again(world, as_role):
    event = _event(world)
    response = as_role("member").post(f"/o/{event.id}/sessions", data={"title": "  ", "format": "talk"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "This field is required." in html and f'action="/o/{event.id}/sessions"' in html
    assert db.session.scalar(sa.select(sa.func.count(SpaceSession.id))) == 0


def test_dots_beyond_the_budget_are_refused(world, as_role):
    event = _event(world, dots_per_person=1)
    session = factories.space_session(
        event, "Choir", viewer=factories.viewer_of(event, user=world.users["member"])
    )
    db.session.commit()
    client = as_role("member", htmx=True)
    assert client.post(f"/o/{event.id}/sessions/{session.id}/dot").status_code == 200
    response = client.post(f"/o/{event.id}/sessions/{session.id}/dot")
    assert response.status_code == 422 and "You have used all your 1 dots" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(SpaceDot.id))) == 1


def test_a_guest_leaves_and_the_cookie_goes(world, as_role):
    event = _event(world)
    guest = as_role(None)
    _register(guest, event)
    response = guest.post(f"/o/{event.id}/leave")
    assert response.status_code == 303
    assert f"{access.GUEST_COOKIE}=;" in response.headers["Set-Cookie"]
    assert guest.get(f"/o/{event.id}").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(SpaceParticipant.id))) == 0


def test_facilitators_make_a_member_co_facilitator_but_not_a_guest(world, as_role):
    event = _event(world)
    anna, _ = factories.guest(event, "Anna")
    member = factories.viewer_of(event, user=world.users["member"])
    factories.space_session(event, "Bikes", viewer=member)
    db.session.commit()
    client = as_role("facilitator")
    response = client.post(f"/o/{event.id}/people/{anna.id}/role", data={"role": "facilitator"})
    assert response.status_code == 422 and "Only people with an account" in response.get_data(as_text=True)
    client.post(f"/o/{event.id}/people/{member.participant.id}/role", data={"role": "facilitator"})
    assert as_role("member").get(f"/o/{event.id}/settings").status_code == 200


def test_the_workshop_agenda_shows_its_open_space(world, as_role):
    from sprintboard.services import workshops

    workshop = workshops.create_workshop(
        world.partnership, "match_sprint", "Match & Sprint", start=DAY, actor=None
    )
    event = _event(world)
    event.workshop = workshop
    db.session.commit()
    html = (
        as_role("observer").get(f"/p/{world.partnership.id}/workshops/{workshop.id}").get_data(as_text=True)
    )
    assert f'href="/o/{event.id}"' in html and event.title in html


def test_pages_with_secrets_or_a_guest_are_never_cached(world, as_role):
    event = _event(world)
    guest = as_role(None)
    _register(guest, event)
    for path in (f"/o/{event.id}", f"/o/{event.id}/me", f"/o/{event.id}/grid"):
        assert guest.get(path).headers["Cache-Control"] == "no-store", path
    facilitator = as_role("facilitator")
    assert facilitator.get(f"/o/{event.id}/settings").headers["Cache-Control"] == "no-store"
    assert facilitator.get(f"/o/{event.id}/grid").headers["Cache-Control"] == "private, no-cache"
