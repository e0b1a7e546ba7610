"""The board's render cache (board/cache.py): a change re-renders only the cards that show it,
junk arguments create no entries, the cache stays within its bytes, and with Redis a card
rendered by one app is a hit in another."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import event as sa_event

from sprintboard import create_app
from sprintboard.board import cache
from sprintboard.extensions import db
from sprintboard.models import Translation
from sprintboard.services import board as board_service
from sprintboard.services import cards as cards_service
from sprintboard.services import columns
from tests import factories
from tests.conftest import REDIS_URL


@pytest.fixture
def board(world, db):
    """12 cards by Fiona: 5 labelled Urgent, 3 Later; 4 in Youth exchange, 3 in Bike tour; 3
    assigned to Max."""
    p, fiona, max_ = world.partnership, world.users["facilitator"], world.users["member"]
    urgent, later = factories.label(p, "Urgent", "red"), factories.label(p, "Later", "blue")
    youth, bikes = factories.project(p, "Youth exchange"), factories.project(p, "Bike tour")
    made = []
    for i in range(12):
        project = youth if i < 4 else bikes if i < 7 else None
        card = factories.card(p, f"Card {i:02d}", actor=fiona, project=project)
        if i < 5:
            card.labels.append(urgent)
        elif i < 8:
            card.labels.append(later)
        if i in (0, 5, 9):
            card.assignees.append(max_)
        made.append(card)
    db.session.commit()
    return {"p": p, "urgent": urgent, "youth": youth, "max": max_, "cards": made}


def _rendered(client, url) -> int:
    """How many cards this request rendered anew."""
    stats = cache.get().stats
    before = stats["rendered"]
    response = client.get(url)
    assert response.status_code == 200
    return stats["rendered"] - before


@pytest.fixture
def viewer(board, as_role):
    client = as_role("member", htmx=True)
    url = f"/p/{board['p'].id}/board"
    assert _rendered(client, url) == 12  # cold: every card
    assert _rendered(client, url) == 0  # warm
    return lambda: _rendered(client, url)


def test_a_label_rename_re_renders_only_the_cards_with_that_label(board, viewer, as_role):
    columns.update_label(
        board["urgent"], name="Very urgent", colour="red", actor=None, partnership=board["p"]
    )
    db.session.commit()
    assert viewer() == 5
    html = as_role("member", htmx=True).get(f"/p/{board['p'].id}/board").get_data(as_text=True)
    assert html.count(">Very urgent</span>") == 5 and ">Urgent<" not in html
    columns.update_label(
        board["urgent"], name="Very urgent", colour="green", actor=None, partnership=board["p"]
    )
    db.session.commit()
    assert viewer() == 5


def test_a_persons_rename_re_renders_only_their_cards(board, viewer):
    board["max"].name = "Maximilian Member"
    db.session.commit()
    assert viewer() == 3
    # Fiona wrote every card, but a card shows its author's city, not her name.
    fiona = db.session.get(type(board["max"]), board["cards"][0].author_id)
    fiona.name = "Fiona F."
    db.session.commit()
    assert viewer() == 0


def test_a_project_rename_re_renders_only_that_projects_cards(board, viewer):
    board["youth"].title = "Youth exchange 2027"
    db.session.commit()
    assert viewer() == 4


def test_a_new_member_re_renders_no_card(board, viewer):
    factories.member(board["p"], "member", 1, name="Nina New")
    db.session.commit()
    assert viewer() == 0


def test_a_comment_re_renders_only_its_card(board, viewer):
    cards_service.add_comment(board["cards"][3], "Booked", language="en", actor=None)
    db.session.commit()
    assert viewer() == 1


def _statements(client, url) -> tuple[int, str]:
    """How many statements a request ran, and the HTML it answered."""
    ran = []

    def count(*_args):
        ran.append(1)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(ran), response.get_data(as_text=True)


@pytest.mark.parametrize("group", ["project", "city", "assignee"])
def test_a_board_planned_with_its_cards_shows_what_one_planned_without_does(board, as_role, group):
    """A board this process has not rendered yet is planned from rows that carry all its cards
    show (one query, not a narrow plan and then the cards): the same HTML to the byte as the
    board planned narrow once the process has rendered it, in the reader's language."""
    p, cards = board["p"], board["cards"]
    board["max"].locale = "de"
    cards[1].language = "ru"  # translated into the reader's German ...
    db.session.add(
        Translation(
            partnership_id=p.id,
            kind="card",
            object_id=cards[1].id,
            field="title",
            language="de",
            text="Karte auf Deutsch",
            source_text=cards[1].title,
            status="ready",
        )
    )
    cards[2].language = "ru"  # ... and not
    done = next(c for c in board_service.columns_of(p) if c.is_done)
    cards[0].column_id, cards[0].done_at = done.id, cards[0].created_at
    cards[4].estimate, cards[4].checklist_total, cards[4].checklist_done = 3, 4, 1
    db.session.commit()
    client, url = as_role("member", htmx=True), f"/p/{p.id}/board?group={group}"
    store = cache.get()
    store.clear()
    wide, wide_html = _statements(client, url)
    assert store.stats["rendered"] == 12
    assert "Karte auf Deutsch" in wide_html and "noch nicht übersetzt" in wide_html
    store.local.clear()  # (this process has rendered the board: planned narrow now)
    narrow, narrow_html = _statements(client, url)
    assert store.stats["rendered"] == 24
    assert narrow == wide + 1 and _without_tokens(narrow_html) == _without_tokens(wide_html)


def _without_tokens(html: str) -> str:
    """The HTML without what each render makes anew (CSRF tokens, the forms' request keys)."""
    return re.sub(r'name="(csrf_token|request_key)" value="[^"]*"', r'name="\1"', html)


def _made(client, url) -> dict:
    """What this request rendered anew: cards, board frames, filters."""
    stats = cache.get().stats
    before = dict(stats)
    html = client.get(url).get_data(as_text=True)
    made = {name: stats[name] - before[name] for name in ("rendered", "frames", "filters")}
    return made | {"html": html}


def test_a_change_in_cards_re_renders_neither_the_board_frame_nor_other_filters(board, as_role):
    """The board's template runs again only when its shape changes (columns, lanes, how many
    cards a cell holds); a filter only when its own choices change."""
    client, url = as_role("member", htmx=False), f"/p/{board['p'].id}/board"
    first = _made(client, url)
    assert first["frames"] == 1 and first["filters"] == 8
    cards_service.add_comment(board["cards"][3], "Booked", language="en", actor=None)
    db.session.commit()
    assert {k: v for k, v in _made(client, url).items() if k != "html"} == {
        "rendered": 1,
        "frames": 0,
        "filters": 0,
    }
    columns.update_label(
        board["urgent"], name="Very urgent", colour="red", actor=None, partnership=board["p"]
    )
    db.session.commit()
    renamed = _made(client, url)
    assert (renamed["rendered"], renamed["frames"], renamed["filters"]) == (5, 0, 1)  # the label filter
    assert renamed["html"].count(f'<option value="{board["urgent"].id}">Very urgent</option>') == 1
    # A card moved to another column changes the cells' counts: the frame is made again.
    target = board_service.columns_of(board["p"])[1]
    response = client.post(
        f"/p/{board['p'].id}/cards/{board['cards'][0].id}/move", data={"column": target.id}
    )
    assert response.status_code in (200, 302, 303)
    moved = _made(client, url)
    assert moved["frames"] == 1 and moved["rendered"] <= 1
    # However the board was put together, it is the board rendered from nothing (request keys,
    # one per form and request, aside).
    board_only = as_role("member", htmx=True)
    made = _made(board_only, url)["html"]
    cache.get().clear()
    fresh = _made(board_only, url)["html"]
    assert _without_keys(made) == _without_keys(fresh) and made.count('class="card"') == 12


def _without_keys(html: str) -> str:
    """The page without what is each viewer's own: their CSRF token, each form's request key."""
    return re.sub(r'name="(request_key|csrf_token)" value="[^"]*"', "", html)


def _page_entries(pid: int) -> set:
    """The keys of this partnership's whole-board and filter-form entries: what a query
    argument could add. (Only this partnership's: the live server of the browser tests serves
    the same app in this process, and may still be answering a request of an earlier test.)"""
    return {key for key in cache.get().local.keys() if key[0] in ("board", "filters") and key[1] == pid}


def test_unknown_or_invalid_arguments_create_no_cache_entries(board, as_role):
    client = as_role("member")
    pid = board["p"].id
    url = f"/p/{pid}/board"
    assert client.get(url).status_code == 200
    entries = _page_entries(pid)
    assert len(entries) == 2  # the board and its filter form
    for junk in ("x=1", "x=2", "utm_source=mail", "group=project", "q=+", "lang=en&x=3"):
        assert client.get(f"{url}?{junk}").status_code == 200, junk
    for invalid in (f"label={board['urgent'].id}00", "label=abc", "due=someday", "group=moon"):
        assert client.get(f"{url}?{invalid}").status_code == 422, invalid
    assert _page_entries(pid) == entries
    # Filters are normalised before keying: their order in the URL does not matter.
    assert client.get(f"{url}?due=overdue&group=city").status_code == 200
    entries = _page_entries(pid)
    assert client.get(f"{url}?group=city&due=overdue&x=1").status_code == 200
    assert _page_entries(pid) == entries


def test_the_cache_stays_within_its_bytes(board, as_role):
    local = cache.get().local
    limit, local.max_bytes = local.max_bytes, 60_000
    try:
        p, fiona = board["p"], db.session.get(type(board["max"]), board["cards"][0].author_id)
        for i in range(60):
            factories.card(p, f"Long card {i:02d} " + "and so on " * 18, actor=fiona)
        db.session.commit()
        client = as_role("member", htmx=True)
        for q in ("", "card", "long", "so on", "and", "0", "1", "2"):
            response = client.get(f"/p/{p.id}/board?all=1&q={q}")
            assert response.status_code == 200 and "Long card" in response.get_data(as_text=True)
            assert 0 < local.bytes <= local.max_bytes
        assert len(local) < 72  # not even every card fragment fits any more
    finally:
        local.max_bytes = limit
        local.clear()


def test_the_lru_drops_the_least_recently_used_first():
    lru = cache.LocalCache(3 * (cache.ENTRY_OVERHEAD + 100))
    for key in "abc":
        lru.put(key, key.upper(), 100)
    assert lru.get("a") == "A"  # a is used again: b is now the oldest
    lru.put("d", "D", 100)
    assert (lru.get("a"), lru.get("b"), lru.get("c"), lru.get("d")) == ("A", None, "C", "D")
    lru.put("huge", "H", 10 * (cache.ENTRY_OVERHEAD + 100))  # larger than the cache: not kept
    assert lru.get("huge") is None and len(lru) == 3 and lru.bytes <= lru.max_bytes


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to test the shared cache")
def test_with_redis_a_card_rendered_by_one_app_is_a_hit_in_another(app, board, login):
    config = {
        key: app.config[key]
        for key in ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "REDIS_URL", "LIVE_KEY_PREFIX")
    }
    config |= {
        "INSTANCE_PATH": app.instance_path,
        "RATELIMIT_STORAGE_URI": "memory://",
        "COMPRESS": False,
        "QUEUE_IMMEDIATE": True,
        "RENDER_CACHE_SHARED": True,
        "RENDER_CACHE_PREFIX": f"sbtest:render:{uuid.uuid4().hex[:8]}:",
    }
    first, second = create_app(dict(config)), create_app(dict(config))
    url = f"/p/{board['p'].id}/board"
    try:
        clients = [login(worker.test_client(), board["max"]) for worker in (first, second)]
        assert clients[0].get(url, headers={"HX-Request": "true"}).status_code == 200
        assert first.extensions["render_cache"].stats["rendered"] == 12
        # The second worker's first board: the whole board as the first one made it, one read.
        html = clients[1].get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        stats = second.extensions["render_cache"].stats
        assert (stats["boards_shared"], stats["rendered"], stats["shared_hits"], stats["frames"]) == (
            1,
            0,
            0,
            0,
        )
        assert "Card 00" in html and html.count(">Urgent</span>") == 5
        theirs = clients[0].get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        assert _without_keys(html) == _without_keys(theirs)
        # Another view of the same cards (a search all of them match): a board of its own, its
        # cards as the first worker rendered them, and its frame the second worker's own.
        searched = clients[1].get(url + "?q=Card", headers={"HX-Request": "true"}).get_data(as_text=True)
        assert (stats["boards_shared"], stats["rendered"], stats["shared_hits"], stats["frames"]) == (
            1,
            0,
            12,
            1,
        )
        assert searched.count(">Urgent</span>") == 5
        # The whole page: its filters as the first worker made them.
        assert clients[0].get(url).status_code == 200
        before = stats["filters"]
        page = clients[1].get(url).get_data(as_text=True)
        assert stats["filters"] == before and f'<option value="{board["urgent"].id}">Urgent</option>' in page
        # A rename seen by the second worker: only that label's cards, and the first gets the
        # board it made.
        columns.update_label(board["urgent"], name="Now", colour="red", actor=None, partnership=board["p"])
        db.session.commit()
        clients[1].get(url, headers={"HX-Request": "true"})
        assert stats["rendered"] == 5
        first_stats = first.extensions["render_cache"].stats
        before = (first_stats["rendered"], first_stats["boards_shared"])
        html = clients[0].get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        assert (first_stats["rendered"], first_stats["boards_shared"]) == (before[0], before[1] + 1)
        assert html.count(">Now</span>") == 5
    finally:
        for worker in (first, second):
            worker.extensions["render_cache"].clear(shared=True)
            with worker.app_context():
                db.engine.dispose()


def test_an_unreadable_shared_frame_is_made_anew(app):
    """A shared entry this code cannot read (another version's format, a damaged value) is
    made again and shared anew, never an error page."""
    from sprintboard.board import render

    class Shared:  # what Redis would hand back: a value that is not a frame
        def __init__(self):
            self.kept = {}

        def get_many(self, keys):
            return [b"\xff not json" for _key in keys]

        def set_many(self, items):
            self.kept.update(items)

    with app.app_context():
        store = cache.get()
        shared, store.shared = store.shared, Shared()
        try:
            made = render._kept_many(
                [(("frame", 0, "junk-test"), ("junk-test",), lambda: (["<div>", "</div>"], [None]))],
                dump=lambda frame: b"{}",
                load=render._frame_of,
                size=lambda frame: 100,
            )
            assert made == [(["<div>", "</div>"], [None])] and len(store.shared.kept) == 1
        finally:
            store.shared = shared
            store.local.clear()


def test_a_board_whose_shared_entries_cannot_be_read_is_made_anew(app, board, as_role, caplog):
    """Redis hands back what this code cannot read for every key (the whole board, its frame,
    its filters, its cards): the board is rendered as if nothing were shared, and shared anew."""

    class Shared:
        def __init__(self):
            self.kept = {}

        def get_many(self, keys):
            return [b"\xff not what was kept" for _key in keys]

        def set_many(self, items, ttl=None):
            self.kept.update(items)

    store = cache.get()
    shared, store.shared = store.shared, Shared()
    try:
        client = as_role("member", htmx=True)
        response = client.get(f"/p/{board['p'].id}/board")
        assert response.status_code == 200 and response.get_data(as_text=True).count(">Urgent</span>") == 5
        assert store.stats["rendered"] == 12 and store.stats["boards_shared"] == 0
        assert any(key.startswith("board:") for key in store.shared.kept)
        assert "unreadable shared entry board:" in caplog.text
    finally:
        store.shared = shared
        store.local.clear()


@pytest.mark.skipif(not REDIS_URL, reason="set TEST_REDIS_URL to test the shared cache")
def test_shared_entries_expire_after_their_time_to_live():
    shared = cache.SharedCache(REDIS_URL, ttl=3600, prefix=f"sbtest:ttl:{uuid.uuid4().hex[:8]}:")
    try:
        shared.set_many({"card:1": b"one", "card:2": b"two"})
        shared.set_many({"board:1": b"whole"}, ttl=600)
        assert shared.get_many(["card:1", "card:2", "board:1", "card:3"]) == [b"one", b"two", b"whole", None]
        ttls = [shared.client.ttl(shared.prefix + key) for key in ("card:1", "card:2", "board:1")]
        assert 3590 <= ttls[0] <= 3600 and 3590 <= ttls[1] <= 3600 and 590 <= ttls[2] <= 600
    finally:
        shared.clear()


def test_a_moved_card_is_answered_from_the_cache_as_the_board_shows_it(board, viewer, as_role):
    # A move changes where a card stands, not what it shows: its answer takes the card's HTML
    # from the cache, its place taken from the card as saved (not read back from the database),
    # and the board then shows that HTML in the new column, rendering nothing anew.
    from sprintboard.models import BoardColumn

    p, card = board["p"], board["cards"][9]  # (assigned, no project, no label)
    target = db.session.scalars(
        db.select(BoardColumn).where(BoardColumn.partnership_id == p.id, BoardColumn.id != card.column_id)
    ).first()
    stats, ran = cache.get().stats, []
    before = stats["rendered"]

    def record(_conn, _cursor, statement, *_args):
        ran.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    try:
        url = f"/p/{p.id}/cards/{card.id}/move"
        moved = as_role("member", htmx=True).post(url, data={"column": target.id})
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", record)
    assert moved.status_code == 200
    assert stats["rendered"] == before
    assert not [statement for statement in ran if " AS stamp" in statement]  # (the board's place row)
    fragment = re.search(rf'<li [^>]*id="card-{card.id}".*?</li>', moved.get_data(as_text=True), re.S)[0]
    assert viewer() == 0
    page = as_role("member", htmx=True).get(f"/p/{p.id}/board").get_data(as_text=True)
    assert fragment in page
    assert page.index(f'data-column="{target.id}"') < page.index(fragment)
