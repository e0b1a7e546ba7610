"""Open-space events: rooms and slots, registration, proposals, dots, the grid, notes, after."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from sprintboard.extensions import db
from sprintboard.live import broker
from sprintboard.models import Activity, Card, MatchEntry, SpaceDot, SpaceParticipant
from sprintboard.services import (
    DomainError,
    openspace,
    openspace_grid,
    openspace_people,
    openspace_sessions,
    openspace_venue,
)
from sprintboard.services.openspace_sessions import StaleNotes
from tests import factories

DAY = date(2026, 5, 4)


@pytest.fixture
def event(ctx, world):
    return factories.open_space(
        world.partnership,
        actor=world.users["facilitator"],
        rooms=[("Aula", 40), ("Lab", 8, False), ("Café", 15)],
        slots=[(DAY, "10:00", "10:45"), (DAY, "11:00", "11:45")],
        capacity=3,
    )


def test_rooms_and_slots_keep_their_rules(event, world):
    actor = world.users["facilitator"]
    assert [r.name for r in event.rooms] == ["Aula", "Lab", "Café"]
    with pytest.raises(DomainError, match="already a room called"):
        openspace_venue.add_room(event, " aula ", 10, actor=actor)
    with pytest.raises(DomainError, match="from 1 to"):
        openspace_venue.add_room(event, "Hall", 0, actor=actor)
    with pytest.raises(DomainError, match="overlaps the slot 10:00–10:45"):
        openspace_venue.add_slot(event, DAY, time(10, 30), time(11, 0), actor=actor)
    with pytest.raises(DomainError, match="ends after it starts"):
        openspace_venue.add_slot(event, DAY, time(12, 0), time(12, 0), actor=actor)
    openspace_venue.add_slot(event, DAY, time(9, 0), time(9, 45), actor=actor)
    assert [s.starts.hour for s in event.slots] == [9, 10, 11]  # in time order


def test_a_stand_alone_barcamp_is_facilitated_by_its_creator(ctx, world):
    admin = world.admin
    barcamp = factories.open_space(None, title="Twin City BarCamp", actor=admin)
    roles = [(p.user_id, p.role) for p in barcamp.participants]
    assert roles == [(admin.id, "facilitator")]
    assert barcamp in openspace.events_for(admin)
    assert barcamp not in openspace.events_for(world.users["member"])  # not registered


def test_registration_respects_the_capacity_and_the_open_flag(event, world):
    anna, key = factories.guest(event, "  Anna   Petrova ", city="Minsk", languages=["ru", "xx", "de"])
    assert anna.name == "Anna Petrova" and anna.languages == "de,ru" and key
    assert openspace_people.guest_by_key(event, anna.id, key) == anna
    assert openspace_people.guest_by_key(event, anna.id, key + "x") is None
    # A member registering by the link becomes a participant with their account, no key.
    max_, none = openspace_people.register(event, "Max", "Hamburg", ["de"], True, user=world.users["member"])
    assert none is None and max_.user_id == world.users["member"].id and max_.needs_access
    factories.guest(event, "Olga")
    assert openspace_people.places_left(event) == 0
    with pytest.raises(DomainError, match="the event is full: all 3 places"):
        factories.guest(event, "Too late")
    # Registering again (new details) does not need a new place.
    openspace_people.register(event, "Max M.", "Hamburg", ["de", "en"], True, user=world.users["member"])
    assert max_.name == "Max M."
    event.registration_open = False
    with pytest.raises(DomainError, match="closed"):
        factories.guest(event, "Closed")
    assert db.session.scalar(sa.select(sa.func.count(SpaceParticipant.id))) == 3


def test_members_take_part_without_registering(event, world):
    member = world.users["member"]
    member.locale = "de"
    viewer = factories.viewer_of(event, user=member)
    session = factories.space_session(event, "Radtour", viewer=viewer)
    participant = viewer.participant
    assert (
        participant.user_id == member.id and participant.city == "Hamburg" and participant.languages == "de"
    )
    assert session.hosts == [participant] and session.proposer == participant
    assert not participant.registered  # the members of the partnership use no place


def test_dots_follow_the_dot_vote_rules(event):
    anna, _ = factories.guest(event, "Anna")
    viewer = factories.viewer_of(event, anna)
    one = factories.space_session(event, "Choir", by=anna)
    two = factories.space_session(event, "Bikes", by=anna)
    event.dots_per_person = 3
    openspace_sessions.add_dot(one, viewer)
    openspace_sessions.add_dot(one, viewer)  # several dots on one session are allowed
    openspace_sessions.add_dot(two, viewer)
    with pytest.raises(DomainError, match="used all your 3 dots"):
        openspace_sessions.add_dot(two, viewer)
    assert openspace_sessions.my_dots(event, anna) == {one.id: 2, two.id: 1}
    openspace_sessions.remove_dot(one, viewer)
    assert openspace_sessions.dots_used(event, anna) == 2
    with pytest.raises(DomainError, match="no dot on that session"):
        openspace_sessions.remove_dot(factories.space_session(event, "Third", by=anna), viewer)


def test_only_hosts_and_facilitators_change_a_session(event, world):
    anna, _ = factories.guest(event, "Anna")
    boris, _ = factories.guest(event, "Boris")
    session = factories.space_session(event, "Choir", by=anna, languages=["ru"], needs=["projector", "nope"])
    assert session.languages == "ru" and session.needs == "projector"
    boris_view = factories.viewer_of(event, boris)
    with pytest.raises(DomainError, match="Only the hosts"):
        openspace_sessions.update_session(session, boris_view, "Mine now", "", "talk", [], [], [])
    anna_view = factories.viewer_of(event, anna)
    openspace_sessions.update_session(
        session, anna_view, "Choir and band", "", "talk", ["ru", "de"], [], [boris]
    )
    assert [h.name for h in session.hosts] == ["Anna", "Boris"]  # the proposer stays a host
    assert openspace_sessions.may_change(session, boris_view)
    facilitator = factories.viewer_of(event, user=world.users["facilitator"], role="facilitator")
    openspace_sessions.withdraw_session(session, facilitator)
    assert event.sessions == []


def test_placing_swaps_with_the_session_in_the_cell(event):
    anna, _ = factories.guest(event, "Anna")
    one = factories.space_session(event, "One", by=anna)
    two = factories.space_session(event, "Two", by=anna)
    aula, lab = event.rooms[0], event.rooms[1]
    ten, eleven = event.slots
    openspace_grid.place_session(one, aula, ten, actor=None)
    openspace_grid.place_session(two, lab, eleven, actor=None)
    moved = openspace_grid.place_session(two, aula, ten, actor=None)
    assert moved == one
    assert (two.room, two.slot) == (aula, ten) and (one.room, one.slot) == (lab, eleven)
    openspace_grid.place_session(one, None, None, actor=None)
    assert not one.is_placed
    with pytest.raises(DomainError, match="both a room and a time slot"):
        openspace_grid.place_session(one, aula, None, actor=None)


def test_suggest_fills_the_grid_and_keeps_what_was_placed(event):
    people = [factories.guest(event, f"P{n}")[0] for n in range(3)]
    event.capacity = None
    sessions = [factories.space_session(event, f"S{n}", by=people[n % 3]) for n in range(8)]
    for n, session in enumerate(sessions):
        for _ in range(n % 4):
            openspace_sessions.add_dot(
                session, factories.viewer_of(event, factories.guest(event, f"V{n}{_}")[0])
            )
    cafe, eleven = event.rooms[2], event.slots[1]
    openspace_grid.place_session(sessions[0], cafe, eleven, actor=None)
    placed = openspace_grid.apply_suggestion(event, actor=None)
    assert placed == 6  # 3 rooms × 2 slots
    assert (sessions[0].room, sessions[0].slot) == (cafe, eleven)
    grid = openspace_grid.load_grid(event)
    for slot in event.slots:
        hosts = [h.id for (r, s), session in grid.cells.items() if s == slot.id for h in session.hosts]
        assert len(hosts) == len(set(hosts))
    # Not keeping: the facilitator's placement may change too.
    assert openspace_grid.apply_suggestion(event, keep_placed=False, actor=None) == 6
    with pytest.raises(DomainError, match="rooms and time slots first"):
        openspace_grid.apply_suggestion(factories.open_space(None, actor=None), actor=None)


def test_the_grid_shows_conflicts(event):
    host, _ = factories.guest(event, "Host", languages=["de"])
    event.capacity = None
    one = factories.space_session(event, "One", by=host, languages=["de"])
    two = factories.space_session(event, "Two", by=host)
    listeners = [factories.guest(event, f"L{n}", languages=["ru"], needs_access=n == 0)[0] for n in range(9)]
    for person in listeners:
        openspace_sessions.add_dot(one, factories.viewer_of(event, person))
    aula, lab = event.rooms[0], event.rooms[1]
    openspace_grid.place_session(one, lab, event.slots[0], actor=None)
    openspace_grid.place_session(two, aula, event.slots[0], actor=None)
    grid = openspace_grid.load_grid(event)
    assert sorted(c.kind for c in grid.conflicts[one.id]) == ["access", "host", "language", "small"]
    assert [c.kind for c in grid.conflicts[two.id]] == ["host"]
    assert grid.count(one) == 9 and grid.dots(one) == 9 and grid.pool == []


def test_notes_keep_an_optimistic_lock(event):
    anna, _ = factories.guest(event, "Anna")
    session = factories.space_session(event, "Choir", by=anna)
    viewer = factories.viewer_of(event, anna)
    openspace_sessions.save_notes(
        session, viewer, "- sing\r\n- travel", "A tour in June", ["ru", "de"], version=0
    )
    assert session.notes == "- sing\n- travel" and session.notes_version == 1 and session.notes_by == "Anna"
    assert session.notes_languages == "de,ru"
    with pytest.raises(StaleNotes):
        openspace_sessions.save_notes(session, viewer, "older text", "", [], version=0)
    assert session.notes == "- sing\n- travel"


def test_sessions_become_cards_and_match_entries(event, world):
    p = world.partnership
    facilitator = world.users["facilitator"]
    anna, _ = factories.guest(event, "Anna")
    session = factories.space_session(event, "Choir exchange", by=anna, description="Two choirs meet.")
    openspace_sessions.save_notes(
        session, factories.viewer_of(event, anna), "Notes", "Tour in June", [], version=0
    )
    card = openspace_sessions.session_to_card(session, p, actor=facilitator)
    assert card.title == "Choir exchange" and card.partnership_id == p.id
    assert "Two choirs meet." in card.body and "**Tour in June**" in card.body
    with pytest.raises(DomainError, match="already a card"):
        openspace_sessions.session_to_card(session, p, actor=facilitator)
    entry = openspace_sessions.session_to_entry(session, p.cities[1], "idea", actor=facilitator)
    assert entry.text == "Choir exchange: Tour in June" and entry.city == p.cities[1] and entry.kind == "idea"
    assert session.card_id == card.id and session.entry_id == entry.id
    assert db.session.scalar(sa.select(sa.func.count(Card.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(MatchEntry.id))) == 1


def test_now_and_next_follow_the_venue_clock(event):
    event.timezone = "Europe/Minsk"  # UTC+3
    ten, eleven = event.slots
    at = openspace_grid.local_now(event, datetime(2026, 5, 4, 7, 30, tzinfo=UTC))
    assert at == datetime(2026, 5, 4, 10, 30)
    assert openspace_grid.now_and_next(event.slots, at) == (ten, eleven)
    assert openspace_grid.now_and_next(event.slots, datetime(2026, 5, 4, 10, 50)) == (None, eleven)
    assert openspace_grid.now_and_next(event.slots, datetime(2026, 5, 4, 12, 0)) == (None, None)
    assert openspace_grid.now_and_next(event.slots, datetime(2026, 5, 3, 12, 0)) == (None, ten)


def _about_anna(subscription) -> list:
    """The events about Anna's registration or proposal that arrive within 50 ms."""
    found = []
    while (got := subscription.get(timeout=0.05)) is not None:
        if got["v"] in ("openspace.registered", "openspace.proposed"):
            found.append(got)
    return found


def test_changes_are_published_after_the_commit_only(event, world, app):
    subscription = broker.current().subscribe(f"o{event.id}")
    try:
        db.session.commit()
        while subscription.get(timeout=0) is not None:  # what creating the event sent
            pass
        anna, _ = factories.guest(event, "Anna")
        factories.space_session(event, "Choir", by=anna)
        # (what creating the event sent may still be on its way through Redis: only Anna's
        # registration and proposal must not come)
        assert not _about_anna(subscription)  # not before the commit
        db.session.rollback()
        db.session.commit()
        assert not _about_anna(subscription)  # a rolled-back change sends nothing
        anna, _ = factories.guest(event, "Anna")
        factories.space_session(event, "Choir", by=anna)
        db.session.commit()
        got = subscription.get(timeout=2)
        assert got["k"] == "openspace" and got["v"] == "openspace.proposed"
    finally:
        subscription.close()


def test_history_goes_to_the_activity_log(event, world):
    anna, _ = factories.guest(event, "Anna")
    factories.space_session(event, "Choir", by=anna)
    verbs = db.session.scalars(sa.select(Activity.verb).order_by(Activity.id)).all()
    assert "openspace.created" in verbs and "openspace.registered" in verbs and "openspace.proposed" in verbs
    last = db.session.scalars(sa.select(Activity).order_by(Activity.id.desc())).first()
    from sprintboard.services.activity import describe

    assert describe(last) == "Anna proposed the session “Choir”"
    assert last.partnership_id == world.partnership.id


def test_removing_a_participant_keeps_their_sessions(event, world):
    anna, _ = factories.guest(event, "Anna")
    session = factories.space_session(event, "Choir", by=anna)
    openspace_sessions.add_dot(session, factories.viewer_of(event, anna))
    openspace_people.remove_participant(anna, actor=world.users["facilitator"])
    db.session.flush()
    db.session.expire_all()
    assert session.title == "Choir" and session.hosts == [] and session.proposer is None
    assert db.session.scalar(sa.select(sa.func.count(SpaceDot.id))) == 0
