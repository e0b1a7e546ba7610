"""The live stream, its replay, presence and the polling fallback, as a browser would see them."""

from __future__ import annotations

import re
import threading
import time

import pytest
from sqlalchemy import select

from sprintboard.live import broker as brokers
from sprintboard.live import render as live
from sprintboard.models import Card
from sprintboard.services import activity, board
from tests import factories


@pytest.fixture
def cols(world):
    return board.columns_of(world.partnership)


def parse(body: str) -> list[dict]:
    """SSE text -> [{"id":…, "event":…, "data":…}] (comments and retry hints left out)."""
    result = []
    for block in body.split("\n\n"):
        fields: dict = {}
        for line in block.split("\n"):
            if line.startswith(":") or ": " not in line:
                continue
            key, value = line.split(": ", 1)
            if key == "data":
                fields["data"] = fields["data"] + "\n" + value if "data" in fields else value
            elif key in ("id", "event"):
                fields[key] = value
        if "event" in fields:
            result.append(fields)
    return result


def stream_body(client, url, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/event-stream"
    body = response.get_data(as_text=True)
    response.close()  # as a server does when the stream ends: the viewer leaves
    return body


class Listener:
    """A viewer with an open stream in a background thread (as a browser tab would be)."""

    def __init__(self, app, client, url, seconds=1.5, **headers):
        self.chunks: list[str] = []
        app.config["LIVE_TEST_STREAM_SECONDS"] = seconds

        def run():
            with app.app_context():
                response = client.get(url, buffered=False, headers=headers)
                self.status = response.status_code
                for chunk in response.response:
                    self.chunks.append(chunk.decode() if isinstance(chunk, bytes) else chunk)
                response.close()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 5
        while not self.chunks and time.monotonic() < deadline:  # subscribed once it answers
            time.sleep(0.01)
        app.config["LIVE_TEST_STREAM_SECONDS"] = 0

    def wait_for(self, text: str, timeout: float = 5.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = "".join(self.chunks)
            if text in body:
                return body
            time.sleep(0.01)
        raise AssertionError(f"{text!r} did not arrive; got {''.join(self.chunks)[-500:]!r}")

    def join(self):
        self.thread.join(10)
        return "".join(self.chunks)


def test_the_board_page_connects_to_the_stream_from_where_it_was_rendered(world, as_role, cols, db):
    p = world.partnership
    factories.card(p, "Existing", actor=world.users["member"])
    db.session.commit()
    html = as_role("observer").get(f"/p/{p.id}/board").get_data(as_text=True)
    last = live.last_id(p.id)
    assert f'data-sse-connect="/p/{p.id}/events?since={last}"' in html
    assert 'data-hx-ext="sse"' in html and "htmx-ext-sse/sse.min." in html and 'data-sse-swap="live"' in html
    assert 'id="presence"' in html


def test_a_reconnecting_client_gets_what_it_missed(world, as_role, cols, db):
    p = world.partnership
    before = live.last_id(p.id)
    member = as_role("member")
    member.post(f"/p/{p.id}/board/cards", data={"title": "Book the hall", "column": cols[0].id})
    card = db.session.scalars(select(Card).where(Card.title == "Book the hall")).one()
    member.post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[3].id})
    ids = live.missed(p.id, before)
    assert len(ids) == 2

    body = stream_body(as_role("observer"), f"/p/{p.id}/events", headers={"Last-Event-ID": str(before)})
    assert body.startswith("retry: ")
    replayed = [e for e in parse(body) if "id" in e]
    assert [int(e["id"]) for e in replayed] == ids and {e["event"] for e in replayed} == {"live"}
    moved = replayed[-1]["data"]
    assert f'data-card="{card.id}"' in moved and f'data-column="{cols[3].id}"' in moved
    assert f'<li class="card" id="card-{card.id}"' in moved and "Book the hall" in moved
    assert f'id="col-head-{cols[0].id}" data-hx-swap-oob="true"' in moved
    assert f'id="col-head-{cols[3].id}" data-hx-swap-oob="true"' in moved
    assert "Max Member moved “Book the hall” from Backlog to Review" in moved

    # From the last one on, nothing is replayed twice; ?since= does the same for a new EventSource.
    again = stream_body(as_role("observer"), f"/p/{p.id}/events?since={ids[-1]}")
    assert [e for e in parse(again) if "id" in e] == []
    via_query = stream_body(as_role("observer"), f"/p/{p.id}/events?since={before}")
    assert [int(e["id"]) for e in parse(via_query) if "id" in e] == ids


def test_too_much_missed_means_one_board_refresh_then_it_goes_on(world, as_role, db):
    p = world.partnership
    since = live.last_id(p.id)
    for _ in range(live.REPLAY_LIMIT + 1):
        activity.log(world.users["member"], "partnership.updated", p, partnership=p)
    db.session.commit()
    newest = live.last_id(p.id)
    body = stream_body(as_role("observer"), f"/p/{p.id}/events", headers={"Last-Event-ID": str(since)})
    events_ = [e for e in parse(body) if "presence" not in e["data"]]
    assert len(events_) == 1  # not 201 replayed events
    assert "data-reload" in events_[0]["data"] and events_[0]["id"] == str(newest)


def test_a_move_reaches_another_viewer_at_once_but_not_the_tab_that_made_it(app, world, as_role, cols, db):
    p = world.partnership
    card = factories.card(p, "Plan the camp", actor=world.users["member"])
    db.session.commit()
    since = live.last_id(p.id)
    listener = Listener(app, as_role("observer"), f"/p/{p.id}/events?since={since}")
    response = as_role("member", htmx=True).post(
        f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[2].id}, headers={"X-Live-Tab": "tab42"}
    )
    started = time.monotonic()
    assert response.status_code == 200
    body = listener.wait_for(f'id="card-{card.id}"')
    assert time.monotonic() - started < 1
    event = [e for e in parse(body) if e.get("id")][-1]
    assert int(event["id"]) == live.last_id(p.id)
    assert event["data"].startswith("<!--tab:tab42-->")  # the mover's own tab skips it
    assert f'data-column="{cols[2].id}"' in event["data"]
    listener.join()


def test_presence_shows_who_else_is_looking_by_city(app, world, as_role, db):
    p = world.partnership
    max_ = Listener(app, as_role("member"), f"/p/{p.id}/events?since=0")
    fiona = Listener(app, as_role("facilitator"), f"/p/{p.id}/events", seconds=3)
    fiona.wait_for("Hamburg: Max Member")  # her first answer already lists who is there
    max_.wait_for("Minsk: Fiona Facilitator")  # and his stream hears her arrive
    max_.join()
    seen_by_fiona = [e["data"] for e in parse(fiona.join()) if 'id="presence"' in e["data"]]
    assert all("Fiona" not in html for html in seen_by_fiona)  # not yourself
    assert "Max Member" not in seen_by_fiona[-1]  # he left before she did
    assert brokers.current().present(p.id) == []


def test_streams_above_the_limit_get_503_and_retry_after(app, world, as_role, db):
    p = world.partnership
    saved = app.config.get("LIVE_MAX_STREAMS", 48)
    app.config["LIVE_MAX_STREAMS"] = 1
    app.extensions.pop("live_slots", None)
    try:
        listener = Listener(app, as_role("member"), f"/p/{p.id}/events", seconds=1)
        response = as_role("observer").get(f"/p/{p.id}/events")
        assert response.status_code == 503 and response.headers["Retry-After"]
        listener.join()
        assert as_role("observer").get(f"/p/{p.id}/events").status_code == 200
    finally:
        app.config["LIVE_MAX_STREAMS"] = saved
        app.extensions.pop("live_slots", None)


def test_polling_answers_204_when_nothing_changed_and_the_fragments_otherwise(world, as_role, cols, db):
    p = world.partnership
    card = factories.card(p, "Plan the camp", actor=world.users["member"])
    db.session.commit()
    since = live.last_id(p.id)
    observer = as_role("observer", htmx=True)
    url = f"/p/{p.id}/board/changes"
    quiet = observer.get(f"{url}?since={since}")
    assert quiet.status_code == 204 and quiet.get_data() == b""

    as_role("member").post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[1].id})
    changed = observer.get(f"{url}?since={since}")
    body = changed.get_data(as_text=True)
    moved = live.last_id(p.id)
    assert changed.status_code == 200 and "HX-Refresh" not in changed.headers
    assert f'data-id="{moved}"' in body and f'id="card-{card.id}"' in body
    assert f'data-column="{cols[1].id}"' in body and 'id="board-status"' in body
    assert observer.get(f"{url}?since={moved}").status_code == 204
    assert observer.get(url).status_code == 400


def test_polling_after_too_many_changes_refreshes_the_board(world, as_role, db):
    p = world.partnership
    since = live.last_id(p.id)
    for _ in range(live.REPLAY_LIMIT + 1):
        activity.log(world.users["member"], "partnership.updated", p, partnership=p)
    db.session.commit()
    response = as_role("observer", htmx=True).get(f"/p/{p.id}/board/changes?since={since}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.count('class="live-event"') == 1
    assert f'data-reload data-id="{live.last_id(p.id)}"' in body


def test_an_archived_or_foreign_card_is_removed_not_rendered(world, as_role, cols, db):
    p = world.partnership
    card = factories.card(p, "Old idea", actor=world.users["member"])
    db.session.commit()
    since = live.last_id(p.id)
    card.archived_at = card.created_at
    activity.log(world.users["member"], "card.archived", card, partnership=p, title=card.title)
    db.session.commit()
    body = as_role("observer").get(f"/p/{p.id}/board/changes?since={since}").get_data(as_text=True)
    assert f'data-card="{card.id}" data-gone' in body and "<li" not in body


def test_when_redis_is_down_writes_still_succeed_and_clients_poll(app, world, as_role, cols, db):
    p = world.partnership
    card = factories.card(p, "Plan the camp", actor=world.users["member"])
    db.session.commit()
    since = live.last_id(p.id)
    down = brokers.RedisBroker("redis://127.0.0.1:1/0", "sbtest:")
    saved = app.extensions.get("live_broker")
    app.extensions["live_broker"] = down
    try:
        member = as_role("member")
        r = member.post(f"/p/{p.id}/board/cards", data={"title": "Book the hall", "column": cols[0].id})
        assert r.status_code == 303
        r = member.post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[2].id})
        assert r.status_code == 303
        r = as_role("member", htmx=True).post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[3].id})
        assert r.status_code == 200
        db.session.expire_all()
        assert db.session.get(Card, card.id).column_id == cols[3].id
        stream = as_role("observer").get(f"/p/{p.id}/events")
        assert stream.status_code == 503 and stream.headers["Retry-After"]  # -> the client polls
        polled = as_role("observer", htmx=True).get(f"/p/{p.id}/board/changes?since={since}")
        assert polled.status_code == 200 and polled.get_data(as_text=True).count('class="live-event"') == 3
    finally:
        down.close()
        if saved is None:
            app.extensions.pop("live_broker", None)
        else:
            app.extensions["live_broker"] = saved


def test_a_replayed_event_still_names_the_tab_that_made_it(world, as_role, cols, db):
    p = world.partnership
    card = factories.card(p, "Plan the camp", actor=world.users["member"])
    db.session.commit()
    since = live.last_id(p.id)
    as_role("member", htmx=True).post(
        f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[1].id}, headers={"X-Live-Tab": "tab7"}
    )
    as_role("member", htmx=True).post(
        f"/p/{p.id}/cards/{card.id}/move",
        data={"column": cols[2].id},
        headers={"X-Live-Tab": "--><img src=x>"},
    )  # letters, digits kept
    body = stream_body(as_role("member"), f"/p/{p.id}/events?since={since}")
    first, second = [e["data"] for e in parse(body) if "id" in e]
    assert first.startswith("<!--tab:tab7-->")
    assert second.startswith("<!--tab:imgsrcx-->") and "<img" not in second


def test_a_waiting_stream_holds_no_database_connection(app, world, as_role, db):
    url = f"/p/{world.partnership.id}/events?since=0"
    client = as_role("observer")
    db.session.remove()  # the test's own connection back to the pool
    pool = db.engine.pool
    listener = Listener(app, client, url, seconds=1.5)
    listener.wait_for('id="presence"')  # replayed, then waiting
    time.sleep(0.2)
    assert pool.checkedout() == 0
    listener.join()


def test_card_page_changes_reach_the_board_viewers(world, as_role, cols, db):
    p = world.partnership
    card = factories.card(p, "Plan the camp", actor=world.users["member"])
    db.session.commit()
    card_id, url = card.id, f"/p/{p.id}/board/changes"
    member, viewer = as_role("member"), as_role("observer", htmx=True)

    since = live.last_id(p.id)
    member.post(f"/p/{p.id}/cards/{card_id}/comments", data={"comment-body": "Which weekend?"})
    body = viewer.get(f"{url}?since={since}").get_data(as_text=True)
    assert f'data-card="{card_id}"' in body and "1 comment" in body

    since = live.last_id(p.id)
    assert member.post(f"/p/{p.id}/cards/{card_id}/archive").status_code == 303
    body = viewer.get(f"{url}?since={since}").get_data(as_text=True)
    assert f'data-card="{card_id}" data-gone' in body and "<li" not in body
    assert f'id="col-head-{cols[0].id}" data-hx-swap-oob="true"' in body  # its column's count drops

    since = live.last_id(p.id)
    member.post(f"/p/{p.id}/cards/{card_id}/restore")
    body = viewer.get(f"{url}?since={since}").get_data(as_text=True)
    assert f'<li class="card" id="card-{card_id}"' in body and f'data-column="{cols[0].id}"' in body


def test_live_update_puts_a_card_in_the_same_assignee_lane_as_a_reload(app, world, as_role, cols, db):
    """One lane rule: by assignee, a card goes to its first assignee in case-insensitive name
    order, on the board and in a live event alike ("anna" before "Zed", though "Z" < "a")."""
    p = world.partnership
    zed = factories.member(p, "member", 0, name="Zed Zimmer")
    anna = factories.member(p, "member", 1, name="anna Arndt")
    card = factories.card(p, "Shared poster")
    card.assignees = [zed, anna]
    db.session.commit()
    board.move_card(card, cols[1], actor=world.users["facilitator"])
    db.session.commit()
    activity_id = live.last_id(p.id)

    html = as_role("member").get(f"/p/{p.id}/board?group=assignee").get_data(as_text=True)
    lane_of_card = html.rfind('id="lane-', 0, html.index(">Shared poster<"))
    assert html[lane_of_card:].startswith(f'id="lane-u{anna.id}"')
    with app.test_request_context():
        event = live.render_activity(p.id, activity_id, "en")
    lanes = re.search(r'data-lanes="([^"]*)"', event).group(1).split()
    assert f"u{anna.id}" in lanes and f"u{zed.id}" not in lanes
