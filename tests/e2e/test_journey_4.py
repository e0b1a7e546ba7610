"""Journey 4, Match & Sprint: a mixed room in two languages around one projector.

The facilitator (English, on the projector) ranks the themes both cities share, marks matches, runs a
dot vote whose dots stay hidden until revealed, turns the top three matches into projects, plans and
starts sprint 1 and runs a 10-minute timebox; a member from Hamburg (German) and one from Minsk
(Russian) vote and add cards from their laptops and see each other's cards arrive live; the
facilitator freezes the board to present it, then unfreezes it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from sprintboard.extensions import db
from sprintboard.models import Card, Project, Sprint
from tests import factories

# What the two kick-offs recorded: entries (in the city's language) and actors, with themes.
MINSK = [  # city 0
    ("Молодёжный хор хочет выступить за рубежом", "interest", ["culture", "youth"]),
    ("Музыкальная школа ищет партнёров", "need", ["culture"]),
    ("Субботник в парке Горького", "idea", ["environment"]),
    ("Велопробег через весь город", "idea", ["sport"]),
    ("Курсы программирования для пенсионеров", "potential", ["digital"]),
]
HAMBURG = [  # city 1
    ("Jugendchor sucht Gastfamilien", "need", ["culture", "youth"]),
    ("Stadtteilfest mit Musik", "idea", ["culture"]),
    ("Elbstrand gemeinsam aufräumen", "idea", ["environment"]),
    ("Radtour an der Elbe", "interest", ["sport"]),
    ("Hafengeschichte erzählen", "potential", ["history"]),
]
ACTORS = [
    (0, "Филармония", ["culture"]),
    (1, "Elbphilharmonie Freundeskreis", ["culture"]),
    (1, "Landesjugendring", ["youth"]),
]

# The four matches, in the order the facilitator marks them: (theme, Minsk entry, Hamburg entry).
SPORT = ("4. Sport", "Велопробег через весь город", "Radtour an der Elbe")
ENVIRONMENT = ("3. Environment", "Субботник в парке Горького", "Elbstrand gemeinsam aufräumen")
MUSIC = ("1. Culture", "Музыкальная школа ищет партнёров", "Stadtteilfest mit Musik")
CHOIR = ("2. Youth", "Молодёжный хор хочет выступить за рубежом", "Jugendchor sucht Gastfamilien")

FIRST_CARD = "Agree on goals and first steps"  # each project's first card
GOAL = "Three projects with first steps agreed in both cities"
NO_RELOAD = "window.__journey4 === true"  # a marker a reload would wipe


def _kick_off_results(world):
    """What journeys 2 and 3 left behind: entries and actors of both cities, and the room."""
    p = world.partnership
    for city, rows in ((0, MINSK), (1, HAMBURG)):
        for text, kind, themes in rows:
            factories.entry(p, city, text, kind=kind, themes=themes)
    for city, name, themes in ACTORS:
        factories.actor(p, city, name, themes=themes)
    world.users["facilitator"].locale = "en"  # the projector speaks English
    world.users["member"].locale = "de"  # Max is from Hamburg
    irina = factories.member(p, "member", 0, name="Ирина Петрова")  # from Minsk; picks Russian below
    db.session.commit()
    return p.id, irina


def _match(page, theme, *texts):
    section = page.locator(".theme-rank", has=page.get_by_role("heading", name=re.compile(rf"^{theme}")))
    for text in texts:
        section.get_by_label(text).check()
    count = page.locator("#matches li[id^=match-]").count()
    section.get_by_role("button", name="Mark the chosen entries as a match").click()
    expect(page.locator("#matches li[id^=match-]")).to_have_count(count + 1)


def _vote(page, budget, *choices):
    """Put one dot on each of `choices` (match texts), waiting for each swap; `budget(n)` is the
    sentence saying n votes are used, in the voter's language."""
    for used, text in enumerate(choices, start=1):
        item = page.locator(".vote-items li", has_text=text)
        item.get_by_role("button", name=re.compile(r"^\+1")).click()
        expect(page.locator(".budget")).to_have_text(budget(used))


def _tab(page, name):
    """A tab of the partnership's navigation, in the page's language."""
    nav = page.get_by_role("navigation", name=re.compile("^(Partnership|Partnerschaft|Партнёрство)$"))
    nav.get_by_role("link", name=name, exact=True).click()


def _lane(page, text):
    """The board's lane of the project whose title holds `text`."""
    return page.get_by_role("region", name=re.compile(re.escape(text)))


def _add_card(page, lane, label, title):
    box = lane.get_by_role("textbox", name=re.compile(label))
    with page.expect_response(lambda r: r.url.endswith("/board/cards") and r.ok):
        box.fill(title)
        box.press("Enter")
    expect(box).to_have_value("")


def test_journey_4_match_and_sprint_in_a_mixed_room(new_context, streams, world, log_in, axe_check):
    pid, irina = _kick_off_results(world)
    fiona = log_in(new_context().new_page(), world.users["facilitator"])  # the projector
    max_ = log_in(new_context().new_page(), world.users["member"])  # Hamburg, German
    ira = log_in(new_context().new_page(), irina)  # Minsk: switches to Russian herself
    with ira.expect_navigation():
        ira.get_by_label("Language").select_option("ru")
    expect(ira.locator("html")).to_have_attribute("lang", "ru")

    # 1. The match page ranks the themes both cities carry, the strongest shared ones first.
    fiona.get_by_role("link", name="Minsk – Hamburg").click()
    _tab(fiona, "Match")
    expect(fiona.locator(".theme-rank h3")).to_have_text(
        [
            re.compile(r"^1\. Culture"),
            re.compile(r"^2\. Youth"),
            re.compile(r"^3\. Environment"),
            re.compile(r"^4\. Sport"),
        ]
    )
    expect(fiona.locator(".theme-rank").first).to_contain_text("Minsk: 3 · Hamburg: 3")
    expect(fiona.locator("#match-compare .one-sided")).to_contain_text("Digital: Minsk 1 · Hamburg 0")
    expect(fiona.locator("#match-compare .one-sided")).to_contain_text("History: Minsk 0 · Hamburg 1")
    axe_check(fiona)
    for theme, minsk, hamburg in (SPORT, ENVIRONMENT, MUSIC, CHOIR):
        _match(fiona, theme, minsk, hamburg)

    # 2. The room dot-votes on the matches; the dots stay hidden until the facilitator reveals them.
    fiona.get_by_label("Votes per person").fill("3")
    fiona.get_by_role("button", name="Open a dot vote on the open matches").click()
    fiona.wait_for_url(re.compile(r"/facilitation/votes/\d+$"))
    _vote(fiona, lambda n: f"You have used {n} of your 3 votes.", CHOIR[1], CHOIR[1], MUSIC[1])

    for page, tab, notice, go, budget in (
        (
            max_,
            "Match",
            "Eine Punktabstimmung über diese Matches läuft",
            "Zur Punktabstimmung",
            lambda n: f"Sie haben {n} von Ihren 3 Stimmen vergeben.",
        ),
        (
            ira,
            "Мэтч",
            "Идёт голосование точками по этим совпадениям",
            "Перейти к голосованию точками",
            lambda n: f"Вы использовали голосов: {n} из 3.",
        ),
    ):
        page.get_by_role("link", name="Minsk – Hamburg").click()
        _tab(page, tab)
        expect(page.locator("#matches")).to_contain_text(notice)
        expect(page.locator("#matches .votes")).to_have_count(0)  # nobody's dots show yet
        page.get_by_role("link", name=go).click()
        page.wait_for_url(re.compile(r"/facilitation/votes/\d+$"))
        expect(page.locator(".results")).to_have_count(0)
        _vote(page, budget, CHOIR[2], MUSIC[2], ENVIRONMENT[2])
    expect(ira.locator("#vote-h + p")).to_contain_text("Голоса скрыты, пока фасилитатор их не покажет")
    # Each voter sees only their own dots (the choir match has four by now).
    expect(ira.locator(".vote-items li", has_text=CHOIR[1]).locator(".dots")).to_have_text("Ваши голоса: 1")
    axe_check(max_)

    fiona.reload()
    expect(fiona.locator("#vote-h + p")).to_contain_text("People who have voted: 3.")
    expect(fiona.locator(".results")).to_have_count(0)
    fiona.get_by_role("button", name="Reveal the results").click()
    expect(fiona.get_by_role("heading", name="Results")).to_be_visible()
    expect(fiona.locator(".results li")).to_have_text(
        [
            re.compile(rf"{CHOIR[1]}.*4 votes$"),
            re.compile(rf"{MUSIC[1]}.*3 votes$"),
            re.compile(rf"{ENVIRONMENT[1]}.*2 votes$"),
            re.compile(rf"{SPORT[1]}.*0 votes$"),
        ]
    )
    # ... and now the members see them too, in their language, and the matches sorted by the dots.
    for page, tab, dots in (
        (max_, "Match", ("4 Punkte", "3 Punkte", "2 Punkte", "0 Punkte")),
        (ira, "Мэтч", ("4 точки", "3 точки", "2 точки", "0 точек")),
    ):
        _tab(page, tab)
        first = page.locator("#matches li[id^=match-]")
        expect(first).to_have_count(4)
        for row, text, count in zip((0, 1, 2, 3), (CHOIR, MUSIC, ENVIRONMENT, SPORT), dots, strict=True):
            expect(first.nth(row)).to_contain_text(text[1])
            expect(first.nth(row).locator(".votes")).to_have_text(count)

    # 3. The vote's result ticks the top three matches; they become projects in one step.
    _tab(fiona, "Match")
    result = fiona.locator("#vote-result")
    for text, ticked in ((CHOIR, True), (MUSIC, True), (ENVIRONMENT, True), (SPORT, False)):
        box = result.get_by_role("checkbox", name=re.compile(re.escape(text[1])))
        if ticked:
            expect(box).to_be_checked()
        else:
            expect(box).not_to_be_checked()
    axe_check(fiona)
    result.get_by_role("button", name="Turn the ticked matches into projects").click()
    expect(fiona.locator("#flash")).to_contain_text("3 projects have been created")
    matches = fiona.locator("#matches li[id^=match-]")
    for row in range(3):
        expect(matches.nth(row).get_by_role("link", name=re.compile("↔"))).to_be_visible()
    expect(matches.nth(3).get_by_role("button", name=re.compile("^Turn into a project"))).to_be_visible()
    db.session.rollback()  # see what the browsers wrote
    projects = db.session.scalars(db.select(Project).order_by(Project.id)).all()
    for project, (_theme, minsk, hamburg) in zip(projects, (CHOIR, MUSIC, ENVIRONMENT), strict=True):
        assert minsk in project.title and hamburg in project.title
    assert [
        [c.title for c in db.session.scalars(db.select(Card).where(Card.project_id == p.id))]
        for p in projects
    ] == [[FIRST_CARD]] * 3

    # 4. Sprint 1: goal and dates, the three first cards pulled from the backlog, started.
    today = date.today()
    _tab(fiona, "Sprints")
    fiona.get_by_label("Name").fill("Sprint 1")
    fiona.get_by_label("Goal").fill(GOAL)
    fiona.get_by_label("Start date").fill(today.isoformat())
    fiona.get_by_label("End date").fill((today + timedelta(days=13)).isoformat())
    fiona.get_by_role("button", name="Create sprint").click()
    fiona.wait_for_url(re.compile(r"/sprints/\d+$"))
    backlog = fiona.get_by_role("group", name="Cards from the backlog").get_by_role("checkbox")
    expect(backlog).to_have_count(3)
    for box in backlog.all():
        box.check()
    fiona.get_by_role("button", name="Add to sprint").click()
    expect(fiona.locator("#sprint-plan ul.people li")).to_have_count(3)
    expect(fiona.locator("#sprint-plan")).to_contain_text("The backlog is empty.")
    fiona.get_by_role("button", name="Start sprint").click()
    expect(fiona.locator("#flash")).to_contain_text("The sprint has started.")
    expect(fiona.locator("main")).to_contain_text(f"Goal: {GOAL}")
    db.session.rollback()
    sprint = db.session.scalar(db.select(Sprint))
    assert (sprint.name, sprint.state, sprint.goal) == ("Sprint 1", "active", GOAL)
    assert db.session.scalar(db.select(db.func.count(Card.id)).where(Card.sprint_id == sprint.id)) == 3

    # The members open the board on their laptops; both streams are open once each sees the other.
    for page, tab, sprint_line in (
        (max_, "Board", "Sprint: Sprint 1 — "),
        (ira, "Доска", "Спринт: Sprint 1 — "),
    ):
        _tab(page, tab)
        page.wait_for_url(re.compile(r"/board$"))
        expect(page.locator(".sprint-line")).to_have_text(sprint_line + GOAL)
        page.evaluate("window.__journey4 = true")
    expect(max_.locator("#presence")).to_contain_text("Minsk: Ирина Петрова")
    expect(ira.locator("#presence")).to_contain_text("Hamburg: Max Member")

    # 5. A 10-minute timebox, started on the projector, counts down on everyone's board.
    _tab(fiona, "Facilitation")
    fiona.get_by_label("Minutes").fill("10")
    fiona.get_by_label("What for (optional)").fill("Cards for sprint 1")
    fiona.get_by_role("button", name="Start timebox").click()
    ten_minutes = re.compile(r"^(10:00|09:\d\d)$")
    expect(fiona.locator("#timebox .timebox-clock")).to_have_text(ten_minutes)
    for page in (max_, ira):
        expect(page.locator("#timebox .timebox-clock")).to_have_text(ten_minutes)
        expect(page.locator("#timebox .timebox-label")).to_have_text("Cards for sprint 1")

    # 6. Members from both cities add cards and see each other's appear without reloading.
    _add_card(max_, _lane(max_, CHOIR[2]), "^Neue Karte in Zu erledigen", "Gastfamilien-Liste anlegen")
    expect(_lane(ira, CHOIR[2]).locator("li.card", has_text="Gastfamilien-Liste anlegen")).to_be_visible()
    _add_card(ira, _lane(ira, MUSIC[1]), "^Новая карточка: К выполнению", "Найти зал для репетиций")
    expect(_lane(max_, MUSIC[1]).locator("li.card", has_text="Найти зал для репетиций")).to_be_visible()
    for page in (max_, ira):
        for title in ("Gastfamilien-Liste anlegen", "Найти зал для репетиций"):
            expect(page.locator("#board li.card", has_text=title)).to_have_count(1)
        assert page.evaluate(NO_RELOAD)
        page.locator("h1").click()  # done typing: eyes on the projector
    # Each reads the other's cards in their own language: Max translates Irina's card in a second
    # tab; his board (not reloaded) shows it in German at once, hers keeps her Russian.
    russian = max_.locator("#board li.card", has_text="Найти зал для репетиций")
    expect(russian).to_contain_text("noch nicht übersetzt")
    card_id = russian.get_attribute("id").removeprefix("card-")
    tab = max_.context.new_page()
    tab.goto(f"/p/{pid}/cards/{card_id}")
    tab.get_by_role("link", name="Auf Deutsch übersetzen").click()
    tab.locator(".side-by-side form").get_by_label("Titel").fill("Probenraum finden")
    tab.get_by_role("button", name="Übersetzung speichern").click()
    expect(tab.locator("#card-title")).to_have_text("Probenraum finden")
    tab.close()
    expect(max_.locator(f"#card-link-{card_id}")).to_have_text("Probenraum finden")
    expect(max_.locator(f"#card-{card_id}")).not_to_contain_text("noch nicht übersetzt")
    expect(ira.locator(f"#card-link-{card_id}")).to_have_text("Найти зал для репетиций")
    assert max_.evaluate(NO_RELOAD)
    axe_check(ira)

    # 7. The facilitator freezes the board to present it: the members' boards turn read-only.
    fiona.get_by_role("button", name="Freeze the board").click()
    expect(fiona.locator("#freeze-panel")).to_contain_text("You have frozen the board")
    for page, banner in (
        (max_, "Die Moderation hat das Board eingefroren: Sie können es ansehen, aber nichts ändern"),
        (ira, "Фасилитатор заморозил доску: вы можете смотреть, но ничего не можете менять"),
    ):
        expect(page.locator("#frozen-banner")).to_contain_text(banner)
        expect(page.locator("#board li.card").first).to_be_visible()
        expect(page.locator("#board").get_by_role("textbox")).to_have_count(0)  # no quick add
        expect(page.locator("#board[data-editable]")).to_have_count(0)  # no dragging or keyboard moves
        assert page.evaluate(NO_RELOAD)
    # The server refuses a move all the same (as the board page would send it).
    headers = max_.locator("body").get_attribute("data-hx-headers")
    token = re.search(r'"X-CSRFToken": "([^"]+)"', headers).group(1)
    card = max_.locator("#board li.card", has_text="Gastfamilien-Liste anlegen")
    card_id = card.get_attribute("id").removeprefix("card-")
    column = max_.locator("#board .card-list").nth(2).get_attribute("data-column")
    refused = max_.request.post(
        f"/p/{pid}/cards/{card_id}/move", form={"column": column}, headers={"X-CSRFToken": token}
    )
    assert refused.status == 423, refused.status

    # The projector presents the frozen board (the facilitator may still change it).
    _tab(fiona, "Board")
    expect(fiona.locator("#frozen-banner")).to_contain_text("You have frozen the board")
    expect(fiona.locator("#timebox .timebox-clock")).to_have_text(ten_minutes)
    expect(fiona.locator("#board li.card", has_text="Найти зал для репетиций")).to_be_visible()
    axe_check(fiona)

    # ... then unfreezes it: the members can add cards again, and they still arrive live.
    _tab(fiona, "Facilitation")
    fiona.get_by_role("button", name="Unfreeze the board").click()
    expect(fiona.get_by_role("button", name="Freeze the board")).to_be_visible()
    for page in (max_, ira):
        expect(page.locator("#frozen-banner")).to_have_text("")
        expect(page.locator("#board[data-editable]")).to_have_count(1)
    _add_card(ira, _lane(ira, ENVIRONMENT[1]), "^Новая карточка: К выполнению", "Мешки и перчатки")
    expect(_lane(max_, ENVIRONMENT[1]).locator("li.card", has_text="Мешки и перчатки")).to_be_visible()
    _add_card(max_, _lane(max_, ENVIRONMENT[2]), "^Neue Karte in Zu erledigen", "Müllabfuhr anfragen")
    expect(_lane(ira, ENVIRONMENT[2]).locator("li.card", has_text="Müllabfuhr anfragen")).to_be_visible()
    for page in (max_, ira):
        assert page.evaluate(NO_RELOAD)

    db.session.rollback()
    added = dict(
        db.session.execute(db.select(Card.title, Card.project_id).where(Card.title != FIRST_CARD)).all()
    )
    by_title = {p.id: p.title for p in projects}
    assert {title: by_title[project] for title, project in added.items()} == {
        "Gastfamilien-Liste anlegen": next(t for t in by_title.values() if CHOIR[2] in t),
        "Найти зал для репетиций": next(t for t in by_title.values() if MUSIC[1] in t),
        "Мешки и перчатки": next(t for t in by_title.values() if ENVIRONMENT[1] in t),
        "Müllabfuhr anfragen": next(t for t in by_title.values() if ENVIRONMENT[2] in t),
    }
