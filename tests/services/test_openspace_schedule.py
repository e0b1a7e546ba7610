"""“Suggest a schedule” and the conflicts of a grid: pure functions, tested for their properties."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from sprintboard.services.openspace_schedule import (
    PersonInfo,
    RoomInfo,
    SessionInfo,
    conflicts,
    suggest,
)

PEOPLE = list(range(1, 31))


@st.composite
def grids(draw, *, pinned=True, shared_hosts=True, access=True):
    """Rooms, slot ids and sessions; hosts and audiences are drawn from 30 people."""
    capacities = draw(st.lists(st.integers(1, 60), min_size=1, max_size=6))
    rooms = [
        RoomInfo(id=100 + n, capacity=c, accessible=draw(st.booleans()) if access else True, position=n)
        for n, c in enumerate(capacities)
    ]
    slots = [200 + n for n in range(draw(st.integers(1, 5)))]
    sessions = []
    for n in range(draw(st.integers(0, 30))):
        if shared_hosts:
            hosts = frozenset(draw(st.lists(st.integers(1, 30), max_size=3)))
        else:  # everyone hosts at most one session
            hosts = frozenset({1000 + n}) if draw(st.booleans()) else frozenset()
        cell = None
        if pinned and draw(st.booleans()):
            cell = (100 + draw(st.integers(0, len(rooms))), draw(st.sampled_from(slots)))  # may be no room
        sessions.append(
            SessionInfo(
                id=n + 1,
                dots=draw(st.integers(0, 25)),
                hosts=hosts,
                audience=frozenset(draw(st.lists(st.integers(1, 30), max_size=8))),
                needs_access=draw(st.booleans()) if access else False,
                pinned=cell,
            )
        )
    return sessions, rooms, slots


def _priority(s):
    return (-s.dots, -s.people, s.id)


@settings(max_examples=150, deadline=None)
@given(grids())
def test_never_a_host_in_two_sessions_at_once(grid):
    sessions, rooms, slots = grid
    placement = suggest(sessions, rooms, slots)
    by_id = {s.id: s for s in sessions}
    for slot in slots:
        hosts = [h for sid, (_r, s) in placement.items() if s == slot for h in by_id[sid].hosts]
        assert len(hosts) == len(set(hosts)), f"a host twice in slot {slot}"


@settings(max_examples=150, deadline=None)
@given(grids())
def test_never_more_sessions_than_cells_and_one_per_cell(grid):
    sessions, rooms, slots = grid
    placement = suggest(sessions, rooms, slots)
    cells = {(r.id, s) for r in rooms for s in slots}
    assert len(placement) <= min(len(cells), len(sessions))
    assert set(placement.values()) <= cells
    assert len(set(placement.values())) == len(placement), "two sessions in one cell"
    assert set(placement) <= {s.id for s in sessions}


@settings(max_examples=100, deadline=None)
@given(grids(), st.randoms(use_true_random=False))
def test_the_same_input_gives_the_same_schedule_whatever_its_order(grid, rnd: random.Random):
    sessions, rooms, slots = grid
    first = suggest(sessions, rooms, slots)
    assert suggest(list(sessions), list(rooms), list(slots)) == first
    shuffled_sessions, shuffled_rooms = list(sessions), list(rooms)
    rnd.shuffle(shuffled_sessions)
    rnd.shuffle(shuffled_rooms)
    assert suggest(shuffled_sessions, shuffled_rooms, slots) == first


@settings(max_examples=100, deadline=None)
@given(grids(shared_hosts=False), st.booleans())
def test_without_shared_hosts_every_cell_or_every_session_is_used(grid, unpin):
    sessions, rooms, slots = grid
    if unpin:
        sessions = [SessionInfo(s.id, s.dots, s.hosts, s.audience, s.needs_access) for s in sessions]
    placement = suggest(sessions, rooms, slots)
    assert len(placement) == min(len(sessions), len(rooms) * len(slots))
    if unpin and len(placement) < len(sessions):  # the ones left out are the least wanted
        left = [s for s in sessions if s.id not in placement]
        placed = [s for s in sessions if s.id in placement]
        assert max(map(_priority, placed)) < min(map(_priority, left))


@settings(max_examples=100, deadline=None)
@given(grids(pinned=False, shared_hosts=False, access=False))
def test_the_most_wanted_sessions_get_the_largest_rooms(grid):
    sessions, rooms, slots = grid
    placement = suggest(sessions, rooms, slots)
    capacity = {r.id: r.capacity for r in rooms}
    placed = sorted((s for s in sessions if s.id in placement), key=_priority)
    sizes = [capacity[placement[s.id][0]] for s in placed]
    assert sizes == sorted(sizes, reverse=True)


@settings(max_examples=100, deadline=None)
@given(grids(shared_hosts=False))
def test_pinned_sessions_stay_where_the_facilitator_put_them(grid):
    sessions, rooms, slots = grid
    cells = {(r.id, s) for r in rooms for s in slots}
    placement = suggest(sessions, rooms, slots)
    claimed = {}
    for s in sorted(sessions, key=_priority):  # the first to claim a cell keeps it
        if s.pinned in cells and s.pinned not in claimed:
            claimed[s.pinned] = s.id
    for cell, sid in claimed.items():
        assert placement[sid] == cell


def test_a_small_example_reads_like_the_rule():
    rooms = [RoomInfo(1, 10), RoomInfo(2, 50), RoomInfo(3, 20)]
    sessions = [
        SessionInfo(1, dots=9, hosts=frozenset({7})),
        SessionInfo(2, dots=8, hosts=frozenset({7})),  # same host as 1: another slot
        SessionInfo(3, dots=5),
        SessionInfo(4, dots=1),
        SessionInfo(5, dots=0),
    ]
    placement = suggest(sessions, rooms, [10, 11])
    assert placement[1] == (2, 10)  # most wanted: largest room, first slot
    assert placement[2] == (2, 11)  # largest room's other slot (and its host is free then)
    assert placement[3] == (3, 10)
    assert placement[4] == (3, 11)
    assert placement[5] == (1, 10)


def test_sessions_that_need_access_prefer_step_free_rooms():
    rooms = [RoomInfo(1, 80, accessible=False), RoomInfo(2, 20, accessible=True)]
    placement = suggest([SessionInfo(1, dots=10, needs_access=True), SessionInfo(2, dots=5)], rooms, [10])
    assert placement == {1: (2, 10), 2: (1, 10)}


def test_sessions_with_shared_audience_go_to_different_slots():
    rooms = [RoomInfo(1, 30), RoomInfo(2, 30)]
    fans = frozenset({1, 2, 3})
    sessions = [
        SessionInfo(1, dots=5, audience=fans),
        SessionInfo(2, dots=4, audience=fans),
        SessionInfo(3, dots=3),
    ]
    placement = suggest(sessions, rooms, [10, 11])
    assert placement[1][1] != placement[2][1]


def test_conflicts_name_what_is_wrong():
    rooms = [RoomInfo(1, 2, accessible=False), RoomInfo(2, 30)]
    people = [
        PersonInfo(1, frozenset({"de"})),
        PersonInfo(2, frozenset({"ru"}), needs_access=True),
        PersonInfo(3, frozenset()),  # gave no languages: not counted
        PersonInfo(4, frozenset({"uk", "pl"})),
        PersonInfo(9, frozenset({"de", "ru"})),
    ]
    sessions = [
        SessionInfo(1, hosts=frozenset({9}), audience=frozenset({2, 3, 4})),  # nobody speaks German
        SessionInfo(2, hosts=frozenset({9}), audience=frozenset({1, 2})),  # one of them does
        SessionInfo(3, hosts=frozenset({1}), audience=frozenset()),
    ]
    placement = {1: (1, 10), 2: (2, 10), 3: (2, 11)}
    found = conflicts(placement, sessions, rooms, people, {1: frozenset({"de"}), 2: frozenset({"de"})})
    kinds = {sid: sorted(c.kind for c in cs) for sid, cs in found.items()}
    assert kinds == {1: ["access", "host", "language", "small"], 2: ["host"]}
    by_kind = {c.kind: c for c in found[1]}
    assert by_kind["host"].other == 2 and by_kind["host"].people == (9,)
    assert by_kind["small"].count == 3
    assert by_kind["language"].people == (2, 4) and by_kind["language"].count == 2
    assert by_kind["access"].people == (2,)
    assert 3 not in found
