"""Matching: theme ranking, matches, votes, match → project, summary, CSV."""

import pytest

from sprintboard.extensions import db
from sprintboard.models import Card, Project
from sprintboard.services import Conflict, DomainError, entries, match, themes
from tests import factories


@pytest.fixture(autouse=True)
def _request(app, db):
    with app.test_request_context():  # messages are translated
        yield


@pytest.fixture
def p(world):
    return world.partnership


def _entries(p, city, theme, n):
    return [factories.entry(p, city, f"{theme} {city} {i}", themes=[theme]) for i in range(n)]


def test_themes_are_ranked_by_the_weaker_side_then_by_the_total(p):
    # weight = entries + actors tagged with the theme in that city
    _entries(p, 0, "culture", 2)
    factories.actor(p, 0, themes=["culture"])  # noqa: E702
    _entries(p, 1, "culture", 1)
    factories.actor(p, 1, themes=["culture"])  # noqa: E702  culture 3/2
    _entries(p, 0, "history", 5)
    _entries(p, 1, "history", 1)  # noqa: E702  history 5/1
    _entries(p, 0, "youth", 1)
    _entries(p, 1, "youth", 2)  # noqa: E702  youth 1/2
    _entries(p, 0, "environment", 1)
    _entries(p, 1, "environment", 1)  # noqa: E702  1/1
    factories.actor(p, 0, themes=["digital"])
    factories.actor(p, 1, themes=["digital"])  # noqa: E702
    _entries(p, 0, "sport", 5)  # only one side
    shared, one_sided = match.rank_themes(p, list(p.cities))
    assert [(r.theme.key, r.score, r.total) for r in shared] == [
        ("culture", 2, 5),
        ("history", 1, 6),
        ("youth", 1, 3),
        ("environment", 1, 2),
        ("digital", 1, 2),  # tie: the vocabulary's order
    ]
    assert [r.theme.key for r in one_sided] == ["sport"]
    culture = shared[0]
    assert [e.text for e in culture.entries[p.cities[0].id]] == ["culture 0 0", "culture 0 1"]
    assert [e.text for e in culture.entries[p.cities[1].id]] == ["culture 1 0"]


def test_ranking_all_cities_needs_every_city(p):
    from sprintboard.services import partnerships

    third = partnerships.add_city(p, "Kyiv", "UA", actor=None)
    _entries(p, 0, "culture", 1)
    _entries(p, 1, "culture", 1)  # noqa: E702
    _entries(p, 0, "youth", 1)
    _entries(p, 1, "youth", 1)
    _entries(p, 2, "youth", 1)  # noqa: E702
    shared, one_sided = match.rank_themes(p, list(p.cities))
    assert [r.theme.key for r in shared] == ["youth"]
    assert [r.theme.key for r in one_sided] == ["culture"]
    pair, _ = match.rank_themes(p, [p.cities[0], third])
    assert [r.theme.key for r in pair] == ["youth"]


def test_entries_reject_empty_text_unknown_kind_and_long_text(p):
    city = p.cities[0]
    with pytest.raises(DomainError):
        entries.create_entry(p, city, "interest", "   ", [], actor=None)
    with pytest.raises(DomainError):
        entries.create_entry(p, city, "wish", "Text", [], actor=None)
    with pytest.raises(DomainError):
        entries.create_entry(p, city, "need", "x" * 501, [], actor=None)
    with pytest.raises(DomainError):
        entries.create_entry(
            p, city, "need", "Text", [factories.theme(factories.partnership("Q"))], actor=None
        )
    assert entries.entries_of(p) == []


def test_a_match_needs_one_entry_per_city_of_this_partnership(world, p):
    a, a2 = _entries(p, 0, "culture", 2)
    (b,) = _entries(p, 1, "culture", 1)
    with pytest.raises(DomainError):
        match.create_match(p, [a], actor=None)
    with pytest.raises(DomainError):
        match.create_match(p, [a, a2], actor=None)
    foreign = factories.entry(world.other, 0, "Lviv", themes=["culture"])
    with pytest.raises(DomainError):
        match.create_match(p, [a, foreign], actor=None)
    with pytest.raises(DomainError):
        entries.resolve_entries(p, [a.id, foreign.id])
    m = match.create_match(p, [b, a], actor=None)
    assert m.theme.key == "culture"  # the theme both entries share
    with pytest.raises(Conflict):
        match.create_match(p, [a, b], actor=None)


def test_matches_are_dot_voted_with_the_facilitation_vote_hidden_until_revealed(world, p):
    from sprintboard.services import voting

    ms = [
        match.create_match(p, [factories.entry(p, 0, f"a{i}"), factories.entry(p, 1, f"b{i}")], actor=None)
        for i in range(3)
    ]
    match.create_project_from_match(ms[2], actor=None)  # already a project: not on the ballot
    session = match.open_dot_vote(p, votes_per_person=2, actor=world.users["facilitator"])
    assert [item.text for item in session.items] == [match.match_title(m) for m in ms[:2]]
    member, observer = world.users["member"], world.users["observer"]
    second = session.items[1]
    voting.cast_vote(session, second, actor=member)
    voting.cast_vote(session, second, actor=observer)
    voting.cast_vote(session, session.items[0], actor=observer)
    assert match.dot_votes(p) == {"session": session, "dots": {}}  # hidden while open
    assert match.matches_of(p, {})[0] is ms[0]
    voting.reveal_vote(session, actor=world.users["facilitator"])
    dots = match.dot_votes(p)["dots"]
    assert dots == {ms[0].id: 1, ms[1].id: 2}
    assert match.matches_of(p, dots)[0] is ms[1]  # most dots first
    header, rows = match.match_csv(p)
    assert [r[2] for r in rows] == [2, 1, ""]


def test_a_dot_vote_needs_two_open_matches(p):
    match.create_match(p, [factories.entry(p, 0), factories.entry(p, 1)], actor=None)
    with pytest.raises(DomainError):
        match.open_dot_vote(p, actor=None)


def test_a_match_becomes_a_project_with_entries_actors_and_a_first_card(world, p):
    user = world.users["member"]
    a = factories.entry(p, 0, "Youth orchestra exchange", themes=["culture"], kind="idea")
    b = factories.entry(p, 1, "Music school looks for partners", themes=["culture", "youth"], kind="need")
    helper_a = factories.actor(p, 0, "Philharmonie", themes=["culture"])
    helper_b = factories.actor(p, 1, "Music school no. 3", themes=["culture"])
    other_theme = factories.actor(p, 1, "Sports club", themes=["sport"])
    m = match.create_match(p, [a, b], actor=user)
    project = match.create_project_from_match(m, actor=user)
    db.session.commit()

    assert project.partnership is p
    assert "Youth orchestra exchange" in project.title and "Music school looks for partners" in project.title
    assert "Minsk" in project.summary and "Hamburg" in project.summary
    for text in ("Youth orchestra exchange", "Music school looks for partners"):
        assert text in project.summary
    assert project.lead_city is p.cities[0]
    assert match.project_entries_of(project) == [a, b]
    from sprintboard.services.actors import actors_for_project

    assert set(actors_for_project(project)) == {helper_a, helper_b}
    assert other_theme not in actors_for_project(project)
    cards = db.session.scalars(db.select(Card).where(Card.project_id == project.id)).all()
    assert len(cards) == 1 and cards[0].column.name == "Backlog"
    assert m.project is project and m.status == "accepted"
    with pytest.raises(Conflict):
        match.create_project_from_match(m, actor=user)
    assert db.session.scalar(db.select(db.func.count(Project.id))) == 1
    with pytest.raises(Conflict):
        match.delete_match(m, actor=user)


def test_deleting_an_entry_removes_its_open_matches(p):
    a = factories.entry(p, 0, "a")
    b = factories.entry(p, 1, "b")
    match.create_match(p, [a, b], actor=None)
    entries.delete_entry(a, actor=None)
    assert match.matches_of(p) == []
    assert entries.entries_of(p) == [b]


def test_facilitators_add_themes_named_per_locale(app, p):
    theme = themes.add_theme(p, {"de": "Städtepartnerschaft", "en": "Twinning"}, actor=None)
    assert themes.theme_name(theme, "en") == "Twinning"
    assert themes.theme_name(theme, "ru") == "Städtepartnerschaft"  # the first name given
    with pytest.raises(DomainError):
        themes.add_theme(p, {"en": "twinning"}, actor=None)
    with pytest.raises(DomainError):
        themes.add_theme(p, {"en": "  "}, actor=None)
    with app.test_request_context(headers={"Accept-Language": "de"}):
        with pytest.raises(DomainError):
            themes.add_theme(p, {"de": "Kultur"}, actor=None)  # a built-in theme's name
    with pytest.raises(DomainError):
        themes.resolve_themes(p, [theme.id, 999999])
    assert len(themes.themes_of(p)) == 10


def test_summary_counts_without_personal_data(p):
    factories.actor(p, 0, themes=["culture"], kind="school", consent=True, contact_email="a@b.de")
    factories.actor(p, 1, kind="school")
    a = factories.entry(p, 0)
    b = factories.entry(p, 1)
    factories.entry(p, 1)
    match.create_match(p, [a, b], actor=None)
    s = match.summary(p)
    assert s["actors"] == 2 and s["entries"] == 3 and s["matches"] == 1 and s["projects"] == 0
    assert s["cities"] == [
        {"city": "Minsk", "actors": 1, "entries": 1},
        {"city": "Hamburg", "actors": 1, "entries": 2},
    ]
    assert s["actors_by_kind"] == {"school": 2}
    assert "a@b.de" not in repr(s)


def test_match_csv_lists_matches_formula_safe(app, p):
    a = factories.entry(p, 0, "=HYPERLINK(1)", themes=["culture"])
    b = factories.entry(p, 1, "Choir", themes=["culture"])
    match.create_match(p, [a, b], actor=None)
    from sprintboard.csvsafe import to_csv

    header, rows = match.match_csv(p)
    text = to_csv(header, rows)
    assert "Minsk" in header[3] and rows[0][3] == "Interest: =HYPERLINK(1)"
    assert "\n'=" not in text and ",'=" not in text  # the cell starts with "Interest", not "="
    assert to_csv(["h"], [["=1+1"], ["@x"], ["-2"]]).splitlines()[1:] == ["'=1+1", "'@x", "'-2"]


def test_the_demo_partnership_has_actors_entries_and_matches(p):
    from sprintboard.seed.demo import create_demo

    demo = create_demo(password="demo-password-123")["partnership"]
    s = match.summary(demo)
    assert s["actors"] == 8 and s["entries"] == 10 and s["matches"] == 2
    shared, _one_sided = match.rank_themes(demo, list(demo.cities))
    assert shared[0].theme.key == "youth"


def test_what_was_recorded_during_a_workshop(p):
    import time_machine

    with time_machine.travel("2026-05-04 09:00", tick=False):
        factories.entry(p, 0, "Before")
    with time_machine.travel("2026-05-05 10:00", tick=False):
        during = factories.entry(p, 0, "During")
        actor = factories.actor(p, 1, "Museum")
    with time_machine.travel("2026-05-06 10:00", tick=False):
        factories.entry(p, 1, "After")
    from datetime import datetime

    got = match.recorded_between(p, datetime(2026, 5, 5), datetime(2026, 5, 6))
    assert got == {"actors": [actor], "entries": [during]}


def test_a_match_can_group_entries_of_more_than_two_cities(p):
    from sprintboard.services import partnerships

    partnerships.add_city(p, "Kyiv", "UA", actor=None)
    trio = [factories.entry(p, i, f"Choir {i}", themes=["culture"]) for i in range(3)]
    m = match.create_match(p, trio, actor=None)
    project = match.create_project_from_match(m, actor=None)
    assert match.project_entries_of(project) == trio
    assert project.summary.count("\n") == 2  # one line per city
