"""Journey 3 (/work/shared/JOURNEYS.md) with the venue's connection cut for part of the workshop.

The facilitator of the partner city runs the kick-off in Russian on a 360 px phone with JavaScript:
she prepares the workshop online, then the Wi-Fi fails. Offline she records actors and interests,
needs and ideas, moves, quick-adds, comments on and edits cards, and reads the agenda and its
toolbox method from what the phone kept ("shown as of"). Back online everything is saved in the
order it was made, nothing is lost, and the one edit that clashes with a change made meanwhile
is listed with the conflict view until she saves it on top.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from playwright.sync_api import expect

from sprintboard.extensions import db
from sprintboard.models import Activity, Actor, Card, Comment, MatchEntry
from sprintboard.models.base import utcnow
from sprintboard.services import board, cards, invitations, toolbox
from tests import factories

PASSWORD = "a long new password 42"
PHONE = {"width": 360, "height": 800}
ACTORS = [
    ("Минская филармония", "Учреждение культуры", "Культура", "Ирина Ковалёва"),
    ("Велоклуб «Минск»", "Инициатива", "Спорт", None),
]
ENTRIES = [
    ("Интерес", "Хор ищет партнёров для совместного концерта", "Культура"),
    ("Идея", "Велопробег двух городов", "Спорт"),
]
# Waits until the phone keeps a page (wait_for_function would not await the cache's promise).
KEPT = """async path => {
  const deadline = Date.now() + 15000, url = new URL(path, location.href).href;
  while (!(await caches.open("sb-pages-v1").then(c => c.match(url)))) {
    if (Date.now() > deadline) throw new Error("not kept on the device: " + url);
    await new Promise(tick => setTimeout(tick, 50));
  }
}"""


def _seed():
    admin = factories.user("Anna Admin", is_admin=True)
    partnership = factories.partnership("Hamburg – Minsk", (("Hamburg", "DE"), ("Minsk", "BY")), actor=admin)
    toolbox.seed()
    _invitation, link = invitations.invite(
        partnership, "irina@example.org", "facilitator", partnership.cities[1], actor=admin
    )
    choir = factories.card(partnership, "Концерт двух хоров", actor=admin)
    ride = factories.card(partnership, "Маршрут велопробега", actor=admin)
    db.session.commit()
    return partnership, admin, urlsplit(link).path, choir.id, ride.id


def _tab(page, name):
    page.get_by_role("navigation", name=re.compile("Партнёрство|Partnership")).get_by_role(
        "link", name=name, exact=True
    ).click()


def _open_kept(page, path):
    """Open a page online once the service worker answers, and wait until the phone keeps it."""
    page.goto(path)
    page.evaluate(KEPT, path)


def _open_offline(page, path):
    """Open a page without a connection: the phone's copy, saying how old it is."""
    page.goto(path)
    expect(page.locator("#offline")).to_contain_text(re.compile(r"Состояние на \d\d:\d\d"))


def _fits(page):
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def _rename_meanwhile(card_id, title, admin):
    """Someone at the office edits the card while the venue is offline."""
    db.session.rollback()
    card = db.session.get(Card, card_id)
    cards.update_card(
        card, version=card.version, title=title, body=card.body, project=card.project,
        estimate=card.estimate, due_date=card.due_date, language=card.language,
        assignees=list(card.assignees), labels=list(card.labels), actor=admin,
    )  # fmt: skip
    db.session.commit()


def test_journey_3_on_a_phone_with_the_connection_cut_for_part_of_the_workshop(
    new_context, live_server, db, axe_check
):
    partnership, admin, invite, choir, ride = _seed()
    pid = partnership.id
    columns = [c.id for c in board.columns_of(partnership)]
    today = utcnow().date()
    context = new_context(viewport=PHONE)
    page = context.new_page()

    # Online: accept the invitation, switch to Russian; the phone's service worker starts.
    page.goto(invite)
    page.get_by_label("Your name").fill("Ирина Петрова")
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account and join").click()
    page.wait_for_url(re.compile(r"/p/\d+$"))
    page.get_by_text("Menu", exact=True).click()
    with page.expect_navigation():
        page.get_by_label("Language").select_option("ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    # The service worker controls the page (awaited through evaluate: wait_for_function's polling
    # evaluates a string, which the CSP forbids).
    page.evaluate(
        """() => navigator.serviceWorker.controller !== null || new Promise(done =>
            navigator.serviceWorker.addEventListener("controllerchange", () => done(true), {once: true}))"""
    )

    # The kick-off in Minsk today and tomorrow, with one toolbox method on its agenda.
    _tab(page, "Воркшопы")
    page.get_by_role("region", name="Хронология").get_by_role("link", name="Кик-офф в городе Minsk").click()
    expect(page.get_by_role("heading", name="Кик-офф в городе Minsk", level=1)).to_be_visible()
    workshop = urlsplit(page.url).path
    details = page.locator("#workshop-details")
    details.get_by_text("Изменить даты, время, принимающий город и место").click()
    details.get_by_label("Дата начала").fill(today.isoformat())
    details.get_by_label("Дата окончания").fill((today + timedelta(days=1)).isoformat())
    details.get_by_label("Место проведения").fill("Дом дружбы, ул. Захарова 28")
    details.get_by_role("button", name="Сохранить").click()
    expect(page.locator("#workshop-details")).to_contain_text("Дом дружбы, ул. Захарова 28")
    add = page.locator("#agenda > form")
    add.get_by_label("Пункт программы").fill("Идеи для города")
    add.get_by_label("Минуты").fill("60")
    add.get_by_label("Метод из набора инструментов").select_option(label="Мировое кафе (World Café)")
    add.get_by_role("button", name="Добавить").click()
    method = page.locator("#agenda").get_by_role("link", name="Мировое кафе (World Café)")
    expect(method).to_be_visible()
    method_path = method.get_attribute("href")

    # What she opens before the workshop starts is kept on the phone (the agenda's method too).
    _open_kept(page, workshop)
    page.evaluate(KEPT, method_path)
    for path in (f"/p/{pid}/board", f"/p/{pid}/cards/{ride}", f"/p/{pid}/entries/", f"/p/{pid}/actors/new"):
        _open_kept(page, path)
    expect(page.get_by_role("heading", name="Добавить актора")).to_be_visible()

    # The venue's Wi-Fi fails. She goes on recording the actors of Minsk...
    context.set_offline(True)
    banner = page.locator("#offline")
    # (once the page knows: a form sent at the very moment the connection went may still reach
    # the server, with its answer lost; the request key then keeps its replay from applying twice)
    expect(banner).to_contain_text("Нет соединения.")
    for name, kind, theme, person in ACTORS:
        form = page.locator("#actor-form")
        form.get_by_label("Название", exact=True).fill(name)
        expect(form.get_by_label("Город")).to_have_value(str(partnership.cities[1].id))
        form.get_by_label("Вид").select_option(label=kind)
        form.get_by_role("checkbox", name=theme, exact=True).check()
        if person:
            form.get_by_label("Согласие на хранение контактных данных получено").check()
            form.get_by_label("Контактное лицо").fill(person)
            form.get_by_label("Контактный e-mail").fill("philharmonia@example.org")
        form.get_by_role("button", name="Сохранить").click()
        expect(page.locator(".is-pending", has_text=f"Актор: {name}")).to_contain_text("ждёт сохранения")
    expect(banner).to_contain_text("Нет соединения.")
    expect(banner).to_contain_text("Изменений ждут сохранения: 2")
    expect(page.locator("#actor-form").get_by_label("Название", exact=True)).to_have_value(
        ""
    )  # ready for the next
    _fits(page)

    # ... the interests, needs and ideas, on the page the phone kept ...
    _open_offline(page, f"/p/{pid}/entries/")
    for kind, text, theme in ENTRIES:
        form = page.locator("#entry-form")
        form.get_by_label("Вид").select_option(label=kind)
        form.get_by_label("Текст").fill(text)
        form.get_by_role("checkbox", name=theme, exact=True).check()
        form.get_by_role("button", name="Сохранить").click()
        expect(page.locator(".is-pending", has_text=text)).to_contain_text("ждёт сохранения")
    expect(banner).to_contain_text("Изменений ждут сохранения: 4")

    # ... moves a card and quick-adds one on the board ...
    _open_offline(page, f"/p/{pid}/board")
    page.locator(f"#card-link-{choir}").focus()
    page.keyboard.press("Shift+ArrowRight")
    expect(page.locator(f"#card-{choir} .pending-mark")).to_have_text("ждёт сохранения")
    quick_add = page.locator(f"#qa-p0-{columns[0]}")
    quick_add.fill("Найти зал для выставки")
    quick_add.press("Enter")
    expect(page.locator("li.card.is-pending", has_text="Найти зал для выставки")).to_be_visible()
    _fits(page)

    # ... comments on a card and renames it, while someone at the office renames it too.
    _open_offline(page, f"/p/{pid}/cards/{ride}")
    page.locator("textarea[name='comment-body']").fill("Маршрут согласован с ГАИ")
    page.get_by_role("button", name="Добавить комментарий").click()
    expect(page.locator(".is-pending", has_text="Маршрут согласован с ГАИ")).to_be_visible()
    edit = page.locator("#card-edit")
    edit.get_by_text("Редактировать карточку").click()
    edit.get_by_label("Название").fill("Маршрут велопробега Минск – Гамбург")
    edit.get_by_role("button", name="Сохранить").click()
    expect(edit).to_contain_text("ждёт сохранения")
    _rename_meanwhile(ride, "Маршрут велопробега (черновик)", admin)
    expect(banner.locator(".offline-pending li")).to_have_text(
        [
            "Актор: Минская филармония",
            "Актор: Велоклуб «Минск»",
            f"Интерес, потребность или идея: {ENTRIES[0][1]}",
            f"Интерес, потребность или идея: {ENTRIES[1][1]}",
            "Перевести: Концерт двух хоров",
            "Новая карточка: Найти зал для выставки",
            "Комментарий: Маршрут согласован с ГАИ",
            "Правка карточки: Маршрут велопробега Минск – Гамбург",
        ]
    )
    axe_check(page)

    # The agenda and its method stay readable from the phone's copies.
    _open_offline(page, workshop)
    agenda = page.locator("#agenda")
    expect(agenda).to_contain_text("Идеи для города")
    expect(agenda).to_contain_text("Всего минут: 60")
    _fits(page)
    agenda.get_by_role("link", name="Мировое кафе (World Café)").click()
    expect(page.get_by_role("heading", name="Мировое кафе (World Café)", level=1)).to_be_visible()
    expect(banner).to_contain_text(re.compile(r"Состояние на \d\d:\d\d"))
    expect(banner).to_contain_text("Изменений ждут сохранения: 8")
    _fits(page)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Actor.id))) == 0  # nothing reached the server yet
    start = db.session.scalar(db.select(db.func.max(Activity.id)))

    # The connection is back: all is sent, in order; the clashing edit waits with its conflict.
    context.set_offline(False)
    failed = banner.locator(".offline-failed li")
    expect(failed).to_have_count(1)
    expect(banner).to_contain_text("Некоторые изменения не удалось сохранить")
    expect(banner.locator(".offline-pending li")).to_have_count(0)
    expect(failed.locator(".offline-label")).to_have_text(
        "Правка карточки: Маршрут велопробега Минск – Гамбург"
    )
    failed.get_by_text("Показать конфликт").click()
    expect(failed.locator("td.theirs").first).to_have_text("Маршрут велопробега (черновик)")
    expect(failed.locator("td.mine").first).to_have_text("Маршрут велопробега Минск – Гамбург")
    axe_check(page)
    _fits(page)

    db.session.rollback()
    assert db.session.scalars(db.select(Actor.name).order_by(Actor.id)).all() == [a[0] for a in ACTORS]
    philharmonia = db.session.scalar(db.select(Actor).filter_by(name="Минская филармония"))
    assert (
        philharmonia.contact_person == "Ирина Ковалёва" and philharmonia.city_id == partnership.cities[1].id
    )
    assert db.session.scalars(db.select(MatchEntry.text).order_by(MatchEntry.id)).all() == [
        e[1] for e in ENTRIES
    ]
    assert db.session.get(Card, choir).column_id == columns[1]
    added = db.session.scalar(db.select(Card).filter_by(title="Найти зал для выставки"))
    assert added is not None and added.column_id == columns[0]
    assert db.session.scalars(db.select(Comment.body)).all() == ["Маршрут согласован с ГАИ"]
    assert db.session.get(Card, ride).title == "Маршрут велопробега (черновик)"  # not overwritten unseen
    verbs = db.session.scalars(
        db.select(Activity.verb)
        .where(Activity.id > start, Activity.verb.not_like("workshop.%"))
        .order_by(Activity.id)
    ).all()
    assert verbs == ["actor.created", "actor.created", "entry.created", "entry.created",
                     "card.moved", "card.created", "card.commented"]  # fmt: skip

    # She saves her version on top of the office's.
    failed.get_by_role("button", name="Попробовать снова").click()
    expect(banner).to_contain_text("Все изменения сохранены.")
    expect(failed).to_have_count(0)
    db.session.rollback()
    assert db.session.get(Card, ride).title == "Маршрут велопробега Минск – Гамбург"

    # Online again, the workshop is marked held and lists what was recorded offline.
    page.goto(workshop)
    page.locator("#workshop-details").get_by_role("button", name="Отметить как проведённый").click()
    expect(page.locator("#workshop-details .status")).to_have_text("проведён")
    recorded = page.locator("#outcomes").get_by_role("region", name="Записано во время этого воркшопа")
    for name, *_rest in ACTORS:
        expect(recorded).to_contain_text(name)
    expect(recorded.locator("ul.entries > li")).to_have_count(2)
    expect(recorded).not_to_contain_text("Ирина Ковалёва")
    _fits(page)
