"""Cards and comments in the reader's language, side by side with the original; the queue."""

import pytest

from sprintboard.extensions import db
from sprintboard.models import Translation
from sprintboard.services import cards, translations
from sprintboard.services.board import columns_of as board_columns
from tests import factories


@pytest.fixture
def russian_card(world):
    p = world.partnership
    anna = factories.member(p, "member", 0, name="Anna Author", locale="ru")
    card = factories.card(p, "Закупить краски", actor=anna, body="Для мастерской в Минске.", language="ru")
    comment = cards.add_comment(card, "Я куплю завтра.", language="ru", actor=anna)
    db.session.commit()
    return p, card, comment, anna


def _german(login, client, world):
    member = world.users["member"]
    member.locale = "de"
    db.session.commit()
    login(client, member)
    return member


def test_a_german_member_sees_translate_then_adds_a_translation_side_by_side(
    client, login, world, russian_card
):
    p, card, _comment, _anna = russian_card
    _german(login, client, world)
    page = client.get(f"/p/{p.id}/cards/{card.id}").get_data(as_text=True)
    translate = f"/p/{p.id}/translations/card/{card.id}/de"
    assert "Закупить краски" in page and translate in page and "Auf Deutsch übersetzen" in page

    side = client.get(translate).get_data(as_text=True)
    assert 'class="side-by-side"' in side and "Для мастерской в Минске." in side and 'lang="ru"' in side
    response = client.post(translate, data={"title": "Farben kaufen", "body": "Für die Werkstatt in Minsk."})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/cards/{card.id}")

    page = client.get(f"/p/{p.id}/cards/{card.id}").get_data(as_text=True)
    assert "Farben kaufen" in page and "Für die Werkstatt in Minsk." in page
    assert "Übersetzt aus dem Original (Russisch) von Max Member" in page
    assert "Original anzeigen" in page
    original = client.get(f"/p/{p.id}/cards/{card.id}?original=1").get_data(as_text=True)
    assert "Für die Werkstatt in Minsk." not in original and "Для мастерской в Минске." in original
    assert "Auf Deutsch anzeigen" in original


def test_the_toggle_swaps_the_card_in_place_with_htmx(htmx_client, login, world, russian_card):
    p, card, _comment, _anna = russian_card
    translations.save_translation(card, "de", {"title": "Farben kaufen", "body": "Werkstatt."}, actor=None)
    _german(login, htmx_client, world)
    fragment = htmx_client.get(f"/p/{p.id}/cards/{card.id}?original=1").get_data(as_text=True)
    assert fragment.lstrip().startswith("<article") and "<html" not in fragment
    assert "Закупить краски" in fragment and "Farben kaufen" not in fragment
    assert f'data-hx-get="/p/{p.id}/cards/{card.id}"' in fragment


def test_the_author_edits_the_original_and_the_reader_sees_outdated_with_the_change(
    client, login, world, russian_card
):
    p, card, _comment, anna = russian_card
    translations.save_translation(
        card,
        "de",
        {"title": "Farben kaufen", "body": "Für die Werkstatt in Minsk."},
        actor=world.users["member"],
    )
    card.body = "Для мастерской в Гамбурге."
    db.session.commit()
    _german(login, client, world)
    page = client.get(f"/p/{p.id}/cards/{card.id}").get_data(as_text=True)
    assert "veraltet" in page and "Übersetzung aktualisieren" in page
    side = client.get(f"/p/{p.id}/translations/card/{card.id}/de").get_data(as_text=True)
    assert "<del>" in side and "Для мастерской в Минске." in side
    assert "<ins>" in side and "Для мастерской в Гамбурге." in side


def test_comments_show_in_the_readers_language(client, login, world, russian_card):
    p, card, comment, _anna = russian_card
    translations.save_translation(comment, "de", {"body": "Ich kaufe morgen."}, actor=None)
    _german(login, client, world)
    page = client.get(f"/p/{p.id}/cards/{card.id}").get_data(as_text=True)
    assert "Ich kaufe morgen." in page and "Я куплю завтра." not in page
    assert "Я куплю завтра." in client.get(f"/p/{p.id}/cards/{card.id}?original=1").get_data(as_text=True)


def test_observers_read_translations_but_cannot_translate(client, login, world, russian_card):
    p, card, _comment, _anna = russian_card
    translations.save_translation(card, "de", {"title": "Farben kaufen", "body": "Werkstatt."}, actor=None)
    observer = world.users["observer"]
    observer.locale = "de"
    db.session.commit()
    login(client, observer)
    assert "Farben kaufen" in client.get(f"/p/{p.id}/cards/{card.id}").get_data(as_text=True)
    side = client.get(f"/p/{p.id}/translations/card/{card.id}/de").get_data(as_text=True)
    assert "Farben kaufen" in side and '<form method="post"' not in side.split('class="side-by-side"')[1]
    assert client.post(f"/p/{p.id}/translations/card/{card.id}/de", data={"title": "x"}).status_code == 403


def test_an_empty_translation_is_refused_in_place_and_changes_nothing(client, login, world, russian_card):
    p, card, _comment, _anna = russian_card
    _german(login, client, world)
    response = client.post(f"/p/{p.id}/translations/card/{card.id}/de", data={"title": "Farben kaufen"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Übersetzen Sie bitte jeden Teil des Textes." in html and 'value="Farben kaufen"' in html
    assert db.session.scalars(db.select(Translation).where(Translation.kind != "column")).all() == []


def test_a_machine_suggestion_prefills_the_form_marked_as_machine(
    client, login, world, russian_card, translate_server
):
    p, card, _comment, _anna = russian_card
    _german(login, client, world)
    url = f"/p/{p.id}/translations/card/{card.id}/de"
    assert "Maschinelle Übersetzung vorschlagen" in client.get(url).get_data(as_text=True)
    response = client.post(url + "/suggest")
    assert response.status_code == 303
    side = client.get(url).get_data(as_text=True)
    assert 'value="[de] Закупить краски"' in side and "Maschineller Vorschlag" in side
    page = client.get(f"/p/{p.id}/cards/{card.id}").get_data(as_text=True)
    assert "[de] Закупить краски" in page and "maschinell übersetzt" in page


def test_a_failing_machine_service_says_so_and_the_form_stays(
    client, login, world, russian_card, translate_server
):
    p, card, _comment, _anna = russian_card
    translate_server.mode = "500"
    _german(login, client, world)
    url = f"/p/{p.id}/translations/card/{card.id}/de"
    assert client.post(url + "/suggest").status_code == 303
    side = client.get(url).get_data(as_text=True)
    assert "Der Dienst für maschinelle Übersetzung ist gerade nicht erreichbar" in side
    assert 'name="title"' in side


def test_without_a_machine_service_suggesting_answers_503_with_the_form(client, login, world, russian_card):
    p, card, _comment, _anna = russian_card
    _german(login, client, world)
    url = f"/p/{p.id}/translations/card/{card.id}/de"
    assert "Maschinelle Übersetzung vorschlagen" not in client.get(url).get_data(as_text=True)
    response = client.post(url + "/suggest")
    assert response.status_code == 503 and response.headers["Retry-After"]
    html = response.get_data(as_text=True)
    assert (
        "Maschinelle Übersetzung ist auf diesem Server nicht eingerichtet." in html and 'name="title"' in html
    )


def test_the_queue_lists_what_needs_german_and_filters_by_kind(client, login, world, russian_card):
    p, card, comment, _anna = russian_card
    _german(login, client, world)
    page = client.get(f"/p/{p.id}/translations/").get_data(as_text=True)
    assert f"/translations/card/{card.id}/de" in page and f"/translations/comment/{comment.id}/de" in page
    only_comments = client.get(f"/p/{p.id}/translations/?kind=comment").get_data(as_text=True)
    assert f"/translations/card/{card.id}/de" not in only_comments
    assert f"/translations/comment/{comment.id}/de" in only_comments
    russian = client.get(f"/p/{p.id}/translations/?into=ru").get_data(as_text=True)
    assert f"/translations/card/{card.id}/" not in russian


def test_a_card_added_on_the_board_records_the_authors_language(client, login, world):
    p = world.partnership
    _german(login, client, world)
    from sprintboard.services import board

    column = board.columns_of(p)[0]
    client.post(f"/p/{p.id}/board/cards", data={"title": "Neue Karte", "column": column.id})
    card = db.session.scalar(db.select(cards.Card).filter_by(title="Neue Karte"))
    assert card.language == "de"


def test_a_funding_idea_is_translated_side_by_side(client, login, world):
    p = world.partnership
    idea = factories.funding_idea(
        p, actor=world.users["facilitator"], title="Фонд городов", next_step="Заявка"
    )
    idea.language = "ru"
    _german(login, client, world)
    url = f"/p/{p.id}/translations/funding/{idea.id}/de"
    page = client.get(url).get_data(as_text=True)
    assert "Фонд городов" in page and "Nächster Schritt" in page
    response = client.post(url, data={"title": "Städtefonds", "next_step": "Antrag"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/funding/{idea.id}")
    assert translations.version(idea, "de").text("title") == "Städtefonds"
    assert client.get(f"/p/{p.id}/translations/nothing/{idea.id}/de").status_code == 404


def test_the_board_shows_each_reader_the_title_in_their_language(client, login, world, russian_card):
    p, card, _comment, anna = russian_card
    factories.card(p, "Найти зал", actor=anna, language="ru")
    _german(login, client, world)
    board = client.get(f"/p/{p.id}/board").get_data(as_text=True)  # warms the render cache
    assert "Закупить краски" in board and board.count("noch nicht übersetzt") == 2

    translations.save_translation(card, "de", {"title": "Farben kaufen", "body": "Werkstatt."}, actor=None)
    db.session.commit()
    board = client.get(f"/p/{p.id}/board").get_data(as_text=True)
    assert 'lang="de">Farben kaufen</a>' in board and "Закупить краски" not in board
    assert 'lang="ru">Найти зал</a>' in board and board.count("noch nicht übersetzt") == 1

    russian = client.application.test_client()
    login(russian, anna)
    board = russian.get(f"/p/{p.id}/board").get_data(as_text=True)
    assert "Закупить краски" in board and "Farben kaufen" not in board and "ещё не переведено" not in board


def test_live_updates_bring_each_viewer_the_card_in_their_language(app, login, world, russian_card):
    from sprintboard.live import render as live

    p, card, _comment, anna = russian_card
    german = app.test_client()
    _german(login, german, world)
    russian = app.test_client()
    login(russian, anna)
    changes = f"/p/{p.id}/board/changes?since="

    # A German translation arrives: the German viewer's board gets the German title at once.
    since = live.last_id(p.id)
    author = app.test_client()
    login(author, world.users["facilitator"])
    author.post(
        f"/p/{p.id}/translations/card/{card.id}/de", data={"title": "Farben kaufen", "body": "Werkstatt."}
    )
    body = german.get(f"{changes}{since}").get_data(as_text=True)
    assert f'id="card-{card.id}"' in body and 'lang="de">Farben kaufen</a>' in body
    assert "noch nicht übersetzt" not in body
    body = russian.get(f"{changes}{since}").get_data(as_text=True)
    assert 'lang="ru">Закупить краски</a>' in body and "Farben kaufen" not in body

    # The author moves the card: each stream (SSE, replayed) shows it in its viewer's language.
    since = live.last_id(p.id)
    columns = [c.id for c in board_columns(p)]
    login(author, anna)
    german_stream = ""
    author.post(f"/p/{p.id}/cards/{card.id}/move", data={"column": columns[1]})
    for client, title, other in (
        (german, "Farben kaufen", "Закупить краски"),
        (russian, "Закупить краски", "Farben kaufen"),
    ):
        response = client.get(f"/p/{p.id}/events", headers={"Last-Event-ID": str(since)})
        stream = response.get_data(as_text=True)
        response.close()
        german_stream = stream if client is german else german_stream
        assert f'data-column="{columns[1]}"' in stream and f">{title}</a>" in stream
        assert f">{other}</a>" not in stream and other not in stream  # the live region's sentence too
    assert "hat „Farben kaufen“ von" in german_stream


def test_each_reader_sees_the_columns_named_in_their_language(app, client, login, world):
    vera = factories.user("Вера Фасилитатор", locale="ru")
    with app.test_request_context():
        p = factories.partnership("Минск – Гамбург", actor=vera)
    from sprintboard.services import partnerships

    partnerships.add_member(p, vera, "facilitator", p.cities[0], actor=None)
    greta = factories.member(p, "member", 1, name="Greta", locale="de")
    db.session.commit()
    login(client, greta)
    german = client.get(f"/p/{p.id}/board").get_data(as_text=True)
    assert '<h2 class="col-name">Zu erledigen</h2>' in german and "К выполнению" not in german
    russian = app.test_client()
    login(russian, vera)
    assert '<h2 class="col-name">К выполнению</h2>' in russian.get(f"/p/{p.id}/board").get_data(as_text=True)

    # Vera renames a column: Greta reads the new Russian name, and is offered to translate it.
    todo = board_columns(p)[1]
    russian.post(
        f"/p/{p.id}/board/settings/columns/{todo.id}",
        data={f"column-{todo.id}-name": "Сделать на неделе", f"column-{todo.id}-wip_limit": ""},
    )
    assert '<h2 class="col-name">Сделать на неделе</h2>' in client.get(f"/p/{p.id}/board").get_data(
        as_text=True
    )
    settings = client.get(f"/p/{p.id}/board/settings").get_data(as_text=True)
    translate = f"/p/{p.id}/translations/column/{todo.id}/de"
    assert translate in settings and "Den Namen auf Deutsch übersetzen" in settings
    assert "Auf Deutsch: Erledigt" in settings
    side = client.get(translate).get_data(as_text=True)
    assert "Сделать на неделе" in side and 'name="name"' in side and "Name" in side
    response = client.post(translate, data={"name": "Diese Woche"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#column-{todo.id}")
    german = client.get(f"/p/{p.id}/board").get_data(as_text=True)
    assert '<h2 class="col-name">Diese Woche</h2>' in german
    assert "Сделать на неделе" in russian.get(f"/p/{p.id}/board").get_data(as_text=True)


def test_deepl_suggests_a_translation_and_says_when_its_quota_is_used_up(
    client, login, world, russian_card, deepl_server
):
    p, card, _comment, _anna = russian_card
    _german(login, client, world)
    url = f"/p/{p.id}/translations/card/{card.id}/de"
    assert client.post(url + "/suggest").status_code == 303
    side = client.get(url).get_data(as_text=True)
    assert 'value="[DE] Закупить краски"' in side and "Maschineller Vorschlag" in side
    assert {r["authorization"] for r in deepl_server.requests} == {"DeepL-Auth-Key deepl-key:fx"}
    assert db.session.scalar(db.select(Translation.provider).where(Translation.kind == "card")) == "deepl"

    deepl_server.mode = "456"
    comment_url = f"/p/{p.id}/translations/comment/{_comment.id}/de"
    assert client.post(comment_url + "/suggest").status_code == 303
    side = client.get(comment_url).get_data(as_text=True)
    assert "hat sein Kontingent vorerst aufgebraucht" in side and 'name="body"' in side

    # DeepL has no Belarusian: the button is not offered, and asking anyway says why (503).
    belarusian = f"/p/{p.id}/translations/card/{card.id}/be"
    assert "/suggest" not in client.get(belarusian).get_data(as_text=True)
    response = client.post(belarusian + "/suggest")
    assert response.status_code == 503 and "übersetzt nicht in diese Sprache" in response.get_data(
        as_text=True
    )


def test_a_funding_ideas_original_language_is_the_authors_unless_the_form_says_otherwise(
    client, login, world
):
    from sprintboard.models import FundingIdea

    p = world.partnership
    _german(login, client, world)
    base = {"title": "Städtefonds", "currency": "EUR", "status": "idea", "owner": "0"}
    assert 'name="language"' in client.get(f"/p/{p.id}/funding/new").get_data(as_text=True)
    client.post(f"/p/{p.id}/funding/new", data=base)
    client.post(f"/p/{p.id}/funding/new", data={**base, "title": "Фонд городов", "language": "ru"})
    ideas = db.session.scalars(db.select(FundingIdea).order_by(FundingIdea.id)).all()
    assert [(i.title, i.language) for i in ideas] == [("Städtefonds", "de"), ("Фонд городов", "ru")]

    # Corrected in the edit form: it is Belarusian after all (the queue into Belarusian drops it).
    idea = ideas[1]
    edit = client.get(f"/p/{p.id}/funding/{idea.id}/edit").get_data(as_text=True)
    assert '<option selected value="ru">' in edit or 'value="ru" selected' in edit
    client.post(f"/p/{p.id}/funding/{idea.id}/edit", data={**base, "title": "Фонд гарадоў", "language": "be"})
    db.session.expire_all()
    assert db.session.get(FundingIdea, idea.id).language == "be"
    refused = client.post(f"/p/{p.id}/funding/{idea.id}/edit", data={**base, "title": "X", "language": "xx"})
    assert refused.status_code == 422 and "Unbekannte Sprache." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FundingIdea, idea.id).title == "Фонд гарадоў"
    assert [i.version.obj.id for i in translations.queue_for(p, "be", "funding")] == [ideas[0].id]
    assert idea.id in [i.version.obj.id for i in translations.queue_for(p, "ru", "funding")]
