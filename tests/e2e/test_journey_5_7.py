"""Journeys 5 and 7 of JOURNEYS.md, end to end in a real browser (journey 6: test_status_funding.py).

5. Between workshops: cards move by drag and drop, by keyboard and without JavaScript; two members
   edit one card and the second gets the conflict view; a funding idea is logged and moved to
   drafting; the sprint is closed with its two unfinished cards carried into sprint 2.
7. Sprint & Succeed and after: the "done since the last workshop" report (printed), a retrospective
   whose actions become cards (one moved by mistake and undone from the toast), projects marked
   complete, and a JSON backup restored elsewhere.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import date, datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Card, FundingIdea, Sprint
from sprintboard.services import board, workshops
from tests import factories


def _list(page, column_id):
    return page.locator(f'.card-list[data-column="{column_id}"]').first


def _card_on_board(page, column_id, title):
    return _list(page, column_id).locator("li.card", has=page.get_by_role("link", name=title, exact=True))


def test_journey_5_between_workshops(page, new_context, live_server, world, log_in, axe_check):
    """Max works in English with JavaScript, Greta in German without it; Fiona facilitates."""
    p = world.partnership
    max_, fiona = world.users["member"], world.users["facilitator"]
    greta = factories.member(p, "member", 1, name="Greta Gärtner")
    columns = [c.id for c in board.columns_of(p)]
    todo, doing, done = columns[1], columns[2], columns[4]
    flyers = factories.card(p, "Print the flyers", column=1, actor=max_, estimate=2)
    choir = factories.card(p, "Invite the choir", column=1, actor=max_, estimate=3)
    bus = factories.card(p, "Book the bus", column=2, actor=greta, estimate=5)
    programme = factories.card(
        p, "Translate the programme", column=1, actor=fiona, estimate=3, body="Draft in English first."
    )
    today = date.today()
    factories.sprint(
        p,
        "Sprint 1",
        start=today - timedelta(days=10),
        end=today,
        state="active",
        cards=[flyers, choir, bus, programme],
    )
    db.session.commit()

    # Max (English, JavaScript on) drags one card to Done and moves another by keyboard.
    max_page = log_in(new_context().new_page(), max_)
    max_page.get_by_role("link", name=p.name).click()
    max_page.get_by_role("navigation", name="Partnership").get_by_role("link", name="Board").click()
    max_page.wait_for_url("**/board")  # and its load event: board.js has set up drag and drop
    expect(_card_on_board(max_page, todo, "Print the flyers")).to_be_visible()
    with max_page.expect_response(lambda r: r.url.endswith("/move") and r.request.method == "POST") as moved:
        _card_on_board(max_page, todo, "Print the flyers").drag_to(_list(max_page, done))
    assert moved.value.status == 200
    expect(_card_on_board(max_page, done, "Print the flyers")).to_be_visible()

    max_page.get_by_role("link", name="Invite the choir", exact=True).focus()
    with max_page.expect_response(lambda r: r.url.endswith("/move") and r.request.method == "POST"):
        max_page.keyboard.press("Shift+ArrowRight")
    expect(max_page.locator("#board-status")).to_have_text(
        "Moved “Invite the choir” to In progress, position 1 of 2."
    )
    expect(_card_on_board(max_page, doing, "Invite the choir")).to_be_visible()
    max_page.reload()
    expect(_card_on_board(max_page, done, "Print the flyers")).to_be_visible()
    expect(_card_on_board(max_page, doing, "Invite the choir")).to_be_visible()

    # Greta (German, JavaScript off) switches the language and moves a card with the card page's form.
    greta_page = log_in(new_context(java_script_enabled=False).new_page(), greta)
    greta_page.get_by_label("Language").select_option("de")
    greta_page.get_by_role("button", name="Change").click()
    expect(greta_page.get_by_label("Sprache")).to_have_value("de")
    greta_page.get_by_role("link", name=p.name).click()
    greta_page.get_by_role("navigation", name="Partnerschaft").get_by_role("link", name="Board").click()
    greta_page.get_by_role("link", name="Book the bus", exact=True).click()
    expect(greta_page.locator("#card-title")).to_have_text("Book the bus")
    move_form = greta_page.locator("form.move-form")
    move_form.get_by_label("Spalte").select_option(label="Erledigt")  # the columns in her language
    move_form.get_by_role("button", name="Verschieben").click()
    expect(greta_page.locator(".facts")).to_contain_text("Erledigt")
    db.session.rollback()
    assert db.session.get(Card, bus.id).column_id == done

    # Both open the same card's edit form; Max saves first, Greta second and sees the conflict.
    max_page.get_by_role("link", name="Translate the programme", exact=True).click()
    expect(max_page.locator("#card-title")).to_have_text("Translate the programme")
    max_edit = max_page.locator("#card-edit")
    max_edit.locator("summary").click()
    greta_page.get_by_role("navigation", name="Partnerschaft").get_by_role("link", name="Board").click()
    greta_page.get_by_role("link", name="Translate the programme", exact=True).click()
    greta_edit = greta_page.locator("#card-edit")
    greta_edit.locator("summary").click()

    max_edit.get_by_label("Description").fill("English and German versions side by side.")
    max_edit.get_by_role("button", name="Save card").click()
    expect(max_page.locator("#card-detail .md").first).to_contain_text("side by side")

    greta_edit.get_by_label("Beschreibung").fill("Zuerst die deutsche Fassung, dann die englische.")
    greta_edit.get_by_role("button", name="Karte speichern").click()
    conflict = greta_page.locator("#card-edit.conflict")
    expect(conflict).to_be_visible()
    expect(conflict.get_by_role("alert")).to_contain_text("Noch wurde nichts gespeichert")
    expect(conflict.locator("td.theirs").nth(1)).to_contain_text("English and German versions side by side.")
    expect(conflict.locator("pre.source")).to_have_text("Zuerst die deutsche Fassung, dann die englische.")
    expect(conflict.get_by_label("Beschreibung")).to_have_value(  # her text is kept in the form
        "Zuerst die deutsche Fassung, dann die englische."
    )
    db.session.rollback()
    assert db.session.get(Card, programme.id).body == "English and German versions side by side."

    # Greta saves her version on top of Max's, knowingly.
    conflict.get_by_role("button", name="Meine Fassung speichern").click()
    expect(greta_page.locator("#card-detail .md").first).to_contain_text("Zuerst die deutsche Fassung")
    db.session.rollback()
    assert db.session.get(Card, programme.id).body == "Zuerst die deutsche Fassung, dann die englische."

    # Greta logs a funding idea and moves it to "drafting".
    deadline = today + timedelta(weeks=6)
    greta_page.get_by_role("navigation", name="Partnerschaft").get_by_role("link", name="Förderung").click()
    greta_page.get_by_role("link", name="Neue Förderidee").click()
    form = greta_page.locator("#funding-form")
    form.get_by_label("Titel", exact=True).fill("Choirs across borders")
    form.get_by_label("Fördergeber", exact=True).fill("Robert Bosch Stiftung")
    form.get_by_label("Förderprogramm", exact=True).fill("Actors of Urban Change")
    form.get_by_label("Beantragter Betrag").fill("25000.00")
    form.get_by_label("Währung").select_option("EUR")
    form.get_by_label("Frist").fill(deadline.isoformat())
    form.get_by_role("button", name="Speichern").click()
    facts = greta_page.locator(".facts")
    expect(facts).to_contain_text("25.000,00\xa0€")
    expect(facts).to_contain_text("Robert Bosch Stiftung")
    greta_page.get_by_label("Verschieben nach").select_option(label="Antrag in Arbeit")
    greta_page.get_by_role("button", name="Verschieben", exact=True).click()
    expect(greta_page.locator("#flash")).to_contain_text("Antrag in Arbeit")
    expect(facts).to_contain_text("Antrag in Arbeit")
    db.session.rollback()
    idea = db.session.scalar(select(FundingIdea).where(FundingIdea.title == "Choirs across borders"))
    assert (idea.status, str(idea.amount), idea.currency, idea.deadline) == (
        "drafting",
        "25000.00",
        "EUR",
        deadline,
    )

    # Fiona (English) plans sprint 2 and closes sprint 1, carrying the two unfinished cards.
    log_in(page, fiona)
    page.get_by_role("link", name=p.name).click()
    page.get_by_role("navigation", name="Partnership").get_by_role("link", name="Sprints").click()
    page.get_by_label("Name").fill("Sprint 2")
    page.get_by_label("Start date").fill((today + timedelta(days=1)).isoformat())
    page.get_by_label("End date").fill((today + timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Create sprint").click()
    expect(page.locator("#flash")).to_contain_text("The sprint has been created.")
    page.get_by_role("link", name="All sprints").click()
    page.get_by_role("link", name="Sprint 1", exact=True).click()
    page.get_by_role("link", name="Close sprint…").click()
    expect(page.get_by_text("2 cards are not done yet.")).to_be_visible()
    unfinished = page.get_by_role("region", name="Unfinished cards").get_by_role("listitem")
    expect(unfinished).to_have_count(2)
    expect(unfinished.filter(has_text="Invite the choir")).to_contain_text("In progress")
    expect(unfinished.filter(has_text="Translate the programme")).to_contain_text("To do")
    expect(page.get_by_role("checkbox", name="Invite the choir")).to_be_checked()  # all go along
    expect(page.get_by_role("checkbox", name="Translate the programme")).to_be_checked()
    axe_check(page)
    page.get_by_label("Ticked cards go to").select_option(label="Into Sprint 2")
    page.get_by_role("button", name="Close the sprint").click()
    expect(page.locator("#flash")).to_contain_text(
        "The sprint is closed; 2 unfinished cards went into Sprint 2."
    )
    page.get_by_role("link", name="All sprints").click()
    page.get_by_role("link", name="Sprint 2", exact=True).click()
    plan = page.locator("#sprint-plan")
    expect(plan.locator("ul.people > li")).to_have_count(2)
    expect(plan).to_contain_text("Invite the choir")
    expect(plan).to_contain_text("Translate the programme")
    db.session.rollback()
    sprint2 = db.session.scalar(
        select(Sprint).where(Sprint.partnership_id == p.id, Sprint.name == "Sprint 2")
    )
    carried = db.session.scalars(select(Card.title).where(Card.sprint_id == sprint2.id)).all()
    assert sorted(carried) == ["Invite the choir", "Translate the programme"]


def _final_workshop_seed(world):
    """Three workshops held, the last (Match & Sprint) 20 days ago; two projects with cards, two of
    them done since then and one before; the Sprint & Succeed workshop is today."""
    p, fiona = world.partnership, world.users["facilitator"]
    today = date.today()
    series = workshops.timeline(p)
    for workshop, days_ago in zip(series, (60, 45, 20, 0), strict=True):
        workshop.start_date = workshop.end_date = today - timedelta(days=days_ago)
        if days_ago:
            workshops.mark_held(workshop, actor=fiona)
    choir = factories.project(p, "Choir exchange", actor=fiona)
    bikes = factories.project(p, "Bike lanes", actor=fiona)
    early = factories.card(p, "Found the choir", column=4, project=choir, actor=fiona, estimate=1)
    early.done_at = datetime.combine(today - timedelta(days=25), datetime.min.time())
    factories.card(p, "Rehearse together", column=4, project=choir, actor=fiona, estimate=3)
    factories.card(p, "Map the routes", column=4, project=bikes, actor=world.users["member"], estimate=2)
    factories.card(p, "Count cyclists", column=2, project=bikes, actor=world.users["member"])
    db.session.commit()
    return p


def test_journey_7_sprint_and_succeed_and_after(page, live_server, world, log_in, axe_check, tmp_path):
    p = _final_workshop_seed(world)
    log_in(page, world.users["facilitator"])
    page.get_by_role("link", name=p.name).click()
    tabs = page.get_by_role("navigation", name="Partnership")

    # The workshop opens with the printed "done since the last workshop" report.
    page.get_by_role("link", name="The full report").click()
    report = page.locator("article.report")
    expect(report.get_by_role("heading", level=1)).to_have_text("Done since the last workshop")
    expect(report).to_contain_text("Since Match & Sprint")
    expect(report).to_contain_text("2 cards done (5 points).")
    expect(report.get_by_role("heading", name="Choir exchange")).to_be_visible()
    expect(report.get_by_role("heading", name="Bike lanes")).to_be_visible()
    expect(report).not_to_contain_text("Found the choir")  # done before the last workshop
    hint = page.get_by_text("Print this page from your browser")
    expect(hint).to_be_visible()
    axe_check(page)
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Partnership")).to_be_hidden()
    expect(hint).to_be_hidden()
    per_project = report.get_by_role("region", name="Per project")
    expect(per_project.get_by_role("cell", name="Rehearse together")).to_be_visible()
    expect(per_project.get_by_role("cell", name="Map the routes")).to_be_visible()
    assert page.pdf()[:4] == b"%PDF"
    page.emulate_media(media="screen")
    expect(page.locator("header.topbar")).to_be_visible()

    # The retrospective: its actions become cards in the backlog.
    tabs.get_by_role("link", name="Facilitation").click()
    page.get_by_role("link", name="Retrospective").click()
    retro = page.locator("#retro")
    notes = [
        ("Went well", "The choirs sang together twice"),
        ("To improve", "Send the minutes sooner"),
        ("Actions", "Minutes in both languages within a week"),
        ("Actions", "Plan a joint concert for the city festival"),
    ]
    for kind, text in notes:
        retro.get_by_label("Kind").select_option(label=kind)
        retro.get_by_label("Note").fill(text)
        retro.get_by_role("button", name="Add note").click()
        expect(retro.get_by_text(text, exact=True)).to_be_visible()
    for _kind, text in notes[2:]:
        retro.get_by_role("button", name=f"Make a card: {text}").click()
        expect(retro.locator("li", has_text=text)).to_contain_text("card created")
        expect(page.locator("#flash")).to_have_text(f"“{text}” is now a card in the backlog.")
    expect(retro.get_by_role("button", name="Make a card")).to_have_count(0)
    tabs.get_by_role("link", name="Board").click()
    page.wait_for_url("**/board")
    expect(page.locator("#flash")).to_be_empty()
    expect(page.get_by_role("link", name="Minutes in both languages within a week")).to_be_visible()
    expect(page.get_by_role("link", name="Plan a joint concert for the city festival")).to_be_visible()

    # She starts the concert card by keyboard, then thinks better of it: Undo puts it back.
    backlog = board.columns_of(p)[0].id
    title = "Plan a joint concert for the city festival"
    concert = page.locator(f'.card-list[data-column="{backlog}"] li.card', has_text=title)
    concert.get_by_role("link").focus()
    with page.expect_response(lambda r: r.url.endswith("/move") and r.request.method == "POST"):
        page.keyboard.press("Shift+ArrowRight")
    expect(concert).to_have_count(0)
    toast = page.locator("#flash .flash-undo")
    expect(toast).to_contain_text("Card moved.")
    axe_check(page, context="#flash")
    with page.expect_navigation():
        toast.get_by_role("button", name="Undo").click()
    expect(page.locator("#flash")).to_contain_text("Undone.")
    expect(concert).to_be_visible()
    db.session.rollback()
    moved_back = db.session.scalar(select(Card).where(Card.title == title))
    assert moved_back.column_id == backlog

    # Both projects are marked complete.
    for title in ("Choir exchange", "Bike lanes"):
        page.get_by_role("navigation", name="Partnership").get_by_role("link", name="Projects").click()
        page.get_by_role("link", name=title, exact=True).click()
        page.get_by_role("link", name="Edit project").click()
        page.get_by_label("Status").select_option(label="Complete")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("#flash")).to_contain_text("Saved.")
        expect(page.locator("#project-detail .status")).to_have_text("Complete")
    page.get_by_role("navigation", name="Partnership").get_by_role("link", name="Projects").click()
    expect(page.locator("#project-list .status-complete")).to_have_count(2)

    # The partnership as a JSON backup, restored on another server (an empty database).
    page.get_by_role("navigation", name="Partnership").get_by_role("link", name="Status").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Whole partnership as JSON").click()
    backup = tmp_path / download.value.suggested_filename
    download.value.save_as(backup)
    assert backup.suffix == ".json"

    other = tmp_path / "other.db"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "FLASK_APP")}
    env.update(DATABASE_URL=f"sqlite:///{other}", SECRET_KEY="another-server")
    done = subprocess.run(
        [sys.executable, "-c", "from sprintboard.console import main; main()", "import", str(backup)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert f"Imported the partnership {p.name}" in done.stdout

    with closing(sqlite3.connect(other)) as conn:
        ((pid, name),) = conn.execute("SELECT id, name FROM partnerships").fetchall()
        assert name == p.name
        projects = dict(conn.execute("SELECT title, status FROM projects WHERE partnership_id = ?", (pid,)))
        assert projects == {"Choir exchange": "complete", "Bike lanes": "complete"}
        cards = {t for (t,) in conn.execute("SELECT title FROM cards WHERE partnership_id = ?", (pid,))}
        assert {
            "Minutes in both languages within a week",
            "Plan a joint concert for the city festival",
            "Rehearse together",
            "Count cyclists",
        } <= cards
        actions = conn.execute(
            "SELECT n.text, c.title FROM retro_notes n JOIN cards c ON c.id = n.card_id"
            " WHERE n.kind = 'action' ORDER BY n.id"
        ).fetchall()
        assert [text for text, title in actions if text == title] == [
            "Minutes in both languages within a week",
            "Plan a joint concert for the city festival",
        ]
        emails = {e for (e,) in conn.execute("SELECT email FROM users")}
        assert world.users["facilitator"].email in emails
