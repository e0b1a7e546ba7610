"""The original language of user-written text is chosen in its form: the author's UI language by
default, the stored one when editing; an unknown code is refused in place (a translated 422)."""

from sprintboard.extensions import db
from sprintboard.models import Actor, MatchEntry, Sprint


def _german(login, client, world, role="member"):
    member = world.users[role]
    member.locale = "de"
    db.session.commit()
    login(client, member)
    return member


def _selected(page: str, code: str) -> bool:
    return f'<option selected value="{code}">' in page or f'value="{code}" selected' in page


def test_an_actors_language_is_the_authors_unless_the_form_says_otherwise(client, login, world):
    p = world.partnership
    _german(login, client, world)
    base = {"name": "Jugendzentrum", "city": p.cities[0].id, "kind": "ngo", "interest": 3, "influence": 3}
    assert 'name="language"' in client.get(f"/p/{p.id}/actors/new").get_data(as_text=True)
    client.post(f"/p/{p.id}/actors/new", data={**base, "description": "Ein Café"})
    client.post(f"/p/{p.id}/actors/new", data={**base, "name": "Молодёжный центр", "language": "ru"})
    actors = db.session.scalars(db.select(Actor).order_by(Actor.id)).all()
    assert [(a.name, a.language) for a in actors] == [("Jugendzentrum", "de"), ("Молодёжный центр", "ru")]

    actor = actors[1]
    assert _selected(client.get(f"/p/{p.id}/actors/{actor.id}/edit").get_data(as_text=True), "ru")
    edit = f"/p/{p.id}/actors/{actor.id}/edit"
    client.post(edit, data={**base, "name": "Маладзёжны цэнтр", "language": "be"})
    db.session.expire_all()
    assert db.session.get(Actor, actor.id).language == "be"
    refused = client.post(f"/p/{p.id}/actors/{actor.id}/edit", data={**base, "name": "X", "language": "xx"})
    assert refused.status_code == 422 and "Unbekannte Sprache." in refused.get_data(as_text=True)
    assert 'name="language"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert (db.session.get(Actor, actor.id).name, db.session.get(Actor, actor.id).language) == (
        "Маладзёжны цэнтр",
        "be",
    )
    refused = client.post(f"/p/{p.id}/actors/new", data={**base, "name": "Neu", "language": "xx"})
    assert refused.status_code == 422 and db.session.scalar(db.select(db.func.count(Actor.id))) == 2


def test_an_entrys_language_is_the_authors_unless_the_form_says_otherwise(client, login, world):
    p = world.partnership
    _german(login, client, world)
    base = {"city": p.cities[0].id, "kind": "idea", "themes": []}
    assert 'name="language"' in client.get(f"/p/{p.id}/entries/").get_data(as_text=True)
    client.post(f"/p/{p.id}/entries/", data={**base, "text": "Ein Hafenfest"})
    client.post(f"/p/{p.id}/entries/", data={**base, "text": "Портовый праздник", "language": "ru"})
    entries = db.session.scalars(db.select(MatchEntry).order_by(MatchEntry.id)).all()
    added = [(e.text, e.language) for e in entries][-2:]
    assert added == [("Ein Hafenfest", "de"), ("Портовый праздник", "ru")]

    entry = entries[-1]
    assert _selected(client.get(f"/p/{p.id}/entries/{entry.id}/edit").get_data(as_text=True), "ru")
    edit = f"/p/{p.id}/entries/{entry.id}/edit"
    client.post(edit, data={**base, "text": "Партовае свята", "language": "be"})
    db.session.expire_all()
    assert db.session.get(MatchEntry, entry.id).language == "be"
    refused = client.post(f"/p/{p.id}/entries/{entry.id}/edit", data={**base, "text": "X", "language": "xx"})
    assert refused.status_code == 422 and "Unbekannte Sprache." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert (db.session.get(MatchEntry, entry.id).text, db.session.get(MatchEntry, entry.id).language) == (
        "Партовае свята",
        "be",
    )
    count = db.session.scalar(db.select(db.func.count(MatchEntry.id)))
    refused = client.post(f"/p/{p.id}/entries/", data={**base, "text": "Neu", "language": "xx"})
    assert refused.status_code == 422 and db.session.scalar(db.select(db.func.count(MatchEntry.id))) == count


def _newest(model, n=1):
    return db.session.scalars(db.select(model).order_by(model.id.desc()).limit(n)).all()[::-1]


def _chosen_stored_and_refused(client, model, *, page, create, edit, base, field, texts, shown=None):
    """The form offers the choice; a new text is in the author's language (German) unless the form
    says otherwise; the edit form shows the stored one and changes it; an unknown code is a 422
    re-rendered in place that changes nothing. `edit(obj)`: its edit URL; `shown(obj)`: where its
    edit form is (a page, and the text its language select starts with), when not at that URL."""
    assert 'name="language"' in client.get(page).get_data(as_text=True)
    client.post(create, data={**base, field: texts[0]})
    client.post(create, data={**base, field: texts[1], "language": "ru"})
    made = _newest(model, 2)
    assert [(getattr(o, field), o.language) for o in made] == [(texts[0], "de"), (texts[1], "ru")]

    obj = made[1]
    where, start = shown(obj) if shown else (edit(obj), "<body")
    assert _selected(client.get(where).get_data(as_text=True).split(start, 1)[1], "ru")
    client.post(edit(obj), data={**base, field: texts[2], "language": "be"})
    db.session.expire_all()
    assert db.session.get(model, obj.id).language == "be"
    refused = client.post(edit(obj), data={**base, field: "X", "language": "xx"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Unbekannte Sprache." in html and 'name="language"' in html
    db.session.expire_all()
    again = db.session.get(model, obj.id)
    assert (getattr(again, field), again.language) == (texts[2], "be")
    count = db.session.scalar(db.select(db.func.count(model.id)))
    refused = client.post(create, data={**base, field: "Y", "language": "xx"})
    assert refused.status_code == 422 and "Unbekannte Sprache." in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(model.id))) == count


def test_a_sprint_goals_language_is_the_authors_unless_the_form_says_otherwise(client, login, world):
    p = world.partnership
    _german(login, client, world, "facilitator")
    _chosen_stored_and_refused(
        client,
        Sprint,
        page=f"/p/{p.id}/sprints/",
        create=f"/p/{p.id}/sprints/",
        edit=lambda s: f"/p/{p.id}/sprints/{s.id}/edit",
        base={"name": "Sprint", "start_date": "2026-04-01", "end_date": "2026-04-14"},
        field="goal",
        texts=["Chortournee", "Гастроли хора", "Гастролі хору"],
    )


def test_workshop_outcomes_are_in_the_authors_language_unless_the_form_says_otherwise(client, login, world):
    from sprintboard.models import Workshop
    from sprintboard.services import workshops

    p = world.partnership
    _german(login, client, world, "facilitator")
    w = workshops.timeline(p)[0]
    url = f"/p/{p.id}/workshops/{w.id}"
    page = client.get(url).get_data(as_text=True)
    assert _selected(page.split('id="outcomes-h"')[1], "de")  # nothing written yet: the author's
    client.post(f"{url}/outcomes", data={"outcomes": "Drei Projekte", "language": "de"})  # as preselected
    db.session.expire_all()
    assert db.session.get(Workshop, w.id).language == "de"
    client.post(f"{url}/outcomes", data={"outcomes": "Три проекта", "language": "ru"})
    db.session.expire_all()
    assert db.session.get(Workshop, w.id).language == "ru"
    assert _selected(client.get(url).get_data(as_text=True).split('id="outcomes-h"')[1], "ru")
    refused = client.post(f"{url}/outcomes", data={"outcomes": "X", "language": "xx"})
    assert refused.status_code == 422 and "Unbekannte Sprache." in refused.get_data(as_text=True)
    db.session.expire_all()
    assert (db.session.get(Workshop, w.id).outcomes, db.session.get(Workshop, w.id).language) == (
        "Три проекта",
        "ru",
    )


def test_an_agenda_items_language_is_the_authors_unless_the_form_says_otherwise(client, login, world):
    from sprintboard.models import AgendaItem
    from sprintboard.services import workshops

    p = world.partnership
    _german(login, client, world, "facilitator")
    w = workshops.timeline(p)[0]
    url = f"/p/{p.id}/workshops/{w.id}"
    _chosen_stored_and_refused(
        client,
        AgendaItem,
        page=url,
        create=f"{url}/agenda",
        edit=lambda item: f"{url}/agenda/{item.id}",
        shown=lambda item: (url, f'id="ai-lang-{item.id}"'),
        base={"duration": "15"},
        field="title",
        texts=["Begrüßung", "Приветствие", "Вітанне"],
    )


def test_a_retro_notes_language_is_the_authors_unless_the_form_says_otherwise(client, login, world):
    from sprintboard.models import RetroNote

    p = world.partnership
    _german(login, client, world)
    url = f"/p/{p.id}/facilitation/retro"
    assert 'name="language"' in client.get(url).get_data(as_text=True)
    client.post(url, data={"kind": "well", "text": "Gute Stimmung"})
    client.post(url, data={"kind": "well", "text": "Хорошее настроение", "language": "ru"})
    assert [(n.text, n.language) for n in _newest(RetroNote, 2)] == [
        ("Gute Stimmung", "de"),
        ("Хорошее настроение", "ru"),
    ]
    refused = client.post(url, data={"kind": "well", "text": "X", "language": "xx"})
    assert refused.status_code == 422 and "Unbekannte Sprache." in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(RetroNote.id))) == 2


def test_the_sprint_pages_charts_and_projects_name_columns_in_the_readers_language(client, login, world):
    from sprintboard.services import board, translations
    from tests import factories

    p = world.partnership
    column = board.columns_of(p)[1]
    column.name, column.language = "Doing now", "en"
    translations.save_translation(column, "de", {"name": "Gerade dran"}, actor=None)
    project = factories.project(p)
    card = factories.card(p, "Plakate", column=1, project=project)
    sprint = factories.sprint(p, cards=[card], state="active")
    db.session.commit()
    _german(login, client, world, "facilitator")
    for url in (
        f"/p/{p.id}/projects/{project.id}",
        f"/p/{p.id}/sprints/{sprint.id}",
        f"/p/{p.id}/sprints/{sprint.id}/close",
        f"/p/{p.id}/sprints/charts",
    ):
        html = client.get(url).get_data(as_text=True)
        assert "Gerade dran" in html and "Doing now" not in html, url
