"""The actor map per role: list, filters, grid, create/edit/delete, duplicates, merge, links, privacy."""

import pytest
from flask import g
from flask_babel import refresh

from sprintboard.extensions import db
from sprintboard.models import Actor, Project
from sprintboard.services import actors as actor_service
from tests import factories


def fresh():
    """Forget the previous request's user and locale (the tests share one app context)."""
    g.pop("_login_user", None)
    refresh()


def _form(p, **values):
    data = {
        "name": "Youth Centre",
        "city": p.cities[0].id,
        "kind": "ngo",
        "interest": 4,
        "influence": 2,
        "description": "Runs a café",
        "website": "https://youth.example",
    }
    data.update(values)
    return data


def _count():
    return db.session.scalar(db.select(db.func.count(Actor.id)))


@pytest.mark.parametrize("role", ["observer", "member", "facilitator"])
def test_actor_list_and_grid(world, as_role, role):
    p = world.partnership
    factories.actor(p, 0, "Mayor's office", kind="administration", interest=2, influence=5)
    factories.actor(p, 1, "Kunsthalle", kind="culture", themes=["culture"])
    db.session.commit()
    html = as_role(role).get(f"/p/{p.id}/actors/").get_data(as_text=True)
    assert "Mayor&#39;s office" in html and "Kunsthalle" in html
    assert 'class="stakeholder-grid"' in html and "Influence 5" in html and "Interest 2" in html
    assert ("Add an actor" in html) == (role != "observer")


def test_the_wide_tables_scroll_by_keyboard_on_a_phone(world, as_role):
    """On a narrow screen both tables scroll sideways in their box; the box takes the focus, so
    keyboard users can scroll it too (the grid has nothing else to focus)."""
    p = world.partnership
    factories.actor(p, 0, "Kunsthalle")
    db.session.commit()
    html = as_role("observer").get(f"/p/{p.id}/actors/").get_data(as_text=True)
    assert '<div class="table-wrap" tabindex="0" role="region" aria-label="Actors">' in html
    assert '<div class="table-wrap" tabindex="0" role="region" aria-labelledby="grid-h">' in html
    assert html.count('class="table-wrap"') == 2


def test_filters_work_as_a_get_form_and_as_a_fragment(world, as_role):
    p = world.partnership
    factories.actor(p, 0, "Mayor's office", kind="administration")
    factories.actor(p, 1, "Kunsthalle", kind="culture", themes=["culture"])
    db.session.commit()
    culture = factories.theme(p)
    client = as_role("observer")
    html = client.get(f"/p/{p.id}/actors/?theme={culture.id}").get_data(as_text=True)
    assert "Kunsthalle" in html and "Mayor" not in html
    html = client.get(f"/p/{p.id}/actors/?city={p.cities[0].id}&kind=administration").get_data(as_text=True)
    assert "Mayor" in html and "Kunsthalle" not in html
    fresh()
    fragment = as_role("observer", htmx=True).get(f"/p/{p.id}/actors/?kind=culture").get_data(as_text=True)
    assert fragment.startswith('<div id="actor-results">') and "Kunsthalle" in fragment
    assert "1 actor" in fragment
    html = client.get(f"/p/{p.id}/actors/?kind=nonsense&theme=abc").get_data(as_text=True)
    assert "Kunsthalle" in html  # unknown filter values select nothing


def test_members_create_edit_and_delete_actors(world, as_role):
    p = world.partnership
    culture = factories.theme(p)
    client = as_role("member")
    assert "Add an actor" in client.get(f"/p/{p.id}/actors/new").get_data(as_text=True)
    r = client.post(f"/p/{p.id}/actors/new", data=_form(p, themes=[culture.id]))
    assert r.status_code == 303
    actor = db.session.scalar(db.select(Actor))
    assert (actor.name, actor.interest, actor.influence, actor.themes) == ("Youth Centre", 4, 2, [culture])
    assert "Youth Centre" in client.get(f"/p/{p.id}/actors/{actor.id}/edit").get_data(as_text=True)
    r = client.post(
        f"/p/{p.id}/actors/{actor.id}/edit", data=_form(p, name="Youth Centre North", influence=5)
    )
    assert r.status_code == 303 and actor.name == "Youth Centre North" and actor.influence == 5
    assert actor.themes == []
    assert client.post(f"/p/{p.id}/actors/{actor.id}/delete").status_code == 303
    assert _count() == 0


@pytest.mark.parametrize(
    "values, message",
    [
        ({"website": "javascript:alert(1)"}, "http:// or https://"),
        ({"interest": 7}, "from 1 to 5"),
        ({"influence": 0}, "from 1 to 5"),
        ({"name": ""}, "This field is required"),
        ({"themes": ["999999"]}, "Unknown theme"),
        ({"consent": "y", "contact_email": "nope"}, "not valid"),
    ],
)
def test_bad_actor_input_gets_422_and_changes_nothing(world, as_role, values, message):
    p = world.partnership
    r = as_role("member").post(f"/p/{p.id}/actors/new", data=_form(p, **values))
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    assert _count() == 0


def test_a_duplicate_name_warns_and_offers_the_existing_actor(world, as_role):
    p = world.partnership
    existing = factories.actor(p, 0, "St. Mary's School")
    db.session.commit()
    client = as_role("member")
    r = client.post(f"/p/{p.id}/actors/new", data=_form(p, name="st marys   school"))
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "already on the map" in html
    assert f"/actors/{existing.id}/edit" in html and "Add it anyway" in html
    assert _count() == 1
    r = client.post(f"/p/{p.id}/actors/new", data=_form(p, name="st marys   school", allow_duplicate="y"))
    assert r.status_code == 303 and _count() == 2


def test_facilitators_merge_duplicates(world, as_role):
    p = world.partnership
    keep = factories.actor(p, 0, "Theatre", themes=["culture"])
    drop = factories.actor(p, 0, "Theatre.", themes=["youth"], allow_duplicate=True)
    db.session.commit()
    html = as_role("facilitator").get(f"/p/{p.id}/actors/").get_data(as_text=True)
    assert "Possible duplicates" in html
    fresh()
    assert (
        as_role("member").post(f"/p/{p.id}/actors/{keep.id}/merge", data={"merge-other": drop.id}).status_code
        == 403
    )
    fresh()
    r = as_role("facilitator").post(f"/p/{p.id}/actors/{keep.id}/merge", data={"merge-other": drop.id})
    assert r.status_code == 303
    assert _count() == 1 and [t.key for t in keep.themes] == ["culture", "youth"]


def test_merging_an_actor_of_another_city_or_partnership_is_refused(world, as_role):
    p = world.partnership
    keep = factories.actor(p, 0, "Library")
    other_city = factories.actor(p, 1, "Library")
    foreign = factories.actor(world.other, 0, "Library")
    db.session.commit()
    client = as_role("facilitator")
    assert (
        client.post(f"/p/{p.id}/actors/{keep.id}/merge", data={"merge-other": other_city.id}).status_code
        == 422
    )
    assert (
        client.post(f"/p/{p.id}/actors/{keep.id}/merge", data={"merge-other": foreign.id}).status_code == 422
    )
    assert _count() == 3


def test_actors_are_linked_to_projects_and_cards(world, as_role):
    p = world.partnership
    actor = factories.actor(p, 0, "Library")
    project = Project(partnership=p, title="Reading nights")
    foreign = Project(partnership=world.other, title="Elsewhere")
    db.session.add_all([project, foreign])
    db.session.commit()
    client = as_role("member")
    assert "Reading nights" in client.get(f"/p/{p.id}/actors/{actor.id}/edit").get_data(as_text=True)
    r = client.post(f"/p/{p.id}/actors/{actor.id}/link", data={"link-project": project.id})
    assert r.status_code == 303 and actor.projects == [project]
    # another partnership's project is not found from here (the loaders' rule), nothing linked
    assert (
        client.post(f"/p/{p.id}/actors/{actor.id}/link", data={"link-project": foreign.id}).status_code == 404
    )
    assert actor.projects == [project]
    assert client.post(f"/p/{p.id}/actors/{actor.id}/link", data={}).status_code == 422
    r = client.post(f"/p/{p.id}/actors/{actor.id}/unlink", data={"link-project": project.id})
    assert r.status_code == 303 and actor.projects == []


# Privacy ---------------------------------------------------------------------------------------

SECRET = {"contact_person": "Ada Secret", "contact_email": "ada@secret.example", "contact_phone": "+49 111"}


def _privacy_world(p):
    factories.actor(p, 0, "Without consent", **SECRET)
    factories.actor(
        p, 1, "With consent", consent=True, contact_person="Bob Open", contact_email="bob@open.example"
    )
    db.session.commit()


@pytest.mark.parametrize("role", ["observer", "member", "facilitator"])
def test_no_contact_data_without_consent_in_any_page_or_export(world, as_role, role):
    p = world.partnership
    _privacy_world(p)
    client = as_role(role)
    urls = [
        f"/p/{p.id}/actors/",
        f"/p/{p.id}/actors/export.csv",
        f"/p/{p.id}",
        f"/p/{p.id}/match/",
        f"/p/{p.id}/match/export.csv",
        f"/p/{p.id}/activity",
        f"/p/{p.id}/entries/",
    ]
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        for value in SECRET.values():
            assert value not in body, (url, value)
    html = client.get(f"/p/{p.id}/actors/").get_data(as_text=True)
    csv = client.get(f"/p/{p.id}/actors/export.csv").get_data(as_text=True)
    # with consent, the people of the partnership (observers included) see the contact
    assert "bob@open.example" in html and "bob@open.example" in csv


def test_a_contact_sent_without_consent_is_not_stored(world, as_role):
    p = world.partnership
    r = as_role("member").post(f"/p/{p.id}/actors/new", data=_form(p, **SECRET))
    assert r.status_code == 303
    actor = db.session.scalar(db.select(Actor))
    assert (actor.contact_person, actor.contact_email, actor.contact_phone) == (None, None, None)


def test_withdrawing_consent_wipes_the_contact(world, as_role):
    p = world.partnership
    actor = factories.actor(p, 0, "Open", consent=True, **SECRET)
    db.session.commit()
    r = as_role("member").post(f"/p/{p.id}/actors/{actor.id}/edit", data=_form(p, name="Open", **SECRET))
    assert r.status_code == 303
    assert (actor.consent, actor.contact_email, actor.consent_at) == (False, None, None)


def test_public_variants_hold_no_contact_data_at_all(app, world):
    p = world.partnership
    _privacy_world(p)
    with app.test_request_context():
        header, rows = actor_service.public_actor_csv(p)
        from flask import render_template

        from sprintboard.services import match

        summary_html = render_template("match/_summary.html", summary=match.summary(p))
    text = repr((header, rows)) + summary_html
    for value in [*SECRET.values(), "Bob Open", "bob@open.example"]:
        assert value not in text


def test_a_duplicate_can_be_merged_into_the_existing_actor_instead(world, as_role):
    p = world.partnership
    existing = factories.actor(p, 0, "Kunsthalle", themes=["culture"])
    db.session.commit()
    youth = factories.theme(p, "youth")
    client = as_role("member")
    html = client.post(f"/p/{p.id}/actors/new", data=_form(p, name="KUNSTHALLE")).get_data(as_text=True)
    assert f'name="add_to" value="{existing.id}"' in html
    r = client.post(
        f"/p/{p.id}/actors/new",
        data=_form(
            p,
            name="KUNSTHALLE",
            themes=[youth.id],
            add_to=existing.id,
            consent="y",
            contact_person="Eva",
            contact_email="eva@kunsthalle.example",
        ),
    )
    assert r.status_code == 303 and _count() == 1
    assert [t.key for t in existing.themes] == ["culture", "youth"]
    assert existing.website == "https://youth.example" and existing.contact["person"] == "Eva"
    foreign = factories.actor(world.other, 0, "Kunsthalle")
    db.session.commit()
    r = client.post(f"/p/{p.id}/actors/new", data=_form(p, name="Kunsthalle", add_to=foreign.id))
    assert r.status_code == 404 and foreign.themes == []
