"""Trello import: a board exported as JSON comes in as columns, cards, labels, checklists and
comments, exactly as the preview said; lists can go into existing columns; members without an
account are listed; all or nothing; bad files are refused with a reason; facilitators only."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from sprintboard.extensions import db
from sprintboard.models import Activity, BoardColumn, Card, ChecklistItem, Comment, Label
from sprintboard.services import DomainError, imports_trello
from tests.views.test_routes import fingerprint

FIXTURE = Path(__file__).parent.parent / "fixtures" / "trello_board.json"


def _board() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _raw(board: dict) -> bytes:
    return json.dumps(board, ensure_ascii=False).encode()


def _upload(client, pid, raw: bytes, headers=None):
    """The upload as a browser sends it (a multipart body built here: the test client would
    spool a large one to a temporary file it never closes)."""
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="board.json"\r\n'
        b"Content-Type: application/json\r\n\r\n" + raw + b"\r\n--XyZ--\r\n"
    )
    return client.post(
        f"/p/{pid}/import/trello",
        data=body,
        content_type="multipart/form-data; boundary=XyZ",
        headers={"X-CSRFToken": client.csrf_token(), **(headers or {})},
    )


def _form(html: str) -> dict:
    """The preview's confirm form as a browser would send it (selected options kept)."""
    form = html.split('id="trello-preview"')[1]
    data = {"key": re.search(r'name="key" type="hidden" value="([^"]+)"', form).group(1)}
    for name, body in re.findall(r'<select[^>]*name="(map_\d+)"[^>]*>(.*?)</select>', form, re.S):
        data[name] = re.search(r'<option selected value="([^"]*)"', body).group(1)
    return data


def _labels(html: str) -> dict[str, str]:
    """The list name each map_N select is labelled with."""
    return {
        name: label.strip() for name, label in re.findall(r'<label for="(map_\d+)">([^<]*)</label>', html)
    }


def _counts(html: str) -> dict[str, int]:
    block = html.split('id="trello-counts"')[1].split("</ul>")[0]
    found = {}
    for pattern, key in [
        (r"(\d+) cards?", "cards"),
        (r"(\d+) of them archived", "archived"),
        (r"(\d+) new columns?", "new_columns"),
        (r"(\d+) new labels?", "new_labels"),
        (r"(\d+) checklist items?", "checklist_items"),
        (r"(\d+) done", "checklist_done"),
        (r"(\d+) comments?", "comments"),
    ]:
        match = re.search(pattern, block)
        found[key] = int(match.group(1)) if match else 0
    return found


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _confirm(client, pid, data):
    return client.post(f"/p/{pid}/import/trello/confirm", data=data)


def test_the_import_creates_exactly_what_the_preview_said(world, as_role):
    p, facilitator = world.partnership, as_role("facilitator")
    columns_before = [
        c.name
        for c in db.session.scalars(
            db.select(BoardColumn).filter_by(partnership_id=p.id).order_by(BoardColumn.position)
        )
    ]
    activities = _count(Activity)
    last_activity = db.session.scalar(db.select(db.func.max(Activity.id))) or 0
    preview = _upload(facilitator, p.id, FIXTURE.read_bytes())
    assert preview.status_code == 200, preview.get_data(as_text=True)
    html = preview.get_data(as_text=True)
    said = _counts(html)
    assert said == {
        "cards": 29,  # 30 cards; the one of the archived list "Old plans" is left out
        "archived": 2,
        "new_columns": 2,  # "To do" and "Done" go into the board's own columns of those names
        "new_labels": 4,
        "checklist_items": 7,
        "checklist_done": 3,
        "comments": 5,
    }
    assert "Old plans" in html and "Jana Nováková" in html.split('id="trello-unmatched"')[1]
    assert 'id="trello-unmatched"' in html and "Max Member" not in html.split('id="trello-unmatched"')[1]
    assert _count(Card) == 0 and _count(Activity) == activities  # a preview writes nothing

    response = _confirm(facilitator, p.id, _form(html))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/p/{p.id}/board")

    columns = list(
        db.session.scalars(
            db.select(BoardColumn).filter_by(partnership_id=p.id).order_by(BoardColumn.position)
        )
    )
    assert [c.name for c in columns] == [*columns_before, "Ideas", "Doing"]
    cards = list(db.session.scalars(db.select(Card)))
    assert len(cards) == said["cards"]
    assert sum(c.archived_at is not None for c in cards) == said["archived"]
    assert _count(Label) == said["new_labels"]
    assert _count(ChecklistItem) == said["checklist_items"]
    assert db.session.scalar(db.select(db.func.count(ChecklistItem.id)).where(ChecklistItem.done)) == 3
    assert _count(Comment) == said["comments"]
    assert "Sister-city concert (postponed)" not in {c.title for c in cards}
    # One entry in the activity log for the whole board.
    logged = list(db.session.scalars(db.select(Activity).where(Activity.id > last_activity)))
    assert [(a.verb, a.data["kind"], a.data["rows"]) for a in logged] == [("board.imported", "trello", 29)]

    # Order kept (Trello's pos; the "Doing" list is stored in reverse in the file).
    def titles(name):
        column = next(c for c in columns if c.name == name)
        query = db.select(Card.title).where(Card.column_id == column.id).order_by(Card.position)
        return list(db.session.scalars(query))

    assert titles("Doing")[:2] == ["Press release draft", "Logo for the project"]
    assert titles("Doing")[-1] == "Website of the partnership"
    assert titles("Ideas")[0] == "Youth exchange summer camp" and len(titles("Ideas")) == 8

    card = db.session.scalar(db.select(Card).where(Card.title == "Youth exchange summer camp"))
    assert [u.name for u in card.assignees] == ["Max Member"]  # Jana has no account here
    assert {label.name: label.colour for label in card.labels} == {
        "Städtepartnerschaft": "teal",
        "Youth": "green",
    }
    assert card.due_date == date(2027, 3, 31) and "**July**" in card.body
    # Checklists in Trello's order ("After" sits above "Before"), items by pos, states kept.
    assert [(i.text, i.done) for i in card.checklist] == [
        ("Thank-you letters", False),
        ("Book the hostel", True),
        ("Find host families", False),
        ("Insurance", False),
    ]
    assert (card.checklist_total, card.checklist_done, card.comment_count) == (4, 1, 2)
    first, second = card.comments
    assert first.author.name == "Max Member" and first.created_at == datetime(2026, 10, 2, 16, 40)
    assert second.author is None and second.body.startswith("**Jana Nováková** · 2026-10-03 09:15")
    assert "20 beds" in second.body

    erasmus = db.session.scalar(db.select(Card).where(Card.title == "Draft the Erasmus+ application"))
    assert [u.name for u in erasmus.assignees] == ["Fiona Facilitator"]  # matched by full name
    assert "https://erasmus-plus.ec.europa.eu/programme-guide" in erasmus.body
    assert "javascript:" not in erasmus.body
    unnamed = db.session.scalar(db.select(Label).where(Label.colour == "red"))
    assert unnamed.name == "Red"
    done = next(c for c in columns if c.name == "Done")
    assert all(c.done_at is not None for c in cards if c.column_id == done.id)

    log_page = facilitator.get(f"/p/{p.id}/activity").get_data(as_text=True)
    assert "imported a Trello board (29 cards)" in log_page
    board_page = facilitator.get(f"/p/{p.id}/board").get_data(as_text=True)
    assert "Youth exchange summer camp" in board_page and "Photo call in both cities" not in board_page


def test_lists_go_into_existing_columns_chosen_in_the_preview(world, as_role):
    p, facilitator = world.partnership, as_role("facilitator")
    own = {c.name: c for c in db.session.scalars(db.select(BoardColumn).filter_by(partnership_id=p.id))}
    html = _upload(facilitator, p.id, FIXTURE.read_bytes()).get_data(as_text=True)
    form, names = _form(html), _labels(html)
    for field, list_name in names.items():
        form[field] = str(own[{"Ideas": "Backlog", "Doing": "In progress"}.get(list_name, list_name)].id)
    refreshed = _confirm(facilitator, p.id, {**form, "refresh": "1"})
    assert refreshed.status_code == 200
    assert _counts(refreshed.get_data(as_text=True))["new_columns"] == 0
    assert _count(Card) == 0

    assert _confirm(facilitator, p.id, {**form, "submit": "1"}).status_code == 303
    assert len(db.session.scalars(db.select(BoardColumn).filter_by(partnership_id=p.id)).all()) == len(own)
    backlog = db.session.scalars(
        db.select(Card.title).where(Card.column_id == own["Backlog"].id).order_by(Card.position)
    ).all()
    assert backlog[0] == "Youth exchange summer camp" and len(backlog) == 8
    in_progress = db.session.scalar(
        db.select(db.func.count(Card.id)).where(Card.column_id == own["In progress"].id)
    )
    assert in_progress == 7


def test_a_list_can_go_into_a_new_column_despite_a_namesake(world, as_role):
    p, facilitator = world.partnership, as_role("facilitator")
    html = _upload(facilitator, p.id, FIXTURE.read_bytes()).get_data(as_text=True)
    form = _form(html)
    done_field = next(f for f, name in _labels(html).items() if name == "Done")
    form[done_field] = "new"
    assert _confirm(facilitator, p.id, form).status_code == 303
    names = db.session.scalars(
        db.select(BoardColumn.name).filter_by(partnership_id=p.id).order_by(BoardColumn.position)
    ).all()
    assert names.count("Done") == 2


def test_a_broken_card_stops_the_whole_import(world, as_role):
    p, facilitator = world.partnership, as_role("facilitator")
    board = _board()
    board["cards"][5]["name"] = "   "
    board["cards"][9]["name"] = "x" * 300
    before = fingerprint()
    response = _upload(facilitator, p.id, _raw(board))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "A card needs a title." in html and "at most 200 characters" in html
    assert 'name="submit"' not in html  # no import button while the board has an error
    assert fingerprint() == before


def test_a_failure_half_way_leaves_nothing_behind(world, as_role, monkeypatch):
    p, facilitator = world.partnership, as_role("facilitator")
    html = _upload(facilitator, p.id, FIXTURE.read_bytes()).get_data(as_text=True)
    real, made = imports_trello._add_card, []

    def fail_on_the_twentieth(*args, **kwargs):
        made.append(real(*args, **kwargs))
        if len(made) == 20:
            db.session.flush()  # twenty cards really are in the transaction
            raise DomainError("The twentieth card failed.")
        return made[-1]

    monkeypatch.setattr(imports_trello, "_add_card", fail_on_the_twentieth)
    before = fingerprint()
    response = _confirm(facilitator, p.id, _form(html))
    assert response.status_code == 422 and "The twentieth card failed." in response.get_data(as_text=True)
    assert fingerprint() == before


def test_the_same_board_is_imported_once(world, as_role):
    p, facilitator = world.partnership, as_role("facilitator")
    for expected in (303, 409):
        html = _upload(facilitator, p.id, FIXTURE.read_bytes()).get_data(as_text=True)
        assert _confirm(facilitator, p.id, _form(html)).status_code == expected
    assert _count(Card) == 29


def _deep(depth: int) -> bytes:
    return b'{"name": "x", "lists": [], "cards": [], "prefs": ' + b"[" * depth + b"]" * depth + b"}"


BAD_FILES = {
    "not JSON": (b"name;lists\nx;y\n", "not valid JSON"),
    "cut off": (FIXTURE.read_bytes()[:5000], "not valid JSON"),
    "not UTF-8": (b'{"name": "\xff\xfe"}', "not valid JSON"),
    "other JSON": (b'{"tables": {"cards": []}, "format": "sprintboard"}', "not a Trello board export"),
    "a list": (b"[1, 2, 3]", "not a Trello board export"),
    "labels a number": (b'{"lists": [], "cards": [], "labels": 5}', "labels"),
    "actions an object": (b'{"lists": [], "cards": [], "actions": {"a": 1}}', "actions"),
    "cards not objects": (b'{"lists": [], "cards": ["a"]}', "cards[0]"),
    "name a number": (b'{"lists": [{"id": "l1", "name": 7}], "cards": []}', "lists[0].name"),
    "unknown list": (
        b'{"lists": [], "cards": [{"id": "c1", "name": "A", "idList": "nope"}]}',
        "cards[0].idList",
    ),
    "pos a string": (b'{"lists": [{"id": "l1", "name": "A", "pos": "first"}], "cards": []}', "lists[0].pos"),
    "huge integer": (
        b'{"lists": [{"id": "l1", "name": "A", "pos": 1' + b"0" * 5000 + b'}], "cards": []}',
        "number",
    ),
    "huge float": (b'{"lists": [{"id": "l1", "name": "A", "pos": 1e999}], "cards": []}', "number"),
    "NaN": (b'{"lists": [{"id": "l1", "name": "A", "pos": NaN}], "cards": []}', "number"),
    "deep nesting": (_deep(100_000), "nested too deeply"),
    "bad date": (
        b'{"lists": [{"id": "l1"}], "cards": [{"id": "c", "name": "A", "idList": "l1", "due": "soon"}]}',
        "due",
    ),
    "bad comment": (
        b'{"lists": [], "cards": [], "actions": [{"type": "commentCard", "data": 5}]}',
        "actions[0].data",
    ),
    "NUL character": (  # PostgreSQL's text cannot hold it
        b'{"lists": [{"id": "l1", "name": "A"}], "cards": [{"id": "c", "name": "A\\u0000", "idList": "l1"}]}',
        "cannot be stored (NUL)",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_files_are_refused_with_a_reason_and_nothing_changes(world, as_role, case):
    raw, reason = BAD_FILES[case]
    facilitator = as_role("facilitator")
    before = fingerprint()
    response = _upload(facilitator, world.partnership.id, raw)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert reason in html and 'id="trello-preview"' not in html
    assert fingerprint() == before


def test_too_many_cards_are_refused(world, as_role, monkeypatch):
    monkeypatch.setitem(imports_trello.LIMITS, "cards", 10)
    response = _upload(as_role("facilitator"), world.partnership.id, FIXTURE.read_bytes())
    assert response.status_code == 422 and "more than 10 cards" in response.get_data(as_text=True)


@pytest.mark.parametrize("size", ["over the import limit", "over the request limit"])
def test_a_file_too_large_is_refused_with_422(app, world, as_role, size):
    app.config["IMPORT_MAX_BYTES"] = 10_000
    try:
        padding = 20_000 if size == "over the import limit" else 600_000
        board = _board()
        board["desc"] = "x" * padding
        client = as_role("facilitator")
        before = fingerprint()
        response = _upload(client, world.partnership.id, _raw(board))
    finally:
        app.config["IMPORT_MAX_BYTES"] = 10 * 1024 * 1024
    assert response.status_code == 422
    assert "The file is larger than 0.0 MB." in response.get_data(as_text=True)
    assert fingerprint() == before


def test_reasons_are_translated(world, as_role):
    facilitator = as_role("facilitator")
    for lang, words in {"de": "kein gültiges JSON", "ru": "JSON", "uk": "JSON", "be": "JSON"}.items():
        response = _upload(facilitator, world.partnership.id, b"{oops", headers={"Accept-Language": lang})
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and words in html
        assert "not valid JSON" not in html


def test_a_larger_export_than_the_app_wide_limit_comes_in(app, world, as_role):
    """A Trello export may be larger than MAX_CONTENT_LENGTH (2 MB): the Trello upload takes up to
    IMPORT_MAX_BYTES."""
    board = _board()
    board["cards"][0]["desc"] = "Long text. " * 1000
    board["actions"] += [
        {
            "id": f"a{i}",
            "type": "updateCard",
            "date": "2026-10-01T00:00:00Z",
            "data": {"old": {"desc": "y" * 1000}},
        }
        for i in range(3000)
    ]
    raw = _raw(board)
    assert len(raw) > app.config["MAX_CONTENT_LENGTH"]
    assert _upload(as_role("facilitator"), world.partnership.id, raw).status_code == 200


@pytest.mark.parametrize(("role", "status"), [("observer", 403), ("member", 403), ("outsider", 404)])
def test_only_facilitators_of_the_partnership_import_a_board(world, as_role, role, status):
    client = as_role(role)
    before = fingerprint()
    assert _upload(client, world.partnership.id, FIXTURE.read_bytes()).status_code == status
    assert _confirm(client, world.partnership.id, {"key": "x" * 22}).status_code == status
    assert fingerprint() == before


def test_a_preview_belongs_to_the_person_who_uploaded_it(world, as_role, app, login):
    from tests import factories

    p = world.partnership
    html = _upload(as_role("facilitator"), p.id, FIXTURE.read_bytes()).get_data(as_text=True)
    other = factories.member(p, "facilitator", 1, name="Second Facilitator")
    db.session.commit()
    client = login(app.test_client(), other)
    response = _confirm(client, p.id, _form(html))
    assert response.status_code == 422 and "upload the file again" in response.get_data(as_text=True)
    assert _count(Card) == 0


def test_members_see_no_trello_form_and_facilitators_do(world, as_role):
    url = f"/p/{world.partnership.id}/import/"
    assert "Trello" not in as_role("member").get(url).get_data(as_text=True)
    assert "/import/trello" in as_role("facilitator").get(url).get_data(as_text=True)


def test_the_preview_in_german(world, as_role):
    response = _upload(
        as_role("facilitator"), world.partnership.id, FIXTURE.read_bytes(), headers={"Accept-Language": "de"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "29 Karten" in html and "Neue Spalte „Ideas“" in html


def test_members_are_matched_by_email_before_name(world, as_role):
    max_member = world.users["member"]
    board = {
        "name": "Mini",
        "lists": [{"id": "l", "name": "Liste"}],
        "cards": [{"id": "c", "name": "Karte", "idList": "l", "idMembers": ["m1", "m2"]}],
        "members": [
            {"id": "m1", "fullName": "M. Member (Hamburg)", "email": max_member.email.upper()},
            {"id": "m2", "fullName": "Olga Observer"},  # observers take no cards
        ],
    }
    html = _upload(as_role("facilitator"), world.partnership.id, _raw(board)).get_data(as_text=True)
    assert "M. Member (Hamburg) → Max Member" in html
    assert "Olga Observer" in html.split('id="trello-unmatched"')[1]


def test_the_service_reads_a_minimal_board(world):
    text = json.dumps(
        {
            "name": "Mini",
            "lists": [{"id": "l", "name": "Liste"}],
            "cards": [{"id": "c", "name": "Karte", "idList": "l"}],
        }
    )
    result = imports_trello.preview(world.partnership, text)
    assert result.counts["cards"] == 1 and result.counts["new_columns"] == 1 and not result.errors
    assert result.unmatched == [] and result.lists[0]["column"] is None
