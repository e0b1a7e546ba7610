"""The message catalogs: complete, not fuzzy, compiled, with correct plurals; pages per locale."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext

from sprintboard.cli import LOCALES, compiled_is_current

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _catalog(locale):
    with open(ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated_and_not_fuzzy(locale):
    catalog = _catalog(locale)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {ids[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} -> {string!r}")
    assert not problems, "\n".join(problems)


def test_catalogs_hold_every_message_of_the_code():
    """The catalogs were updated after the last string change (`sprintboard translate update`)."""
    with open(ROOT / "translations" / "messages.pot", "rb") as fh:
        pot = {m.id for m in read_po(fh) if m.id}
    for locale in LOCALES:
        assert {m.id for m in _catalog(locale) if m.id} >= pot, locale


def test_compiled_catalogs_match_the_sources():
    assert compiled_is_current(), "run `sprintboard translate compile`"


@pytest.mark.parametrize(
    "locale, forms",
    [("ru", {1: "1 ", 2: "2 ", 5: "5 ", 21: "21 "}), ("uk", {1: "1 ", 2: "2 ", 5: "5 "})],
)
def test_plural_forms_follow_the_language(app, locale, forms):
    with app.test_request_context(), force_locale(locale):
        texts = {n: ngettext("%(num)d comment", "%(num)d comments", n) for n in forms}
    # Russian: 1 комментарий, 2 комментария, 5 комментариев, 21 комментарий.
    assert texts[1] != texts[2] != texts[5]
    if 21 in texts:
        assert texts[21].split()[1] == texts[1].split()[1]
    with app.test_request_context(), force_locale("de"):
        assert ngettext("%(num)d comment", "%(num)d comments", 1) != ngettext(
            "%(num)d comment", "%(num)d comments", 2
        )


PAGES = ["/", "/p/{pid}", "/p/{pid}/members/", "/p/{pid}/activity", "/p/{pid}/board", "/account", "/toolbox/"]


@pytest.mark.parametrize("locale", ["en", *LOCALES])
def test_each_page_renders_in_each_locale(world, as_role, locale):
    client = as_role("facilitator")
    for path in PAGES:
        url = path.format(pid=world.partnership.id)
        response = client.get(url, query_string={"lang": locale})
        assert response.status_code == 200, url
        assert f'<html lang="{locale}">' in response.get_data(as_text=True), url


def test_language_choice_is_remembered(world, as_role):
    client = as_role("member")
    client.post("/language", data={"lang": "uk", "next": "/"})
    html = client.get(f"/p/{world.partnership.id}").get_data(as_text=True)
    assert '<html lang="uk">' in html
    anonymous = as_role(None)
    anonymous.get("/login?lang=be")
    assert '<html lang="be">' in anonymous.get("/login").get_data(as_text=True)
    assert '<html lang="de">' in as_role(None).get(
        "/login", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
    ).get_data(as_text=True)


def test_dates_are_formatted_per_locale(app):
    from datetime import date

    from flask_babel import format_date

    with app.test_request_context(), force_locale("de"):
        assert format_date(date(2026, 11, 23), "medium") == "23.11.2026"
    with app.test_request_context(), force_locale("ru"):
        assert "нояб" in format_date(date(2026, 11, 23), "medium")


@pytest.mark.parametrize(
    "locale, required, too_long",
    [
        ("de", "Dieses Feld ist erforderlich.", "höchstens 200 Zeichen"),
        ("ru", "Обязательное поле.", "длиннее 200 символов"),
        ("uk", "Обов’язкове поле.", "довшим за 200 символів"),
        ("be", "Абавязковае поле.", "даўжэйшым за 200 сімвалаў"),
    ],
)
def test_the_form_library_s_own_messages_speak_every_language(world, as_role, locale, required, too_long):
    """WTForms ships no Belarusian: its messages come from our catalogs in every language."""
    client = as_role("member")
    p = world.partnership
    empty = client.post(f"/p/{p.id}/funding/new?lang={locale}", data={"title": ""})
    assert empty.status_code == 422 and required in empty.text
    long = client.post(f"/p/{p.id}/projects/new?lang={locale}", data={"title": "x" * 201})
    assert long.status_code == 422 and too_long in long.text


def test_a_language_chosen_on_the_login_page_becomes_the_preference(db, client):
    from sprintboard.extensions import db as _db
    from tests.factories import PASSWORD, user

    ivan = user("Ivan", email="ivan@example.org")
    _db.session.commit()
    client.get("/login?lang=ru")
    response = client.post("/login", data={"email": "ivan@example.org", "password": PASSWORD})
    assert response.status_code == 303
    _db.session.refresh(ivan)
    assert ivan.locale == "ru"
    # … and stays his on another device, where nothing was picked.
    other = client.application.test_client()
    other.post("/login", data={"email": "ivan@example.org", "password": PASSWORD})
    assert '<html lang="ru">' in other.get("/").get_data(as_text=True)


def test_a_saved_preference_is_not_overwritten_by_the_login_page(db, client):
    from sprintboard.extensions import db as _db
    from tests.factories import PASSWORD, user

    olena = user("Olena", email="olena@example.org", locale="uk")
    _db.session.commit()
    client.get("/login?lang=de")
    client.post("/login", data={"email": "olena@example.org", "password": PASSWORD})
    _db.session.refresh(olena)
    assert olena.locale == "uk"


def test_the_switcher_wins_over_a_lang_link(world, as_role):
    """Ivan opened a link with ?lang=uk, then chose Russian: he gets Russian, now and later."""
    client = as_role("member")
    page = f"/p/{world.partnership.id}?lang=uk"
    assert '<html lang="uk">' in client.get(page).get_data(as_text=True)
    response = client.post("/language", data={"lang": "ru", "next": page})
    assert response.status_code == 303
    assert "lang=" not in response.headers["Location"]
    assert '<html lang="ru">' in client.get(response.headers["Location"]).get_data(as_text=True)
    assert world.users["member"].locale == "ru"


def test_templates_speak_the_language_in_force_each_time_within_one_request(app):
    """Templates' texts are looked up through a per-request shortcut (i18n.translations): an
    email rendered in its reader's language during a request, and the page after it, each get
    their own language."""
    from flask import render_template_string

    page = '{{ _("Cancel") }} {{ ngettext("%(num)d card", "%(num)d cards", 3) }}'
    with app.test_request_context("/?lang=de"):
        assert render_template_string(page) == "Abbrechen 3 Karten"
        with force_locale("ru"):
            assert render_template_string(page) == "Отмена 3 карточки"
        with force_locale("de"):
            assert render_template_string(page) == "Abbrechen 3 Karten"
        with force_locale("en"):
            assert render_template_string(page) == "Cancel 3 cards"
        assert render_template_string(page) == "Abbrechen 3 Karten"
