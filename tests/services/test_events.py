"""Live events: published only after the commit, through the in-process broker or Redis."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid

import pytest
from flask_babel import force_locale

from sprintboard.live import broker as brokers
from sprintboard.live import render as live
from sprintboard.services import board, cards
from tests import factories

REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to test against Redis")


def _drain(sub, timeout=0.3):
    got = []
    while (event := sub.get(timeout=timeout)) is not None:
        got.append(event)
    return got


def _activity_events(sub, timeout=0.3):
    return [e for e in _drain(sub, timeout) if e["k"] == "activity"]


def test_an_event_is_published_after_the_commit_only(app, world, db):
    p = world.partnership
    column = board.columns_of(p)[0]
    sub = brokers.current().subscribe(p.id)
    try:
        cards.create_card(p, "Never happened", column=column, actor=world.users["member"])
        db.session.flush()
        assert _activity_events(sub) == []  # flushed, not committed: nothing yet
        db.session.rollback()
        assert _activity_events(sub, 0.5) == []  # rolled back: nothing at all

        card = cards.create_card(p, "Book the hall", column=column, actor=world.users["member"])
        db.session.commit()
        first = sub.get(timeout=2)
        (event,) = [e for e in [first, *_drain(sub)] if e and e["k"] == "activity"]
        assert event["v"] == "card.created" and event["c"] == card.id and event["p"] == p.id
        assert event["id"] == live.last_id(p.id)
    finally:
        sub.close()


def test_events_reach_only_the_partnership_they_belong_to(app, world, db):
    sub = brokers.current().subscribe(world.other.id)
    try:
        factories.card(world.partnership, "Ours", actor=world.users["member"])
        db.session.commit()
        assert _activity_events(sub) == []
    finally:
        sub.close()


def test_rendering_is_memoised_per_activity_and_locale(app, world, db, monkeypatch):
    p = world.partnership
    card = factories.card(p, "Plan the camp", actor=world.users["member"])
    db.session.commit()
    live.clear_memo()
    calls = []
    original = live._render
    monkeypatch.setattr(live, "_render", lambda *a: calls.append(1) or original(*a))
    activity_id = live.last_id(p.id)
    with app.test_request_context():
        first = live.render_activity(p.id, activity_id, "en")
        for _ in range(5):
            assert live.render_activity(p.id, activity_id, "en") == first
        with force_locale("ru"):
            russian = live.render_activity(p.id, activity_id, "ru")
    assert len(calls) == 2
    assert "Max Member: создана карточка «Plan the camp» в колонке Backlog" in russian
    assert f'id="card-{card.id}"' in first and "Plan the camp" in first
    assert "Max Member created “Plan the camp” in Backlog" in first


def test_a_rolled_back_move_sends_nothing(app, world, db):
    p = world.partnership
    cols = board.columns_of(p)
    card = factories.card(p, "Stay", actor=world.users["member"])
    db.session.commit()
    sub = brokers.current().subscribe(p.id)
    try:
        board.move_card(card, cols[2], actor=world.users["member"])
        db.session.rollback()
        # (through Redis the earlier card.created may still be on its way)
        assert [e["v"] for e in _activity_events(sub, 0.5) if e["v"] != "card.created"] == []
    finally:
        sub.close()


# Redis -------------------------------------------------------------------------------------------

PUBLISHER = """
import json, sys
from sprintboard.live.broker import RedisBroker
b = RedisBroker(sys.argv[1], sys.argv[2])
for event in json.loads(sys.argv[3]):
    b.publish(event)
b.client.close()
"""


@needs_redis
def test_an_event_published_in_one_process_reaches_a_subscriber_in_another():
    prefix = f"sbtest:{uuid.uuid4().hex[:8]}:"
    subscriber = brokers.RedisBroker(REDIS_URL, prefix)
    sub = subscriber.subscribe(7)
    try:
        assert subscriber.healthy
        event = {
            "k": "activity",
            "id": 42,
            "p": 7,
            "v": "card.moved",
            "st": "card",
            "s": 3,
            "c": 3,
            "o": "tab1",
        }
        other = {**event, "p": 8, "id": 43}
        # another board's event first: it must not arrive here
        subprocess.run(
            [sys.executable, "-c", PUBLISHER, REDIS_URL, prefix, json.dumps([other, event])],
            check=True,
            timeout=30,
            cwd=os.getcwd(),
        )
        received = sub.get(timeout=5)
        assert received == event, received
        assert sub.get(timeout=0.3) is None
    finally:
        sub.close()
        subscriber.close()


@needs_redis
def test_presence_is_shared_through_redis():
    prefix = f"sbtest:{uuid.uuid4().hex[:8]}:"
    one, two = brokers.RedisBroker(REDIS_URL, prefix), brokers.RedisBroker(REDIS_URL, prefix)
    try:
        one.enter(5, {"k": "s1", "u": 1, "n": "Olga", "c": "Minsk"})
        two.enter(5, {"k": "s2", "u": 2, "n": "Anna", "c": "Hamburg"})
        assert sorted(p["n"] for p in one.present(5)) == ["Anna", "Olga"]
        two.leave(5, "s2")
        assert [p["n"] for p in one.present(5)] == ["Olga"]
    finally:
        one.leave(5, "s1")
        one.close()
        two.close()


def test_a_redis_outage_never_fails_a_publish(caplog):
    broken = brokers.RedisBroker("redis://127.0.0.1:1/0", "sbtest:")
    started = time.monotonic()
    for i in range(20):
        broken.publish({"k": "activity", "id": i, "p": 1})
    assert time.monotonic() - started < 2  # after the first failure it stops trying for a while
    assert sum("Redis unavailable" in r.getMessage() for r in caplog.records) == 1
    assert not broken.healthy
    broken.close()


@needs_redis
def test_live_updates_recover_when_redis_comes_back(tmp_path):
    server_bin = shutil.which("redis-server")
    if not server_bin:
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def start():
        process = subprocess.Popen(
            [
                server_bin,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return process
            time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    server = start()
    broker = brokers.RedisBroker(f"redis://127.0.0.1:{port}/0", "sbtest:")
    sub = broker.subscribe(1)
    try:
        assert broker.healthy
        server.terminate()
        server.wait(5)
        assert sub.get(timeout=3) == {"k": "broken", "p": 1}  # open streams end -> clients poll
        broker.publish({"k": "activity", "id": 1, "p": 1})  # lost, but never raises
        assert not broker.healthy
        server = start()
        deadline = time.monotonic() + 10
        while not broker.healthy and time.monotonic() < deadline:
            time.sleep(0.1)
        assert broker.healthy  # the listener reconnected on its own
        broker.publish({"k": "activity", "id": 2, "p": 1})
        assert sub.get(timeout=3) == {"k": "activity", "id": 2, "p": 1}
    finally:
        sub.close()
        broker.close()
        server.terminate()
        server.wait(5)


def test_a_comment_refreshes_its_card_and_a_column_change_every_badge(app, world, db):
    from sprintboard.models import Comment
    from sprintboard.services import activity

    p = world.partnership
    cols = board.columns_of(p)
    card = factories.card(p, "Plan the camp", actor=world.users["member"])
    comment = Comment(card=card, author=world.users["facilitator"], body="Which weekend?")
    db.session.add(comment)
    card.comment_count = 1
    card.touch()
    db.session.flush()
    commented = activity.log(world.users["facilitator"], "comment.created", comment, partnership=p)
    cols[2].wip_limit = 3
    limited = activity.log(world.users["facilitator"], "column.updated", cols[2], partnership=p)
    db.session.commit()
    with app.test_request_context():
        html = live.render_activity(p.id, commented.id, "en")
        assert f'data-card="{card.id}"' in html and "1 comment" in html
        html = live.render_activity(p.id, limited.id, "en")
        assert all(f'id="col-head-{c.id}" data-hx-swap-oob="true"' in html for c in cols)
        assert "0 of 3" in html
        assert live.render_activity(world.other.id, limited.id, "en") == ""  # not the other board's


def test_freezing_the_board_asks_every_viewer_for_a_board_refresh(app, world, db):
    from sprintboard.services import facilitation

    p = world.partnership
    sub = brokers.current().subscribe(p.id)
    try:
        facilitation.freeze_board(p, actor=world.users["facilitator"])
        db.session.commit()
        event = sub.get(timeout=2)
        while event is not None and event["k"] != "activity":
            event = sub.get(timeout=2)
        assert event is not None and event["v"] == "board.frozen"
    finally:
        sub.close()
    with app.test_request_context():
        html = live.render_activity(p.id, event["id"], "en")
    assert 'data-verb="board.frozen" data-structure' in html
