"""The search service on the database under test (SQLite FTS5, or PostgreSQL's tsvector with
TEST_DATABASE_URL): Cyrillic, umlauts and ß, stemming in de/ru/en, ranking, scope, and the index
kept in step with changes in the same transaction."""

import pytest

from sprintboard.extensions import db
from sprintboard.services import cards, search, search_index, search_terms
from tests import factories


def _find(world, query, **kw):
    return search.search([world.partnership.id], query, **kw)


def _titles(results):
    return [entry.title for entry, _rank in results.hits]


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("Bürgerbeteiligung in der Altstadt", "burgerbeteiligung"),  # umlaut folded
        ("Die Straße der Partnerschaft", "Strasse"),  # ß = ss
        ("Workshops mit Jugendlichen planen", "Jugendliche"),  # German stem
        ("Обмен молодёжи летом", "молодежи"),  # ё = е
        ("Партнерство городов", "партнерства"),  # Russian stem
        ("Співпраця між громадами", "співпраця"),  # Ukrainian, found as written
        ("Planning the youth exchanges", "exchange"),  # English stem
        ("Fundraising for the festival", "fundr"),  # prefix
    ],
)
def test_words_are_found_across_case_marks_and_endings(ctx, world, text, query):
    factories.card(world.partnership, text)
    factories.card(world.partnership, "Something else entirely")
    assert _titles(_find(world, query)) == [text]


def test_every_word_must_match_and_titles_rank_first(ctx, world):
    p = world.partnership
    in_body = factories.card(p, "Summer plans", body="a festival in the old town")
    in_title = factories.card(p, "Festival in the old town")
    factories.card(p, "Festival elsewhere")
    results = _find(world, "festival town")
    assert _titles(results) == [in_title.title, in_body.title]


def test_all_kinds_are_found_and_grouped(ctx, world):
    p = world.partnership
    card = factories.card(p, "Bicycle repair café")
    cards.add_checklist_item(card, "Borrow the tandem", actor=None)
    cards.add_comment(card, "The tandem is booked", language="en", actor=world.users["member"])
    factories.project(p, "Tandem bridges")
    factories.actor(p, 0, "Tandem club Minsk")
    factories.entry(p, 1, "We need a tandem for the parade")
    factories.funding_idea(p, title="Tandem fund")
    db.session.flush()
    results = _find(world, "tandem")
    kinds = [kind for kind, _entries, _n in results.groups()]
    assert kinds == ["card", "comment", "project", "actor", "entry", "funding"]
    assert results.counts == {k: 1 for k in kinds}
    assert _titles(_find(world, "tandem", kind="actor")) == ["Tandem club Minsk"]
    minsk = p.cities[0]
    assert _titles(_find(world, "tandem", city_id=minsk.id)) == ["Tandem club Minsk"]


def test_only_the_partnerships_asked_for_are_searched(ctx, world):
    factories.card(world.other, "Secret harbour plan")
    assert _titles(_find(world, "harbour")) == []
    assert _titles(search.search([world.other.id], "harbour")) == ["Secret harbour plan"]


def test_the_index_follows_edits_and_deletes_in_the_same_transaction(ctx, world):
    p = world.partnership
    card = factories.card(p, "Kayak tour")
    card.title = "Canoe tour"
    db.session.flush()
    assert _titles(_find(world, "kayak")) == []
    assert _titles(_find(world, "canoe")) == ["Canoe tour"]
    comment = cards.add_comment(card, "Paddles from the club", language="en", actor=world.users["member"])
    db.session.flush()
    assert _titles(_find(world, "paddles")) == ["Canoe tour"]
    cards.delete_comment(comment, actor=world.users["member"])
    db.session.flush()
    assert _titles(_find(world, "paddles")) == []
    db.session.rollback()  # nothing of it was committed: the index is back as it was
    assert _titles(_find(world, "canoe")) == []


def test_workshops_are_found_by_their_standard_name_in_any_language(ctx, world):
    for query in ("Kick-off Hamburg", "кик-офф Hamburg", "Hamburg"):
        titles = [e.kind for e, _r in _find(world, query).hits]
        assert titles == ["workshop"], query


def test_reindex_rebuilds_everything(ctx, world):
    factories.card(world.partnership, "Lantern parade")
    db.session.flush()
    db.session.execute(db.delete(search_index.SearchEntry))
    assert _titles(_find(world, "lantern")) == []
    assert search_index.reindex() > 0
    assert _titles(_find(world, "lantern")) == ["Lantern parade"]


def test_highlight_marks_the_matching_words_and_escapes_the_rest(ctx):
    keys = search_terms.query_keys("strasse")
    assert str(search.highlight("<b>Die Straßen</b>", keys)) == "&lt;b&gt;Die <mark>Straßen</mark>&lt;/b&gt;"


def test_the_reindex_command(app, world, db):
    factories.card(world.partnership, "Lantern parade")
    db.session.execute(db.delete(search_index.SearchEntry))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "indexed" in result.output
    with app.test_request_context():
        assert _titles(_find(world, "lantern")) == ["Lantern parade"]


def test_translations_of_content_are_found_too(ctx, world):
    from sprintboard.services import translations

    card = factories.card(world.partnership, "Lantern parade", body="Bring a lantern", language="en")
    db.session.flush()
    assert _titles(_find(world, "фонарей")) == []
    translations.save_translation(
        card, "ru", {"title": "Шествие фонарей", "body": "Принесите фонарь"}, actor=world.users["member"]
    )
    db.session.flush()
    assert _titles(_find(world, "фонарей")) == ["Lantern parade"]
    assert _titles(_find(world, "фонарь")) == ["Lantern parade"]
