"""The search page and the header box: grouped, highlighted, only what the person may see."""

from sprintboard.extensions import db
from sprintboard.services import cards
from tests import factories


def test_the_header_box_is_on_every_page_for_people_who_are_logged_in(world, as_role):
    html = as_role("member").get(f"/p/{world.partnership.id}").get_data(as_text=True)
    assert 'id="site-search"' in html and 'aria-keyshortcuts="/"' in html
    # … and searches the partnership one is in.
    assert f'name="p" value="{world.partnership.id}"' in html
    assert 'id="site-search"' not in as_role(None).get("/login").get_data(as_text=True)


def test_results_are_grouped_and_highlighted(world, as_role):
    p = world.partnership
    card = factories.card(p, "Lantern parade")
    cards.add_comment(card, "Lanterns from the <school>", language="en", actor=world.users["member"])
    factories.actor(p, 0, "Lantern makers")
    db.session.commit()
    response = as_role("observer").get("/search", query_string={"q": "lantern"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 results for “lantern”" in html
    assert html.index(">Cards <") < html.index(">Comments <") < html.index(">Actors <")
    assert "<mark>Lantern</mark> parade" in html
    assert "<mark>Lanterns</mark> from the &lt;school&gt;" in html  # escaped, never raw HTML
    assert "Comment on <mark>Lantern</mark> parade" in html
    assert f'href="/p/{p.id}/cards/{card.id}"' in html
    assert f'href="/p/{p.id}/cards/{card.id}#comment-' in html


def test_other_partnerships_stay_hidden(world, as_role):
    factories.card(world.other, "Harbour plan of the others")
    factories.card(world.partnership, "Harbour plan of ours")
    db.session.commit()
    html = as_role("member").get("/search?q=harbour").get_data(as_text=True)
    assert "plan of ours" in html and "of the others" not in html
    # Asking for the other partnership by its id does not help.
    response = as_role("member").get(f"/search?q=harbour&p={world.other.id}")
    assert response.status_code == 422
    assert "of the others" not in response.get_data(as_text=True)


def test_filters_by_kind_city_and_date(world, as_role):
    p = world.partnership
    factories.card(p, "Choir exchange")
    factories.actor(p, 1, "Choir of Hamburg")
    db.session.commit()
    client = as_role("member")
    html = client.get("/search?q=choir&kind=actor").get_data(as_text=True)
    assert "of Hamburg" in html and "Choir exchange" not in html
    hamburg = p.cities[1]
    html = client.get(f"/search?q=choir&city={hamburg.id}").get_data(as_text=True)
    assert "of Hamburg" in html and "Choir exchange" not in html
    html = client.get("/search?q=choir&since=2999-01-01").get_data(as_text=True)
    assert "0 results" in html and "Nothing found" in html


def test_bad_filters_re_render_the_form_with_the_message(world, as_role):
    response = as_role("member").get("/search?q=x&since=2026-05-02&until=2026-05-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The end cannot be before the start." in html and 'name="q"' in html
    response = as_role("member").get("/search?q=x&since=tomorrow")
    assert response.status_code == 422 and 'id="since-error"' in response.get_data(as_text=True)


def test_the_page_speaks_the_reader_s_language(world, as_role):
    factories.card(world.partnership, "Фестиваль фонарей")
    db.session.commit()
    html = as_role("member").get("/search?q=фонари&lang=ru").get_data(as_text=True)
    assert "<mark>фонарей</mark>" in html
    assert "Карточки" in html and "1 результат" in html
