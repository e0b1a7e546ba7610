"""A facilitator from Hamburg moves the team's Trello board in, in German: upload the export,
read the preview (axe), send one list into an existing column, import, see the board."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from sprintboard.extensions import db
from sprintboard.models import BoardColumn, Card

FIXTURE = Path(__file__).parent.parent / "fixtures" / "trello_board.json"


def test_a_trello_board_comes_in_through_the_preview_in_german(page, live_server, world, log_in, axe_check):
    p, fiona = world.partnership, world.users["facilitator"]
    fiona.locale = "de"
    db.session.commit()
    log_in(page, fiona)
    page.goto(f"/p/{p.id}/import/")
    page.get_by_label("Trello-Export (JSON)").set_input_files(str(FIXTURE))
    page.locator("section", has=page.get_by_role("heading", name="Trello-Board")).get_by_role(
        "button", name="Vorschau zeigen"
    ).click()
    preview = page.locator("#trello-preview")
    expect(preview.get_by_role("heading", level=2)).to_have_text(
        "Vorschau des Trello-Boards „Twin cities 2027“"
    )
    expect(page.locator("#trello-counts")).to_contain_text("29 Karten")
    expect(page.locator("#trello-counts")).to_contain_text("2 neue Spalten")
    expect(page.locator("#trello-unmatched")).to_contain_text("Jana Nováková")
    axe_check(page)

    backlog = db.session.scalar(db.select(BoardColumn).filter_by(partnership_id=p.id, name="Backlog"))
    preview.get_by_label("Ideas").select_option(str(backlog.id))
    preview.get_by_role("button", name="Vorschau aktualisieren").click()
    expect(page.locator("#trello-counts")).to_contain_text("1 neue Spalte")
    preview = page.locator("#trello-preview")
    expect(preview.get_by_label("Ideas")).to_have_value(str(backlog.id))
    preview.get_by_role("button", name="Board importieren").click()

    expect(page.get_by_text("29 Karten wurden aus Trello importiert.")).to_be_visible()
    expect(page.get_by_text("Youth exchange summer camp").first).to_be_visible()
    db.session.rollback()  # a fresh read after the server's write
    card = db.session.scalar(db.select(Card).filter_by(title="Youth exchange summer camp"))
    assert card.column_id == backlog.id
    names = db.session.scalars(db.select(BoardColumn.name).filter_by(partnership_id=p.id)).all()
    assert "Doing" in names and "Ideas" not in names
