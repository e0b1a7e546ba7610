"""Help pages: one per area, in every language with no English left, linked from each area."""

from __future__ import annotations

import re

import pytest

from sprintboard.i18n import LANGUAGES
from sprintboard.services.help import TOPICS, _folder
from tests.views.test_no_english import english_words

# Words that give away an English sentence in a German text (German shares the alphabet).
ENGLISH_ONLY = {
    "the", "and", "you", "your", "with", "which", "when", "this", "that", "can", "each", "card", "cards",
}  # fmt: skip


def test_every_topic_is_written_in_every_language():
    missing = [
        f"{locale}/{topic}.md"
        for locale in LANGUAGES
        for topic in TOPICS
        if not (_folder() / locale / f"{topic}.md").is_file()
    ]
    assert missing == []


@pytest.mark.parametrize("locale", sorted(LANGUAGES))
def test_help_index_lists_every_topic(client, locale):
    response = client.get(f"/help/?lang={locale}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for topic in TOPICS:
        assert f'href="/help/{topic}"' in html


@pytest.mark.parametrize("locale", ["be", "uk", "ru"])
def test_help_pages_have_no_english_left(client, locale):
    found = {}
    for topic in [None, *TOPICS]:
        response = client.get(f"/help/{topic or ''}?lang={locale}")
        assert response.status_code == 200
        words = english_words(response.get_data(as_text=True))
        if words:
            found[topic or "index"] = sorted(words)
    assert found == {}, "\n".join(f"{page}: {', '.join(words)}" for page, words in found.items())


def test_german_help_pages_have_no_english_left(client):
    found = {}
    for topic in [None, *TOPICS]:
        html = client.get(f"/help/{topic or ''}?lang=de").get_data(as_text=True)
        main = html.split("<main", 1)[1]
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", re.sub(r"<[^>]+>", " ", main))}
        if words & ENGLISH_ONLY:
            found[topic or "index"] = sorted(words & ENGLISH_ONLY)
    assert found == {}


def test_help_page_renders_its_text_in_the_readers_language(client, login, world):
    login(client, world.users["member"])
    world.users["member"].locale = "ru"
    from sprintboard.extensions import db

    db.session.commit()
    html = client.get("/help/sprints").get_data(as_text=True)
    assert '<html lang="ru"' in html and "<h1>Спринты</h1>" in html
    assert "Спринт — это короткий" in html
    assert "<h2>Как проходит спринт</h2>" in html  # Markdown rendered to headings


def test_help_is_public_and_unknown_topics_are_404(client):
    response = client.get("/help/board")
    assert response.status_code == 200 and "Board and cards" in response.get_data(as_text=True)
    assert client.get("/help/nothing-here").status_code == 404
    assert client.get("/help/..%2Fbase.html").status_code == 404


def test_areas_link_to_their_help(as_role, world):
    p = world.partnership
    pages = {
        f"/p/{p.id}/board": "board",
        f"/p/{p.id}/sprints/": "sprints",
        f"/p/{p.id}/workshops/": "workshops",
        f"/p/{p.id}/facilitation/": "facilitation",
        f"/p/{p.id}/funding/": "funding",
        f"/p/{p.id}/status": "status",
        f"/p/{p.id}/match/": "match",
        f"/p/{p.id}/actors/": "match",
        "/toolbox/": "toolbox",
        "/o/": "openspace",
        "/notifications/": "notifications",
        f"/p/{p.id}/translations/": "translations",
        f"/p/{p.id}/import/": "imports",
        "/account/tokens": "imports",
    }
    from tests import factories

    card = factories.card(p, actor=world.users["member"])
    pages[f"/p/{p.id}/cards/{card.id}"] = "attachments"  # the files panel of a card
    client = as_role("facilitator")
    missing = {}
    for path, topic in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        if f'href="/help/{topic}"' not in response.get_data(as_text=True):
            missing[path] = topic
    assert missing == {}
    # The help index is linked from every page's top bar.
    assert 'href="/help/"' in client.get(f"/p/{p.id}").get_data(as_text=True)
