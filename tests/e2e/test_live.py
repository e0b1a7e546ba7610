"""Live updates in real browsers: two people on one board see each other's changes within a second,
without a reload, and what one of them is typing survives; polling takes over when streaming fails."""

from __future__ import annotations

from playwright.sync_api import expect

from sprintboard.extensions import db
from sprintboard.services import board
from tests import factories


def _setup(world):
    p = world.partnership
    card = factories.card(p, "Plan the camp", actor=world.users["member"])
    db.session.commit()
    return p.id, card.id, [c.id for c in board.columns_of(p)]


def test_a_move_and_a_quick_add_appear_in_the_other_browser(new_context, streams, world, log_in, axe_check):
    pid, card, cols = _setup(world)
    anna = log_in(new_context().new_page(), world.users["member"])
    fiona = log_in(new_context().new_page(), world.users["facilitator"])
    anna.goto(f"/p/{pid}/board")
    fiona.goto(f"/p/{pid}/board")
    # Both streams are open once each sees the other (presence, per city).
    expect(fiona.locator("#presence")).to_contain_text("Hamburg: Max Member")
    expect(anna.locator("#presence")).to_contain_text("Minsk: Fiona Facilitator")
    axe_check(fiona)

    typing = fiona.locator(f"#qa-p0-{cols[1]}")
    typing.fill("Half-typed idea")  # Fiona is adding a card to the very column the card moves to
    typing.focus()

    anna.locator(f"#card-link-{card}").focus()
    with anna.expect_response(lambda r: r.url.endswith("/move")):  # the second counts from here
        anna.keyboard.press("Shift+ArrowRight")  # to "To do"
    expect(fiona.locator(f'.card-list[data-column="{cols[1]}"] #card-{card}')).to_be_visible(timeout=1000)
    expect(fiona.locator(f"#card-{card}")).to_have_count(1)
    expect(fiona.locator("#board-status")).to_contain_text("Max Member moved “Plan the camp”")
    expect(fiona.locator(f"#col-head-{cols[1]} .col-count")).to_contain_text("1")
    expect(typing).to_have_value("Half-typed idea")
    expect(typing).to_be_focused()
    # Anna's own tab keeps its own message and a single copy of the card.
    expect(anna.locator("#board-status")).to_contain_text("Moved “Plan the camp” to To do")
    expect(anna.locator(f"#card-{card}")).to_have_count(1)

    with anna.expect_response(lambda r: r.url.endswith("/board/cards")):
        anna.locator(f"#qa-p0-{cols[0]}").fill("Book the hall")
        anna.locator(f"#qa-p0-{cols[0]}").press("Enter")
    added = fiona.locator(f'.card-list[data-column="{cols[0]}"] li.card', has_text="Book the hall")
    expect(added).to_be_visible(timeout=1000)
    expect(anna.locator("li.card", has_text="Book the hall")).to_have_count(1)
    expect(typing).to_have_value("Half-typed idea")
    assert fiona.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload


def test_when_streaming_is_blocked_the_board_polls_for_changes(new_context, streams, world, log_in):
    pid, card, cols = _setup(world)
    streams.config["LIVE_POLL_MS"] = 300
    context = new_context()
    context.route("**/events*", lambda route: route.fulfill(status=503, headers={"Retry-After": "60"}))
    fiona = log_in(context.new_page(), world.users["facilitator"])
    anna = log_in(new_context().new_page(), world.users["member"])
    fiona.goto(f"/p/{pid}/board")
    anna.goto(f"/p/{pid}/board")
    anna.locator(f"#card-link-{card}").focus()
    with anna.expect_response(lambda r: r.url.endswith("/move")):
        anna.keyboard.press("Shift+ArrowRight")
    expect(fiona.locator(f'.card-list[data-column="{cols[1]}"] #card-{card}')).to_be_visible(timeout=2000)
    expect(fiona.locator(f"#card-{card}")).to_have_count(1)


def test_a_freeze_and_a_timebox_reach_the_members_board(new_context, streams, world, log_in):
    pid, card, cols = _setup(world)
    max_ = log_in(new_context().new_page(), world.users["member"])
    fiona = log_in(new_context().new_page(), world.users["facilitator"])
    max_.goto(f"/p/{pid}/board")
    expect(max_.locator(f"#qa-p0-{cols[0]}")).to_be_visible()
    fiona.goto(f"/p/{pid}/facilitation/")
    with fiona.expect_response(lambda r: r.url.endswith("/facilitation/freeze")):
        fiona.locator("form[action$='/facilitation/freeze'] button").click()
    expect(max_.locator("#frozen-banner")).to_contain_text("frozen the board", timeout=2000)
    expect(max_.locator(f"#qa-p0-{cols[0]}")).to_have_count(0, timeout=2000)  # read-only now
    with fiona.expect_response(lambda r: r.url.endswith("/facilitation/timebox")):
        fiona.locator("form[action$='/facilitation/timebox'] button").click()
    expect(max_.locator("#timebox .timebox-clock")).to_be_visible(timeout=2000)
    assert max_.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload


def test_a_new_column_waits_while_someone_types_and_keeps_their_draft(new_context, streams, world, log_in):
    from sprintboard.services import columns

    pid, card, cols = _setup(world)
    max_ = log_in(new_context().new_page(), world.users["member"])
    max_.goto(f"/p/{pid}/board")
    expect(max_.locator("#presence")).to_be_attached()
    max_.wait_for_timeout(300)  # the stream is open
    draft = max_.locator(f"#qa-p0-{cols[1]}")
    draft.fill("Half-typed idea")
    db.session.rollback()  # a fresh snapshot before writing beside the server (SQLite)
    columns.add_column(world.partnership, "Blocked", actor=world.users["facilitator"])
    db.session.commit()
    max_.wait_for_timeout(1000)
    expect(max_.locator(".col-name", has_text="Blocked")).to_have_count(0)  # not while typing
    max_.locator("h1").click()  # done typing for now: the board catches up, the draft stays
    expect(max_.locator(".col-name", has_text="Blocked")).to_have_count(1, timeout=2000)
    expect(max_.locator(f"#qa-p0-{cols[1]}")).to_have_value("Half-typed idea")


def test_a_filtered_board_shows_new_cards_that_match_its_filters(new_context, streams, world, log_in):
    pid, _card, cols = _setup(world)
    anna = log_in(new_context().new_page(), world.users["member"])
    fiona = log_in(new_context().new_page(), world.users["facilitator"])
    anna.goto(f"/p/{pid}/board")
    fiona.goto(f"/p/{pid}/board?q=hall")
    expect(fiona.locator("#presence")).to_contain_text("Hamburg: Max Member")
    expect(fiona.locator("li.card")).to_have_count(0)
    for title in ("Buy paint", "Book the hall"):
        with anna.expect_response(lambda r: r.url.endswith("/board/cards")):
            anna.locator(f"#qa-p0-{cols[0]}").fill(title)
            anna.locator(f"#qa-p0-{cols[0]}").press("Enter")
    expect(fiona.locator("li.card", has_text="Book the hall")).to_be_visible()
    expect(fiona.locator("li.card")).to_have_count(1)  # "Buy paint" does not match the filter
    assert fiona.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
