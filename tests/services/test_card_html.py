"""The board's card renderer (board/card_html.py) produces exactly what templates/cards/_card.html
produces, in every locale, for every kind of card (escaping included)."""

from __future__ import annotations

import itertools
from datetime import date
from types import SimpleNamespace

import pytest
from flask import render_template
from flask_babel import force_locale

from sprintboard.board.card_html import CardRenderer
from sprintboard.i18n import LANGUAGES

EVIL = "<script>alert(\"x\")</script> & 'quotes'"


def _person(name, city, index):
    return {"name": name, "initials": name[:2].upper(), "city": city, "city_index": index}


def _cards():
    people = [_person("Max Member", "Hamburg", 1), _person(EVIL, "Мінск & <Co>", 0)]
    labels = [SimpleNamespace(name="Urgent", colour="red"), SimpleNamespace(name=EVIL, colour="blue")]
    kinds = itertools.product(
        ["", "done", "overdue", "soon"],
        [None, "de"],
        [None, SimpleNamespace(title=EVIL)],
        [0, 1, 2],  # labels and assignees
        [None, 1, 5],  # estimate
        [None, date(2026, 12, 24)],
        [(0, 0), (1, 3)],  # checklist
        [0, 1, 5, 21],  # comments and files (Slavic plural forms)
    )
    for i, (state, language, project, many, estimate, due, (done, total), comments) in enumerate(kinds):
        card = SimpleNamespace(
            id=i + 1,
            title=EVIL if i % 3 == 0 else f"Card {i}",
            language=language,
            estimate=estimate,
            checklist_done=done,
            checklist_total=total,
            comment_count=comments,
            attachment_count=(0, 1, 2, 5, 22)[i % 5],
        )
        yield {
            "card": card,
            "state": state,
            "href": f"/p/1/cards/{card.id}",
            "due": due,
            "author": people[i % 2] if i % 5 else None,
            "assignees": people[:many],
            "labels": labels[:many],
            "project": project,
            # in the reader's language (translated), or marked as not translated yet
            **({"title": f"Übersetzt {EVIL}", "title_lang": "de"} if i % 7 == 0 else {}),
            **({"untranslated": True} if i % 7 == 3 else {}),
        }


@pytest.mark.parametrize("locale", ["en", *[code for code in LANGUAGES if code != "en"]])
def test_the_card_renderer_matches_the_template(app, locale):
    assert locale in LANGUAGES
    with app.test_request_context("/"), force_locale(locale):
        renderer = CardRenderer()
        compared = 0
        for context in _cards():
            assert renderer.render(**context) == render_template("cards/_card.html", **context), context
            compared += 1
        assert compared > 1000
