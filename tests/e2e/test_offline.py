"""A flaky venue connection loses nothing: changes made offline wait on the device, marked on the
page, and are saved in order when the connection is back; a refused one is listed, not lost."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Activity, Card, Comment, Partnership
from sprintboard.services import board, cards, facilitation
from tests import factories

KEPT = """async () => {
  const deadline = Date.now() + 15000;
  while (!(await caches.open("sb-pages-v1").then(c => c.match(location.href)))) {
    if (Date.now() > deadline) throw new Error("not kept on the device: " + location.href);
    await new Promise(tick => setTimeout(tick, 50));
  }
}"""


def _setup(world):
    p, member = world.partnership, world.users["member"]
    ids = [factories.card(p, title, actor=member).id for title in ("Alpha", "Bravo", "Charlie")]
    db.session.commit()
    return p, ids, [c.id for c in board.columns_of(p)]


def _column_of(card_id):
    db.session.rollback()  # see the server's writes
    return db.session.scalar(select(Card.column_id).where(Card.id == card_id))


def _as_facilitator(world, change):
    db.session.rollback()  # a fresh transaction: the server wrote since this one began
    change(db.session.get(Partnership, world.partnership.id), actor=world.users["facilitator"])
    db.session.commit()


def _move_right(page, card_id):
    page.locator(f"#card-link-{card_id}").focus()
    page.keyboard.press("Shift+ArrowRight")


def _known_offline(*pages):
    """Wait until the pages know the connection is gone: a change sent at the very moment it went
    may still reach the server, its answer lost (its request key keeps the replay from applying
    it twice); these tests check that nothing reached the server while offline."""
    for page in pages:
        expect(page.locator("#offline")).to_contain_text("You are offline")


def test_offline_moves_and_a_comment_wait_and_are_saved_in_order(new_context, live_server, world, log_in):
    p, (a, b, c), columns = _setup(world)
    context = new_context()
    board_page = log_in(context.new_page(), world.users["member"])
    board_page.goto(f"/p/{p.id}/board")
    card_page = context.new_page()
    card_page.goto(f"/p/{p.id}/cards/{c}")
    banner = board_page.locator("#offline")
    expect(banner).to_be_hidden()

    context.set_offline(True)
    _known_offline(board_page, card_page)
    _move_right(board_page, a)
    expect(banner).to_contain_text("You are offline")
    expect(board_page.locator(f"#card-{a} .pending-mark")).to_have_text("waiting to be saved")
    _move_right(board_page, b)
    card_page.locator("textarea[name='comment-body']").fill("Written in the basement")
    card_page.get_by_role("button", name="Add comment").click()
    expect(card_page.locator("#offline")).to_contain_text("Changes waiting to be saved: 3")
    expect(card_page.locator("#offline .offline-pending li")).to_have_text(
        ["Move: Alpha", "Move: Bravo", "Comment: Written in the basement"]
    )
    assert _column_of(a) == _column_of(b) == columns[0]  # nothing reached the server

    context.set_offline(False)
    expect(board_page.locator("#offline")).to_contain_text("All changes saved.")
    expect(card_page.locator("#card-comments")).to_contain_text("Written in the basement")
    assert _column_of(a) == _column_of(b) == columns[1]
    assert db.session.scalar(select(db.func.count(Comment.id))) == 1  # two pages replayed: one comment
    verbs = db.session.execute(
        select(Activity.verb, Activity.subject_id)
        .where(Activity.verb.in_(["card.moved", "card.commented"]))
        .order_by(Activity.id)
    ).all()
    assert [tuple(v) for v in verbs] == [("card.moved", a), ("card.moved", b), ("card.commented", c)]
    expect(board_page.locator(f"#card-{a} .pending-mark")).to_have_count(0)


def test_a_change_refused_on_replay_is_listed_with_retry_and_discard(new_context, live_server, world, log_in):
    p, (a, b, _c), columns = _setup(world)
    context = new_context()
    page = log_in(context.new_page(), world.users["member"])
    page.goto(f"/p/{p.id}/board")
    context.set_offline(True)
    _known_offline(page)
    _move_right(page, a)
    _move_right(page, b)
    expect(page.locator("#offline")).to_contain_text("Changes waiting to be saved: 2")
    _as_facilitator(world, facilitation.freeze_board)  # meanwhile the board was frozen

    context.set_offline(False)
    failed = page.locator("#offline .offline-failed li")
    expect(failed).to_have_count(2)
    expect(page.locator("#offline")).to_contain_text("Some changes could not be saved")
    expect(failed.first.locator(".offline-label")).to_have_text("Move: Alpha")
    expect(failed.first.locator(".offline-message")).to_contain_text("frozen")
    assert _column_of(a) == columns[0]

    _as_facilitator(world, facilitation.unfreeze_board)
    failed.last.get_by_role("button", name="Discard").click()
    expect(failed).to_have_count(1)
    failed.first.get_by_role("button", name="Try again").click()
    expect(page.locator("#offline")).to_contain_text("All changes saved.")
    expect(failed).to_have_count(0)
    assert _column_of(a) == columns[1] and _column_of(b) == columns[0]


def test_a_page_opened_before_reads_offline_with_its_age_and_logout_forgets_it(
    new_context, live_server, world, log_in
):
    p, (a, _b, _c), _columns = _setup(world)
    context = new_context()
    page = log_in(context.new_page(), world.users["member"])
    page.goto(f"/p/{p.id}/board")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now the worker answers, and keeps a copy
    page.evaluate(KEPT)  # (wait_for_function would not await the cache's promise)
    expect(page.locator("#offline")).to_be_hidden()

    context.set_offline(True)
    page.reload()
    expect(page.locator(f"#card-{a}")).to_be_visible()
    expect(page.locator("#offline")).to_contain_text(re.compile(r"Shown as of \d\d:\d\d"))

    context.set_offline(False)
    page.goto(f"/p/{p.id}/board")
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    assert page.evaluate("caches.keys()") == []
    assert page.evaluate("indexedDB.databases().then(dbs => dbs.map(d => d.name))") == []
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    kept = "Object.keys(localStorage).concat(Object.keys(sessionStorage)).filter(k => k.startsWith('sb-'))"
    assert page.evaluate(kept) == []  # whose device it was, when today's pages were fetched


def _rename(world, card_id, title):
    """Someone else edits the card meanwhile (its version moves on)."""
    db.session.rollback()
    card = db.session.get(Card, card_id)
    cards.update_card(
        card, version=card.version, title=title, body=card.body, project=card.project,
        estimate=card.estimate, due_date=card.due_date, language=card.language,
        assignees=list(card.assignees), labels=list(card.labels), actor=world.users["facilitator"],
    )  # fmt: skip
    db.session.commit()


def _title_of(card_id):
    db.session.rollback()
    return db.session.scalar(select(Card.title).where(Card.id == card_id))


def test_a_card_edited_offline_is_saved_or_shown_beside_the_newer_version(
    new_context, live_server, world, log_in
):
    p, (a, b, _c), _columns = _setup(world)
    context = new_context()
    page = log_in(context.new_page(), world.users["member"])
    other = context.new_page()
    page.goto(f"/p/{p.id}/cards/{a}")
    other.goto(f"/p/{p.id}/cards/{b}")

    context.set_offline(True)
    _known_offline(page, other)
    for tab, title in ((page, "Alpha, renamed in the hall"), (other, "Bravo, renamed in the hall")):
        edit = tab.locator("#card-edit")
        edit.get_by_text("Edit card").click()
        edit.get_by_label("Title").fill(title)
        edit.get_by_role("button", name="Save").click()
        expect(edit).to_contain_text("waiting to be saved")
        expect(edit.get_by_label("Title")).to_have_value(title)  # what was typed stays
    expect(other.locator("#offline .offline-pending li")).to_have_text(
        ["Card edit: Alpha, renamed in the hall", "Card edit: Bravo, renamed in the hall"]
    )
    _rename(world, a, "Alpha, renamed at the office")  # meanwhile, online elsewhere

    context.set_offline(False)
    failed = page.locator("#offline .offline-failed li")
    expect(failed).to_have_count(1)
    expect(failed.locator(".offline-label")).to_have_text("Card edit: Alpha, renamed in the hall")
    failed.get_by_text("Show the conflict").click()
    conflict = failed.locator(".offline-detail")
    expect(conflict).to_contain_text("Someone else changed this card")
    expect(conflict.locator("td.theirs").first).to_have_text("Alpha, renamed at the office")
    expect(conflict.locator("td.mine").first).to_have_text("Alpha, renamed in the hall")
    expect(conflict.locator("form")).to_have_count(0)  # its retry and discard are the banner's
    assert _title_of(a) == "Alpha, renamed at the office"
    assert _title_of(b) == "Bravo, renamed in the hall"  # the other edit had no conflict

    failed.get_by_role("button", name="Try again").click()  # mine, on top of theirs
    expect(page.locator("#offline")).to_contain_text("All changes saved.")
    expect(failed).to_have_count(0)
    assert _title_of(a) == "Alpha, renamed in the hall"


def test_signed_out_a_form_sent_offline_stays_filled_in_and_says_it_was_not_sent(
    new_context, live_server, world
):
    page = new_context().new_page()
    page.goto("/login")
    context = page.context
    context.set_offline(True)
    page.locator("input[name=email]").fill(world.users["member"].email)
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.locator("form[action$='/login'] button[type=submit]").click()
    expect(page.locator("#offline")).to_contain_text("Forms cannot be sent until the connection is back.")
    expect(page.locator("#offline")).to_contain_text("Not sent: what you entered is still on the page.")
    expect(page.locator("input[name=email]")).to_have_value(world.users["member"].email)
    assert page.evaluate("indexedDB.databases().then(dbs => dbs.length)") == 0  # nothing kept

    context.set_offline(False)
    expect(page.locator("#offline")).to_be_hidden()
    with page.expect_navigation():
        page.locator("form[action$='/login'] button[type=submit]").click()
    assert "/login" not in page.url


def test_an_application_sent_offline_stays_on_the_page_and_is_sent_once_when_back(
    new_context, live_server, world, axe_check
):
    from datetime import datetime, timedelta

    from sprintboard.models import Application
    from sprintboard.services import applications

    call = applications.open_call(
        "City partnerships 2027", "Two cities, one workshop series.", countries=["BY", "DE", "UA"],
        deadline_local=datetime.now() + timedelta(days=20), timezone="Europe/Berlin", languages=["en"],
        actor=world.admin,
    )  # fmt: skip
    db.session.commit()
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto(f"/calls/{call.id}/")
    for label, value in (
        ("Your city", "Leipzig"),
        ("Partner city", "Kyiv"),
        ("Institution, organisation or initiative", "Städtepartnerschaft Leipzig–Kyiv e.V."),
        ("Contact person", "Jana Beispiel"),
        ("Email", "jana@example.org"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Country of your city", exact=True).select_option("DE")
    page.get_by_label("Country of the partner city", exact=True).select_option("UA")
    page.get_by_label("1. Who are you?").fill("Two cities, one river of ideas.")
    page.get_by_label("2. What are your hopes").fill("Youth exchanges.")
    page.get_by_label("3. What motivates you").fill("We met at a conference.")
    page.get_by_label("We declare that this application is supported").check()

    page.context.set_offline(True)  # the venue's Wi-Fi, just then
    page.get_by_role("button", name="Send application").click()
    expect(page.locator("#offline")).to_contain_text("Not sent: what you entered is still on the page.")
    expect(page.get_by_label("1. Who are you?")).to_have_value("Two cities, one river of ideas.")
    axe_check(page)
    assert db.session.scalar(select(db.func.count(Application.id))) == 0

    page.context.set_offline(False)
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_text("Thank you! We have received your application")).to_be_visible()
    db.session.rollback()
    assert db.session.scalar(select(db.func.count(Application.id))) == 1


# A browser whose storage refuses to keep anything (a private window in some browsers, a full
# disk): opening IndexedDB fails.
NO_INDEXEDDB = """(() => {
  const refused = { open() {
    const request = {};
    setTimeout(() => { request.error = new DOMException("refused", "UnknownError");
                       if (request.onerror) request.onerror(); }, 0);
    return request;
  }, databases() { return Promise.resolve([]); } };
  Object.defineProperty(window, "indexedDB", { value: refused, configurable: true });
})();"""


def test_without_storage_on_the_device_an_offline_comment_is_not_lost_but_stays_unsent(
    new_context, live_server, world, log_in
):
    """Nothing lost silently: a change that cannot be kept on the device while offline stays in
    its form, and the banner says it was not sent; once back, sending it saves it."""
    p, (_a, _b, c), _columns = _setup(world)
    context = new_context()
    context.add_init_script(NO_INDEXEDDB)
    page = log_in(context.new_page(), world.users["member"])
    page.goto(f"/p/{p.id}/cards/{c}")
    context.set_offline(True)
    _known_offline(page)
    page.locator("textarea[name='comment-body']").fill("Written in a private window")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("#offline")).to_contain_text("Not sent: what you entered is still on the page.")
    expect(page.locator("textarea[name='comment-body']")).to_have_value("Written in a private window")
    assert db.session.scalar(select(db.func.count(Comment.id))) == 0

    context.set_offline(False)
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("#card-comments")).to_contain_text("Written in a private window")
    db.session.rollback()
    assert db.session.scalar(select(db.func.count(Comment.id))) == 1
