"""The actor map: validation, consent-only contacts, duplicates and merging, CSV variants."""

import pytest

from sprintboard.extensions import db
from sprintboard.models import Actor, Card, Project
from sprintboard.services import DomainError, actors
from sprintboard.services.board import columns_of
from sprintboard.services.cards import create_card
from tests import factories


@pytest.fixture(autouse=True)
def _request(app, db):
    with app.test_request_context():
        yield


@pytest.fixture
def p(world):
    return world.partnership


@pytest.mark.parametrize(
    "bad",
    [
        {"website": "javascript:alert(1)"},
        {"website": "ftp://example.org"},
        {"website": "example.org"},
        {"interest": 0},
        {"influence": 6},
        {"interest": "3"},
        {"kind": "club"},
        {"name": " . "},
        {"themes": "foreign"},
        {"consent": True, "contact_email": "not-an-email"},
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(world, p, bad):
    values = {"name": "Youth Centre", "kind": "ngo", **bad}
    if values.get("themes") == "foreign":
        values["themes"] = [factories.theme(world.other)]
    with pytest.raises(DomainError):
        actors.create_actor(p, p.cities[0], actor=None, **values)
    assert db.session.scalar(db.select(db.func.count(Actor.id))) == 0


def test_an_actor_from_another_partnership_city_is_refused(world, p):
    with pytest.raises(DomainError):
        actors.create_actor(p, world.other.cities[0], actor=None, name="X", kind="ngo")


def test_contact_details_are_kept_only_with_consent(world, p):
    user = world.users["member"]
    no = factories.actor(
        p,
        name="No consent",
        contact_person="Anna",
        contact_email="anna@example.org",
        contact_phone="123",
        by=user,
    )
    assert (no.contact_person, no.contact_email, no.contact_phone, no.contact) == (None, None, None, None)
    yes = factories.actor(
        p,
        name="With consent",
        consent=True,
        contact_person="Boris",
        contact_email="boris@example.org",
        by=user,
    )
    assert yes.contact == {"person": "Boris", "email": "boris@example.org", "phone": ""}
    assert yes.consent_by_id == user.id and yes.consent_at is not None
    actors.update_actor(
        yes,
        yes.city,
        actor=user,
        name=yes.name,
        kind="ngo",
        consent=False,
        contact_person="Boris",
        contact_email="boris@example.org",
    )
    assert (yes.consent, yes.contact_person, yes.contact_email, yes.consent_at) == (False, None, None, None)


def test_duplicates_are_found_by_normalised_name_within_a_city(p):
    first = factories.actor(p, 0, "St. Mary's  School")
    with pytest.raises(actors.DuplicateActor) as caught:
        factories.actor(p, 0, "st marys school")
    assert caught.value.existing == [first]
    factories.actor(p, 1, "St Marys School")  # another city: not a duplicate
    second = factories.actor(p, 0, "ST. MARY'S SCHOOL", allow_duplicate=True)
    assert actors.duplicate_groups(p) == [[first, second]]


def test_merge_moves_themes_and_links_and_deletes_the_duplicate(world, p):
    keep = factories.actor(p, 0, "Theatre", themes=["culture"])
    drop = factories.actor(
        p,
        0,
        "Theatre!",
        themes=["culture", "youth"],
        allow_duplicate=True,
        website="https://theatre.example",
        consent=True,
        contact_person="Vera",
    )
    project = Project(partnership=p, title="Stage")
    db.session.add(project)
    db.session.flush()
    card = create_card(p, "Ask the theatre", column=columns_of(p)[0], actor=None)
    actors.link_project(drop, project, actor=None)
    actors.link_card(drop, card, actor=None)
    actors.link_project(keep, project, actor=None)
    actors.merge_actors(keep, drop, actor=None)
    db.session.commit()
    assert db.session.get(Actor, drop.id) is None
    assert [t.key for t in keep.themes] == ["culture", "youth"]
    assert keep.projects == [project] and keep.cards == [card]
    assert keep.website == "https://theatre.example" and keep.contact["person"] == "Vera"
    assert actors.actors_for_card(card) == [keep]


def test_merge_refuses_actors_of_different_cities(p):
    a = factories.actor(p, 0, "Library")
    b = factories.actor(p, 1, "Library")
    with pytest.raises(DomainError):
        actors.merge_actors(a, b, actor=None)
    with pytest.raises(DomainError):
        actors.merge_actors(a, a, actor=None)


def test_links_to_another_partnership_are_refused(world, p):
    a = factories.actor(p, 0, "Library")
    card = create_card(world.other, "Foreign", column=columns_of(world.other)[0], actor=None)
    with pytest.raises(DomainError):
        actors.link_card(a, card, actor=None)
    assert a.cards == []
    assert db.session.scalar(db.select(db.func.count(Card.id))) == 1


def test_the_stakeholder_grid_places_actors_by_influence_and_interest(p):
    a = factories.actor(p, 0, "Mayor", interest=2, influence=5)
    b = factories.actor(p, 0, "Club", interest=5, influence=1)
    grid = actors.stakeholder_grid([a, b])
    assert [row[0] for row in grid] == [5, 4, 3, 2, 1]
    assert grid[0][1][1] == (2, [a])
    assert grid[4][1][4] == (5, [b])
    assert sum(len(cell) for _inf, row in grid for _int, cell in row) == 2


def test_csv_has_contacts_only_with_consent_and_the_public_variant_none(p):
    factories.actor(p, 0, "Open", consent=True, contact_person="Anna", contact_email="anna@example.org")
    factories.actor(p, 0, "Closed", contact_person="Boris", contact_email="boris@example.org")
    header, rows = actors.actor_csv(p)
    assert header[-3:] == ["Contact person", "Email", "Phone"]
    by_name = {r[1]: r for r in rows}
    assert by_name["Open"][-3:] == ["Anna", "anna@example.org", ""]
    assert by_name["Closed"][-3:] == ["", "", ""]
    public_header, public_rows = actors.public_actor_csv(p)
    assert "Email" not in public_header
    flat = repr(public_rows)
    assert "anna@example.org" not in flat and "Anna" not in flat
