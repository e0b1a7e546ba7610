"""The board page, quick-add and moves, as browsers and htmx see them."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from sprintboard.board import query as board_query
from sprintboard.board import render as board_render
from sprintboard.extensions import db
from sprintboard.models import Card, Label
from sprintboard.services import board
from tests import factories


@pytest.fixture
def cols(world):
    return board.columns_of(world.partnership)


def test_board_page_and_fragment(world, as_role, cols, db):
    p = world.partnership
    factories.card(p, "Plan the youth camp", actor=world.users["member"])
    db.session.commit()
    page = as_role("observer").get(f"/p/{p.id}/board")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Plan the youth camp" in html and "<html" in html
    assert "data-editable" not in html and "quick-add" not in html  # observers only read
    fragment = as_role("member", htmx=True).get(f"/p/{p.id}/board")
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="board"')
    assert "data-editable" in body and "HX-Request" in fragment.headers["Vary"]


def test_card_shows_author_and_assignee_cities(world, as_role, cols, db):
    p = world.partnership
    card = factories.card(p, "Twin-city bike tour", actor=world.users["facilitator"])
    card.assignees.append(world.users["member"])
    db.session.commit()
    html = as_role("member").get(f"/p/{p.id}/board").get_data(as_text=True)
    snippet = html[html.index(f'id="card-{card.id}"') :]
    snippet = snippet[: snippet.index("</li>")]
    assert "Minsk" in snippet  # the author's home city
    assert "Max Member" in snippet and "Hamburg" in snippet  # assignee and their city


def test_quick_add_without_js_redirects_and_with_htmx_returns_the_card(world, as_role, cols, db):
    p = world.partnership
    client = as_role("member")
    r = client.post(f"/p/{p.id}/board/cards", data={"title": "  Book the hall ", "column": cols[1].id})
    assert r.status_code == 303
    card = db.session.scalars(select(Card).where(Card.title == "Book the hall")).one()
    assert card.column_id == cols[1].id and card.author_id == world.users["member"].id
    r = as_role("member", htmx=True).post(
        f"/p/{p.id}/board/cards", data={"title": "Print posters", "column": cols[1].id}
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Print posters" in body
    assert f'id="col-head-{cols[1].id}" data-hx-swap-oob="true"' in body
    assert "card-list" not in body  # only the new card and the badge, not the board


@pytest.mark.parametrize("title", ["", "   ", "x" * 10_000])
def test_quick_add_rejects_bad_titles(world, as_role, cols, db, title):
    r = as_role("member").post(
        f"/p/{world.partnership.id}/board/cards", data={"title": title, "column": cols[0].id}
    )
    assert r.status_code == 422
    assert db.session.scalar(select(db.func.count(Card.id))) == 0


def test_quick_add_escapes_markup(world, as_role, cols, db):
    p = world.partnership
    as_role("member").post(
        f"/p/{p.id}/board/cards", data={"title": "<script>alert(1)</script>", "column": cols[0].id}
    )
    html = as_role("member").get(f"/p/{p.id}/board").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_quick_add_into_a_column_of_another_partnership_is_404(world, as_role, db):
    foreign = board.columns_of(world.other)[0]
    r = as_role("member").post(
        f"/p/{world.partnership.id}/board/cards", data={"title": "Sneaky", "column": foreign.id}
    )
    assert r.status_code == 404
    assert db.session.scalar(select(db.func.count(Card.id))) == 0


def test_move_with_the_plain_form(world, as_role, cols, db):
    p = world.partnership
    a = factories.card(p, "A", actor=world.users["member"])
    b = factories.card(p, "B", column=2, actor=world.users["member"])
    db.session.commit()
    r = as_role("member").post(f"/p/{p.id}/cards/{a.id}/move", data={"column": cols[2].id, "before": b.id})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/p/{p.id}/board")
    order = db.session.scalars(
        select(Card.title).where(Card.column_id == cols[2].id).order_by(Card.position)
    ).all()
    assert order == ["A", "B"]


def test_move_with_htmx_answers_only_the_changed_fragments(world, as_role, cols, db):
    p = world.partnership
    a = factories.card(p, "A", actor=world.users["member"])
    db.session.commit()
    r = as_role("member", htmx=True).post(f"/p/{p.id}/cards/{a.id}/move", data={"column": cols[3].id})
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert f'id="card-{a.id}"' in body
    assert f'id="col-head-{cols[0].id}" data-hx-swap-oob="true"' in body
    assert f'id="col-head-{cols[3].id}" data-hx-swap-oob="true"' in body
    assert "Moved “A” to Review, position 1 of 1." in body
    assert "lane" not in body and len(body) < 3000


def _statements_of(send) -> list[str]:
    statements = []

    def keep(conn, cursor, statement, *args):
        if not statement.startswith("BEGIN"):  # (SQLite's transactions begin explicitly: database.py)
            statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        send()
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    return statements


def test_a_move_reads_its_card_with_the_partnership_and_looks_for_no_webhook_when_there_is_none(
    world, as_role, cols, db
):
    p = world.partnership
    a = factories.card(p, "A", actor=world.users["member"])
    db.session.commit()
    client = as_role("member", htmx=True)

    def move(column):
        url, column_id = f"/p/{p.id}/cards/{a.id}/move", column.id  # (read here, not counted)

        def send():
            key = f"move-{column_id}-" + "k" * 20
            r = client.post(url, data={"column": column_id}, headers={"X-Request-Key": key})
            assert r.status_code == 200 and "Moved “A” to" in r.get_data(as_text=True)

        return _statements_of(send)

    move(cols[1])
    column = cols[2]
    statements = move(column)
    db.session.refresh(a)
    assert a.column_id == column.id
    # The login session with the partnership (in the URL), the role, whether it has a webhook
    # listening, and the card (in the URL); the columns; the request key's claim; the card's
    # place before (for Undo); the target column's lock; the end of that column; the log row,
    # the undo offer and the card's new place; the columns' counts; what cards show of others;
    # the request key's answer.
    assert "JOIN partnerships" in statements[0] and "JOIN cards" in statements[0]
    assert not any(s.startswith("SELECT partnerships.id") for s in statements)
    if db.engine.dialect.name == "postgresql":
        assert not any(s.startswith("SELECT cards.id, cards.partnership_id") for s in statements)
        assert not any("FROM webhooks WHERE webhooks.partnership_id IN" in s for s in statements)
        assert len(statements) == 12
    else:  # SQLite: the reads' transaction ends before the write lock is taken (database.py's
        # begin_writing); the card and the column are read again under it and the webhooks looked
        # for (no lock statement: three reads more, one less)
        assert len(statements) == 14


def test_wip_limit_is_refused_and_facilitators_may_override(world, as_role, cols, db):
    p = world.partnership
    a = factories.card(p, "A", actor=world.users["member"])
    b = factories.card(p, "B", actor=world.users["member"])
    cols[2].wip_limit = 1
    board.move_card(a, cols[2], actor=world.users["member"])
    db.session.commit()
    r = as_role("member", htmx=True).post(f"/p/{p.id}/cards/{b.id}/move", data={"column": cols[2].id})
    body = r.get_data(as_text=True)
    assert r.status_code == 409 and "at its limit of 1 card." in body  # (one card, not "1 cards")
    assert "Move anyway" not in body and r.headers["HX-Retarget"] == "#board-refused"
    russian = as_role("member", htmx=True).post(
        f"/p/{p.id}/cards/{b.id}/move", data={"column": cols[2].id}, headers={"Accept-Language": "ru"}
    )
    assert "лимит в 1 карточку" in russian.get_data(as_text=True)
    assert f'<form id="move-form-{b.id}"' in body  # the card's move form, with the reason
    db.session.refresh(b)
    assert b.column_id == cols[0].id
    r = as_role("facilitator").post(f"/p/{p.id}/cards/{b.id}/move", data={"column": cols[2].id})
    assert r.status_code == 409 and "Move anyway" in r.get_data(as_text=True)
    r = as_role("facilitator").post(
        f"/p/{p.id}/cards/{b.id}/move", data={"column": cols[2].id, "override_wip": "y"}
    )
    assert r.status_code == 303
    db.session.refresh(b)
    assert b.column_id == cols[2].id
    # A member cannot override.
    c = factories.card(p, "C", actor=world.users["member"])
    db.session.commit()
    r = as_role("member").post(
        f"/p/{p.id}/cards/{c.id}/move", data={"column": cols[2].id, "override_wip": "y"}
    )
    assert r.status_code == 409


def test_move_next_to_a_card_of_another_column_is_422(world, as_role, cols, db):
    p = world.partnership
    a = factories.card(p, "A", actor=world.users["member"])
    b = factories.card(p, "B", column=1, actor=world.users["member"])
    db.session.commit()
    r = as_role("member").post(f"/p/{p.id}/cards/{a.id}/move", data={"column": cols[2].id, "before": b.id})
    assert r.status_code == 422
    db.session.refresh(a)
    assert a.column_id == cols[0].id


def test_move_to_a_column_of_another_partnership_is_404(world, as_role, cols, db):
    p = world.partnership
    a = factories.card(p, "A", actor=world.users["member"])
    db.session.commit()
    foreign = board.columns_of(world.other)[2]
    r = as_role("member").post(f"/p/{p.id}/cards/{a.id}/move", data={"column": foreign.id})
    assert r.status_code == 404
    db.session.refresh(a)
    assert a.column_id == cols[0].id


def test_filters_are_a_get_form_and_narrow_the_board(world, as_role, cols, db):
    p = world.partnership
    label = Label(partnership_id=p.id, name="youth", colour="blue")
    db.session.add(label)
    factories.card(
        p,
        "Überraschung für Kinder",
        actor=world.users["facilitator"],
        due_date=date.today() - timedelta(days=2),
    )
    b = factories.card(p, "Bus tickets", actor=world.users["member"])
    b.labels.append(label)
    c = factories.card(p, "Poster", actor=world.users["member"], due_date=date.today() + timedelta(days=3))
    c.assignees.append(world.users["facilitator"])
    db.session.commit()
    client = as_role("member")

    def shown(**args):
        html = client.get(f"/p/{p.id}/board", query_string=args).get_data(as_text=True)
        return {t for t in ("Überraschung", "Bus tickets", "Poster") if t in html}

    assert shown() == {"Überraschung", "Bus tickets", "Poster"}
    assert shown(q="ÜBERRASCH") == {"Überraschung"}  # case folding beyond ASCII
    assert shown(label=label.id) == {"Bus tickets"}
    assert shown(assignee=world.users["facilitator"].id) == {"Poster"}
    assert shown(city=p.cities[0].id) == {"Überraschung", "Poster"}  # author or assignee from Minsk
    assert shown(due="overdue") == {"Überraschung"}
    assert shown(due="week") == {"Poster"}
    assert shown(project=0) == {"Überraschung", "Bus tickets", "Poster"}
    assert client.get(f"/p/{p.id}/board?label=abc").status_code == 422
    assert client.get(f"/p/{p.id}/board?due=tomorrow").status_code == 422


def test_board_search_takes_percent_and_underscore_as_written(world, as_role, cols, db):
    p = world.partnership
    titles = ("Budget 50% approved", "Budget 500 asked", "to_do list", "todo list")
    for title in titles:
        factories.card(p, title, actor=world.users["member"])
    db.session.commit()
    client = as_role("member")

    def shown(q):
        html = client.get(f"/p/{p.id}/board", query_string={"q": q}).get_data(as_text=True)
        return {t for t in titles if t in html}

    assert shown("50%") == {"Budget 50% approved"}
    assert shown("to_do") == {"to_do list"}
    assert shown("%") == {"Budget 50% approved"}


@pytest.mark.parametrize("group", ["project", "city", "assignee"])
def test_swimlanes(world, as_role, cols, db, group):
    p = world.partnership
    card = factories.card(p, "Lane card", actor=world.users["member"])
    card.assignees.append(world.users["facilitator"])
    db.session.commit()
    html = as_role("member").get(f"/p/{p.id}/board?group={group}").get_data(as_text=True)
    lane = {"project": "No project", "city": "Hamburg", "assignee": "Fiona Facilitator"}[group]
    start = html.index(f">{lane}</h2>")
    assert html.index("Lane card") > start


def test_done_column_shows_recent_cards_and_links_to_the_rest(world, as_role, cols, db):
    p = world.partnership
    for i in range(board_query.DONE_LIMIT + 3):
        factories.card(p, f"Finished {i:02d}", column=4, actor=world.users["member"])
    db.session.commit()
    html = as_role("member").get(f"/p/{p.id}/board").get_data(as_text=True)
    assert html.count("is-done") == board_query.DONE_LIMIT
    assert "Show more done cards" in html
    done = as_role("member").get(f"/p/{p.id}/board/done").get_data(as_text=True)
    assert all(f"Finished {i:02d}" in done for i in range(board_query.DONE_LIMIT + 3))


def test_each_done_column_shows_its_most_recent_cards_first(world, as_role, cols, db):
    from datetime import datetime

    p = world.partnership
    cols[3].is_done = True  # "Review" means done too
    base = datetime(2026, 5, 1, 12, 0)
    for column, name in ((3, "Reviewed"), (4, "Finished")):
        for i in range(board_query.DONE_LIMIT + 2):
            card = factories.card(p, f"{name} {i:02d}", column=column, actor=world.users["member"])
            card.done_at = base + timedelta(hours=i)
    db.session.commit()
    html = as_role("member").get(f"/p/{p.id}/board").get_data(as_text=True)
    for name in ("Reviewed", "Finished"):
        shown = [i for i in range(board_query.DONE_LIMIT + 2) if f">{name} {i:02d}<" in html]
        assert shown == list(range(2, board_query.DONE_LIMIT + 2))  # the oldest two are left out
        newest, older = html.index(f">{name} {board_query.DONE_LIMIT + 1:02d}<"), html.index(f">{name} 02<")
        assert newest < older
    assert "Show more done cards" in html


def _count_queries(client, url):
    def send():
        assert client.get(url).status_code == 200

    return len(_statements_of(send))


def test_board_query_count_does_not_grow_with_the_board(world, as_role, db):
    from sprintboard.seed.board import fill_board

    p = world.partnership
    people = [world.users["member"], world.users["facilitator"]]
    client = as_role("member")
    url = f"/p/{p.id}/board"
    fill_board(p, 50, people)
    db.session.commit()
    board_render.clear_cache()
    small = _count_queries(client, url)
    small_warm = _count_queries(client, url)
    fill_board(p, 1950, people)
    db.session.commit()
    board_render.clear_cache()
    large = _count_queries(client, url)
    large_warm = _count_queries(client, url)
    # The cards' own statements: on PostgreSQL one (the open cards ranked in their cells with
    # the cells' counts, and the recent done cards); on SQLite three (the cells' counts, the open
    # cards, grouped by project each cell's first walked in the index, the done cards).
    cards = 1 if db.engine.dialect.name == "postgresql" else 3
    # Grouped by assignee, the plan reads every card's assignees (one query more), so rendering
    # reads them no more.
    for group, more in (("city", 0), ("assignee", 1)):
        board_render.clear_cache()
        assert _count_queries(client, f"{url}?group={group}") == large + more
    # Cold (this process has not rendered the board yet): the plan reads the cards with all
    # that rendering them needs (their labels and assignees too), so no query more than warm.
    assert small == large == small_warm == large_warm
    # Once rendered here, the board is planned narrow: a changed card is read in one query more.
    factories.card(p, "One more", actor=people[0])
    db.session.commit()
    assert _count_queries(client, url) == large_warm + 1
    # What the page reads besides: the login session (with the person's latest request key, for
    # the page's ETag) with the partnership and role; what cards show of others (projects,
    # labels, people, cities) with the person's board view and watch, the latest activity (where
    # live updates start) and the running sprint; the columns (with their names in the reader's
    # language).
    assert small == 3 + cards


def test_active_sprint_only(world, as_role, cols, db):
    p = world.partnership
    inside = factories.card(p, "In the sprint", actor=world.users["member"])
    factories.card(p, "Backlog only", actor=world.users["member"])
    client = as_role("member")
    html = client.get(f"/p/{p.id}/board?sprint=active").get_data(as_text=True)
    assert "No sprint is running." in html and "Backlog only" not in html
    factories.sprint(p, "Sprint 1", actor=world.users["facilitator"], state="active", cards=[inside])
    db.session.commit()
    html = client.get(f"/p/{p.id}/board?sprint=active").get_data(as_text=True)
    assert "In the sprint" in html and "Backlog only" not in html and "Sprint: Sprint 1" in html
    everything = client.get(f"/p/{p.id}/board").get_data(as_text=True)
    assert "In the sprint" in everything and "Backlog only" in everything


def test_frozen_board_is_read_only_for_members(world, as_role, cols, db):
    from sprintboard.services import facilitation

    p = world.partnership
    card = factories.card(p, "Frozen card", actor=world.users["member"])
    facilitation.freeze_board(p, actor=world.users["facilitator"])
    db.session.commit()
    member_html = as_role("member").get(f"/p/{p.id}/board").get_data(as_text=True)
    assert "frozen the board" in member_html
    assert "data-editable" not in member_html and "quick-add" not in member_html
    r = as_role("member").post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[1].id})
    assert r.status_code == 423
    facilitator_html = as_role("facilitator").get(f"/p/{p.id}/board").get_data(as_text=True)
    assert "data-editable" in facilitator_html
    r = as_role("facilitator").post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[1].id})
    assert r.status_code == 303


def test_cached_cards_show_a_changed_name_and_home_city(world, as_role, db):
    """Card fragments are cached; a person's new name or home city still shows on every card."""
    from sprintboard.services import partnerships

    p, member = world.partnership, world.users["member"]
    card = factories.card(p, "Map the routes", actor=member)
    card.assignees = [member]
    db.session.commit()
    client = as_role("member")
    url = f"/p/{p.id}/board"
    page = client.get(url).text
    assert 'title="Max Member (Lviv)"' not in page  # world's cities are the factory's defaults
    assert f'title="Max Member ({p.cities[1].name})"' in page
    response = client.post("/account", data={"profile-name": "Maxima Member", "profile-locale": "en"})
    assert response.status_code == 303
    assert f'title="Maxima Member ({p.cities[1].name})"' in client.get(url).text
    membership = next(m for m in p.memberships if m.user_id == member.id)
    partnerships.change_member(membership, "member", p.cities[0], actor=world.users["facilitator"])
    db.session.commit()
    page = client.get(url).text
    assert f'title="Maxima Member ({p.cities[0].name})"' in page
    assert f"</span>{p.cities[0].name}</span>" in page  # the author's city badge


def _quick_add_tokens(html):
    quick_add = r'<form class="quick-add"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"'
    return set(re.findall(quick_add, html))


def test_a_cached_board_carries_each_viewers_own_csrf_token(world, as_role, db):
    p = world.partnership
    factories.card(p, "Plan the youth camp", actor=world.users["member"])
    db.session.commit()
    url = f"/p/{p.id}/board"
    member, facilitator = as_role("member"), as_role("facilitator")
    member.get(url)  # caches the board
    pages = {"member": member.get(url).text, "facilitator": facilitator.get(url).text}
    tokens = {role: _quick_add_tokens(html) for role, html in pages.items()}
    assert all(len(t) == 1 for t in tokens.values())
    assert tokens["member"] != tokens["facilitator"]
    # The facilitator's no-JS quick-add (token from the cached board) is accepted.
    column = re.search(r'name="column" value="(\d+)"', pages["facilitator"]).group(1)
    response = facilitator.post(
        f"/p/{p.id}/board/cards",
        csrf=False,
        data={"csrf_token": tokens["facilitator"].pop(), "column": column, "title": "From the cache"},
    )
    assert response.status_code == 303
    assert "From the cache" in member.get(url).text


def test_a_cached_board_shows_a_reorder_and_what_each_role_may_do(world, as_role, cols, db):
    p, m = world.partnership, world.users["member"]
    first = factories.card(p, "First card", column=1, actor=m)
    second = factories.card(p, "Second card", column=1, actor=m)
    db.session.commit()
    url = f"/p/{p.id}/board"
    member, observer = as_role("member"), as_role("observer")
    html = member.get(url).text
    assert html.index("First card") < html.index("Second card") and "quick-add" in html
    assert "quick-add" not in observer.get(url).text  # the same board, without the member's forms
    board.move_card(second, cols[1], before=first, actor=m)  # a reorder: no card's content changed
    db.session.commit()
    html = member.get(url).text
    assert html.index("Second card") < html.index("First card")


@pytest.mark.parametrize("group", ["project", "city"])
def test_a_full_cell_shows_its_first_cards_and_how_many_more(world, as_role, cols, db, group):
    """Grouped by project the database cuts each cell short; grouped otherwise the plan does:
    either way the first CELL_LIMIT cards of a cell in board order, and 'Show N more cards'."""
    from sprintboard.board.query import CELL_LIMIT

    p, fiona = world.partnership, world.users["facilitator"]
    youth = factories.project(p, "Youth exchange")
    many = [
        factories.card(p, f"Youth card {i:02d}", actor=fiona, project=youth) for i in range(CELL_LIMIT + 5)
    ]
    few = [factories.card(p, f"Loose card {i}", actor=fiona) for i in range(3)]
    db.session.commit()
    order = db.session.scalars(
        db.select(Card.title).where(Card.id.in_([c.id for c in many])).order_by(Card.position, Card.id)
    ).all()
    client = as_role("member")
    html = client.get(f"/p/{p.id}/board?group={group}").get_data(as_text=True)
    shown = [title for title in re.findall(r'class="card-title"[^>]*>([^<]+)</a>', html) if "Youth" in title]
    if group == "project":
        assert shown == order[:CELL_LIMIT]
        assert "Show 5 more cards" in html
        assert all(card.title in html for card in few)
    else:  # (one lane: Fiona's city, all 33 cards in one cell)
        assert len(re.findall(r'class="card-title"', html)) == CELL_LIMIT
        assert "Show 8 more cards" in html
    # The link to the rest of the cell keeps the board's grouping, and brings the whole cell.
    [more_url] = re.findall(r'data-hx-get="(/p/\d+/board/cell[^"]*)"', html)
    lane = f"p{youth.id}" if group == "project" else f"c{p.cities[0].id}"
    expected = f"/p/{p.id}/board/cell?lane={lane}&amp;column={cols[0].id}"
    assert more_url == expected + ("&amp;group=city" if group == "city" else "")
    rest = as_role("member", htmx=True).get(more_url.replace("&amp;", "&")).get_data(as_text=True)
    assert len(re.findall(r'class="card-title"', rest)) == (CELL_LIMIT + 5 if group == "project" else 33)


@pytest.mark.parametrize("args", ["", "?group=city", "?all=1", "?q=card"])
def test_column_heads_count_every_open_card_of_their_column_however_the_board_is_cut(
    world, as_role, cols, db, args
):
    """The counts come with the cards' rows (each cell's or column's count, and each done
    column's): a cut cell, a done column longer than it shows and an archived card are counted
    as they are, grouped or filtered alike (a filter narrows the cards, not the columns' counts)."""
    from sprintboard.board.query import CELL_LIMIT, DONE_LIMIT

    p, fiona = world.partnership, world.users["facilitator"]
    youth = factories.project(p, "Youth exchange")
    for i in range(CELL_LIMIT + 3):
        factories.card(p, f"Youth card {i:02d}", actor=fiona, project=youth)
    for i in range(4):
        factories.card(p, f"Loose card {i}", actor=fiona)
    factories.card(p, "Other column", column=1, actor=fiona)
    archived = factories.card(p, "Archived card", column=1, actor=fiona)
    archived.archived_at = archived.created_at
    done = next(c for c in cols if c.is_done)
    for i in range(DONE_LIMIT + 2):
        factories.card(p, f"Finished card {i:02d}", column=cols.index(done), actor=fiona)
    db.session.commit()
    html = as_role("member").get(f"/p/{p.id}/board{args}").get_data(as_text=True)

    def head_count(column):
        return int(re.search(rf'id="col-head-{column.id}".*?class="col-count">(\d+)', html, re.S)[1])

    assert head_count(cols[0]) == CELL_LIMIT + 3 + 4
    assert head_count(cols[1]) == 1
    assert head_count(done) == DONE_LIMIT + 2
    assert "Show more done cards" in html


def test_cards_without_a_project_are_cut_short_too_and_only_this_boards(world, as_role, cols, db):
    """The cell of cards without a project is cut like any other (its first CELL_LIMIT in board
    order); archived cards and another partnership's cards in such cells are never shown."""
    from sprintboard.board.query import CELL_LIMIT

    p, fiona = world.partnership, world.users["facilitator"]
    loose = [factories.card(p, f"Loose card {i:02d}", actor=fiona) for i in range(CELL_LIMIT + 4)]
    factories.card(p, "Second column card", column=1, actor=fiona)
    other = factories.partnership("Lviv – Leipzig")
    factories.card(other, "Not this board", actor=fiona)
    archived = loose.pop(0)
    archived.archived_at = archived.created_at
    db.session.commit()
    order = db.session.scalars(
        db.select(Card.title).where(Card.id.in_([c.id for c in loose])).order_by(Card.position, Card.id)
    ).all()
    html = as_role("member").get(f"/p/{p.id}/board").get_data(as_text=True)
    shown = re.findall(r'class="card-title"[^>]*>(Loose card \d+)</a>', html)
    assert shown == order[:CELL_LIMIT] and "Show 3 more cards" in html
    assert "Second column card" in html and "Not this board" not in html


def test_a_refused_quick_add_comes_back_in_place_with_the_title_typed(world, as_role):
    """Too long a title: htmx swaps the cell's form back (named by HX-Trigger) with the reason;
    without JavaScript a page with that form, its title kept and a way back to the board."""
    p = world.partnership
    column = board.columns_of(p)[0]
    title = "Ж" * 201
    url = f"/p/{p.id}/board/cards"
    page = as_role("member").get(f"/p/{p.id}/board").get_data(as_text=True)
    form_id = re.search(rf'<form class="quick-add" id="(qa-[^"]+-{column.id}-form)"', page).group(1)
    headers = {"HX-Trigger": form_id, "Accept-Language": "de"}
    data = {"title": title, "column": column.id}
    response = as_role("member", htmx=True).post(url, data=data, headers=headers)
    assert response.status_code == 422
    assert (response.headers["HX-Retarget"], response.headers["HX-Reswap"]) == (f"#{form_id}", "outerHTML")
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<form class="quick-add" id="{form_id}"')
    assert f'value="{title}"' in html and 'role="alert"' in html and 'aria-invalid="true"' in html
    page = as_role("member").post(url, data={"title": title, "column": column.id, "next": f"/p/{p.id}/board"})
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and "<h1" in html and f'value="{title}"' in html
    assert f'action="{url}"' in html and f'name="column" value="{column.id}"' in html
    assert "Back to the board" in html
    assert db.session.scalar(select(Card).where(Card.partnership_id == p.id)) is None


def test_the_filters_quick_select_makes_what_wtforms_makes(app):
    """The board's filters render their <select>s in one pass (forms.QuickSelect): the same
    HTML as WTForms' own widget, selected option and escaping included."""
    from types import SimpleNamespace

    from werkzeug.datastructures import MultiDict
    from wtforms import widgets

    from sprintboard.forms.board import FilterForm

    people = {7: ('Anna "Ann" <Smith> & Co', 1), 9: ("Борис", 2)}
    projects = [SimpleNamespace(id=3, title="Youth & bikes")]
    labels = [SimpleNamespace(id=5, name="<b>urgent</b>", colour="red")]
    with app.test_request_context():
        for args in (
            {},
            {"assignee": "9", "project": "0", "label": "5", "city": "2", "group": "city", "due": "week"},
        ):
            form = FilterForm(MultiDict(args))
            form.set_choices(projects, labels, people, [(1, "Minsk"), (2, "Bonn")])
            assert form.validate()
            for name in ("group", "sprint", "project", "label", "assignee", "city", "due"):
                field = form[name]
                assert field.widget.__class__.__name__ == "QuickSelect"
                assert str(field()) == str(widgets.Select()(field))
                assert str(field(aria_invalid="true")) == str(widgets.Select()(field, aria_invalid="true"))
            assert 'selected value="9">Борис</option>' in str(form.assignee()) or not args
