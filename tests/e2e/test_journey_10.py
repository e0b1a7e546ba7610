"""Journey 10, a BarCamp for several partnerships: 6 rooms × 4 slots, 30 proposals.

A facilitator (English, laptop) opens a stand-alone BarCamp with a public registration link, sets
up six rooms and four time slots (the first one running now) by hand. Twenty-eight people from
four cities have registered and proposed sessions; two more register from their phones, one in
Russian and one in German, propose a session each and put their dots. The facilitator lets
"suggest a schedule" fill the grid, moves one session by keyboard, and puts the grid on the wall;
the phones' "now / next" follow without reloading. A session's notes are written on a phone;
the printed schedule fits one A3 landscape page; afterwards three sessions become cards of
the Minsk – Hamburg partnership and the report lists sessions, hosts and interest per city.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from sprintboard.extensions import db
from sprintboard.models import Card, OpenSpace, SpaceSession
from sprintboard.services import openspace_report, openspace_sessions
from tests import factories

PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1366, "height": 900}
WALL = {"width": 1920, "height": 1080}
ROOMS = [("Aula", 60, True), ("Saal Minsk", 40, True), ("Raum Hamburg", 25, True), ("Lviv", 20, True),
         ("Wrocław", 15, True), ("Kabinett", 8, False)]  # fmt: skip
CITIES = [
    ("Minsk", ["ru", "en"]),
    ("Hamburg", ["de", "en"]),
    ("Lviv", ["uk", "en"]),
    ("Wrocław", ["pl", "en"]),
]
RU_TITLE = "Как городам-побратимам говорить с молодёжью"
DE_TITLE = "Partnerschaft ohne Papierkram"
NO_RELOAD = "window.__journey10 === true"  # a marker a reload would wipe
A3_LANDSCAPE_PT = (1190.55, 841.89)


def _venue_clock():
    """A time zone of the list whose clock is far from midnight now, and its local time."""
    for zone in ("UTC", "Europe/Berlin", "Europe/Minsk"):
        local = datetime.now(ZoneInfo(zone))
        if 1 <= local.hour < 22:
            return zone, local.replace(second=0, microsecond=0, tzinfo=None)
    raise AssertionError("no zone of the list is between 01:00 and 22:00")


def _slots(now):
    """Four 25-minute slots, the first one running now."""
    start = now - timedelta(minutes=10)
    return [(start + timedelta(minutes=30 * n), start + timedelta(minutes=30 * n + 25)) for n in range(4)]


def _crowd(event, count=28):
    """People who registered earlier (guests from four cities), one proposal each."""
    people, sessions = [], []
    for n in range(count):
        city, languages = CITIES[n % len(CITIES)]
        person, _key = factories.guest(event, f"Person {n + 1:02d}", city=city, languages=languages)
        people.append(person)
        sessions.append(
            factories.space_session(event, f"Session {n + 1:02d}", by=person, languages=languages[:1])
        )
    db.session.commit()
    return people, sessions


def _dots(event, people, wanted):
    """The crowd's dots: `wanted` is [(session, how many people)], the rest spread thinly."""
    givers = iter(people * 3)
    for session, times in wanted:
        for _n in range(times):
            openspace_sessions.add_dot(session, factories.viewer_of(event, next(givers)))
    db.session.commit()


def _phone(new_context):
    page = new_context(viewport=PHONE).new_page()
    page.add_init_script("window.__journey10 = true")  # (each new document gets it: see NO_RELOAD)
    return page


def _register(page, link, language, name, city, languages, register):
    page.goto(link)
    page.get_by_text("Menu", exact=True).click()  # on a phone the header folds into a menu
    with page.expect_navigation():  # the phone's owner picks their language on the first page
        page.get_by_label("Language").select_option(language)
    page.get_by_role("textbox", name=re.compile(r"^(Ваше имя|Ihr Name)")).fill(name)
    page.get_by_role("textbox", name=re.compile(r"^(Ваш город|Ihre Stadt)")).fill(city)
    for language in languages:
        page.get_by_role("checkbox", name=language, exact=True).check()
    page.get_by_role("button", name=register).click()
    page.wait_for_url(re.compile(r"/o/\d+/me$"))


def _propose(page, nav, title, format_, submit):
    page.get_by_role("navigation", name=re.compile("^(Открытое пространство|Open Space)$")).get_by_role(
        "link", name=nav, exact=True
    ).click()
    page.locator("input[name=title]").fill(title)
    page.locator("select[name=format]").select_option(format_)
    page.get_by_role("button", name=submit, exact=True).click()
    page.wait_for_url(re.compile(r"/o/\d+(#session-\d+)?$"))
    expect(page.locator("#flash")).to_contain_text(title)


def _dot(page, title, budget):
    item = page.locator(".os-session", has_text=title)
    item.get_by_role("button", name=re.compile(r"^\+1")).click()
    expect(page.locator(".budget strong")).to_have_text(budget)


def test_journey_10_barcamp(new_context, streams, world, log_in, axe_check):
    fiona = world.users["facilitator"]  # a facilitator of Minsk – Hamburg runs the BarCamp
    fiona.locale = "en"
    db.session.commit()
    zone, now = _venue_clock()
    staff = log_in(new_context(viewport=LAPTOP).new_page(), fiona)

    # 1. A stand-alone BarCamp with a public registration link, 6 rooms and 4 slots.
    staff.get_by_role("link", name="Open space", exact=True).click()
    staff.get_by_label("Title").fill("Twin City BarCamp")
    staff.get_by_label("Partnership").select_option("")
    staff.get_by_label("Time zone of the venue").select_option(zone)
    staff.get_by_label("Places for registration").fill("40")
    staff.get_by_label("Registration by the public link is open").check()
    staff.get_by_role("button", name="Create").click()
    staff.wait_for_url(re.compile(r"/o/\d+/settings$"))
    eid = int(re.search(r"/o/(\d+)/", staff.url).group(1))
    add_room = staff.locator(f"form[action='/o/{eid}/rooms']")
    for n, (name, places, step_free) in enumerate(ROOMS, start=1):
        add_room.get_by_label("Room", exact=True).fill(name)
        add_room.get_by_label("Places", exact=True).fill(str(places))
        add_room.get_by_label("Step-free access").set_checked(step_free)
        add_room.get_by_role("button", name="Add the room").click()
        expect(staff.locator("#rooms > ul > li")).to_have_count(n)
    slots = staff.locator(f"form[action='/o/{eid}/slots']")
    for n, (start, end) in enumerate(_slots(now), start=1):
        slots.get_by_label("Day").fill(start.date().isoformat())
        slots.get_by_label("Starts").fill(f"{start:%H:%M}")
        slots.get_by_label("Ends").fill(f"{end:%H:%M}")
        slots.get_by_role("button", name="Add the slot").click()
        expect(staff.locator("#slots > ul > li")).to_have_count(n)
    expect(staff.locator("#rooms")).to_contain_text("not step-free")
    link = staff.locator("#links input.copy").first.input_value()
    assert f"/o/{eid}/join/" in link
    axe_check(staff)

    db.session.rollback()
    event = db.session.get(OpenSpace, eid)
    people, crowd = _crowd(event)

    # 2. Two more register and propose from their phones: Minsk in Russian, Hamburg in German.
    ira = _phone(new_context)
    _register(ira, link, "ru", "Ирина Петрова", "Минск", ["Русский", "Английский"], "Зарегистрироваться")
    expect(ira.locator("#flash")).to_contain_text("Добро пожаловать, Ирина Петрова! Вы зарегистрированы.")
    expect(ira.locator("#personal-link")).to_have_value(re.compile(rf"/o/{eid}/me/\d+\."))
    _propose(ira, "Предложить", RU_TITLE, "discussion", "Предложить")
    jonas = _phone(new_context)
    _register(jonas, link, "de", "Jonas Becker", "Hamburg", ["Deutsch"], "Anmelden")
    _propose(jonas, "Vorschlagen", DE_TITLE, "workshop", "Vorschlagen")
    db.session.rollback()
    ru_session = db.session.scalar(db.select(SpaceSession).filter_by(title=RU_TITLE))
    de_session = db.session.scalar(db.select(SpaceSession).filter_by(title=DE_TITLE))
    assert db.session.scalar(db.select(db.func.count(SpaceSession.id)).filter_by(event_id=eid)) == 30

    # The crowd's dots: Hamburg's session is the most wanted, Minsk's the second.
    _dots(event, people, [(de_session, 14), (ru_session, 10)] + [(s, n % 3) for n, s in enumerate(crowd)])
    _dot(ira, DE_TITLE, "Вы использовали точек: 1 из 3.")
    _dot(ira, "Session 03", "Вы использовали точек: 2 из 3.")
    _dot(jonas, RU_TITLE, "Sie haben 1 von Ihren 3 Punkten vergeben.")
    expect(ira.locator("#sessions")).to_contain_text(
        "Сколько точек у каждой сессии, видят только фасилитаторы."
    )
    axe_check(ira)
    axe_check(jonas)
    for page, nav in ((ira, "Сейчас и дальше"), (jonas, "Jetzt und danach")):
        page.get_by_role("link", name=nav).click()
        page.wait_for_url(re.compile(r"/o/\d+/now$"))
    expect(ira.locator("#now-h")).to_have_text(re.compile("^Сейчас"))
    expect(ira.locator("#now")).to_contain_text("В этом слоте пока нет сессий.")
    axe_check(ira)

    # 3. The facilitator lets "suggest" fill the grid; the most wanted goes first into the Aula.
    staff.get_by_role("navigation", name="Open space").get_by_role("link", name="Grid").click()
    staff.wait_for_url(re.compile(r"/o/\d+/grid$"))  # loaded, so the button posts by htmx
    staff.get_by_role("button", name="Suggest a schedule").click()
    expect(staff.locator("#grid-status")).to_have_text(
        "The grid is filled: 24 of 30 sessions placed. Check the conflicts, then adjust."
    )
    expect(staff.locator(".os-summary")).to_contain_text("24 of 24 cells filled")
    expect(staff.locator(".os-summary")).to_contain_text("6 sessions not placed")
    aula_now = staff.locator("tbody tr").nth(0).locator("td").nth(0)
    aula_next = staff.locator("tbody tr").nth(1).locator("td").nth(0)
    expect(aula_now).to_contain_text(DE_TITLE)
    expect(aula_next).to_contain_text(RU_TITLE)
    axe_check(staff)

    # The phones show it without reloading: Hamburg's session now, Minsk's next, in the Aula.
    for page in (ira, jonas):
        expect(page.locator("#now-h + .os-now-list")).to_contain_text(DE_TITLE, timeout=5000)
        expect(page.locator("#next-h + .os-now-list")).to_contain_text(RU_TITLE)
        assert page.evaluate(NO_RELOAD)

    # 4. The grid goes on the wall (a projector, 1920 px).
    wall = staff.context.new_page()
    wall.set_viewport_size(WALL)
    wall.add_init_script("window.__journey10 = true")
    wall.goto(f"/o/{eid}/wall")
    expect(wall.locator("tr.is-now")).to_contain_text(DE_TITLE)
    axe_check(wall)

    # 5. One session moves by keyboard: Minsk's session swaps into the slot running now.
    ru_link = staff.locator(f"#gs-{ru_session.id}")
    ru_link.focus()
    ru_link.press("Shift+ArrowUp")
    expect(staff.locator("#grid-status")).to_contain_text(f"“{RU_TITLE}” is now in Aula")
    expect(aula_now).to_contain_text(RU_TITLE)
    expect(aula_next).to_contain_text(DE_TITLE)
    expect(staff.locator(f"#gs-{ru_session.id}")).to_be_focused()  # the keyboard user stays on it
    for page in (ira, jonas, wall):  # live, within a second or two, no reload
        target = page.locator("tr.is-now") if page is wall else page.locator("#now-h + .os-now-list")
        expect(target).to_contain_text(RU_TITLE, timeout=5000)
        assert page.evaluate(NO_RELOAD)
    expect(jonas.locator("#next-h + .os-now-list")).to_contain_text(DE_TITLE)
    expect(jonas.locator("#now-h")).to_have_text(re.compile("^Jetzt"))
    axe_check(jonas)

    # 6. During the session, Irina writes its notes on her phone.
    ira.locator("#now-h + .os-now-list").get_by_role("link", name=RU_TITLE).click()
    ira.get_by_label("Результат одним предложением").fill("Молодёжный совет в обоих городах")
    ira.get_by_role("textbox", name="Заметки").fill("- спросить школы\n- **встреча в июне** в Гамбурге")
    ira.locator("#notes-panel").get_by_role("checkbox", name="Русский", exact=True).check()
    ira.get_by_role("button", name="Сохранить заметки").click()
    expect(ira.locator("#notes-panel")).to_contain_text("Заметки сохранены.")
    expect(ira.locator("#notes-panel strong", has_text="встреча в июне")).to_be_visible()
    axe_check(ira)

    # 7. The printed schedule fits one A3 landscape page.
    printed = staff.context.new_page()
    printed.goto(f"/o/{eid}/print")
    printed.emulate_media(media="print")
    printed.set_viewport_size({"width": 1511, "height": 1046})  # A3 landscape less the margins, in CSS px
    assert printed.evaluate("document.documentElement.scrollWidth") <= 1511
    pdf = printed.pdf(prefer_css_page_size=True, print_background=True)
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", pdf)
    assert len(pages) == 1, f"{len(pages)} pages"
    box = [float(x) for x in re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf).groups()]
    assert abs(box[0] - A3_LANDSCAPE_PT[0]) < 2 and abs(box[1] - A3_LANDSCAPE_PT[1]) < 2, box

    # 8. Afterwards: three sessions become cards of Minsk – Hamburg, and the report.
    for session in (ru_session, de_session, crowd[2]):
        staff.goto(f"/o/{eid}/sessions/{session.id}")
        staff.get_by_role("button", name="Turn into a card").click()
        expect(staff.locator("#flash")).to_contain_text("is now a card in the backlog of Minsk – Hamburg.")
    db.session.rollback()
    cards = db.session.scalars(db.select(Card).where(Card.partnership_id == world.partnership.id)).all()
    assert sorted(c.title for c in cards) == sorted([RU_TITLE, DE_TITLE, "Session 03"])
    assert "встреча в июне" in next(c for c in cards if c.title == RU_TITLE).body
    staff.get_by_role("navigation", name="Open space").get_by_role("link", name="Report").click()
    expect(staff.locator("main")).to_contain_text("30 participants")
    expect(staff.locator("main")).to_contain_text("24 sessions held")
    row = staff.locator(".os-report tbody tr", has_text=RU_TITLE)
    expect(row).to_contain_text("Ирина Петрова (Минск)")
    for city, people_ in openspace_report.interest_by_city(event)[ru_session.id].items():
        expect(row).to_contain_text(f"{city}: {people_}")  # Jonas and the crowd, city by city
    expect(row).to_contain_text("Молодёжный совет в обоих городах")
    axe_check(staff)
