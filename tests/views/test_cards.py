import re

import pytest

from sprintboard.extensions import db
from sprintboard.markdown import render_markdown
from sprintboard.models import Activity, Card
from sprintboard.services import cards
from tests import factories


@pytest.fixture
def card(world):
    p, f = world.partnership, world.users["facilitator"]
    card = factories.card(p, "Plan the kick-off", column=1, actor=f, body="See **agenda**")
    db.session.commit()
    return card


def url(card, action=""):
    return f"/p/{card.partnership_id}/cards/{card.id}{action}"


def form_data(card, **changes):
    data = {
        "version": card.version,
        "title": card.title,
        "body": card.body,
        "project": card.project_id or "",
        "estimate": "",
        "due_date": "",
        "language": "",
    }
    data.update(changes)
    return data


def reload(card):
    db.session.expire_all()
    return db.session.get(Card, card.id)


def test_card_page_and_fragment(card, as_role):
    page = as_role("member").get(url(card))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert '<h1 id="card-title" class="card-title">Plan the kick-off</h1>' in html
    assert "<strong>agenda</strong>" in html
    assert "Fiona Facilitator" in html and 'class="city-badge c0">Minsk' in html
    assert "Edit card" in html and "Archive card" in html
    fragment = as_role("member", htmx=True).get(url(card))
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<article id="card-detail"')
    assert '<h2 id="card-title"' in body
    assert fragment.headers["Vary"] == "HX-Request" or "HX-Request" in fragment.headers["Vary"]


def test_observers_read_but_see_no_forms(card, as_role):
    cards.add_checklist_item(card, "Book a room", actor=None)
    db.session.commit()
    html = as_role("observer").get(url(card)).get_data(as_text=True)
    assert "Plan the kick-off" in html and "Book a room" in html
    for absent in ("Edit card", "Archive card", "/edit", "/checklist", "/comments", "Add comment"):
        assert absent not in html


def test_edit_without_js_and_with_htmx(card, world, as_role):
    member = world.users["member"]
    project = factories.project(world.partnership)
    label = factories.label(world.partnership)
    db.session.commit()
    response = as_role("member").post(
        url(card, "/edit"),
        data=form_data(
            card,
            title="  Plan   the kick-off ",
            estimate="3",
            due_date="2026-12-01",
            language="de",
            project=project.id,
            labels=[label.id],
            assignees=[member.id],
        ),
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(url(card))
    card = reload(card)
    assert (card.estimate, str(card.due_date), card.language, card.project_id) == (
        3,
        "2026-12-01",
        "de",
        project.id,
    )
    assert card.labels == [label] and card.assignees == [member]
    response = as_role("member", htmx=True).post(
        url(card, "/edit"),
        data=form_data(
            card,
            title="Renamed",
            labels=[label.id],
            assignees=[member.id],
            project=project.id,
            estimate="3",
            due_date="2026-12-01",
            language="de",
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<article id="card-detail"')
    assert "Renamed" in html and "sb:card-changed" in response.headers["HX-Trigger"]
    verbs = [a.verb for a in db.session.scalars(db.select(Activity).order_by(Activity.id))]
    assert verbs[-3:] == ["card.edited", "card.assigned", "card.edited"]


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"title": "   "},
        {"title": "x" * 10_000},
        {"estimate": "-1"},
        {"estimate": "101"},
        {"estimate": "lots"},
        {"due_date": "2026-02-30"},
        {"due_date": "tomorrow"},
        {"language": "fr"},
        {"body": "x" * 20_001},
    ],
)
def test_bad_edits_get_422_and_change_nothing(card, as_role, changes):
    before = (card.title, card.version, card.estimate)
    response = as_role("member").post(url(card, "/edit"), data=form_data(card, **changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert '<details id="card-edit" class="panel edit-card" open>' in html
    card = reload(card)
    assert (card.title, card.version, card.estimate) == before


def test_ids_of_another_partnership_or_observers_get_422(card, world, as_role):
    other = world.other
    foreign = {
        "project": factories.project(other).id,
        "labels": [factories.label(other).id],
        "assignees": [world.users["outsider"].id],
    }
    db.session.commit()
    for key, value in [*foreign.items(), ("assignees", [world.users["observer"].id])]:
        response = as_role("member", htmx=True).post(url(card, "/edit"), data=form_data(card, **{key: value}))
        assert response.status_code == 422, key
        assert "not a valid choice" in response.get_data(as_text=True).lower(), key
    assert reload(card).version == card.version


def test_two_edits_of_one_version_give_a_conflict_not_an_overwrite(card, as_role, world):
    alice, bob = as_role("member"), as_role("facilitator")
    version = card.version
    first = alice.post(url(card, "/edit"), data=form_data(card, title="Alice's title", body="Alice's text"))
    assert first.status_code == 303
    second = bob.post(
        url(card, "/edit"),
        data=form_data(card, version=version, title="Bob's title", body="Bob *wrote* this"),
    )
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Alice&#39;s title" in html and "Bob&#39;s title" in html
    # Theirs rendered, mine as typed.
    assert re.search("Alice(&#39;|')s text", html) and "Bob *wrote* this" in html
    current = reload(card)
    assert current.title == "Alice's title"
    assert f'name="version" id="card-version" value="{current.version}"' in html
    # Bob re-applies his text on top of the new version.
    again = bob.post(url(card, "/edit"), data=form_data(current, title="Bob's title", body="Bob's text"))
    assert again.status_code == 303
    assert reload(card).title == "Bob's title"


def test_a_conflict_with_htmx_replaces_the_edit_form(card, as_role):
    version = card.version
    as_role("member").post(url(card, "/edit"), data=form_data(card, title="First"))
    response = as_role("facilitator", htmx=True).post(
        url(card, "/edit"), data=form_data(card, version=version, title="Second")
    )
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#card-edit"
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="card-edit" class="panel conflict"')
    assert "First" in html and "Second" in html and "Discard my changes" in html
    assert "Latest change: Max Member edited the card “First” (title)" in html
    assert reload(card).title == "First"


def test_checklist_without_js(card, as_role):
    client = as_role("member")
    response = client.post(url(card, "/checklist"), data={"checklist-text": "Book a room"})
    assert response.status_code == 303 and response.headers["Location"].endswith("#card-checklist")
    item = reload(card).checklist[0]
    assert client.post(url(card, f"/checklist/{item.id}/toggle")).status_code == 303
    card = reload(card)
    assert card.checklist[0].done and (card.checklist_done, card.checklist_total) == (1, 1)
    assert client.post(url(card, "/checklist"), data={"checklist-text": " "}).status_code == 422
    assert client.post(url(card, f"/checklist/{item.id}/delete")).status_code == 303
    card = reload(card)
    assert card.checklist == [] and (card.checklist_done, card.checklist_total) == (0, 0)


def test_checklist_toggle_with_htmx_swaps_the_item_and_the_counter(card, as_role):
    client = as_role("member", htmx=True)
    response = client.post(
        url(card, "/checklist"), data={"checklist-text": "Book a room", "version": card.version}
    )
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="card-checklist"')
    assert 'id="card-version"' not in html  # a tick is no edit: the edit form's version stays
    card = reload(card)
    item = card.checklist[0]
    response = client.post(url(card, f"/checklist/{item.id}/toggle"), data={"version": card.version})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(f'<li id="checklist-item-{item.id}" class="check-item done">')
    assert 'aria-pressed="true"' in html
    assert '<span id="checklist-progress" class="progress" data-hx-swap-oob="true">1 of 1 done</span>' in html
    assert reload(card).version == card.version


def test_a_colleagues_comment_or_tick_does_not_make_an_open_edit_form_stale(card, as_role):
    """The edit lock (version) is not the render revision: a colleague's comment or checklist
    tick while the edit form is open changes what the board shows, not what the form holds."""
    editor, colleague = as_role("member", htmx=True), as_role("facilitator", htmx=True)
    form = editor.get(url(card)).get_data(as_text=True)
    opened = int(re.search(r'name="version" id="card-version" value="(\d+)"', form).group(1))
    revision = reload(card).revision
    assert colleague.post(url(card, "/comments"), data={"comment-body": "Room 3 is free"}).status_code == 200
    colleague.post(url(card, "/checklist"), data={"checklist-text": "Book room 3"})
    item = reload(card).checklist[0]
    assert colleague.post(url(card, f"/checklist/{item.id}/toggle")).status_code == 200
    assert reload(card).revision == revision + 3  # the board re-renders the card ...
    saved = editor.post(
        url(card, "/edit"), data=form_data(card, version=opened, title="Plan the kick-off in room 3")
    )
    assert saved.status_code == 200  # ... but the open form saves: no false conflict
    card = reload(card)
    assert card.title == "Plan the kick-off in room 3"
    assert [c.body for c in card.comments] == ["Room 3 is free"]
    assert [(i.text, i.done) for i in card.checklist] == [("Book room 3", True)]
    # A real edit in between still is a conflict.
    stale = editor.post(url(card, "/edit"), data=form_data(card, version=opened, title="Again"))
    assert stale.status_code == 409 and reload(card).title == "Plan the kick-off in room 3"


def test_comments(card, as_role):
    response = as_role("member", htmx=True).post(
        url(card, "/comments"), data={"comment-body": "Looks *good*"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="card-comments"')
    assert "<em>good</em>" in html and "1 comment" in html
    card = reload(card)
    assert card.comment_count == 1 and card.comments[0].language == "en"
    assert as_role("member").post(url(card, "/comments"), data={"comment-body": ""}).status_code == 422
    assert (
        as_role("member").post(url(card, "/comments"), data={"comment-body": "x" * 5001}).status_code == 422
    )
    assert reload(card).comment_count == 1


def test_comment_language_is_the_ui_locale(card, as_role):
    as_role("member").post(url(card, "/comments") + "?lang=ru", data={"comment-body": "Привет"})
    assert reload(card).comments[0].language == "ru"


MALICIOUS = (
    "<script>alert(1)</script>\n\n[click](javascript:alert(1))\n\n"
    '<img src=x onerror="alert(1)">\n\n[ok](https://example.org)'
)


def test_markdown_is_sanitised():
    html = str(render_markdown(MALICIOUS))
    assert "<script" not in html and "<img" not in html
    assert 'href="javascript' not in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in html
    raw = str(render_markdown('<a href="javascript:alert(1)" onerror="x">a</a>'))
    assert "<a " not in raw


def test_card_and_comment_markdown_is_safe_on_the_page(card, as_role):
    card.body = MALICIOUS
    cards.add_comment(card, MALICIOUS, language="en", actor=None)
    db.session.commit()
    html = as_role("observer").get(url(card)).get_data(as_text=True)
    assert "<script>alert" not in html and "<img" not in html and 'href="javascript' not in html
    assert html.count('href="https://example.org"') == 2


def test_archive_restore_and_the_archive_page(card, world, as_role):
    client = as_role("member")
    assert client.post(url(card, "/archive")).status_code == 303
    assert reload(card).archived_at is not None
    html = client.get(url(card)).get_data(as_text=True)
    assert "This card was archived" in html and "Restore card" in html and "Edit card" not in html
    assert client.post(url(card, "/edit"), data=form_data(card, title="x")).status_code == 422
    archive = f"/p/{world.partnership.id}/cards/archived"
    assert "Plan the kick-off" in client.get(archive + "?q=KICK").get_data(as_text=True)
    assert "Plan the kick-off" not in client.get(archive + "?q=budget").get_data(as_text=True)
    fragment = as_role("observer", htmx=True).get(archive + "?q=kick").get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="archive-results"') and "Restore" not in fragment
    assert client.post(url(card, "/restore")).status_code == 303
    assert reload(card).archived_at is None
    verbs = [a.verb for a in cards.history(reload(card))]
    assert verbs[:2] == ["card.restored", "card.archived"]
    html = client.get(url(card)).get_data(as_text=True)
    assert "restored the card" in html and "archived the card" in html


def test_archive_page_pages(world, as_role):
    p = world.partnership
    for i in range(51):
        cards.archive_card(factories.card(p, f"Old card {i:02d}"), actor=None)
    db.session.commit()
    client = as_role("observer")
    first = client.get(f"/p/{p.id}/cards/archived").get_data(as_text=True)
    second = client.get(f"/p/{p.id}/cards/archived?page=2").get_data(as_text=True)
    assert first.count('id="archived-') == 50 and second.count('id="archived-') == 1
    assert "Page 1 of 2" in first and 'rel="next"' in first


def _move_form(app, card, role_user, login):
    client = login(app.test_client(), role_user)
    client.htmx = True
    return client.get(url(card, "/move-form"))


def test_move_form(card, world, app, login):
    p = world.partnership
    others = [factories.card(p, f"Neighbour {i}", column=i % 3) for i in range(4)]
    db.session.commit()
    response = _move_form(app, card, world.users["member"], login)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'action="/p/{p.id}/cards/{card.id}/move"' in html
    assert re.search(rf'<option value="{card.column_id}" selected>To do</option>', html)
    assert '<option value="">At the end</option>' in html
    assert '<optgroup label="Backlog">' in html
    for other in others:
        assert f'<option value="{other.id}">Before “{other.title}”</option>' in html
    assert f"Before “{card.title}”" not in html
    assert "override_wip" not in html
    facilitator = _move_form(app, card, world.users["facilitator"], login).get_data(as_text=True)
    assert 'name="override_wip"' in facilitator and "Ignore the WIP limit" in facilitator


def test_the_move_form_on_the_card_page_moves_the_card(card, world, as_role):
    p = world.partnership
    neighbour = factories.card(p, "Neighbour", column=3)
    db.session.commit()
    client = as_role("member")
    html = client.get(url(card)).get_data(as_text=True)
    action = re.search(r'class="panel move-form" method="post" action="([^"]+)"', html)
    nxt = re.search(r'name="next" value="([^"]+)"', html).group(1)
    assert action and nxt == url(card)
    response = client.post(
        action.group(1), data={"column": neighbour.column_id, "before": neighbour.id, "next": nxt}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(url(card))
    moved = reload(card)
    assert moved.column_id == neighbour.column_id
    assert moved.position < db.session.get(Card, neighbour.id).position


def test_card_page_links_project_and_history(card, world, as_role):
    project = factories.project(world.partnership, "Bridges")
    db.session.commit()
    as_role("member").post(url(card, "/edit"), data=form_data(card, project=project.id))
    html = as_role("observer").get(url(card)).get_data(as_text=True)
    assert f'/projects/{project.id}">Bridges</a>' in html
    assert "Max Member edited the card “Plan the kick-off” (project)" in html


@pytest.mark.parametrize("locale", ["de", "ru", "uk", "be"])
def test_card_pages_render_in_each_locale(card, world, as_role, locale):
    p = world.partnership
    cards.add_checklist_item(card, "Book a room", actor=None)
    cards.add_comment(card, "Ok", language="en", actor=None)
    project = factories.project(p)
    factories.label(p)
    card.estimate = 2
    db.session.commit()
    client = as_role("facilitator")
    for path in (
        url(card),
        f"/p/{p.id}/projects/",
        f"/p/{p.id}/projects/{project.id}",
        f"/p/{p.id}/board/settings",
        f"/p/{p.id}/cards/archived",
        f"/p/{p.id}/activity",
    ):
        response = client.get(path, query_string={"lang": locale})
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert f'<html lang="{locale}">' in html and "Edit card" not in html, path


def test_a_frozen_board_makes_cards_read_only_for_members(card, world, as_role):
    from sprintboard.services import facilitation

    facilitation.freeze_board(world.partnership, actor=world.users["facilitator"])
    db.session.commit()
    member = as_role("member")
    html = member.get(url(card)).get_data(as_text=True)
    assert "frozen the board" in html and "Edit card" not in html and "Add comment" not in html
    before = reload(card).version
    for action, data in (
        ("/edit", form_data(card, title="Changed")),
        ("/comments", {"comment-body": "Hi"}),
        ("/checklist", {"checklist-text": "More"}),
        ("/archive", {}),
    ):
        assert member.post(url(card, action), data=data).status_code == 423, action
    assert reload(card).version == before
    facilitator = as_role("facilitator")
    assert "Edit card" in facilitator.get(url(card)).get_data(as_text=True)
    assert facilitator.post(url(card, "/edit"), data=form_data(card, title="Changed")).status_code == 303


def test_the_author_edits_a_comment_and_others_cannot(card, as_role, world):
    member = world.users["member"]
    comment = cards.add_comment(card, "We meet on Monday", language="en", actor=member)
    db.session.commit()
    edit = url(card, f"/comments/{comment.id}/edit")
    field = f"comment-{comment.id}-body"
    page = as_role("member").get(url(card)).text
    assert f'name="{field}"' in page  # the author's page offers the edit form
    assert f'name="{field}"' not in as_role("facilitator").get(url(card)).text
    # Somebody else: 403, nothing changed.
    assert as_role("facilitator").post(edit, data={field: "Tuesday!"}).status_code == 403
    assert as_role("observer").post(edit, data={field: "Tuesday!"}).status_code == 403
    # Empty: 422 with the form open and the error shown; the comment keeps its text.
    response = as_role("member", htmx=True).post(edit, data={field: "  "})
    assert response.status_code == 422
    assert '<details class="comment-edit" open>' in response.text
    assert f'aria-describedby="{field}-error"' in response.text
    db.session.expire_all()
    assert db.session.get(type(comment), comment.id).body == "We meet on Monday"
    # The author: saved, marked as edited, in the card's history.
    response = as_role("member").post(edit, data={field: "We meet on *Tuesday*"})
    assert response.status_code == 303
    page = as_role("observer").get(url(card)).text
    assert "<em>Tuesday</em>" in page and "edited" in page
    assert "Max Member edited a comment on “Plan the kick-off”" in page


def test_a_comment_is_deleted_by_its_author_or_a_facilitator(card, as_role, world):
    member, observer = world.users["member"], world.users["observer"]
    mine = cards.add_comment(card, "Mine", language="en", actor=member)
    theirs = cards.add_comment(card, "Theirs", language="en", actor=world.users["facilitator"])
    db.session.commit()
    client = as_role("member", htmx=True)
    assert client.post(url(card, f"/comments/{theirs.id}/delete")).status_code == 403
    response = client.post(url(card, f"/comments/{mine.id}/delete"))
    assert response.status_code == 200 and "Mine" not in response.text and "Theirs" in response.text
    assert reload(card).comment_count == 1
    assert as_role("facilitator").post(url(card, f"/comments/{theirs.id}/delete")).status_code == 303
    assert reload(card).comment_count == 0 and reload(card).comments == []
    assert observer.id  # observers never see delete buttons:
    assert "/delete" not in as_role("observer").get(url(card)).text.split('id="card-comments"')[1]


def test_checklist_changes_are_in_the_card_history(card, as_role, world):
    client = as_role("member")
    client.post(url(card, "/checklist"), data={"checklist-text": "Book a room"})
    item = reload(card).checklist[0]
    client.post(url(card, f"/checklist/{item.id}/toggle"))
    client.post(url(card, f"/checklist/{item.id}/delete"))
    verbs = [
        a.verb
        for a in db.session.scalars(
            db.select(Activity)
            .where(Activity.subject_type == "card", Activity.subject_id == card.id)
            .order_by(Activity.id)
        )
    ]
    assert verbs[-3:] == ["card.checklist_added", "card.checklist_ticked", "card.checklist_removed"]
    page = client.get(url(card)).text
    assert "Max Member ticked off “Book a room” on “Plan the kick-off”" in page


def test_a_members_own_comment_and_checklist_forms_come_back_in_place_on_a_frozen_board(card, world, as_role):
    """The walk (test_forms_in_place) reaches these only as 403/404; here the member's own."""
    from sprintboard.services import facilitation

    member = world.users["member"]
    comment = cards.add_comment(card, "We meet on Monday", language="en", actor=member)
    item = cards.add_checklist_item(card, "Book a room", actor=member)
    facilitation.freeze_board(world.partnership, actor=world.users["facilitator"])
    db.session.commit()
    client = as_role("member")
    for action, data, section in (
        (f"/comments/{comment.id}/edit", {f"comment-{comment.id}-body": "On Tuesday"}, "card-comments"),
        (f"/comments/{comment.id}/delete", {}, "card-comments"),
        (f"/checklist/{item.id}/toggle", {}, "card-checklist"),
        (f"/checklist/{item.id}/delete", {}, "card-checklist"),
    ):
        for hx in ({}, {"HX-Request": "true"}):
            response = client.post(url(card, action), data=data, headers=hx)
            html = response.get_data(as_text=True)
            assert response.status_code == 423, action
            assert f'action="{url(card, action)}"' in html and "frozen the board" in html, action
            assert html.lstrip().startswith(f'<section id="{section}"') if hx else "<html" in html, action
            if data:
                assert "On Tuesday" in html
    assert reload(card).comment_count == 1 and not reload(card).checklist[0].done
