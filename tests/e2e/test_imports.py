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


def test_a_spreadsheet_of_actors_comes_in_through_the_preview_in_german(
    page, live_server, world, log_in, axe_check, tmp_path
):
    """Journey 2's 15 actors without 15 forms: Excel's CSV (Windows-1252, ';', German headers);
    a row error stops everything until the file is right; the preview shows what comes in."""
    from sprintboard.models import Actor

    p, max_ = world.partnership, world.users["member"]
    max_.locale = "de"
    db.session.commit()
    minsk, hamburg = p.cities[0].name, p.cities[1].name
    rows = [("Jugendzentrum Nord", hamburg, "NGO", "ja", "Jörg Weiß", "joerg@example.org")]
    rows += [(f"Schule {n}", minsk if n % 2 else hamburg, "Schule", "nein", "", "") for n in range(1, 15)]
    header = "Name;Stadt;Art;Einwilligung;Kontaktperson;E-Mail\n"
    good = tmp_path / "akteure.csv"
    good.write_bytes((header + "".join(";".join(r) + "\n" for r in rows)).encode("cp1252"))
    broken = tmp_path / "akteure-fehler.csv"
    broken.write_bytes((header + "Bibliothek;Atlantis;Kultureinrichtung;nein;;\n").encode("cp1252"))

    log_in(page, max_)
    page.goto(f"/p/{p.id}/import/")
    csv = page.locator("section", has=page.get_by_role("heading", name="CSV-Datei"))
    csv.get_by_label("Die Datei enthält").select_option(label="Akteure")
    csv.get_by_label("CSV-Datei").set_input_files(str(broken))
    csv.get_by_role("button", name="Vorschau zeigen").click()
    errors = page.locator("#csv-preview .error-box")
    expect(errors).to_contain_text("Zeile 2: Die Stadt muss eine von diesen sein")
    expect(page.get_by_role("button", name="Zeilen importieren")).to_have_count(0)

    csv = page.locator("section", has=page.get_by_role("heading", name="CSV-Datei"))
    csv.get_by_label("Die Datei enthält").select_option(label="Akteure")
    csv.get_by_label("CSV-Datei").set_input_files(str(good))
    csv.get_by_role("button", name="Vorschau zeigen").click()
    preview = page.locator("#csv-preview")
    expect(preview.get_by_role("row")).to_have_count(16)  # the header row and 15 actors
    expect(preview).to_contain_text("Jörg Weiß")
    axe_check(page)
    preview.get_by_role("button", name="15 Zeilen importieren").click()
    expect(page.get_by_text("15 Akteure wurden importiert.")).to_be_visible()
    db.session.rollback()
    actors = {a.name: a for a in db.session.scalars(db.select(Actor).filter_by(partnership_id=p.id))}
    assert len(actors) == 15 and actors["Jugendzentrum Nord"].contact_email == "joerg@example.org"
    assert actors["Schule 1"].city.name == minsk and actors["Schule 2"].city.name == hamburg
