"""Undo: the toast after a change, and its button, for each kind of change."""

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Activity, Card, UndoAction
from sprintboard.models.base import utcnow
from sprintboard.services import board
from tests import factories


@pytest.fixture
def cols(world):
    return board.columns_of(world.partnership)


def _undo_url(html: str) -> str:
    match = re.search(r'action="(/p/\d+/undo/\d+)"', html)
    assert match, "no Undo toast in the page"
    return match.group(1)


def _last_offer() -> UndoAction:
    return db.session.scalars(select(UndoAction).order_by(UndoAction.id.desc())).first()


def _history(card) -> list[str]:
    return [
        (a.verb, bool((a.data or {}).get("undo")))
        for a in db.session.scalars(
            select(Activity)
            .where(Activity.subject_type == "card", Activity.subject_id == card.id)
            .order_by(Activity.id)
        )
    ]


def _cards_in(column) -> list[int]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Card.id)
            .where(Card.column_id == column.id, Card.archived_at.is_(None))
            .order_by(Card.position, Card.id)
        )
    )


# Moves -------------------------------------------------------------------------------------


def test_undo_a_move_without_javascript_puts_the_card_back_in_its_place(world, as_role, cols, login):
    p, member = world.partnership, world.users["member"]
    a, b, c = (factories.card(p, t, actor=member) for t in ("Alpha", "Bravo", "Charlie"))
    done = factories.card(p, "Delta", column=4, actor=member)
    db.session.commit()
    client = as_role("member")
    r = client.post(f"/p/{p.id}/cards/{b.id}/move", data={"column": cols[4].id, "before": done.id})
    assert r.status_code == 303
    assert _cards_in(cols[4]) == [b.id, done.id]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Card moved." in page
    url = _undo_url(page)

    r = client.post(url, data={"next": f"/p/{p.id}/board"})
    assert r.status_code == 303 and r.headers["Location"] == f"/p/{p.id}/board"
    assert _cards_in(cols[0]) == [a.id, b.id, c.id]  # between Alpha and Charlie again
    assert _cards_in(cols[4]) == [done.id]
    assert db.session.get(Card, b.id).done_at is None
    assert "Undone." in client.get(f"/p/{p.id}/board").get_data(as_text=True)
    assert _history(b)[-2:] == [("card.moved", False), ("card.moved", True)]
    card_page = client.get(f"/p/{p.id}/cards/{b.id}").get_data(as_text=True)
    assert "Undo: Max Member moved “Bravo” from Done to Backlog" in card_page


def test_undo_after_a_move_out_of_done_keeps_the_day_it_was_done(world, as_role, cols):
    p, member = world.partnership, world.users["member"]
    card = factories.card(p, "Finished long ago", column=4, actor=member)
    db.session.commit()
    done_at = db.session.get(Card, card.id).done_at
    client = as_role("member")
    client.post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[1].id})
    assert db.session.get(Card, card.id).done_at is None
    client.post(f"/p/{p.id}/undo/{_last_offer().id}")
    db.session.expire_all()
    again = db.session.get(Card, card.id)
    assert again.column_id == cols[4].id and again.done_at == done_at


def test_htmx_move_answers_with_the_toast(world, as_role, cols):
    p = world.partnership
    card = factories.card(p, "Alpha", actor=world.users["member"])
    db.session.commit()
    r = as_role("member", htmx=True).post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[2].id})
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert '<div id="flash" data-hx-swap-oob="innerHTML">' in body
    assert "Card moved." in body and 'data-undo-seconds="10"' in body and "Undo</button>" in body
    # the toast is not shown a second time on the next page
    page = as_role("member").get(f"/p/{p.id}/board").get_data(as_text=True)
    assert "data-undo-seconds" not in page


def test_htmx_undo_sends_the_browser_back(world, as_role, cols):
    p = world.partnership
    card = factories.card(p, "Alpha", actor=world.users["member"])
    db.session.commit()
    client = as_role("member", htmx=True)
    client.post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[2].id})
    r = client.post(f"/p/{p.id}/undo/{_last_offer().id}", data={"next": f"/p/{p.id}/board?q=x"})
    assert r.status_code == 204 and r.headers["HX-Location"] == f"/p/{p.id}/board?q=x"
    assert _cards_in(cols[0]) == [card.id]


def test_a_late_undo_is_refused_with_a_message(world, as_role, cols):
    p = world.partnership
    card = factories.card(p, "Alpha", actor=world.users["member"])
    db.session.commit()
    client = as_role("member")
    client.post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[2].id})
    offer = _last_offer()
    with time_machine.travel(utcnow().replace(tzinfo=None).isoformat() + "+00:00", tick=False) as clock:
        clock.shift(11)
        r = client.post(f"/p/{p.id}/undo/{offer.id}")
        page = client.get(f"/p/{p.id}/board").get_data(as_text=True)
        german = client.post(f"/p/{p.id}/undo/{offer.id}", headers={"Accept-Language": "de"})
    assert r.status_code == 410
    assert "Too late to undo" in r.get_data(as_text=True)
    assert _cards_in(cols[2]) == [card.id]
    assert "data-undo-seconds" not in page  # nor offered any more
    assert german.status_code == 410
    assert "Zu spät" in german.get_data(as_text=True)


def test_the_hourly_purge_removes_offers_expired_over_an_hour_ago(world, as_role, cols):
    from sprintboard import tasks

    p = world.partnership
    card = factories.card(p, "Alpha", actor=world.users["member"])
    db.session.commit()
    client = as_role("member")
    client.post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[2].id})
    old = _last_offer()
    old.expires_at = utcnow() - timedelta(minutes=61)
    client.post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[1].id})
    fresh = _last_offer()
    db.session.commit()
    assert fresh.id != old.id
    assert tasks.purge_undo() == 1  # (a move no longer purges: a statement less per move)
    db.session.expire_all()
    assert db.session.get(UndoAction, old.id) is None and db.session.get(UndoAction, fresh.id) is not None


def test_undo_works_once(world, as_role, cols):
    p = world.partnership
    card = factories.card(p, "Alpha", actor=world.users["member"])
    db.session.commit()
    client = as_role("member")
    client.post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[2].id})
    offer = _last_offer()
    assert client.post(f"/p/{p.id}/undo/{offer.id}").status_code == 303
    r = client.post(f"/p/{p.id}/undo/{offer.id}")
    assert r.status_code == 410 and "already been undone" in r.get_data(as_text=True)


def test_another_person_cannot_undo(world, as_role, cols):
    p = world.partnership
    card = factories.card(p, "Alpha", actor=world.users["member"])
    db.session.commit()
    as_role("member").post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[2].id})
    r = as_role("facilitator").post(f"/p/{p.id}/undo/{_last_offer().id}")
    assert r.status_code == 403
    assert "Only the person who made this change can undo it." in r.get_data(as_text=True)
    assert _cards_in(cols[2]) == [card.id]


def test_another_partnership_gets_404(world, as_role, cols, login, app):
    p = world.partnership
    card = factories.card(p, "Alpha", actor=world.users["member"])
    db.session.commit()
    as_role("member").post(f"/p/{p.id}/cards/{card.id}/move", data={"column": cols[2].id})
    offer = _last_offer()
    outsider = login(app.test_client(), world.users["outsider"])
    assert outsider.post(f"/p/{p.id}/undo/{offer.id}").status_code == 404
    assert outsider.post(f"/p/{world.other.id}/undo/{offer.id}").status_code == 404
    assert _cards_in(cols[2]) == [card.id]


# Archive -----------------------------------------------------------------------------------


def test_undo_an_archive(world, as_role):
    p = world.partnership
    card = factories.card(p, "Alpha", actor=world.users["member"])
    db.session.commit()
    client = as_role("member")
    r = client.post(f"/p/{p.id}/cards/{card.id}/archive")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Card archived." in page
    assert db.session.get(Card, card.id).archived_at is not None
    r = client.post(_undo_url(page), data={"next": f"/p/{p.id}/cards/{card.id}"})
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Card, card.id).archived_at is None
    assert _history(card)[-2:] == [("card.archived", False), ("card.restored", True)]


# Deletes -----------------------------------------------------------------------------------


def test_undo_a_comment_delete_brings_it_back_as_it_was(world, as_role):
    from sprintboard.models import Comment
    from sprintboard.services import cards

    p, member = world.partnership, world.users["member"]
    card = factories.card(p, "Alpha", actor=member)
    comment = cards.add_comment(card, "Who books the room?", language="de", actor=member)
    db.session.commit()
    before = (comment.id, comment.author_id, comment.body, comment.language, comment.created_at)
    client = as_role("member")
    r = client.post(f"/p/{p.id}/cards/{card.id}/comments/{comment.id}/delete")
    assert db.session.get(Comment, before[0]) is None
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Comment deleted." in page
    assert client.post(_undo_url(page)).status_code == 303
    db.session.expire_all()
    back = db.session.get(Comment, before[0])
    assert (back.id, back.author_id, back.body, back.language, back.created_at) == before
    assert db.session.get(Card, card.id).comment_count == 1
    html = client.get(f"/p/{p.id}/cards/{card.id}").get_data(as_text=True)
    assert "Who books the room?" in html
    assert "Undo: Max Member brought back a deleted comment on “Alpha”" in html
    assert "Max Member deleted a comment on “Alpha”" in html


def test_undo_a_checklist_item_delete_with_htmx(world, as_role):
    from sprintboard.models import ChecklistItem
    from sprintboard.services import cards

    p, member = world.partnership, world.users["member"]
    card = factories.card(p, "Alpha", actor=member)
    cards.add_checklist_item(card, "Book a room", actor=member)
    item = cards.add_checklist_item(card, "Print posters", actor=member)
    cards.toggle_checklist_item(item, actor=member)
    db.session.commit()
    item_id = item.id
    client = as_role("member", htmx=True)
    r = client.post(f"/p/{p.id}/cards/{card.id}/checklist/{item_id}/delete")
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Checklist item deleted." in body
    assert db.session.get(ChecklistItem, item_id) is None
    assert client.post(_undo_url(body)).status_code == 204
    db.session.expire_all()
    back = db.session.get(ChecklistItem, item_id)
    assert (back.text, back.done) == ("Print posters", True)
    again = db.session.get(Card, card.id)
    assert (again.checklist_total, again.checklist_done) == (2, 1)
    assert [i.text for i in again.checklist] == ["Book a room", "Print posters"]


def test_undo_a_label_delete_puts_it_back_on_its_cards(world, as_role):
    from sprintboard.models import Label

    p, member = world.partnership, world.users["member"]
    label = factories.label(p, "youth", "blue", actor=member)
    a = factories.card(p, "Alpha", actor=member)
    b = factories.card(p, "Bravo", actor=member)
    a.labels.append(label)
    b.labels.append(label)
    db.session.commit()
    label_id = label.id
    client = as_role("member")
    r = client.post(f"/p/{p.id}/board/settings/labels/{label_id}/delete")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Label deleted." in page
    assert client.post(_undo_url(page)).status_code == 303
    db.session.expire_all()
    back = db.session.get(Label, label_id)
    assert (back.name, back.colour) == ("youth", "blue")
    assert [lb.id for lb in db.session.get(Card, a.id).labels] == [label_id]
    assert [lb.id for lb in db.session.get(Card, b.id).labels] == [label_id]


def test_a_deleted_label_whose_name_was_taken_again_is_not_restored(world, as_role):
    p, member = world.partnership, world.users["member"]
    label = factories.label(p, "youth", "blue", actor=member)
    db.session.commit()
    client = as_role("member")
    client.post(f"/p/{p.id}/board/settings/labels/{label.id}/delete")
    offer = _last_offer()
    factories.label(p, "Youth", "red", actor=member)
    db.session.commit()
    r = client.post(f"/p/{p.id}/undo/{offer.id}")
    assert r.status_code == 422
    assert "There is already a label called" in r.get_data(as_text=True)


# Columns and projects ----------------------------------------------------------------------


def test_undo_a_column_change_restores_name_limit_and_done_days(world, as_role, cols):
    from sprintboard.models import BoardColumn

    p = world.partnership
    card = factories.card(p, "Finished", column=4, actor=world.users["member"])
    db.session.commit()
    done_at = db.session.get(Card, card.id).done_at
    done = cols[4]
    client = as_role("facilitator", htmx=True)
    r = client.post(
        f"/p/{p.id}/board/settings/columns/{done.id}",
        data={f"column-{done.id}-name": "Shipped", f"column-{done.id}-wip_limit": "3"},
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "Column changed." in body
    db.session.expire_all()
    assert db.session.get(Card, card.id).done_at is None  # no longer a done column
    assert client.post(_undo_url(body)).status_code == 204
    db.session.expire_all()
    column = db.session.get(BoardColumn, done.id)
    assert (column.name, column.wip_limit, column.is_done) == ("Done", None, True)
    assert db.session.get(Card, card.id).done_at == done_at


def test_undo_a_column_move_and_a_column_delete(world, as_role, cols):
    p = world.partnership
    client = as_role("facilitator")
    names = lambda: [c.name for c in board.columns_of(p)]  # noqa: E731
    start = names()
    r = client.post(f"/p/{p.id}/board/settings/columns/{cols[1].id}/move", data={"direction": "down"})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Column moved." in page and names() != start
    client.post(_undo_url(page))
    db.session.expire_all()
    assert names() == start

    r = client.post(f"/p/{p.id}/board/settings/columns/{cols[2].id}/delete")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Column deleted." in page and "In progress" not in names()
    client.post(_undo_url(page))
    db.session.expire_all()
    assert names() == start


def test_a_member_cannot_undo_a_column_change_after_losing_the_facilitator_role(world, as_role, cols):
    from sprintboard.models import Membership

    p = world.partnership
    client = as_role("facilitator")
    client.post(f"/p/{p.id}/board/settings/columns/{cols[1].id}/move", data={"direction": "down"})
    offer = _last_offer()
    membership = db.session.scalars(
        select(Membership).filter_by(user_id=world.users["facilitator"].id, partnership_id=p.id)
    ).one()
    membership.role = "member"
    db.session.commit()
    r = client.post(f"/p/{p.id}/undo/{offer.id}")
    assert r.status_code == 403
    assert "Only facilitators can undo this change." in r.get_data(as_text=True)


def test_undo_a_project_change(world, as_role):
    from sprintboard.models import Project

    p = world.partnership
    project = factories.project(p, "Youth exchange", actor=world.users["member"], summary="Two camps")
    db.session.commit()
    client = as_role("member")
    r = client.post(
        f"/p/{p.id}/projects/{project.id}/edit",
        data={
            "title": "Youth camp",
            "summary": "One camp",
            "status": "paused",
            "language": "",
            "lead_city": "",
        },
    )
    assert r.status_code == 303, r.get_data(as_text=True)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Project changed." in page
    assert client.post(_undo_url(page)).status_code == 303
    db.session.expire_all()
    back = db.session.get(Project, project.id)
    assert (back.title, back.summary, back.status) == ("Youth exchange", "Two camps", "active")


def test_undo_a_column_delete_keeps_its_language_and_translations(world, as_role, cols, login, app):
    """A column deleted and brought back by Undo (by a facilitator reading English) is still
    the column a Russian member read in Russian: its name's language and translations return."""
    from sprintboard.models import Translation

    p, column = world.partnership, cols[1]
    language = column.language
    before = {
        (t.language, t.text)
        for t in db.session.scalars(db.select(Translation).filter_by(kind="column", object_id=column.id))
    }
    russian = dict(before)["ru"]  # (a default column comes translated)
    client = as_role("facilitator")
    r = client.post(f"/p/{p.id}/board/settings/columns/{column.id}/delete", headers={"Accept-Language": "en"})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    client.post(_undo_url(page), headers={"Accept-Language": "en"})
    db.session.expire_all()
    restored = next(c for c in board.columns_of(p) if c.name == column.name)
    assert restored.language == language
    after = {
        (t.language, t.text)
        for t in db.session.scalars(db.select(Translation).filter_by(kind="column", object_id=restored.id))
    }
    assert after == before
    reader = login(app.test_client(), world.users["member"])
    board_page = reader.get(f"/p/{p.id}/board", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert russian in board_page


def test_the_board_shows_a_restored_label_on_its_cards_again(world, as_role):
    # The board was looked at while the label was gone: its cards, kept rendered without it,
    # show it again once it is back (the cards' own revision tells the render cache).
    p, member = world.partnership, world.users["member"]
    label = factories.label(p, "youth", "blue", actor=member)
    card = factories.card(p, "Alpha", actor=member)
    card.labels.append(label)
    db.session.commit()
    client = as_role("member")
    board = f"/p/{p.id}/board"

    def labels_on_card():
        html = client.get(board).get_data(as_text=True)
        start = html.index(f'id="card-{card.id}"')
        return html[start : html.index("</li>", start)].count("youth")

    assert labels_on_card() == 1
    r = client.post(f"/p/{p.id}/board/settings/labels/{label.id}/delete")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert labels_on_card() == 0
    assert client.post(_undo_url(page)).status_code == 303
    assert labels_on_card() == 1
