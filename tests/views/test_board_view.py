"""Each person's view of the board (density, collapsed lanes), presentation mode, and the board's
workspace markup; plus the page defects found on phones, projectors and paper."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

from sprintboard.extensions import db
from sprintboard.models import BoardView
from sprintboard.services import applications
from tests import factories


def _board(client, pid, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return client.get(f"/p/{pid}/board" + (f"?{query}" if query else "")).get_data(as_text=True)


def _setup(world):
    p = world.partnership
    project = factories.project(p, "Youth camp", actor=world.users["member"])
    factories.card(p, "Book the hostel", project=project, actor=world.users["member"])
    db.session.commit()
    return p, f"p{project.id}"


def _open(html: str, lane: str) -> bool:
    tag = re.search(rf'<details class="lane-fold" data-lane="{lane}"( open)?>', html)
    assert tag, f"lane {lane} is not on the board"
    return bool(tag.group(1))


def test_a_collapsed_lane_stays_collapsed_for_that_person_only(world, as_role):
    p, lane = _setup(world)
    member, facilitator = as_role("member"), as_role("facilitator")
    assert _open(_board(member, p.id), lane) and _open(_board(facilitator, p.id), lane)  # both cached
    fold = {"lane": lane, "collapsed": "y"}
    response = as_role("member", htmx=True).post(f"/p/{p.id}/board/lanes", data=fold)
    assert response.status_code == 204
    assert not _open(_board(member, p.id), lane)
    assert _open(_board(facilitator, p.id), lane)  # the cached board is not theirs
    member.post(f"/p/{p.id}/board/lanes", data={"lane": lane, "collapsed": ""})
    assert _open(_board(member, p.id), lane)


def test_the_view_form_works_without_javascript_even_for_observers(world, as_role):
    p, lane = _setup(world)
    observer = as_role("observer")
    page = _board(observer, p.id)
    assert 'class="board-area density-comfortable"' in page
    response = observer.post(
        f"/p/{p.id}/board/view",
        data={"density": "compact", "collapsed": [lane, "p0"], "next": f"/p/{p.id}/board?group=project"},
    )
    assert response.status_code == 303 and response.headers["Location"] == f"/p/{p.id}/board?group=project"
    page = _board(observer, p.id)
    assert 'class="board-area density-compact"' in page
    assert not _open(page, lane) and not _open(page, "p0")
    assert f'id="fold-{lane}" name="collapsed" value="{lane}" checked' in page


def test_a_bad_view_changes_nothing(world, as_role):
    p, _lane = _setup(world)
    client = as_role("member")
    for data in ({"density": "tiny"}, {"density": "compact", "collapsed": ['x" onclick="1']}):
        response = client.post(f"/p/{p.id}/board/view", data=data)
        assert response.status_code == 422
    response = client.post(f"/p/{p.id}/board/lanes", data={"lane": "<script>", "collapsed": "y"})
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count(BoardView.id))) == 0


def test_presentation_mode_drops_the_chrome_and_keeps_the_board_live(world, as_role):
    p, _lane = _setup(world)
    page = _board(as_role("member"), p.id, present=1)
    assert '<html lang="en" class="present">' in page
    assert 'class="subnav"' not in page and 'class="board-tools"' not in page
    assert f'href="/p/{p.id}/board">Leave presentation</a>' in page
    assert 'data-sse-connect="' in page and 'id="timebox"' in page
    normal = _board(as_role("member"), p.id)
    assert 'class="present"' not in normal and f'href="/p/{p.id}/board?present=1">Present</a>' in normal


def test_the_filter_control_says_how_many_filters_are_on(world, as_role):
    p, _lane = _setup(world)
    client = as_role("member")
    assert '<summary class="button small">Filter</summary>' in _board(client, p.id)
    page = _board(client, p.id, q="hostel", due="week", group="city")
    assert '<summary class="button small">Filter (2 active)</summary>' in page
    assert '<details class="tool filter-box" open>' in _board(client, p.id, label="x")  # errors: open


def test_cards_do_not_repeat_the_lane_project_and_the_phone_has_a_column_switcher(world, as_role):
    p, _lane = _setup(world)
    page = _board(as_role("member"), p.id)
    assert 'data-group="project"' in page  # the stylesheet hides .card-project in project lanes
    assert 'data-group="city"' in _board(as_role("member"), p.id, group="city")
    tabs = re.findall(r'<a class="col-tab" id="col-tab-(\d+)" href="#col-head-\1">([^<]+) <span', page)
    assert [name for _id, name in tabs] == ["Backlog", "To do", "In progress", "Review", "Done"]
    assert 'class="board-scroll" tabindex="0" role="region"' in page


def test_a_move_updates_the_column_switcher_too(world, as_role):
    p, _lane = _setup(world)
    card = factories.card(p, "Move me")
    db.session.commit()
    from sprintboard.services.board import columns_of

    target = columns_of(p)[1]
    html = (
        as_role("member", htmx=True)
        .post(f"/p/{p.id}/cards/{card.id}/move", data={"column": target.id})
        .get_data(as_text=True)
    )
    tab = f'<a class="col-tab" id="col-tab-{target.id}" href="#col-head-{target.id}" data-hx-swap-oob="true">'
    assert tab in html


# Defects ----------------------------------------------------------------------------------------


def test_time_elements_carry_whole_seconds(world, as_role):
    p = world.partnership
    factories.card(p, "Timed", actor=world.users["member"])
    db.session.commit()
    html = as_role("member").get(f"/p/{p.id}/activity").get_data(as_text=True)
    values = re.findall(r'<time datetime="([^"]+)"', html)
    assert values and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", v) for v in values), values


def test_pages_with_several_forms_have_no_duplicate_ids(world, as_role):
    p = world.partnership
    workshop = factories.sprint(p, "Sprint 1", actor=world.users["facilitator"])
    for path in (f"/p/{p.id}/facilitation/", f"/p/{p.id}/sprints/{workshop.id}", "/account"):
        html = as_role("facilitator").get(path).get_data(as_text=True)
        ids = Counter(re.findall(r'\sid="([^"]+)"', html))
        assert [i for i, n in ids.items() if n > 1] == [], path


def test_the_public_call_page_renders_markdown(world, client):
    call = applications.open_call(
        "Call 2027",
        "We look for **youth** projects.\n\n- two cities",
        countries=["DE", "UA"],
        deadline_local=datetime.now(UTC).replace(tzinfo=None) + timedelta(days=30),
        timezone="Europe/Berlin",
        languages=["en"],
        actor=world.admin,
    )
    db.session.commit()
    html = client.get(f"/calls/{call.id}/").get_data(as_text=True)
    assert "<strong>youth</strong>" in html and "<li>two cities</li>" in html
    assert "**youth**" not in html
