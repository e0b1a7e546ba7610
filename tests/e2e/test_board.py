"""The board in a real browser: drag and drop, keyboard moves, quick-add, WIP refusal, axe."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Card, Label
from sprintboard.services import board
from tests import factories


def _setup(world):
    p = world.partnership
    member = world.users["member"]
    a = factories.card(p, "Alpha", actor=member, estimate=3)
    b = factories.card(p, "Bravo", column=1, actor=world.users["facilitator"])
    label = Label(partnership_id=p.id, name="youth", colour="blue")
    db.session.add(label)
    a.labels.append(label)
    a.assignees.append(world.users["facilitator"])
    db.session.commit()
    return p, a.id, b.id, [c.id for c in board.columns_of(p)]


def _column_of(card_id):
    db.session.rollback()  # see the server's writes
    return db.session.scalar(select(Card.column_id).where(Card.id == card_id))


def _list(page, column_id):
    return page.locator(f'.card-list[data-column="{column_id}"]').first


def test_drag_a_card_to_another_column(page, live_server, world, log_in, axe_check):
    p, a, b, columns = _setup(world)
    log_in(page, world.users["member"])
    page.goto(f"/p/{p.id}/board")
    axe_check(page)
    with page.expect_response(lambda r: r.url.endswith(f"/cards/{a}/move")) as moved:
        page.locator(f"#card-{a}").drag_to(_list(page, columns[1]).locator(f"#card-{b}"))
    assert moved.value.status == 200
    assert _column_of(a) == columns[1]
    expect(page.locator(f"#col-head-{columns[1]} .col-count")).to_contain_text("2")
    page.reload()
    expect(_list(page, columns[1]).locator(f"#card-{a}")).to_be_visible()


def test_move_a_card_with_the_keyboard(page, live_server, world, log_in):
    p, a, b, columns = _setup(world)
    log_in(page, world.users["member"])
    page.goto(f"/p/{p.id}/board")
    link = page.locator(f"#card-link-{a}")
    link.focus()
    with page.expect_response(lambda r: r.url.endswith(f"/cards/{a}/move")):
        page.keyboard.press("Shift+ArrowRight")
    expect(_list(page, columns[1]).locator(f"#card-{a}")).to_be_visible()
    expect(page.locator("#board-status")).to_have_text("Moved “Alpha” to To do, position 1 of 2.")
    expect(page.locator(f"#card-link-{a}")).to_be_focused()  # focus stays on the card
    assert _column_of(a) == columns[1]
    with page.expect_response(lambda r: r.url.endswith(f"/cards/{a}/move")):
        page.keyboard.press("Shift+ArrowDown")
    expect(page.locator("#board-status")).to_have_text("Moved “Alpha” to To do, position 2 of 2.")
    expect(page.locator(f"#card-link-{a}")).to_be_focused()


def test_quick_add_with_enter_keeps_typing_fast(page, live_server, world, log_in):
    p, a, b, columns = _setup(world)
    log_in(page, world.users["member"])
    page.goto(f"/p/{p.id}/board")
    field = page.locator(f"#qa-p0-{columns[0]}")
    field.fill("Charlie")
    field.press("Enter")
    expect(_list(page, columns[0]).get_by_text("Charlie")).to_be_visible()
    expect(field).to_have_value("")
    expect(field).to_be_focused()
    field.fill("Delta")
    field.press("Enter")
    expect(_list(page, columns[0]).get_by_text("Delta")).to_be_visible()
    db.session.rollback()
    titles = db.session.scalars(
        select(Card.title).where(Card.column_id == columns[0]).order_by(Card.position)
    ).all()
    assert titles == ["Alpha", "Charlie", "Delta"]


def test_a_refused_move_puts_the_card_back(page, live_server, world, log_in, axe_check):
    p, a, b, columns = _setup(world)
    todo = db.session.get(type(board.columns_of(p)[1]), columns[1])
    todo.wip_limit = 1
    db.session.commit()
    log_in(page, world.users["member"])
    page.goto(f"/p/{p.id}/board")
    page.locator(f"#card-link-{a}").focus()
    page.keyboard.press("Shift+ArrowRight")
    # The card stays where it was; its move form (as without JavaScript) says why, above the board.
    refused = page.locator(f"#board-refused #move-form-{a}")
    expect(refused.get_by_role("alert")).to_contain_text("at its limit of 1")
    expect(refused.get_by_label("Column")).to_have_value(str(columns[1]))  # where it was asked to go
    expect(_list(page, columns[0]).locator(f"#card-{a}")).to_be_visible()
    assert _column_of(a) == columns[0]
    for width, height in ((360, 740), (1366, 768), (1920, 1080)):  # phone, laptop, projector
        page.set_viewport_size({"width": width, "height": height})
        expect(refused.get_by_role("alert")).to_be_visible()
        axe_check(page)


def test_observers_see_the_board_without_move_controls(page, live_server, world, log_in, axe_check):
    p, a, b, columns = _setup(world)
    log_in(page, world.users["observer"])
    page.goto(f"/p/{p.id}/board")
    expect(page.locator(f"#card-{a}")).to_be_visible()
    expect(page.locator(".quick-add")).to_have_count(0)
    page.locator(f"#card-link-{a}").focus()
    page.keyboard.press("Shift+ArrowRight")
    expect(_list(page, columns[0]).locator(f"#card-{a}")).to_be_visible()
    axe_check(page)
