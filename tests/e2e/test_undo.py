"""Undo in a real browser: the toast after a move, its button, axe on the toast, its time."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Card
from sprintboard.services import board
from tests import factories


def _column_of(card_id):
    db.session.rollback()  # see the server's writes
    return db.session.scalar(select(Card.column_id).where(Card.id == card_id))


def test_move_a_card_then_undo_it_from_the_toast(page, live_server, world, log_in, axe_check):
    p = world.partnership
    a = factories.card(p, "Alpha", actor=world.users["member"]).id
    b = factories.card(p, "Bravo", actor=world.users["member"]).id
    db.session.commit()
    columns = [c.id for c in board.columns_of(p)]
    log_in(page, world.users["member"])
    page.goto(f"/p/{p.id}/board")
    page.locator(f"#card-link-{a}").focus()
    with page.expect_response(lambda r: r.url.endswith(f"/cards/{a}/move")):
        page.keyboard.press("Shift+ArrowRight")
    toast = page.locator("#flash .flash-undo")
    expect(toast).to_contain_text("Card moved.")
    assert _column_of(a) == columns[1]
    axe_check(page, context="#flash")
    axe_check(page)

    with page.expect_navigation():
        toast.get_by_role("button", name="Undo").click()
    expect(page.locator("#flash")).to_contain_text("Undone.")
    assert _column_of(a) == columns[0]
    first = page.locator(f'.card-list[data-column="{columns[0]}"] li.card').first
    expect(first).to_have_id(f"card-{a}")  # above Bravo again, where it was
    assert b


def test_the_toast_goes_away_when_its_time_is_up(page, live_server, world, log_in):
    p = world.partnership
    a = factories.card(p, "Alpha", actor=world.users["member"]).id
    db.session.commit()
    log_in(page, world.users["member"])
    page.clock.install()
    page.goto(f"/p/{p.id}/board")
    page.locator(f"#card-link-{a}").focus()
    with page.expect_response(lambda r: r.url.endswith(f"/cards/{a}/move")):
        page.keyboard.press("Shift+ArrowRight")
    toast = page.locator("#flash .flash-undo")
    expect(toast).to_be_visible()
    page.clock.run_for(11_000)
    expect(toast).to_have_count(0)
