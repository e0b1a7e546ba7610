"""Translations: side by side with the original, outdated when it changes, the queue, and
machine suggestions through the worker (against a local LibreTranslate-speaking server)."""

import pytest
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Card, Translation
from sprintboard.services import DomainError, cards, translations
from tests import factories


@pytest.fixture
def team(world):
    p = world.partnership
    return p, world.users["facilitator"], world.users["member"]


def _card(p, author, title="Закупить краски", body="Для мастерской в Минске.", language="ru"):
    return factories.card(p, title, actor=author, body=body, language=language)


def test_a_person_translates_a_card_and_readers_of_that_language_see_it(ctx, team):
    p, anna, max_ = team
    card = _card(p, anna)
    translations.save_translation(
        card, "de", {"title": "Farben kaufen", "body": "Für die Werkstatt in Minsk."}, actor=max_
    )
    db.session.commit()

    german = translations.version(card, "de")
    assert german.translated and not german.outdated and not german.machine
    assert german.text("title") == "Farben kaufen"
    assert german.text("body") == "Für die Werkstatt in Minsk."
    assert german.translator.id == max_.id
    russian = translations.version(card, "ru")
    assert not russian.differs and russian.text("title") == "Закупить краски"
    ukrainian = translations.version(card, "uk")
    assert ukrainian.needed and ukrainian.text("title") == "Закупить краски"  # the original until translated


def test_editing_the_original_outdates_the_translation_with_what_changed(ctx, team):
    p, anna, max_ = team
    card = _card(p, anna, body="Для мастерской.\nДесять банок.")
    translations.save_translation(
        card, "de", {"title": "Farben kaufen", "body": "Für die Werkstatt.\nZehn Dosen."}, actor=max_
    )
    db.session.commit()

    card.body = "Для мастерской.\nДвадцать банок."
    db.session.commit()
    german = translations.version(card, "de")
    assert german.outdated and german.needed
    assert german.text("body") == "Für die Werkstatt.\nZehn Dosen."  # still shown, marked outdated
    assert german.changes("body") == [("-", "Десять банок."), ("+", "Двадцать банок.")]
    assert german.changes("title") == []

    translations.save_translation(
        card, "de", {"title": "Farben kaufen", "body": "Für die Werkstatt.\nZwanzig Dosen."}, actor=max_
    )
    db.session.commit()
    assert not translations.version(card, "de").outdated


@pytest.mark.parametrize(
    ("language", "texts", "message"),
    [
        ("ru", {"title": "Купить", "body": "…"}, "already written in that language"),
        ("xx", {"title": "Kaufen", "body": "…"}, "Unknown language"),
        ("de", {"title": "Farben kaufen", "body": "  "}, "every part"),
        ("de", {"title": "x" * 201, "body": "Für die Werkstatt."}, "at most 200"),
    ],
)
def test_a_bad_translation_is_refused_and_nothing_is_stored(ctx, team, language, texts, message):
    p, anna, max_ = team
    card = _card(p, anna)
    with pytest.raises(DomainError, match=message):
        translations.save_translation(card, language, texts, actor=max_)
    db.session.rollback()
    assert db.session.scalars(select(Translation).where(Translation.kind != "column")).all() == []


def test_comments_are_translated_too(ctx, team):
    p, anna, max_ = team
    card = _card(p, anna)
    comment = cards.add_comment(card, "Я куплю завтра.", language="ru", actor=anna)
    translations.save_translation(comment, "de", {"body": "Ich kaufe morgen."}, actor=max_)
    db.session.commit()
    assert translations.version(comment, "de").text("body") == "Ich kaufe morgen."
    cards.delete_comment(comment, actor=anna)
    db.session.commit()
    assert db.session.scalars(select(Translation).where(Translation.kind != "column")).all() == []


def test_the_queue_lists_what_needs_a_translation_newest_first(ctx, team, world):
    p, anna, max_ = team
    old = _card(p, anna, "Старая карточка")
    done = _card(p, anna, "Переведённая карточка")
    outdated = _card(p, anna, "Устаревший перевод")
    german_card = _card(p, max_, "Schon deutsch", body="", language="de")
    unknown = _card(p, anna, "Язык не указан", language=None)
    comment = cards.add_comment(old, "Комментарий", language="ru", actor=anna)
    elsewhere = _card(world.other, world.users["outsider"], "Чужая карточка")
    for card in (done, outdated):
        translations.save_translation(
            card, "de", {"title": "Übersetzt", "body": "Für die Werkstatt."}, actor=max_
        )
    outdated.title = "Устаревший перевод (новый)"
    db.session.commit()

    items = translations.queue_for(p, "de")
    listed = [(item.version.kind, item.version.obj.id) for item in items]
    assert (
        ("card", old.id) in listed and ("card", outdated.id) in listed and ("comment", comment.id) in listed
    )
    for absent in (done, german_card, unknown, elsewhere):
        assert ("card", absent.id) not in listed
    cards_listed = [obj_id for kind, obj_id in listed if kind == "card"]
    assert cards_listed == [outdated.id, old.id]  # newest first
    assert [i.version.kind for i in translations.queue_for(p, "de", kind="comment")] == ["comment"]
    russian = [(i.version.kind, i.version.obj.id) for i in translations.queue_for(p, "ru")]
    assert russian == [("card", german_card.id)]


# Machine translation through the worker -----------------------------------------------------


def test_a_machine_suggestion_is_made_by_the_worker_and_marked_as_machine(ctx, team, translate_server):
    p, anna, max_ = team
    card = _card(p, anna)
    rows = translations.request_machine(card, "de", actor=max_)
    assert {row.status for row in rows} == {"pending"}
    assert translate_server.requests == []  # nothing is sent inside the request
    db.session.commit()  # the worker runs once this commits (QUEUE_IMMEDIATE in the tests)

    german = translations.version(card, "de")
    assert german.translated and german.machine and german.translator is None
    assert german.text("title") == "[de] Закупить краски"
    assert german.text("body") == "[de] Для мастерской в Минске."
    assert sorted(r["q"] for r in translate_server.requests) == [
        "Для мастерской в Минске.",
        "Закупить краски",
    ]
    assert {(r["source"], r["target"], r["format"], r["api_key"]) for r in translate_server.requests} == {
        ("ru", "de", "text", "test-key")
    }


def test_a_person_corrects_a_machine_translation_and_the_machine_never_overrides_it(
    ctx, team, translate_server
):
    p, anna, max_ = team
    card = _card(p, anna)
    translations.request_machine(card, "de", actor=max_)
    db.session.commit()
    translations.save_translation(
        card, "de", {"title": "Farben kaufen", "body": "Für die Werkstatt in Minsk."}, actor=max_
    )
    db.session.commit()
    german = translations.version(card, "de")
    assert not german.machine and german.text("title") == "Farben kaufen"

    with pytest.raises(DomainError, match="already translated by a person"):
        translations.request_machine(card, "de", actor=max_)
    db.session.rollback()
    # A suggestion still on its way when the person saved is dropped by the worker.
    rows = db.session.scalars(select(Translation).where(Translation.kind != "column")).all()
    assert translations.run_machine([row.id for row in rows]) == 0
    assert translations.version(card, "de").text("title") == "Farben kaufen"


@pytest.mark.parametrize(
    ("mode", "code"), [("500", "unavailable"), ("429", "rate_limited"), ("garbage", "unavailable")]
)
def test_a_failing_service_leaves_the_original_readable_and_says_why(ctx, team, translate_server, mode, code):
    p, anna, max_ = team
    card = _card(p, anna)
    translate_server.mode = mode
    translations.request_machine(card, "de", actor=max_)
    db.session.commit()
    german = translations.version(card, "de")
    assert german.error == code and not german.translated
    assert german.text("title") == "Закупить краски"
    translate_server.mode = "ok"  # asking again works once the service is back
    translations.request_machine(card, "de", actor=max_)
    db.session.commit()
    assert translations.version(card, "de").text("title") == "[de] Закупить краски"


def test_without_a_configured_service_no_text_leaves_the_server(ctx, team, app):
    p, anna, max_ = team
    card = _card(p, anna)
    assert app.config["TRANSLATE_URL"] is None
    with pytest.raises(translations.MachineUnavailable):
        translations.request_machine(card, "de", actor=max_)
    db.session.rollback()
    assert db.session.scalars(select(Translation).where(Translation.kind != "column")).all() == []


# No English left: what the product itself writes into a new partnership ------------------------


def test_a_new_board_gets_its_columns_in_the_creators_language(ctx):
    from sprintboard.services import board

    german_admin = factories.user("Greta", is_admin=True, locale="de")
    german = factories.partnership("Hamburg – Minsk", actor=german_admin)
    russian = factories.partnership(
        "Минск – Гамбург", actor=factories.user("Вера", is_admin=True, locale="ru")
    )
    assert [c.name for c in board.columns_of(german)] == [
        "Backlog",
        "Zu erledigen",
        "In Arbeit",
        "In Prüfung",
        "Erledigt",
    ]
    assert [c.name for c in board.columns_of(russian)] == [
        "Бэклог",
        "К выполнению",
        "В работе",
        "На проверке",
        "Готово",
    ]
    assert [c.is_done for c in board.columns_of(russian)] == [False, False, False, False, True]


def test_column_names_are_translatable_and_the_defaults_come_translated(app, db):
    from flask_babel import force_locale

    from sprintboard.services import board, columns, match

    with app.test_request_context():
        vera = factories.user("Вера", is_admin=True, locale="ru")
        p = factories.partnership("Минск – Гамбург", actor=vera)
        db.session.commit()
    names = {}
    for language in ("ru", "de", "en", "uk", "be"):
        with app.test_request_context(), force_locale(language):
            names[language] = [c.shown_name for c in board.columns_of(p)]
    assert names["ru"] == ["Бэклог", "К выполнению", "В работе", "На проверке", "Готово"]
    assert names["de"] == ["Backlog", "Zu erledigen", "In Arbeit", "In Prüfung", "Erledigt"]
    assert names["en"] == ["Backlog", "To do", "In progress", "Review", "Done"]
    assert names["uk"] == ["Беклог", "До виконання", "В роботі", "На перевірці", "Готово"]
    assert names["be"] != names["ru"] and names["be"][1] != "К выполнению"  # not Russian

    with app.test_request_context(), force_locale("de"):
        todo = board.columns_of(p)[1]
        assert todo.name == "К выполнению" and todo.language == "ru"  # the original stays the name
        assert translations.queue_for(p, "de", "column") == []  # the defaults need nothing
        # A renamed column shows its new name until someone translates that one.
        columns.update_column(todo, name="Сделать на неделе", wip_limit=None, is_done=False, actor=vera)
        assert board.columns_of(p)[1].shown_name == "Сделать на неделе"
        [queued] = translations.queue_for(p, "de", "column")
        assert queued.version.obj.id == todo.id and queued.version.outdated
        translations.save_translation(todo, "de", {"name": "Diese Woche"}, actor=None)
        assert board.columns_of(p)[1].shown_name == "Diese Woche"
        # A new column is in its author's language, and can be translated like content.
        added = columns.add_column(p, "Ideen", actor=None)
        assert added.language == "de" and translations.version(added, "ru").needed
        db.session.commit()

    # The match's first card still lands in the Backlog (named in Russian on this board).
    with app.test_request_context(), force_locale("ru"):
        assert board.backlog_column(board.columns_of(p)).name == "Бэклог"
        entries = [factories.entry(p, 0, "Хор"), factories.entry(p, 1, "Chor")]
        project = match.create_project_from_match(factories.match(p, entries), actor=vera)
        first = db.session.scalars(select(Card).where(Card.project_id == project.id)).all()
        assert [c.column.name for c in first] == ["Бэклог"]


def test_existing_columns_keep_their_names(ctx, team):
    from sprintboard.services import board

    p, _anna, _max = team
    for column in board.columns_of(p):
        column.language = None  # as the migration leaves the columns of existing boards
    db.session.flush()
    assert [c.shown_name for c in board.columns_of(p)] == [c.name for c in board.columns_of(p)]
    assert translations.queue_for(p, "de", "column") == []


def test_every_kind_of_shared_text_is_queued_and_translated(ctx, team):
    p, anna, max_ = team
    made = {
        "project": factories.project(p, "Молодёжный обмен", actor=anna, summary="Обмен школьниками."),
        "funding": factories.funding_idea(p, actor=anna, title="Фонд городов", next_step="Написать заявку"),
        "actor": factories.actor(p, 0, "Библиотека", by=anna, description="Городская библиотека."),
        "entry": factories.entry(p, 0, "Культурный обмен", by=anna),
    }
    for obj in made.values():
        obj.language = "ru"
    db.session.commit()
    queued = {(i.version.kind, i.version.obj.id) for i in translations.queue_for(p, "de")}
    assert {(kind, obj.id) for kind, obj in made.items()} <= queued
    translations.save_translation(
        made["funding"], "de", {"title": "Städtefonds", "next_step": "Antrag schreiben"}, actor=max_
    )
    db.session.commit()
    assert translations.version(made["funding"], "de").text("next_step") == "Antrag schreiben"
    assert ("funding", made["funding"].id) not in {
        (i.version.kind, i.version.obj.id) for i in translations.queue_for(p, "de")
    }


def test_new_content_records_its_authors_language(app, team):
    p, anna, _max = team
    with app.test_request_context("/?lang=uk"):
        entry = factories.entry(p, 0, "Культурний обмін", by=anna)
        card = factories.card(p, "Купити фарби", actor=anna)
        chosen = factories.card(p, "Farben kaufen", actor=anna, language="de")
        db.session.commit()
        assert (entry.language, card.language, chosen.language) == ("uk", "uk", "de")


def test_search_finds_a_card_by_its_translation(ctx, team):
    from sprintboard.services import search

    p, anna, max_ = team
    card = _card(p, anna)
    db.session.commit()
    assert search.search([p.id], "Werkstatt").total == 0
    translations.save_translation(
        card, "de", {"title": "Farben kaufen", "body": "Für die Werkstatt."}, actor=max_
    )
    db.session.commit()
    hits = [entry.ref_id for entry, _rank in search.search([p.id], "Werkstatt", kind="card").hits]
    assert hits == [card.id]
    assert [e.ref_id for e, _r in search.search([p.id], "мастерской", kind="card").hits] == [card.id]
