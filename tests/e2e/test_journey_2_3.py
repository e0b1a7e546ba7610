"""Journeys 2 and 3 (/work/shared/JOURNEYS.md): a facilitator runs the kick-off of a city.

Journey 2, in German on a laptop: accept the invitation, set a password, switch to German, set the
kick-off's dates and venue, build its agenda from two toolbox methods, record 15 actors and 10
entries during the workshop, mark it held; the workshop page lists what was recorded.

Journey 3, the same in the partner city in Russian on a 360 px phone with JavaScript off: every
action is a plain form, and no page scrolls sideways.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from playwright.sync_api import expect

from sprintboard.extensions import db
from sprintboard.models import Actor, MatchEntry, User
from sprintboard.models.base import utcnow
from sprintboard.services import invitations, toolbox
from tests import factories

NEW_PASSWORD = "a long new password 42"
PHONE = {"width": 360, "height": 800}


def _seed(city_index, email):
    """What exists before the journey: the partnership (with its standard workshop series), the
    public toolbox, and an invitation for the facilitator of city `city_index`."""
    admin = factories.user("Anna Admin", is_admin=True)
    partnership = factories.partnership("Hamburg – Minsk", (("Hamburg", "DE"), ("Minsk", "BY")), actor=admin)
    toolbox.seed()
    _invitation, link = invitations.invite(
        partnership, email, "facilitator", partnership.cities[city_index], actor=admin
    )
    db.session.commit()
    return partnership, urlsplit(link).path  # the link from the email, on this server


def _days():
    """The kick-off runs today and tomorrow (UTC: what is recorded today belongs to it, even if the
    test happens to run across midnight)."""
    today = utcnow().date()
    return today, today + timedelta(days=1)


def _next_year(day):
    return day + timedelta(days=365)


def _accept(page, path, name):
    page.goto(path)
    expect(page.get_by_role("heading", name="Join Hamburg – Minsk")).to_be_visible()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account and join").click()
    page.wait_for_url(re.compile(r"/p/\d+$"))
    expect(page.locator("#flash")).to_contain_text("Welcome to Hamburg – Minsk!")


def _audit(axe_check, page):
    """axe on the page once its stylesheet is in (contrast and scrolling depend on it)."""
    page.wait_for_load_state("load")
    axe_check(page)


def _tab(page, name):
    page.get_by_role("navigation", name=re.compile("Partnerschaft|Партнёрство|Partnership")).get_by_role(
        "link", name=name, exact=True
    ).click()


# Journey 2 ---------------------------------------------------------------------------------------

ACTORS_DE = [
    # name, kind, theme, contact person (None: no consent)
    ("Philharmonie Hamburg", "Kultureinrichtung", "Kultur", "Clara Schumann"),
    ("Bezirksamt Altona", "Verwaltung", "Soziales", "Jens Peters"),
    ("Gymnasium Ottensen", "Schule", "Jugend", "Petra Lange"),
    ("HafenCity Universität", "Hochschule", "Umwelt", None),
    ("Fahrradinitiative Nord", "Initiative", "Mobilität", "Ole Hansen"),
    ("Sportverein Eimsbüttel", "NGO", "Sport", None),
    ("Stadtteilarchiv Ottensen", "Kultureinrichtung", "Geschichte", None),
    ("Handelskammer Hamburg", "Unternehmen", "Wirtschaft", None),
    ("Bücherhallen Hamburg", "Kultureinrichtung", "Digitales", None),
    ("Jugendring Hamburg", "NGO", "Jugend", None),
    ("Radio Hamburg Nord", "Medien", "Kultur", None),
    ("Nachbarschaftstreff Altona", "Initiative", "Soziales", None),
    ("Umweltzentrum Karlshöhe", "NGO", "Umwelt", None),
    ("Volkshochschule Hamburg", "Schule", "Digitales", None),
    ("Maria Krüger", "Einzelperson", "Geschichte", None),
]
ENTRIES_DE = [
    # kind, text, theme
    ("Interesse", "Chöre beider Städte wollen gemeinsam singen", "Kultur"),
    ("Bedarf", "Partnerschule für einen Schüleraustausch", "Jugend"),
    ("Potenzial", "Leerstehende Halle für Ausstellungen", "Kultur"),
    ("Idee", "Gemeinsame Radtour entlang der Elbe", "Mobilität"),
    ("Interesse", "Erfahrungsaustausch zu Mülltrennung", "Umwelt"),
    ("Bedarf", "Dolmetscher für Begegnungen", "Soziales"),
    ("Potenzial", "Archiv mit Fotos der Partnerschaft seit 1990", "Geschichte"),
    ("Idee", "Digitales Stadtspiel für Jugendliche", "Digitales"),
    ("Interesse", "Fußballturnier der Partnerstädte", "Sport"),
    ("Idee", "Markt für Produkte aus beiden Regionen", "Wirtschaft"),
]


def test_journey_2_a_facilitator_runs_the_kickoff_in_german(page, live_server, db, axe_check):
    partnership, invite = _seed(0, "frieda@example.org")
    start, end = _days()

    # Accept the invitation, set a password, then choose German with the visible switcher.
    _accept(page, invite, "Frieda Förster")
    with page.expect_navigation():
        page.get_by_label("Language").select_option("de")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Hamburg – Minsk", level=1)).to_be_visible()

    # The kick-off in Hamburg: dates and venue.
    _tab(page, "Workshops")
    page.get_by_role("region", name="Zeitleiste").get_by_role("link", name="Kick-off in Hamburg").click()
    expect(page.get_by_role("heading", name="Kick-off in Hamburg", level=1)).to_be_visible()
    details = page.locator("#workshop-details")
    details.get_by_text("Termine, Uhrzeiten, Gastgeberstadt und Ort bearbeiten").click()
    # (She types next year's dates by mistake; marking the workshop held will show her.)
    details.get_by_label("Startdatum").fill(_next_year(start).isoformat())
    details.get_by_label("Enddatum").fill(_next_year(end).isoformat())
    details.get_by_label("Ort").fill("Motte, Eulenstraße 43")
    details.get_by_role("button", name="Speichern").click()
    expect(page.locator("#workshop-details")).to_contain_text("Motte, Eulenstraße 43")
    expect(page.locator("#workshop-details .status")).to_have_text("geplant")

    # The agenda, from two toolbox methods.
    agenda = page.locator("#agenda")
    for count, (title, minutes, method) in enumerate(
        [
            ("Kennenlernen der Partner", "45", "Speed-Dating für Partner"),
            ("Akteure der Stadt sammeln", "90", "Stakeholder-Mapping"),
        ],
        start=1,
    ):
        add = page.locator("#agenda > form")
        add.get_by_label("Tagesordnungspunkt").fill(title)
        add.get_by_label("Minuten").fill(minutes)
        add.get_by_label("Methode aus der Toolbox").select_option(label=method)
        add.get_by_role("button", name="Hinzufügen").click()
        expect(agenda.locator("ol.agenda > li")).to_have_count(count)
    expect(agenda.get_by_role("link", name="Speed-Dating für Partner")).to_be_visible()
    expect(agenda.get_by_role("link", name="Stakeholder-Mapping")).to_be_visible()
    expect(agenda).to_contain_text("Gesamt: 135 Minuten")
    _audit(axe_check, page)

    # During the workshop: 15 actors of the city, four of them with consent to store a contact.
    _tab(page, "Akteure")
    for i, (name, kind, theme, person) in enumerate(ACTORS_DE):
        page.get_by_role("link", name="Akteur hinzufügen").click()
        form = page.locator("#actor-form")
        expect(form.get_by_role("heading", name="Akteur hinzufügen")).to_be_visible()
        form.get_by_label("Name", exact=True).fill(name)
        expect(form.get_by_label("Stadt")).to_have_value(str(partnership.cities[0].id))  # the home city
        form.get_by_label("Art").select_option(label=kind)
        form.get_by_role("checkbox", name=theme, exact=True).check()
        if person:
            form.get_by_label("Die Einwilligung zur Speicherung der Kontaktdaten liegt vor").check()
            form.get_by_label("Kontaktperson").fill(person)
            form.get_by_label("Kontakt-E-Mail").fill(f"kontakt{i}@example.org")
        elif i == 5:  # typed by mistake without consent: it must not be kept
            form.get_by_label("Kontaktperson").fill("Karl Kicker")
            form.get_by_label("Kontakttelefon").fill("+49 40 123456")
        if i == 0:
            _audit(axe_check, page)
        form.get_by_role("button", name="Speichern").click()
        expect(page.locator("#flash")).to_contain_text(f"{name} wurde hinzugefügt.")
    results = page.locator("#actor-results")
    expect(results.get_by_role("status")).to_have_text("15 Akteure")
    table = results.get_by_role("table", name="Akteure")
    consented = table.get_by_role("row", name=re.compile("Philharmonie Hamburg"))
    expect(consented).to_contain_text("Clara Schumann")
    expect(consented.get_by_role("link", name="kontakt0@example.org")).to_be_visible()
    without = table.get_by_role("row", name=re.compile("Sportverein Eimsbüttel"))
    expect(without).to_contain_text("keine Einwilligung")
    expect(without).not_to_contain_text("Karl Kicker")
    expect(without).not_to_contain_text("123456")
    expect(table.get_by_text("keine Einwilligung")).to_have_count(11)
    _audit(axe_check, page)

    # ... and 10 interests, needs, potentials and ideas with themes.
    _tab(page, "Match")
    page.get_by_role("link", name="Interessen, Bedarfe, Potenziale, Ideen").click()
    expect(page.get_by_role("heading", name="Neuer Eintrag")).to_be_visible()
    _audit(axe_check, page)
    for count, (kind, text, theme) in enumerate(ENTRIES_DE, start=1):
        form = page.locator("#entry-form")
        expect(form.get_by_label("Stadt")).to_have_value(str(partnership.cities[0].id))
        form.get_by_label("Art").select_option(label=kind)
        form.get_by_label("Text").fill(text)
        form.get_by_role("checkbox", name=theme, exact=True).check()
        form.get_by_role("button", name="Speichern").click()
        expect(page.get_by_role("heading", name=f"Hamburg ({count})")).to_be_visible()
        expect(page.locator("#flash")).to_contain_text("Der Eintrag wurde hinzugefügt.")
    hamburg = page.get_by_role("region", name="Hamburg (10)")
    expect(hamburg.get_by_role("listitem")).to_have_count(10)
    choirs = hamburg.get_by_role("listitem").filter(has_text="Chöre beider Städte wollen gemeinsam singen")
    expect(choirs).to_contain_text("Interesse")
    expect(choirs).to_contain_text("Kultur")

    # She looks an actor up from the header: "/" jumps to the search box.
    page.locator("main").click()
    page.keyboard.press("/")
    expect(page.locator("#site-search")).to_be_focused()
    page.keyboard.type("Ottensen")
    page.keyboard.press("Enter")
    found = page.locator("#search-results")
    expect(found.get_by_role("heading", level=2)).to_contain_text("„Ottensen“")
    expect(found.get_by_role("heading", name=re.compile("^Akteure"))).to_be_visible()
    for name in ("Gymnasium Ottensen", "Stadtteilarchiv Ottensen"):
        expect(found.get_by_role("link", name=name, exact=True)).to_be_visible()
    _audit(axe_check, page)
    page.go_back()

    # Mark the workshop held: refused in place, with the reason beside the date to correct.
    _tab(page, "Workshops")
    page.get_by_role("region", name="Zeitleiste").get_by_role("link", name="Kick-off in Hamburg").click()
    details = page.locator("#workshop-details")
    details.get_by_role("button", name="Als durchgeführt markieren").click()
    reason = "Ein Workshop in der Zukunft kann nicht als durchgeführt markiert werden."
    expect(details.get_by_role("alert").first).to_have_text(reason)
    expect(details.get_by_label("Startdatum")).to_be_visible()  # the dates are open, right there
    expect(details.get_by_label("Startdatum")).to_have_value(_next_year(start).isoformat())
    expect(details.locator(".status")).to_have_text("geplant")
    _audit(axe_check, page)
    details.get_by_label("Startdatum").fill(start.isoformat())
    details.get_by_label("Enddatum").fill(end.isoformat())
    details.get_by_role("button", name="Speichern").click()
    expect(details).not_to_contain_text(reason)
    details.get_by_role("button", name="Als durchgeführt markieren").click()
    expect(details.locator(".status")).to_have_text("durchgeführt")
    expect(details.get_by_role("button", name="Wieder als geplant markieren")).to_be_visible()
    recorded = page.locator("#outcomes").get_by_role("region", name="Während dieses Workshops erfasst")
    expect(recorded).to_contain_text("15 Akteure:")
    for name in ("Philharmonie Hamburg", "Sportverein Eimsbüttel", "Maria Krüger"):
        expect(recorded).to_contain_text(name)
    expect(recorded.locator("ul.entries > li")).to_have_count(10)
    expect(recorded).to_contain_text("Idee: Gemeinsame Radtour entlang der Elbe")
    expect(recorded).to_contain_text("Bedarf: Partnerschule für einen Schüleraustausch")
    expect(recorded).not_to_contain_text("Clara Schumann")
    expect(recorded).not_to_contain_text("@example.org")
    _audit(axe_check, page)

    # The timeline shows it as the last workshop held.
    page.get_by_role("link", name="Alle Workshops").click()
    expect(page.locator(".now-next")).to_contain_text("Zuletzt durchgeführt: Kick-off in Hamburg")

    db.session.rollback()  # see the browser's writes
    user = db.session.scalar(db.select(User).filter_by(email="frieda@example.org"))
    assert user.locale == "de"
    assert db.session.scalar(db.select(db.func.count(Actor.id)).where(Actor.consent.is_(True))) == 4
    assert db.session.scalar(db.select(Actor).filter_by(name="Sportverein Eimsbüttel")).contact_person is None
    assert db.session.scalar(db.select(db.func.count(MatchEntry.id))) == 10


# Journey 3 ---------------------------------------------------------------------------------------

ACTORS_RU = [
    ("Минская филармония", "Учреждение культуры", "Культура", "Ирина Ковалёва"),
    ("Гимназия № 12", "Школа", "Молодёжь", None),
    ("Велоклуб «Минск»", "Инициатива", "Спорт", None),
]
ENTRIES_RU = [
    ("Интерес", "Хор ищет партнёров для совместного концерта", "Культура"),
    ("Потребность", "Площадка для молодёжного обмена", "Молодёжь"),
    ("Идея", "Велопробег двух городов", "Спорт"),
]


def _slow_connection(page):
    """About 3G, with every request taking its time; new pages must still arrive whole."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 150, "downloadThroughput": 150_000, "uploadThroughput": 60_000},
    )


def _fits(page):
    """Nothing sticks out sideways on the phone (wide tables scroll inside their own box).
    Call it once an expect() has seen the new page: this waits for its stylesheet."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def test_journey_3_the_partner_city_on_a_phone_without_javascript(
    new_context, live_server, db, log_in, axe_check
):
    partnership, invite = _seed(1, "irina@example.org")
    start, end = _days()
    page = new_context(java_script_enabled=False, viewport=PHONE).new_page()
    _slow_connection(page)

    # Accept the invitation and set a password; choose Russian with the switcher's button.
    _accept(page, invite, "Ирина Петрова")
    _fits(page)
    page.get_by_text("Menu", exact=True).click()  # on a phone the header folds into a menu
    page.get_by_label("Language").select_option("ru")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", name="Hamburg – Minsk", level=1)).to_be_visible()
    _fits(page)

    # The kick-off in Minsk: dates and venue, through the plain form.
    _tab(page, "Воркшопы")
    expect(page.get_by_role("region", name="Хронология")).to_be_visible()
    _fits(page)
    page.get_by_role("region", name="Хронология").get_by_role("link", name="Кик-офф в городе Minsk").click()
    expect(page.get_by_role("heading", name="Кик-офф в городе Minsk", level=1)).to_be_visible()
    _fits(page)
    details = page.locator("#workshop-details")
    details.get_by_text("Изменить даты, время, принимающий город и место").click()
    details.get_by_label("Дата начала").fill(start.isoformat())
    details.get_by_label("Дата окончания").fill(end.isoformat())
    details.get_by_label("Место проведения").fill("Дом дружбы, ул. Захарова 28")
    details.get_by_role("button", name="Сохранить").click()
    expect(page.locator("#workshop-details")).to_contain_text("Дом дружбы, ул. Захарова 28")
    expect(page.locator("#workshop-details .status")).to_have_text("запланирован")

    # One toolbox method on the agenda.
    add = page.locator("#agenda > form")
    add.get_by_label("Пункт программы").fill("Идеи для города")
    add.get_by_label("Минуты").fill("60")
    add.get_by_label("Метод из набора инструментов").select_option(label="Мировое кафе (World Café)")
    add.get_by_role("button", name="Добавить").click()
    agenda = page.locator("#agenda")
    expect(agenda.locator("ol.agenda > li")).to_have_count(1)
    expect(agenda.get_by_role("link", name="Мировое кафе (World Café)")).to_be_visible()
    expect(agenda).to_contain_text("Всего минут: 60")
    _fits(page)

    # Three actors of Minsk, one with consent to store a contact.
    _tab(page, "Акторы")
    expect(page.get_by_role("link", name="Добавить актора")).to_be_visible()
    _fits(page)
    for name, kind, theme, person in ACTORS_RU:
        page.get_by_role("link", name="Добавить актора").click()
        form = page.locator("#actor-form")
        expect(form.get_by_role("heading", name="Добавить актора")).to_be_visible()
        _fits(page)
        form.get_by_label("Название", exact=True).fill(name)
        expect(form.get_by_label("Город")).to_have_value(str(partnership.cities[1].id))  # the home city
        form.get_by_label("Вид").select_option(label=kind)
        form.get_by_role("checkbox", name=theme, exact=True).check()
        if person:
            form.get_by_label("Согласие на хранение контактных данных получено").check()
            form.get_by_label("Контактное лицо").fill(person)
            form.get_by_label("Контактный e-mail").fill("philharmonia@example.org")
        form.get_by_role("button", name="Сохранить").click()
        expect(page.locator("#flash")).to_contain_text(f"{name}: добавлено.")
    table = page.locator("#actor-results").get_by_role("table", name="Акторы")
    expect(table.get_by_role("row")).to_have_count(4)  # the header and three actors
    expect(table.get_by_role("row", name=re.compile("Минская филармония"))).to_contain_text("Ирина Ковалёва")
    expect(table.get_by_role("row", name=re.compile("Гимназия"))).to_contain_text("нет согласия")
    _fits(page)

    # Three entries with themes.
    _tab(page, "Мэтч")
    expect(page.get_by_role("link", name="Интересы, потребности, потенциалы, идеи")).to_be_visible()
    _fits(page)
    page.get_by_role("link", name="Интересы, потребности, потенциалы, идеи").click()
    expect(page.get_by_role("heading", name="Новая запись")).to_be_visible()
    for count, (kind, text, theme) in enumerate(ENTRIES_RU, start=1):
        form = page.locator("#entry-form")
        expect(form.get_by_label("Город")).to_have_value(str(partnership.cities[1].id))
        form.get_by_label("Вид").select_option(label=kind)
        form.get_by_label("Текст").fill(text)
        form.get_by_role("checkbox", name=theme, exact=True).check()
        form.get_by_role("button", name="Сохранить").click()
        expect(page.get_by_role("heading", name=f"Minsk ({count})")).to_be_visible()
        expect(page.locator("#flash")).to_contain_text("Запись добавлена.")
    _fits(page)

    # Mark the kick-off held; its page lists what was recorded.
    _tab(page, "Воркшопы")
    page.get_by_role("region", name="Хронология").get_by_role("link", name="Кик-офф в городе Minsk").click()
    page.locator("#workshop-details").get_by_role("button", name="Отметить как проведённый").click()
    expect(page.locator("#workshop-details .status")).to_have_text("проведён")
    recorded = page.locator("#outcomes").get_by_role("region", name="Записано во время этого воркшопа")
    expect(recorded).to_contain_text("3 актора:")
    for name, *_rest in ACTORS_RU:
        expect(recorded).to_contain_text(name)
    expect(recorded.locator("ul.entries > li")).to_have_count(3)
    expect(recorded).to_contain_text("Идея: Велопробег двух городов")
    expect(recorded).not_to_contain_text("Ирина Ковалёва")
    _fits(page)
    page.get_by_role("link", name="Все воркшопы").click()
    expect(page.locator(".now-next")).to_contain_text("Последний проведённый: Кик-офф в городе Minsk")
    _fits(page)

    # axe needs JavaScript: the same person on the same phone, in a browser with it on.
    audit = new_context(viewport=PHONE).new_page()
    db.session.rollback()  # see the account the browser created
    log_in(audit, db.session.scalar(db.select(User).filter_by(email="irina@example.org")), NEW_PASSWORD)
    audit.goto(f"/p/{partnership.id}")
    expect(audit.locator("html")).to_have_attribute("lang", "ru")
    _audit(axe_check, audit)
    _tab(audit, "Воркшопы")
    expect(audit.get_by_role("region", name="Хронология")).to_be_visible()
    _audit(axe_check, audit)
    audit.get_by_role("region", name="Хронология").get_by_role("link", name="Кик-офф в городе Minsk").click()
    expect(audit.get_by_role("region", name="Записано во время этого воркшопа")).to_be_visible()
    _audit(axe_check, audit)
    _tab(audit, "Акторы")
    expect(audit.get_by_role("table", name="Акторы")).to_be_visible()
    _audit(axe_check, audit)
    audit.get_by_role("link", name="Добавить актора").click()
    expect(audit.get_by_role("heading", name="Добавить актора")).to_be_visible()
    _audit(axe_check, audit)
    _tab(audit, "Мэтч")
    audit.get_by_role("link", name="Интересы, потребности, потенциалы, идеи").click()
    expect(audit.get_by_role("heading", name="Minsk (3)")).to_be_visible()
    _audit(axe_check, audit)
