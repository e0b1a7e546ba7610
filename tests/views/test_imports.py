"""CSV import of cards and actors: encodings, separators, header languages, preview with row
errors, all or nothing, once per file, size limit."""

from __future__ import annotations

import io

import pytest

from sprintboard.extensions import db
from sprintboard.models import Activity, Actor, Card
from tests import factories


def _upload(client, pid, raw: bytes, kind="cards"):
    return client.post(
        f"/p/{pid}/import/csv",
        data={"kind": kind, "file": (io.BytesIO(raw), "board.csv")},
        content_type="multipart/form-data",
    )


def _key(html: str) -> str:
    return html.split('name="key" type="hidden" value="')[1].split('"')[0]


def _import(client, pid, raw: bytes, kind="cards"):
    preview = _upload(client, pid, raw, kind)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    html = preview.get_data(as_text=True)
    return client.post(f"/p/{pid}/import/csv/confirm", data={"kind": kind, "key": _key(html)})


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))


@pytest.mark.parametrize(
    ("encoding", "separator", "header"),
    [
        ("utf-8", ",", "title,column,labels,estimate"),
        ("utf-8-sig", ";", "Titel;Spalte;Etiketten;Punkte"),
        ("utf-16", ";", "Titel;Spalte;Etiketten;Punkte"),
        ("cp1251", ";", "Название;Колонка;Метки;Оценка"),
        ("cp1252", ";", "Titel;Spalte;Etiketten;Schätzung"),
    ],
)
def test_cards_come_in_from_each_encoding_and_separator(world, as_role, encoding, separator, header):
    p = world.partnership
    second = p and factories.card(p, "seed", column=1, actor=world.users["member"]).column
    db.session.commit()
    title = "Встреча в мэрии" if encoding == "cp1251" else "Treffen im Rathaus – Straße"
    rows = [
        header,
        separator.join([title, second.name, "city hall", "3"]),
        separator.join(['=HYPERLINK("http://x")', "", "", ""]),
    ]
    raw = "\r\n".join(rows).encode(encoding)
    response = _import(as_role("member"), p.id, raw)
    assert response.status_code == 303
    imported = {c.title: c for c in db.session.scalars(db.select(Card).where(Card.title != "seed"))}
    assert imported[title].column_id == second.id and imported[title].estimate == 3
    assert [label.name for label in imported[title].labels] == ["city hall"]
    assert '=HYPERLINK("http://x")' in imported  # a formula-looking cell is kept as plain text


def test_a_row_error_is_shown_and_nothing_is_written(world, as_role):
    raw = b"title,column,assignees,due\nGood card,,,2026-12-31\n,,,\nNo column,Nowhere,,\n"
    raw += b"Who,,Nobody Known,\nWhen,,,31.31.2026\n"
    member = as_role("member")
    before = _count(Card)
    response = _upload(member, world.partnership.id, raw)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nowhere" in html and "Nobody Known" in html and "31.31.2026" in html
    assert "Line 4" in html and "Line 5" in html
    assert 'name="key"' not in html  # no import button while a row has an error
    assert _count(Card) == before


def test_a_nul_character_is_refused_and_nothing_is_written(world, as_role):
    member = as_role("member")
    before = _count(Card)
    response = _upload(member, world.partnership.id, b"title,column\nGood\x00card,\n")
    assert response.status_code == 422
    assert "cannot be stored (NUL)" in response.get_data(as_text=True)
    assert _count(Card) == before


def test_errors_are_translated(world, as_role):
    member = as_role("member")
    response = member.post(
        f"/p/{world.partnership.id}/import/csv",
        data={"kind": "cards", "file": (io.BytesIO(b"title,column\nX,Nirgendwo\n"), "a.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 422
    assert "Zeile 2" in response.get_data(as_text=True)


def test_the_same_file_is_imported_once(world, as_role):
    member, raw = as_role("member"), b"title\nOnly once\n"
    assert _import(member, world.partnership.id, raw).status_code == 303
    again = _import(member, world.partnership.id, raw)
    assert again.status_code == 409
    assert db.session.scalar(db.select(db.func.count(Card.id)).where(Card.title == "Only once")) == 1
    logged = db.session.scalars(db.select(Activity).where(Activity.verb == "board.imported")).all()
    assert len(logged) == 1 and logged[0].data["rows"] == 1


def test_a_file_over_the_limit_is_refused_with_413(app, world, as_role):
    app.config["IMPORT_MAX_BYTES"] = 1000
    try:
        response = _upload(as_role("member"), world.partnership.id, b"title\n" + b"x,\n" * 600)
    finally:
        app.config["IMPORT_MAX_BYTES"] = 10 * 1024 * 1024
    assert response.status_code == 413 and "MB" in response.get_data(as_text=True)
    assert _count(Card) == 0


def test_actors_come_in_with_contacts_only_with_consent(world, as_role):
    p = world.partnership
    minsk, hamburg = p.cities[0].name, p.cities[1].name
    raw = (
        "Name;Stadt;Art;Einwilligung;Kontaktperson;E-Mail\n"
        f"Youth centre;{minsk};NGO;ja;Anna;anna@example.org\n"
        f"City library;{hamburg};Kultureinrichtung;nein;Bert;bert@example.org\n"
    ).encode("utf-8-sig")
    assert _import(as_role("member"), p.id, raw, kind="actors").status_code == 303
    found = {a.name: a for a in db.session.scalars(db.select(Actor))}
    assert found["Youth centre"].contact_email == "anna@example.org" and found["Youth centre"].consent
    assert found["City library"].kind == "culture"
    assert not found["City library"].contact_email and not found["City library"].consent


def test_actors_without_consent_columns_and_a_bad_city(world, as_role):
    p = world.partnership
    ok = f"name,city\nSchool 5,{p.cities[0].name}\n".encode()
    assert _import(as_role("member"), p.id, ok, kind="actors").status_code == 303
    assert db.session.scalar(db.select(Actor.name)) == "School 5"
    bad = _upload(as_role("member"), p.id, b"name,city\nX,Atlantis\n", kind="actors")
    assert bad.status_code == 422 and "Atlantis" not in db.session.scalars(db.select(Actor.name)).all()


def test_an_observer_cannot_import(world, as_role):
    assert _upload(as_role("observer"), world.partnership.id, b"title\nX\n").status_code == 403


def test_the_import_page_title_is_plain_text(world, as_role):
    """The tab's title once carried the Trello form's markup (a template block left open)."""
    import re

    html = as_role("facilitator").get(f"/p/{world.partnership.id}/import/").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "<" not in title and title.startswith("Import · ")
    assert html.count('id="trello-title"') == 1


def test_a_frozen_board_gives_the_preview_back_with_its_import_button(world, as_role):
    """The facilitator froze the board between the preview and the click on Import: the preview
    stays, with the reason and the button; once unfrozen the same button imports the file."""
    from sprintboard.models.base import utcnow

    member, pid = as_role("member"), world.partnership.id
    preview = _upload(member, pid, b"title\nAfter the freeze\n")
    key = _key(preview.get_data(as_text=True))
    world.partnership.frozen_at = utcnow()
    db.session.commit()
    refused = member.post(f"/p/{pid}/import/csv/confirm", data={"kind": "cards", "key": key})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 423 and "frozen the board" in html
    assert "After the freeze" in html and f'value="{key}"' in html and "Import 1 row" in html
    assert _count(Card) == 0
    world.partnership.frozen_at = None
    db.session.commit()
    assert member.post(f"/p/{pid}/import/csv/confirm", data={"kind": "cards", "key": key}).status_code == 303
    assert db.session.scalar(db.select(db.func.count(Card.id)).where(Card.title == "After the freeze")) == 1
