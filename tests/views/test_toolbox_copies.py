"""Shared toolbox methods are kept by programme staff; a partnership adapts its own copy."""

from __future__ import annotations

import pytest
from flask import g

from sprintboard.extensions import db
from sprintboard.models import Method
from sprintboard.services import toolbox as service
from tests.views.test_routes import fingerprint

EDIT = {
    "phase": "sprint",
    "duration_minutes": "20",
    "group_min": "3",
    "group_max": "12",
    "licence": "CC0",
    "author": "Fiona",
    "original_language": "en",
    "text_en-title": "Our café",
    "text_en-steps": "1. Our way",
}


@pytest.fixture
def seeded(app, world):
    with app.test_request_context():
        service.seed()
    db.session.commit()


def _as(as_role, role, **kw):
    g.pop("_login_user", None)  # the test's app context caches the last user
    return as_role(role, **kw)


def _adapt(client, world):
    return client.post(f"/p/{world.partnership.id}/toolbox/adapt/world-cafe")


def _copy(world) -> Method:
    return db.session.scalar(db.select(Method).where(Method.partnership_id == world.partnership.id))


def test_a_facilitator_cannot_change_a_shared_method(as_role, seeded):
    """Before: any partnership's facilitator changed the method every partnership sees."""
    client = _as(as_role, "facilitator")
    before = fingerprint()
    response = client.post("/toolbox/world-cafe/edit", data=EDIT)
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "kept by programme staff" in page and "Adapt for our partnership" in page
    assert fingerprint() == before
    assert client.post("/toolbox/world-cafe/delete").status_code == 403
    assert client.post("/toolbox/new", data={**EDIT, "slug": ""}).status_code == 403
    assert fingerprint() == before
    assert "Our café" not in _as(as_role, None).get("/toolbox/world-cafe").get_data(as_text=True)


def test_staff_still_edit_a_shared_method(as_role, seeded):
    client = _as(as_role, "admin")
    assert client.post("/toolbox/world-cafe/edit", data=EDIT).status_code == 303
    assert "Our café" in _as(as_role, None).get("/toolbox/world-cafe").get_data(as_text=True)


def test_a_facilitator_adapts_a_copy_only_their_partnership_sees(as_role, seeded, world):
    client = _as(as_role, "facilitator")
    page = client.get("/toolbox/world-cafe").get_data(as_text=True)
    assert "Adapt for our partnership" in page and ">Edit<" not in page
    response = _adapt(client, world)
    copy = _copy(world)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/p/{world.partnership.id}/toolbox/{copy.id}"
    assert copy.adapted_from.slug == "world-cafe"
    assert copy.languages == service.get_by_slug("world-cafe").languages
    # adapting again opens the same copy
    assert _adapt(client, world).headers["Location"] == response.headers["Location"]
    copies = db.select(db.func.count(Method.id)).where(Method.partnership_id.is_not(None))
    assert db.session.scalar(copies) == 1

    url = f"/p/{world.partnership.id}/toolbox/{copy.id}"
    assert client.post(f"{url}/edit", data=EDIT).status_code == 303
    assert "Our café" in client.get(url).get_data(as_text=True)
    shared = _as(as_role, None).get("/toolbox/world-cafe").get_data(as_text=True)
    assert "Our café" not in shared and "World café" in shared
    # the shared page leads the facilitator to their version, the index lists it
    client = _as(as_role, "facilitator")
    assert url in client.get("/toolbox/world-cafe").get_data(as_text=True)
    assert url in client.get("/toolbox/").get_data(as_text=True)
    # the public toolbox, its exports and other partnerships never see it
    assert "Our café" not in _as(as_role, None).get("/toolbox/").get_data(as_text=True)
    assert "Our café" not in _as(as_role, None).get("/toolbox/export.json").get_data(as_text=True)
    assert _as(as_role, None).get(f"/toolbox/{copy.slug}").status_code == 404
    outsider = _as(as_role, "outsider")
    assert outsider.get(url).status_code == 404
    assert url not in outsider.get("/toolbox/").get_data(as_text=True)
    # members read it, only facilitators change it
    member = _as(as_role, "member")
    assert "Our café" in member.get(url).get_data(as_text=True)
    before = fingerprint()
    assert member.post(f"{url}/edit", data=EDIT).status_code == 403
    assert member.post(f"{url}/delete").status_code == 403
    assert fingerprint() == before


def test_bad_input_on_a_copy_is_shown_in_place(as_role, seeded, world):
    client = _as(as_role, "facilitator")
    _adapt(client, world)
    url = f"/p/{world.partnership.id}/toolbox/{_copy(world).id}"
    before = fingerprint()
    response = client.post(f"{url}/edit", data={**EDIT, "group_min": "20"})
    assert response.status_code == 422 and "cannot be smaller" in response.get_data(as_text=True)
    assert fingerprint() == before


def test_a_copy_can_be_used_in_its_partnerships_agenda_only(as_role, seeded, world):
    from sprintboard.services import workshops

    client = _as(as_role, "facilitator")
    _adapt(client, world)
    copy = _copy(world)
    mine = workshops.create_workshop(world.partnership, "custom", "Ours", actor=world.admin)
    theirs = workshops.create_workshop(world.other, "custom", "Theirs", actor=world.admin)
    db.session.commit()
    page = client.get(f"/p/{world.partnership.id}/workshops/{mine.id}").get_data(as_text=True)
    assert f'value="{copy.id}"' in page
    data = {"title": "Café", "duration": "30", "method": str(copy.id)}
    assert client.post(f"/p/{world.partnership.id}/workshops/{mine.id}/agenda", data=data).status_code == 303
    page = client.get(f"/p/{world.partnership.id}/workshops/{mine.id}").get_data(as_text=True)
    assert f"/p/{world.partnership.id}/toolbox/{copy.id}" in page
    outsider = _as(as_role, "outsider")
    theirs_page = outsider.get(f"/p/{world.other.id}/workshops/{theirs.id}").get_data(as_text=True)
    assert f'value="{copy.id}"' not in theirs_page
    before = fingerprint()
    response = outsider.post(f"/p/{world.other.id}/workshops/{theirs.id}/agenda", data=data)
    assert response.status_code == 422 and "not in the toolbox" in response.get_data(as_text=True)
    assert fingerprint() == before


def test_deleting_a_copy_leaves_the_shared_method(as_role, seeded, world):
    client = _as(as_role, "facilitator")
    _adapt(client, world)
    url = f"/p/{world.partnership.id}/toolbox/{_copy(world).id}"
    assert client.post(f"{url}/delete").status_code == 303
    assert _copy(world) is None and service.shared_by_slug("world-cafe") is not None


def test_search_finds_a_copy_in_its_partnership_only(as_role, seeded, world):
    client = _as(as_role, "facilitator")
    _adapt(client, world)
    url = f"/p/{world.partnership.id}/toolbox/{_copy(world).id}"
    client.post(f"{url}/edit", data={**EDIT, "text_en-title": "Zebracafe"})
    assert url in client.get("/search?q=Zebracafe").get_data(as_text=True)
    assert url not in _as(as_role, "outsider").get("/search?q=Zebracafe").get_data(as_text=True)
