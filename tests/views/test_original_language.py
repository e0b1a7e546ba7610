"""The original language of user-written text is chosen in its form: the author's UI language by
default, the stored one when editing; an unknown code is refused in place (a translated 422)."""

from sprintboard.extensions import db
from sprintboard.models import Actor, MatchEntry


def _german(login, client, world):
    member = world.users["member"]
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
