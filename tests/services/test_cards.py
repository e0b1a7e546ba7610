from datetime import date

import pytest

from sprintboard.extensions import db
from sprintboard.models import Activity
from sprintboard.services import DomainError, board, cards
from sprintboard.services.board import StaleEdit
from tests import factories


@pytest.fixture
def setup(world, ctx):
    p = world.partnership
    f = world.users["facilitator"]
    card = factories.card(p, "Plan the kick-off", column=1, actor=f)
    db.session.commit()
    return p, f, card


def _edit(card, actor, **changes):
    values = dict(
        version=card.version,
        title=card.title,
        body=card.body,
        project=card.project,
        estimate=card.estimate,
        due_date=card.due_date,
        language=card.language,
        assignees=list(card.assignees),
        labels=list(card.labels),
    )
    values.update(changes)
    return cards.update_card(card, actor=actor, **values)


def _verbs(card):
    return [a.verb for a in cards.history(card)]


def test_an_edit_changes_the_fields_bumps_the_version_and_is_logged(world, setup):
    p, f, card = setup
    project = factories.project(p, actor=f)
    label = factories.label(p, actor=f)
    member = world.users["member"]
    version = card.version
    changed = _edit(
        card,
        f,
        title="  Plan   the   kick-off  in Minsk ",
        body="Agenda",
        project=project,
        estimate=5,
        due_date=date(2026, 12, 1),
        language="ru",
        labels=[label],
        assignees=[member],
    )
    db.session.commit()
    assert card.title == "Plan the kick-off in Minsk"
    assert (card.project, card.estimate, card.language) == (project, 5, "ru")
    assert card.labels == [label] and card.assignees == [member]
    assert card.version == version + 1
    assert set(changed) == {
        "title",
        "body",
        "project",
        "estimate",
        "due_date",
        "language",
        "labels",
        "assignees",
    }
    edited, assigned = (
        db.session.scalar(db.select(Activity).filter_by(verb=v)) for v in ("card.edited", "card.assigned")
    )
    assert "assignees" not in edited.data["fields"] and "labels" in edited.data["fields"]
    assert assigned.data["added"] == ["Max Member"] and assigned.data["removed"] == []


def test_an_edit_without_changes_keeps_the_version(setup):
    _p, f, card = setup
    version = card.version
    assert _edit(card, f) == []
    assert card.version == version
    assert "card.edited" not in _verbs(card)


def test_a_stale_edit_is_refused_and_changes_nothing(setup):
    _p, f, card = setup
    old = card.version
    _edit(card, f, title="First edit")
    with pytest.raises(StaleEdit) as raised:
        _edit(card, f, title="Second edit", version=old)
    assert raised.value.card.title == "First edit"
    db.session.commit()
    assert card.title == "First edit"


@pytest.mark.parametrize(
    "changes",
    [
        {"estimate": -1},
        {"estimate": 101},
        {"body": "x" * 20_001},
        {"title": "  "},
        {"title": "x" * 201},
        {"language": "fr"},
    ],
)
def test_bad_values_are_refused(setup, changes):
    _p, f, card = setup
    with pytest.raises(DomainError):
        _edit(card, f, **changes)


def test_objects_of_another_partnership_or_observers_cannot_be_attached(world, setup):
    _p, f, card = setup
    other = world.other
    with pytest.raises(DomainError):
        _edit(card, f, project=factories.project(other))
    with pytest.raises(DomainError):
        _edit(card, f, labels=[factories.label(other)])
    for user in (world.users["outsider"], world.users["observer"]):
        with pytest.raises(DomainError):
            _edit(card, f, assignees=[user])


def test_checklist_counters_stay_exact(setup):
    _p, f, card = setup
    items = [cards.add_checklist_item(card, f"Step {i}", actor=f) for i in range(3)]
    cards.toggle_checklist_item(items[0], actor=f)
    cards.toggle_checklist_item(items[1], actor=f)
    cards.toggle_checklist_item(items[1], actor=f)
    cards.toggle_checklist_item(items[2], actor=f)
    cards.delete_checklist_item(items[2], actor=f)
    db.session.commit()
    db.session.refresh(card)
    assert (card.checklist_done, card.checklist_total) == (1, 2)
    assert [(i.text, i.done) for i in card.checklist] == [("Step 0", True), ("Step 1", False)]
    with pytest.raises(DomainError):
        cards.add_checklist_item(card, "   ", actor=f)


def test_checklist_and_comment_changes_bump_the_revision_not_the_version(setup):
    _p, f, card = setup
    version, revision = card.version, card.revision
    item = cards.add_checklist_item(card, "Book a room", actor=f)
    cards.toggle_checklist_item(item, actor=f)
    cards.add_comment(card, "Done!", language="de", actor=f)
    db.session.commit()
    db.session.refresh(card)
    assert (card.version, card.revision) == (version, revision + 3)


def test_comments_count_and_record_their_language(setup):
    _p, f, card = setup
    cards.add_comment(card, "Привет", language="ru", actor=f)
    cards.add_comment(card, "Hallo", language="de", actor=f)
    db.session.commit()
    db.session.refresh(card)
    assert card.comment_count == 2 == len(card.comments)
    assert [c.language for c in card.comments] == ["ru", "de"]
    assert _verbs(card).count("card.commented") == 2
    for body in ("", "x" * 5001):
        with pytest.raises(DomainError):
            cards.add_comment(card, body, language="en", actor=f)


def test_archive_and_restore(setup):
    _p, f, card = setup
    cards.archive_card(card, actor=f)
    assert card.archived_at is not None
    cards.restore_card(card, actor=f)
    assert card.archived_at is None
    assert _verbs(card)[:2] == ["card.restored", "card.archived"]


def test_archive_search_folds_case_in_any_script_and_escapes_wildcards(setup):
    p, f, _card = setup
    titles = ["Встреча в Минске", "Treffen in Hamburg", "100% Beteiligung", "Youth exchange"]
    made = [factories.card(p, t, actor=f) for t in titles]
    for card in made:
        cards.archive_card(card, actor=f)
    db.session.commit()

    def found(q):
        return sorted(c.title for c in cards.search_archived(p, q)[0])

    assert found("МИНСКЕ") == ["Встреча в Минске"]
    assert found("hamburg TREFFEN") == ["Treffen in Hamburg"]
    assert found("%") == ["100% Beteiligung"]
    assert found("") == sorted(titles)
    assert found("nothing like this") == []


def test_archive_search_looks_in_the_body_and_pages(setup):
    p, f, _card = setup
    for i in range(55):
        card = factories.card(p, f"Card {i}", actor=f, body="about the Bridge festival")
        cards.archive_card(card, actor=f)
    db.session.commit()
    first, total = cards.search_archived(p, "bridge", 1)
    second, _total = cards.search_archived(p, "bridge", 2)
    assert total == 55 and len(first) == 50 and len(second) == 5
    assert not {c.id for c in first} & {c.id for c in second}


def test_move_targets_list_at_most_100_open_cards_per_column(setup):
    p, f, card = setup
    columns = board.columns_of(p)
    for i in range(105):
        factories.card(p, f"Card {i}", column=2, actor=f)
    archived = factories.card(p, "Old", column=1, actor=f)
    cards.archive_card(archived, actor=f)
    db.session.commit()
    targets = dict((column.id, t) for column, t in cards.move_targets(p, card))
    assert [c.id for c in columns] == list(targets)
    assert len(targets[columns[2].id]) == 100
    assert targets[columns[2].id][0][1] == "Card 0"
    assert targets[columns[1].id] == []  # the card itself and archived cards are not offered
