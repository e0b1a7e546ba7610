"""Quick capture: actors and entries one after another, and rows pasted from a spreadsheet."""

import pytest

from sprintboard.extensions import db
from sprintboard.models import Actor, MatchEntry
from tests import factories


def _count(model):
    return db.session.scalar(db.select(db.func.count(model.id)))


def _names():
    return sorted(
        [a.name for a in db.session.scalars(db.select(Actor))]
        + [e.text for e in db.session.scalars(db.select(MatchEntry))]
    )


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_the_quick_form_starts_with_the_home_city_and_focus_in_the_name(world, as_role, role):
    p = world.partnership
    html = as_role(role).get(f"/p/{p.id}/capture/").get_data(as_text=True)
    home = p.cities[1 if role == "member" else 0]
    assert f'<option selected value="{home.id}">{home.name}</option>' in html
    assert 'name="text"' in html and "autofocus" in html[html.index('name="text"') - 200 :]
    assert (
        '<optgroup label="Actors">' in html
        and '<optgroup label="Interests, needs, potentials, ideas">' in html
    )
    assert 'name="rows"' in html


def test_without_javascript_each_save_redirects_to_an_empty_form_with_the_entry_listed(world, as_role):
    p = world.partnership
    client = as_role("member")
    hamburg = p.cities[1]
    r = client.post(
        f"/p/{p.id}/capture/", data={"text": "Youth club Nord", "city": hamburg.id, "kind": "actor:ngo"}
    )
    assert r.status_code == 303
    assert r.headers["Location"].endswith(f"/p/{p.id}/capture/?city={hamburg.id}&kind=actor:ngo")
    r = client.post(
        f"/p/{p.id}/capture/",
        data={"text": "Choir wants partners", "city": p.cities[0].id, "kind": "entry:need"},
        follow_redirects=True,
    )
    html = r.get_data(as_text=True)
    assert "Added: Choir wants partners" in html
    listed = html[html.index('class="captured"') : html.index("<form", html.index('class="captured"'))]
    assert listed.index("Choir wants partners") < listed.index("Youth club Nord")  # newest first
    assert 'value="Choir wants partners"' not in html  # the form is empty again
    assert (
        f'<option selected value="{p.cities[0].id}">' in html
        and '<option selected value="entry:need">' in html
    )
    actor = db.session.scalar(db.select(Actor))
    entry = db.session.scalar(db.select(MatchEntry))
    assert (actor.name, actor.city_id, actor.kind) == ("Youth club Nord", hamburg.id, "ngo")
    assert (entry.text, entry.city_id, entry.kind) == ("Choir wants partners", p.cities[0].id, "need")
    assert actor.created_by_id == entry.created_by_id == world.users["member"].id


def test_with_htmx_the_quick_form_swaps_in_empty_with_the_entry_above(world, as_role):
    p = world.partnership
    client = as_role("member", htmx=True)
    r = client.post(
        f"/p/{p.id}/capture/",
        data={"text": "Museum of work", "city": p.cities[1].id, "kind": "actor:culture"},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and html.startswith('<section id="quick-capture"')
    assert html.index("Museum of work") < html.index("<form")
    assert "Added: Museum of work" in html[html.index("</section>") :]  # in the flash region
    assert 'value="Museum of work"' not in html and "autofocus" in html
    assert '<option selected value="actor:culture">' in html
    assert _count(Actor) == 1


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"text": "", "kind": "actor:ngo"}, 422, "This field is required."),
        ({"text": "x" * 501, "kind": "entry:idea"}, 422, "Field cannot be longer than 500 characters."),
        ({"text": "Club", "kind": "actor:dragon"}, 422, "Not a valid choice."),
        ({"text": "Club", "kind": "actor:ngo", "city": "999999"}, 422, "Not a valid choice."),
        (
            {"text": "Existing club", "kind": "actor:school"},
            409,
            "Existing club is already on the map of this city.",
        ),
    ],
)
def test_bad_quick_entries_re_render_the_form_with_a_message_and_change_nothing(
    world, as_role, data, status, message
):
    p = world.partnership
    factories.actor(p, 1, "Existing club")
    db.session.commit()
    data = {"city": p.cities[1].id, **data}
    for htmx in (False, True):
        r = as_role("member", htmx=htmx).post(f"/p/{p.id}/capture/", data=data)
        html = r.get_data(as_text=True)
        assert r.status_code == status and message in html
        assert html.startswith('<section id="quick-capture"') == htmx
    assert _names() == ["Existing club"]


def test_observers_and_outsiders_cannot_capture(world, as_role):
    p = world.partnership
    assert as_role("observer").get(f"/p/{p.id}/capture/").status_code == 403
    data = {"text": "Club", "city": p.cities[0].id, "kind": "actor:ngo"}
    assert as_role("observer").post(f"/p/{p.id}/capture/", data=data).status_code == 403
    assert as_role("member").post(f"/p/{world.other.id}/capture/", data=data).status_code == 404
    assert _count(Actor) == 0


def test_pasted_spreadsheet_rows_are_all_added(world, as_role):
    p = world.partnership
    rows = (
        "Youth club Nord\tHamburg\tNGO\n"
        "Gymnasium 5\tMinsk\tSchule\n"  # a German label
        "Bike repair café wanted\tHamburg\tneed\n"
        "Городской хор\tMinsk\tИдея\n"  # a Russian label
        "\n"
    )
    r = as_role("member").post(f"/p/{p.id}/capture/paste", data={"rows": rows}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "4 rows have been added." in html
    assert "Gymnasium 5" in html[html.index('class="captured"') :]
    kinds = {a.name: (a.city.name, a.kind) for a in db.session.scalars(db.select(Actor))}
    assert kinds == {"Youth club Nord": ("Hamburg", "ngo"), "Gymnasium 5": ("Minsk", "school")}
    found = {e.text: (e.city.name, e.kind) for e in db.session.scalars(db.select(MatchEntry))}
    assert found == {"Bike repair café wanted": ("Hamburg", "need"), "Городской хор": ("Minsk", "idea")}


def test_pasted_comma_rows_with_a_header_read_the_importers_columns(world, as_role):
    p = world.partnership
    rows = "Name,City,Kind,Themes,Website\nTown hall,Minsk,Administration,Culture,https://minsk.example\n"
    r = as_role("member", htmx=True).post(f"/p/{p.id}/capture/paste", data={"rows": rows})
    assert r.status_code == 204 and r.headers["HX-Location"].endswith(f"/p/{p.id}/capture/")
    actor = db.session.scalar(db.select(Actor))
    assert (actor.name, actor.kind, actor.website) == ("Town hall", "administration", "https://minsk.example")
    assert [t.key for t in actor.themes] == ["culture"]


def test_pasted_rows_with_errors_are_listed_by_line_and_nothing_is_added(world, as_role):
    p = world.partnership
    factories.actor(p, 0, "Old theatre")
    db.session.commit()
    rows = (
        "Youth club Nord\tHamburg\tNGO\n"
        "Someone\tParis\tNGO\n"
        "Old theatre\tMinsk\tculture\n"
        "Youth club Nord\tHamburg\tngo\n"
        "Dance school\tMinsk\tdragon\n"
        "\tHamburg\tidea\n"
    )
    for htmx in (False, True):
        r = as_role("member", htmx=htmx).post(f"/p/{p.id}/capture/paste", data={"rows": rows})
        html = r.get_data(as_text=True)
        assert r.status_code == 422 and html.startswith('<section id="paste-capture"') == htmx
        assert "Nothing is added while a row has an error." in html
        assert "Line 2: The city must be one of: Minsk, Hamburg." in html
        assert "Line 3: Old theatre is already on the map of this city." in html
        assert "Line 4: Youth club Nord is already on the map of this city." in html
        assert "Line 5: Unknown kind of actor." in html
        assert "Line 6: Write the entry first." in html
        assert "Line 1:" not in html
        assert "Youth club Nord\tHamburg\tNGO" in html  # the rows stay in the box to correct
    assert _names() == ["Old theatre"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("", "This field is required."),
        (" \n \n", "This field is required."),
        (",,\n,", "Paste at least one row."),
    ],
)
def test_an_empty_paste_is_refused(world, as_role, rows, message):
    p = world.partnership
    r = as_role("member").post(f"/p/{p.id}/capture/paste", data={"rows": rows})
    assert r.status_code == 422 and message in r.get_data(as_text=True)


def test_the_actor_and_entry_pages_lead_to_quick_capture(world, as_role):
    p = world.partnership
    for url in (f"/p/{p.id}/actors/", f"/p/{p.id}/entries/"):
        assert f'href="/p/{p.id}/capture/"' in as_role("member").get(url).get_data(as_text=True)
        assert f'href="/p/{p.id}/capture/"' not in as_role("observer").get(url).get_data(as_text=True)
