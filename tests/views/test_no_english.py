"""No English left in a translated UI: the pages the journeys visit, rendered in Belarusian and
Ukrainian for a partnership whose content is all Cyrillic, show no English word outside the
allow-list of proper names (so any Latin word found is an untranslated UI string)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest

from sprintboard.extensions import db
from sprintboard.models import Workshop
from sprintboard.services import cards, sprints
from tests import factories

# Proper names and codes that stay as they are in every language.
ALLOWED = {
    "Sprintboard",
    "Match",
    "Sprint",
    "Succeed",  # the programme's workshop names "Match & Sprint", "Sprint & Succeed"
    "Markdown",
    "BarCamp",
    "CSV",
    "JSON",
    "API",
    "iCal",
    "ICS",
    "URL",
    "PDF",
    "WIP",
    "EUR",
    "BYN",
    "RUB",
    "UAH",
    "PLN",
    "USD",
    "English",
    "JavaScript",
    "Shift",  # key names
    "UTC",
    "BY",
    "DE",  # country codes beside city names
    "Deutsch",  # the language switcher names each language in itself
    "e-mail",  # Belarusian and Ukrainian write it so
    "https",  # in the Markdown hint's link example
}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*[A-Za-z]")
TEXT_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-confirm"}
SKIP_TAGS = {"script", "style", "code", "pre"}


class TextOf(HTMLParser):
    """The text a reader sees or hears: text nodes, labels in attributes and button values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        # (time zones are named by their IANA ids, "Europe/Minsk", in every language)
        if tag in SKIP_TAGS or (tag == "option" and "/" in (values.get("value") or "")):
            self.skip += 1
            self.skipping.append(tag)
        for name in TEXT_ATTRIBUTES & values.keys():
            self.parts.append(values[name] or "")
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.parts.append(values.get("value") or "")

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


EMAIL = re.compile(r"\S+@\S+")


def english_words(html: str) -> set[str]:
    parser = TextOf()
    parser.feed(html)
    words = set(LATIN_WORD.findall(EMAIL.sub(" ", " ".join(parser.parts))))
    return {w for w in words if w not in ALLOWED}


@pytest.fixture
def cyrillic_world(db):
    """A partnership whose every name and text is Cyrillic, with something on each page."""
    admin = factories.user("Адміністратарка", is_admin=True, locale="be")
    p = factories.partnership("Мінск – Гамбург", (("Мінск", "BY"), ("Гамбург", "DE")), actor=admin)
    anna = factories.member(p, "facilitator", 0, name="Ганна Мельнік", locale="uk")
    borys = factories.member(p, "member", 1, name="Барыс Шульц", locale="be")
    project = factories.project(p, "Моладзевы абмен", actor=anna)
    card = factories.card(
        p, "Купіць фарбы", actor=anna, project=project, body="Для майстэрні.", language="be"
    )
    cards.add_comment(card, "Я куплю заўтра.", language="be", actor=borys)
    later = factories.card(p, "Знайсці залу", actor=borys, language="be")
    sprint = factories.sprint(
        p, "Спрынт 1", start=date.today() - timedelta(days=3), actor=anna, cards=[later]
    )
    sprints.start_sprint(sprint, actor=anna)
    factories.funding_idea(p, actor=anna, title="Фонд гарадоў", funder="Фонд")
    factories.actor(p, 0, "Бібліятэка", by=anna)
    factories.entry(p, 0, "Культурны абмен", by=anna)
    db.session.commit()
    return p, anna, card, sprint


def _pages(p, card, sprint) -> dict[str, str]:
    base = f"/p/{p.id}"
    match_sprint = db.session.scalar(db.select(Workshop).filter_by(partnership_id=p.id, kind="match_sprint"))
    return {
        "home": "/",
        "overview": base,
        "board": f"{base}/board",
        "card": f"{base}/cards/{card.id}",
        "status": f"{base}/status",
        "projects": f"{base}/projects/",
        "sprints": f"{base}/sprints/",
        "sprint": f"{base}/sprints/{sprint.id}",
        "workshops": f"{base}/workshops/",
        "match": f"{base}/match/",
        "entries": f"{base}/entries/",
        "actors": f"{base}/actors/",
        "funding": f"{base}/funding/",
        "members": f"{base}/members/",
        "activity": f"{base}/activity",
        "translations": f"{base}/translations/",
        "translation": f"{base}/translations/card/{card.id}/uk",
        "workshop": f"{base}/workshops/{match_sprint.id}",
        "account": "/account",
    }


@pytest.mark.parametrize("locale", ["be", "uk"])
def test_no_english_is_left_on_the_journeys_pages(client, login, cyrillic_world, locale):
    p, anna, card, sprint = cyrillic_world
    anna.locale = locale
    db.session.commit()
    login(client, anna)
    found = {}
    for name, path in _pages(p, card, sprint).items():
        response = client.get(path)
        assert response.status_code == 200, path
        words = english_words(response.get_data(as_text=True))

        if words:
            found[name] = sorted(words)
    assert found == {}, "\n".join(f"{page}: {', '.join(words)}" for page, words in found.items())
