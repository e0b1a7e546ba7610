"""Mixed teams read each other: a Russian card, a German translation side by side, and the
translation marked outdated (with what changed) once the Russian author edits the original."""

from __future__ import annotations

import os

from playwright.sync_api import expect
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Card
from sprintboard.services import board
from tests import factories

SHOTS = os.environ.get("E2E_SCREENSHOTS")  # a folder: the pages are saved there to look at


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _card_id(title):
    db.session.rollback()  # see the server's writes
    return db.session.scalars(select(Card.id).where(Card.title == title)).one()


def test_a_german_member_translates_a_russian_card_and_sees_it_outdated_after_an_edit(
    new_context, live_server, world, log_in, axe_check
):
    p = world.partnership
    anna = factories.member(p, "member", 0, name="Анна Иванова", locale="ru")
    max_ = world.users["member"]
    max_.locale = "de"
    backlog = board.columns_of(p)[0].id
    db.session.commit()

    # Anna (Minsk, Russian UI) writes a card on the board and describes it on its page.
    ru = log_in(new_context().new_page(), anna)
    ru.goto(f"/p/{p.id}/board")
    quick = ru.locator(f"#qa-p0-{backlog}")
    quick.fill("Закупить краски")
    quick.press("Enter")
    expect(ru.locator(".card-title", has_text="Закупить краски")).to_be_visible()
    card_id = _card_id("Закупить краски")
    ru.goto(f"/p/{p.id}/cards/{card_id}")
    ru.locator("#card-edit summary").click()
    editor = ru.locator("#card-edit form")
    editor.get_by_label("Описание").fill("Краски для мастерской.\nКупить до пятницы.")
    editor.get_by_role("button", name="Сохранить карточку").click()
    expect(ru.locator("#card-detail .md").first).to_contain_text("Купить до пятницы.")

    # Max (Hamburg, German UI) sees it is not in German yet and offers a translation.
    de = log_in(new_context().new_page(), max_)
    de.goto(f"/p/{p.id}/board")
    card = de.locator(f"#card-{card_id}")
    expect(card).to_contain_text("Закупить краски")
    expect(card).to_contain_text("noch nicht übersetzt")
    de.goto(f"/p/{p.id}/cards/{card_id}")
    de.get_by_role("link", name="Auf Deutsch übersetzen").click()
    expect(de.get_by_role("heading", level=1)).to_have_text("Übersetzung (Deutsch)")
    original = de.locator(".side-by-side section").first
    expect(original.get_by_role("heading", level=2)).to_have_text("Original · Russisch")
    expect(original.locator("[lang=ru]").first).to_contain_text("Закупить краски")
    form = de.locator(".side-by-side form")
    form.get_by_label("Titel").fill("Farben kaufen")
    form.get_by_label("Text").fill("Farben für die Werkstatt.\nBis Freitag kaufen.")
    _shot(de, "side-by-side-new")
    axe_check(de)
    form.get_by_role("button", name="Übersetzung speichern").click()
    expect(de.locator("#card-title")).to_have_text("Farben kaufen")
    expect(de.locator("#card-detail .translation-note").first).to_contain_text(
        "Übersetzt aus dem Original (Russisch) von Max Member"
    )
    de.goto(f"/p/{p.id}/board")
    expect(de.locator(f"#card-link-{card_id}")).to_have_text("Farben kaufen")
    expect(de.locator(f"#card-{card_id}")).not_to_contain_text("noch nicht übersetzt")

    # Anna changes the original; she still reads her own Russian text.
    ru.reload()
    ru.locator("#card-edit summary").click()
    editor = ru.locator("#card-edit form")
    editor.get_by_label("Описание").fill("Краски для мастерской.\nКупить до среды.")
    editor.get_by_role("button", name="Сохранить карточку").click()
    expect(ru.locator("#card-detail .md").first).to_contain_text("Купить до среды.")
    expect(ru.locator("#card-title")).to_have_text("Закупить краски")

    # Max sees the translation marked outdated, and what changed in the original.
    de.goto(f"/p/{p.id}/cards/{card_id}")
    note = de.locator("#card-detail .translation-note").first
    expect(note).to_contain_text("veraltet: das Original hat sich seitdem geändert")
    note.get_by_role("link", name="Übersetzung aktualisieren").click()
    changes = de.locator("ul.diff")
    expect(changes.locator("del")).to_contain_text("Купить до пятницы.")
    expect(changes.locator("ins")).to_contain_text("Купить до среды.")
    expect(de.locator(".side-by-side form").get_by_label("Text")).to_have_value(
        "Farben für die Werkstatt.\nBis Freitag kaufen."
    )
    _shot(de, "side-by-side-outdated")
    axe_check(de)

    # The queue of what needs German lists the card as outdated.
    de.goto(f"/p/{p.id}/translations/")
    queued = de.locator("#translation-queue li", has_text="Закупить краски")
    expect(queued).to_contain_text("veraltet")
    _shot(de, "queue")
    axe_check(de)

    # He updates it; the card leaves the queue and reads current again.
    queued.get_by_role("link", name="Übersetzen").click()
    text = de.locator(".side-by-side form").get_by_label("Text")
    text.fill("Farben für die Werkstatt.\nBis Mittwoch kaufen.")
    de.get_by_role("button", name="Übersetzung speichern").click()
    expect(de.locator("#card-detail .md").first).to_contain_text("Bis Mittwoch kaufen.")
    expect(de.locator("#card-detail .translation-note").first).not_to_contain_text("veraltet")
    de.goto(f"/p/{p.id}/translations/")
    expect(de.locator("#translation-queue")).not_to_contain_text("Закупить краски")


def test_side_by_side_is_stacked_on_a_phone(new_context, live_server, world, log_in, axe_check):
    p = world.partnership
    anna = factories.member(p, "member", 0, name="Анна Иванова", locale="ru")
    card = factories.card(p, "Найти зал", actor=anna, body="Зал на 40 человек.", language="ru")
    max_ = world.users["member"]
    max_.locale = "de"
    db.session.commit()
    phone = log_in(new_context(viewport={"width": 375, "height": 740}).new_page(), max_)
    phone.goto(f"/p/{p.id}/translations/card/{card.id}/de")
    original, translated = phone.locator(".side-by-side > section").all()
    first, second = original.bounding_box(), translated.bounding_box()
    assert second["y"] >= first["y"] + first["height"] - 1  # one below the other
    _shot(phone, "side-by-side-phone")
    axe_check(phone)
