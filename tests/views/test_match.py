"""The match page, entries and themes, per role, as pages and htmx fragments."""

import pytest
from flask import g
from flask_babel import refresh

from sprintboard.extensions import db
from sprintboard.models import Card, Match, MatchEntry, Project, Theme
from sprintboard.services import match as match_service
from tests import factories


def _pair(p, theme="culture"):
    a = factories.entry(p, 0, "Choir festival", themes=[theme])
    b = factories.entry(p, 1, "Singers want to travel", themes=[theme], kind="need")
    db.session.commit()
    return a, b


def fresh():
    """The tests share one app context, where Flask-Login and Flask-Babel cache the user and
    locale of the previous request: forget them before switching people or languages."""
    g.pop("_login_user", None)
    refresh()


def _count(model):
    return db.session.scalar(db.select(db.func.count(model.id)))


@pytest.mark.parametrize("role", ["observer", "member", "facilitator"])
def test_match_page_shows_ranked_themes_side_by_side(world, as_role, role):
    p = world.partnership
    _pair(p)
    factories.entry(p, 0, "Bike lanes", themes=["mobility"])
    db.session.commit()
    html = as_role(role).get(f"/p/{p.id}/match/").get_data(as_text=True)
    assert "Choir festival" in html and "Singers want to travel" in html
    assert "Culture" in html and "score 1, total 2" in html
    assert "Themes of only some cities" in html and "Mobility" in html
    assert ('name="entries"' in html) == (role != "observer")


def test_match_page_fragment_and_pair_selector(world, as_role):
    p = world.partnership
    from sprintboard.services import partnerships

    with as_role("facilitator").application.test_request_context():
        kyiv = partnerships.add_city(p, "Kyiv", "UA", actor=None)
    factories.entry(p, 0, "Minsk choir", themes=["culture"])
    factories.entry(p, 2, "Kyiv choir", themes=["culture"])
    db.session.commit()
    client = as_role("member", htmx=True)
    html = client.get(f"/p/{p.id}/match/?a={p.cities[0].id}&b={kyiv.id}").get_data(as_text=True)
    assert html.startswith('<div id="match-compare">')
    assert "Minsk choir" in html and "Kyiv choir" in html and 'name="a"' in html
    html = client.get(f"/p/{p.id}/match/?all=1").get_data(as_text=True)
    assert "All cities" in html and "No shared themes yet" in html  # Hamburg has nothing


def test_marking_a_match_and_turning_it_into_a_project(world, as_role):
    p = world.partnership
    a, b = _pair(p)
    theme = factories.theme(p)
    client = as_role("member")
    r = client.post(f"/p/{p.id}/match/matches", data={"entries": [a.id, b.id], "theme": theme.id})
    assert r.status_code == 303
    m = db.session.scalar(db.select(Match))
    htmx = as_role("member", htmx=True)
    r = htmx.post(f"/p/{p.id}/match/matches/{m.id}/accept")
    assert r.status_code == 403 and m.status == "proposed"  # accepting is for facilitators
    r = client.post(f"/p/{p.id}/match/matches/{m.id}/project")
    assert r.status_code == 303
    project = db.session.scalar(db.select(Project))
    assert "Choir festival" in project.title
    assert _count(Card) == 1
    html = client.get(f"/p/{p.id}/match/").get_data(as_text=True)
    assert "has been created with a first card" in html and "Turn into a project" not in html
    assert client.post(f"/p/{p.id}/match/matches/{m.id}/project").status_code == 409
    assert _count(Project) == 1


def test_bad_matches_get_clear_errors_and_change_nothing(world, as_role):
    p = world.partnership
    a, b = _pair(p)
    foreign = factories.entry(world.other, 0, "Elsewhere")
    db.session.commit()
    client = as_role("member")
    for data in (
        {"entries": [a.id]},
        {"entries": [a.id, foreign.id]},
        {"entries": [a.id, b.id], "theme": "999999"},
        {"entries": [a.id, b.id], "theme": "x"},
    ):
        r = client.post(f"/p/{p.id}/match/matches", data=data)
        assert r.status_code == 422, data
    htmx = as_role("member", htmx=True)
    r = htmx.post(f"/p/{p.id}/match/matches", data={"entries": [a.id, foreign.id]})
    assert r.status_code == 422 and r.headers["HX-Retarget"] == "#match-compare"
    assert "Unknown entry" in r.get_data(as_text=True)
    assert _count(Match) == 0


def test_a_refused_match_comes_back_in_its_theme_with_the_entry_ticked(world, as_role):
    """One city's entry alone: the theme's form again, the reason beside it, the tick kept."""
    p = world.partnership
    a, _b = _pair(p)
    theme = factories.theme(p, "culture")
    for client in (as_role("member"), as_role("member", htmx=True)):
        r = client.post(f"/p/{p.id}/match/matches", data={"entries": [a.id], "theme": theme.id})
        html = r.get_data(as_text=True)
        assert r.status_code == 422
        assert f'id="pick-{theme.id}-error"' in html and "Choose entries of at least two cities." in html
        assert f'id="pick-{theme.id}-{a.id}" checked' in html
        assert html.lstrip().startswith('<div id="match-compare"') == client.htmx
    assert _count(Match) == 0


def test_facilitators_accept_and_remove_matches(world, as_role):
    p = world.partnership
    m = factories.match(p, _pair(p))
    db.session.commit()
    client = as_role("facilitator", htmx=True)
    html = client.post(f"/p/{p.id}/match/matches/{m.id}/accept").get_data(as_text=True)
    assert "Accepted" in html
    assert client.post(f"/p/{p.id}/match/matches/{m.id}/delete").status_code == 200
    assert _count(Match) == 0


def test_entries_are_created_edited_and_deleted(world, as_role):
    p = world.partnership
    culture = factories.theme(p)
    db.session.commit()
    client = as_role("member")
    page = client.get(f"/p/{p.id}/entries/").get_data(as_text=True)
    assert "New entry" in page
    r = client.post(
        f"/p/{p.id}/entries/",
        data={
            "city": p.cities[1].id,
            "kind": "potential",
            "text": "  An old   harbour ",
            "themes": [culture.id],
        },
    )
    assert r.status_code == 303
    entry = db.session.scalar(db.select(MatchEntry))
    assert (entry.text, entry.city_id, entry.themes) == ("An old harbour", p.cities[1].id, [culture])
    r = client.get(f"/p/{p.id}/entries/{entry.id}/edit")
    assert "An old harbour" in r.get_data(as_text=True)
    r = client.post(
        f"/p/{p.id}/entries/{entry.id}/edit",
        data={"city": p.cities[0].id, "kind": "idea", "text": "A harbour festival", "themes": []},
    )
    assert r.status_code == 303 and entry.text == "A harbour festival" and entry.themes == []
    fresh()
    assert "A harbour festival" in as_role("observer").get(f"/p/{p.id}/entries/").get_data(as_text=True)
    fresh()
    fragment = as_role("observer", htmx=True).get(f"/p/{p.id}/entries/").get_data(as_text=True)
    assert fragment.startswith('<div id="entries">')
    fresh()
    assert client.post(f"/p/{p.id}/entries/{entry.id}/delete").status_code == 303
    assert _count(MatchEntry) == 0


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "idea", "text": "   "}, "This field is required"),
        ({"kind": "idea", "text": "x" * 501}, "500"),
        ({"kind": "idea", "text": "Ok", "themes": ["999999"]}, "Unknown theme"),
        ({"kind": "wish", "text": "Ok"}, "Not a valid choice"),
    ],
)
def test_bad_entries_are_refused_with_a_message(world, as_role, data, message):
    p = world.partnership
    r = as_role("member").post(f"/p/{p.id}/entries/", data={"city": p.cities[0].id, **data})
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    assert _count(MatchEntry) == 0


def test_an_entry_of_another_partnership_cannot_be_edited(world, as_role):
    foreign = factories.entry(world.other, 0, "Elsewhere")
    db.session.commit()
    p = world.partnership
    r = as_role("facilitator").post(
        f"/p/{p.id}/entries/{foreign.id}/edit", data={"city": p.cities[0].id, "kind": "idea", "text": "x"}
    )
    assert r.status_code == 404 and foreign.text == "Elsewhere"


def test_facilitators_add_themes_with_names_per_language(world, as_role):
    p = world.partnership
    client = as_role("facilitator")
    assert "Add a theme" in client.get(f"/p/{p.id}/themes/").get_data(as_text=True)
    r = client.post(f"/p/{p.id}/themes/", data={"name_en": "Twinning", "name_de": "Städtepartnerschaft"})
    assert r.status_code == 303
    html = client.get(f"/p/{p.id}/themes/").get_data(as_text=True)
    assert "Twinning" in html and "Städtepartnerschaft" not in html
    fresh()
    assert "Städtepartnerschaft" in client.get(f"/p/{p.id}/themes/?lang=de").get_data(as_text=True)
    fresh()
    client.get(f"/p/{p.id}/themes/?lang=en")  # the choice is remembered: back to English
    fresh()
    assert client.post(f"/p/{p.id}/themes/", data={"name_en": "twinning"}).status_code == 422
    r = client.post(f"/p/{p.id}/themes/", data={})
    assert r.status_code == 422 and "at least one language" in r.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Theme.id)).filter_by(partnership_id=p.id)) == 10
    fresh()
    assert "Add a theme" not in as_role("member").get(f"/p/{p.id}/themes/").get_data(as_text=True)


def test_match_csv_and_home_section(world, as_role):
    p = world.partnership
    factories.match(p, _pair(p))
    db.session.commit()
    client = as_role("observer")
    r = client.get(f"/p/{p.id}/match/export.csv")
    assert r.mimetype == "text/csv" and "Choir festival" in r.get_data(as_text=True)
    html = client.get(f"/p/{p.id}").get_data(as_text=True)
    assert 'id="match-summary"' in html and "1 match" in html
    assert match_service.summary(p)["entries"] == 2


def _queries(client, url):
    import sqlalchemy as sa

    count = 0

    def _count(*_args):
        nonlocal count
        count += 1

    sa.event.listen(db.engine, "before_cursor_execute", _count)
    try:
        fresh()
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", _count)
    return count


def test_pages_need_the_same_number_of_queries_for_more_data(world, as_role):
    p = world.partnership
    client = as_role("member")

    def grow(start, n):
        for i in range(start, start + n):
            a = factories.entry(p, 0, f"A{i}", themes=["culture", "youth"])
            b = factories.entry(p, 1, f"B{i}", themes=["culture"])
            factories.actor(
                p, i % 2, f"Actor {i}", themes=["culture", "sport"], consent=True, contact_person="X"
            )
            m = factories.match(p, [a, b])
            del m
        db.session.commit()

    urls = [f"/p/{p.id}/match/", f"/p/{p.id}/actors/", f"/p/{p.id}/entries/", f"/p/{p.id}"]
    grow(0, 2)
    small = [_queries(client, u) for u in urls]
    grow(2, 10)
    assert [_queries(client, u) for u in urls] == small


def test_origin_and_helpers_keep_contacts_and_edit_links_from_observers(world, as_role):
    from sprintboard.services import actors

    p = world.partnership
    a, b = _pair(p)
    helper = factories.actor(
        p, 0, "Choir association", themes=["culture"], consent=True, contact_email="secret@choir.example"
    )
    project = match_service.create_project_from_match(factories.match(p, [a, b]), actor=None)
    card = db.session.scalar(db.select(Card))
    actors.link_card(helper, card, actor=None)
    db.session.commit()
    observer = as_role("observer")
    origin = observer.get(f"/p/{p.id}/projects/{project.id}").get_data(as_text=True)
    helpers = observer.get(f"/p/{p.id}/cards/{card.id}").get_data(as_text=True)
    origin = origin.split(f'id="project-origin-{project.id}"')[1]
    helpers = helpers.split(f'id="card-helpers-{card.id}"')[1]
    assert "Choir festival" in origin and "Singers want to travel" in origin and "Choir association" in origin
    assert "Choir association" in helpers and f"/actors/{helper.id}/edit" not in helpers  # observers: no edit
    assert "secret@choir.example" not in origin + helpers


def test_facilitators_open_a_dot_vote_on_the_matches(world, as_role):
    from sprintboard.models.facilitation import VoteSession
    from sprintboard.services import voting

    p = world.partnership
    first = factories.match(p, _pair(p))
    second = factories.match(p, [factories.entry(p, 0, "Bike lanes"), factories.entry(p, 1, "Bike sharing")])
    db.session.commit()
    client = as_role("facilitator")
    page = client.get(f"/p/{p.id}/match/").get_data(as_text=True)
    assert "Open a dot vote on the open matches" in page
    assert client.post(f"/p/{p.id}/match/dot-vote", data={"votes_per_person": 0}).status_code == 422
    r = client.post(f"/p/{p.id}/match/dot-vote", data={"votes_per_person": 2})
    session = db.session.scalar(db.select(VoteSession))
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/facilitation/votes/{session.id}")
    page = client.get(f"/p/{p.id}/match/").get_data(as_text=True)
    assert "Go to the dot vote" in page and "Open a dot vote" not in page
    voting.cast_vote(session, session.items[1], actor=world.users["member"])
    voting.reveal_vote(session, actor=world.users["facilitator"])
    db.session.commit()
    fresh()
    html = as_role("observer").get(f"/p/{p.id}/match/").get_data(as_text=True)
    listed = html[html.index('id="matches"') :]
    assert "1 dot" in listed and listed.index("Bike lanes") < listed.index("Choir festival")
    assert "Open a dot vote" not in html
    assert first.id and second.id


def test_a_workshop_page_lists_what_was_recorded_on_its_days(world, as_role):
    from datetime import date

    import time_machine

    from sprintboard.models.workshop import Workshop

    p = world.partnership
    workshop = Workshop(
        partnership=p,
        title="Kick-off Minsk",
        kind="kickoff",
        start_date=date(2026, 5, 5),
        end_date=date(2026, 5, 6),
    )
    db.session.add(workshop)
    with time_machine.travel("2026-05-06 15:00", tick=False):
        factories.entry(p, 0, "A youth festival")
        factories.actor(p, 0, "Youth centre", consent=True, contact_email="hidden@example.org")
    with time_machine.travel("2026-05-07 09:00", tick=False):
        factories.entry(p, 0, "Recorded later")
    db.session.commit()
    html = as_role("observer").get(f"/p/{p.id}/workshops/{workshop.id}").get_data(as_text=True)
    html = html.split(f'id="recorded-{workshop.id}"')[1]
    assert "A youth festival" in html and "Youth centre" in html and "1 actor" in html
    assert "Recorded later" not in html and "hidden@example.org" not in html


def test_project_and_card_pages_show_origin_and_helpers(world, as_role):
    from sprintboard.services import actors

    p = world.partnership
    a, b = _pair(p)
    helper = factories.actor(p, 1, "Music school no. 3", themes=["culture"])
    project = match_service.create_project_from_match(factories.match(p, [a, b]), actor=None)
    card = db.session.scalar(db.select(Card))
    actors.link_card(helper, card, actor=None)
    db.session.commit()
    client = as_role("observer")
    html = client.get(f"/p/{p.id}/projects/{project.id}").get_data(as_text=True)
    assert "Where this project comes from" in html and "Singers want to travel" in html
    assert "Music school no. 3" in html
    html = client.get(f"/p/{p.id}/cards/{card.id}").get_data(as_text=True)
    assert "Who can help" in html and "Music school no. 3" in html
    match_page = client.get(f"/p/{p.id}/match/").get_data(as_text=True)
    assert f"/p/{p.id}/projects/{project.id}" in match_page


def _revealed_vote(world, p, texts):
    """Matches made of `texts` pairs, a revealed dot vote on them giving each the dots listed."""
    from sprintboard.services import voting

    made = [factories.match(p, [factories.entry(p, 0, a), factories.entry(p, 1, b)]) for a, b, _dots in texts]
    session = match_service.open_dot_vote(p, votes_per_person=20, actor=world.users["facilitator"])
    for item, (_a, _b, dots) in zip(session.items, texts, strict=True):
        for _ in range(dots):
            voting.cast_vote(session, item, actor=world.users["member"])
    voting.reveal_vote(session, actor=world.users["facilitator"])
    db.session.commit()
    return made, session


VOTED = [
    ("Choir festival", "Singers travel", 1),
    ("Bike lanes", "Bike sharing", 5),
    ("School twinning", "Pupil exchange", 3),
    ("Old town walks", "Guides wanted", 0),
    ("Solar roofs", "Energy advice", 2),
]


def test_the_vote_result_ticks_the_top_three_and_makes_them_projects_in_one_step(world, as_role):
    p = world.partnership
    made, session = _revealed_vote(world, p, VOTED)
    client = as_role("member")
    html = client.get(f"/p/{p.id}/match/").get_data(as_text=True)
    result = html[html.index('id="vote-result"') : html.index("</section>", html.index('id="vote-result"'))]
    assert result.index("Bike lanes") < result.index("School twinning") < result.index("Solar roofs")
    assert result.index("Solar roofs") < result.index("Choir festival") < result.index("Old town walks")
    ticked = {m.id for m in made if f'value="{m.id}" id="pick-match-{m.id}" checked' in result}
    assert ticked == {made[1].id, made[2].id, made[4].id}
    assert result.count("Turn into a project") == 5
    # The vote's own page leads here.
    vote_page = client.get(f"/p/{p.id}/facilitation/votes/{session.id}").get_data(as_text=True)
    assert "Turn the top matches into projects" in vote_page and "#vote-result" in vote_page

    r = client.post(f"/p/{p.id}/match/projects", data={"matches": [made[1].id, made[2].id, made[4].id]})
    assert r.status_code == 303
    projects = db.session.scalars(db.select(Project).order_by(Project.id)).all()
    assert [pr.title for pr in projects] == [
        "Bike lanes ↔ Bike sharing",
        "School twinning ↔ Pupil exchange",
        "Solar roofs ↔ Energy advice",
    ]
    assert [made[i].project_id for i in (1, 2, 4)] == [pr.id for pr in projects]
    assert made[0].project_id is None and _count(Card) == 3
    html = client.get(f"/p/{p.id}/match/").get_data(as_text=True)
    assert "3 projects have been created" in html
    result = html[html.index('id="vote-result"') :]
    # Now the next two are the top of what is left: they are ticked.
    assert f'id="pick-match-{made[0].id}" checked' in result
    assert f'id="pick-match-{made[1].id}"' not in result and "Solar roofs ↔ Energy advice</a>" in result


def test_the_vote_result_with_htmx_and_one_match_at_a_time(world, as_role):
    p = world.partnership
    made, _session = _revealed_vote(world, p, VOTED[:3])
    htmx = as_role("member", htmx=True)
    r = htmx.post(f"/p/{p.id}/match/projects", data={"matches": [made[1].id, made[2].id]})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.startswith('<section id="matches"')
    assert "2 projects have been created" in html and _count(Project) == 2
    # The button beside a match makes just that one.
    r = htmx.post(f"/p/{p.id}/match/matches/{made[0].id}/project", data={"matches": [made[0].id]})
    assert r.status_code == 200 and _count(Project) == 3
    assert "Turn the ticked matches into projects" not in r.get_data(as_text=True)


def test_the_vote_result_refuses_bad_choices_in_place_and_changes_nothing(world, as_role):
    p = world.partnership
    made, _session = _revealed_vote(world, p, VOTED[:3])
    foreign = factories.match(
        world.other, [factories.entry(world.other, 0, "Far"), factories.entry(world.other, 1, "Away")]
    )
    match_service.create_project_from_match(made[2], actor=None)
    db.session.commit()
    before = _count(Project)
    client = as_role("member")
    r = client.post(f"/p/{p.id}/match/projects", data={})
    assert r.status_code == 422 and "Tick at least one match." in r.get_data(as_text=True)
    r = client.post(f"/p/{p.id}/match/projects", data={"matches": "x"})
    assert r.status_code == 422 and "Choose matches from the list." in r.get_data(as_text=True)
    htmx = as_role("member", htmx=True)
    r = htmx.post(f"/p/{p.id}/match/projects", data={"matches": [made[0].id, made[2].id]})
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and html.startswith('<section id="matches"')
    assert "is already a project; nothing was created." in html
    assert f'id="pick-match-{made[0].id}" checked' in html  # the ticks are kept
    url = f"/p/{p.id}/match/projects"
    assert client.post(url, data={"matches": [made[0].id, foreign.id]}).status_code == 404
    assert _count(Project) == before and made[0].project_id is None
    assert as_role("observer").post(url, data={"matches": [made[0].id]}).status_code == 403
    fresh()
    html = as_role("observer").get(f"/p/{p.id}/match/").get_data(as_text=True)
    assert "3 dots" in html and 'id="vote-result"' not in html and "Turn into a project" not in html


def test_the_vote_result_on_a_frozen_board_comes_back_in_place_with_the_ticks(world, as_role):
    """A member sends the vote result while the facilitator has frozen the board to present it:
    the result form again (ticked as sent) with the reason in their language, nothing created."""
    from sprintboard.models.base import utcnow

    p = world.partnership
    made, _session = _revealed_vote(world, p, VOTED[:3])
    p.frozen_at = utcnow()
    db.session.commit()
    url = f"/p/{p.id}/match/projects"
    german = {"Accept-Language": "de"}
    for htmx in (False, True):
        client = as_role("member", htmx=htmx)
        for sent in ({"matches": [made[0].id, made[2].id]}, {"matches": "superuser"}, {}):
            r = client.post(url, data=sent, headers=german)
            html = r.get_data(as_text=True)
            assert r.status_code == 423, (htmx, sent)
            assert html.startswith('<section id="matches"') if htmx else '<html lang="de"' in html
            result = html[html.index('id="vote-result"') :]
            assert f'action="{url}"' in result and "Angekreuzte Matches zu Projekten machen" in result
            assert "Die Moderation hat das Board vorübergehend eingefroren" in result
            ticked = {m.id for m in made if f'id="pick-match-{m.id}" checked' in result}
            assert ticked == ({made[0].id, made[2].id} if isinstance(sent.get("matches"), list) else set())
    assert _count(Project) == 0
