"""Members propose toolbox methods; programme staff accept, edit then accept, or decline them."""

from __future__ import annotations

import pytest
from flask import g

from sprintboard.extensions import db
from sprintboard.models import Method, Notification
from sprintboard.services import toolbox as toolbox_service
from tests.views.test_routes import fingerprint

META = {
    "phase": "sprint",
    "duration_minutes": 25,
    "group_min": 3,
    "group_max": 15,
    "licence": "CC BY 4.0",
    "author": "",
    "original_language": "en",
}
TEXTS = {"en": {"title": "Walking stand-up", "purpose": "Fresh air.", "materials": "", "steps": "1. Walk"}}
FORM = {
    "phase": "sprint",
    "duration_minutes": "25",
    "group_min": "3",
    "group_max": "15",
    "licence": "CC BY 4.0",
    "author": "",
    "original_language": "en",
    "text_en-title": "Walking stand-up",
    "text_en-purpose": "Fresh air.",
    "text_en-steps": "1. Walk around the block\n2. Say what blocks you",
    "text_ru-title": "Стендап на ходу",
    "text_ru-steps": "1. Идти",
}


def _as(as_role, role, **kw):
    g.pop("_login_user", None)  # the test's app context caches the last user
    return as_role(role, **kw)


def _propose(as_role, role="member", **changes):
    return _as(as_role, role).post("/toolbox/proposals/new", data={**FORM, **changes})


def _proposal() -> Method:
    db.session.rollback()
    return db.session.scalar(db.select(Method).where(Method.proposed_by_id.is_not(None)))


def _notes(user) -> list[Notification]:
    return list(db.session.scalars(db.select(Notification).where(Notification.user_id == user.id)))


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_a_member_proposes_a_method_that_waits_for_review(as_role, world, role):
    client = _as(as_role, role)
    assert "Propose a method" in client.get("/toolbox/").get_data(as_text=True)
    assert client.get("/toolbox/proposals/new").status_code == 200
    response = _propose(as_role, role)
    method = _proposal()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/toolbox/proposals/{method.id}"
    assert method.state == "proposed" and method.proposed_by_id == world.users[role].id
    assert method.languages == ["en", "ru"]
    mine = _as(as_role, role).get("/toolbox/proposals/").get_data(as_text=True)
    assert "Walking stand-up" in mine and "Waiting for review" in mine
    # not in the public toolbox, its exports, or at its address, until accepted
    anonymous = _as(as_role, None)
    assert "Walking stand-up" not in anonymous.get("/toolbox/").get_data(as_text=True)
    assert "Walking stand-up" not in anonymous.get("/toolbox/export.json").get_data(as_text=True)
    assert anonymous.get(f"/toolbox/{method.slug}").status_code == 404
    found = _as(as_role, "facilitator").get("/search?q=Walking").get_data(as_text=True)
    assert f"/toolbox/{method.slug}" not in found and f"/toolbox/proposals/{method.id}" not in found


def test_bad_proposals_are_shown_in_place_and_change_nothing(as_role, world):
    client = _as(as_role, "member")
    before = fingerprint()
    response = client.post("/toolbox/proposals/new", data={**FORM, "text_en-title": "", "text_en-steps": ""})
    assert response.status_code == 422 and 'id="method-form"' in response.get_data(as_text=True)
    response = client.post("/toolbox/proposals/new", data={**FORM, "group_min": "20"})
    assert response.status_code == 422 and "cannot be smaller" in response.get_data(as_text=True)
    assert fingerprint() == before


def test_observers_may_not_propose(as_role, world):
    client = _as(as_role, "observer")
    before = fingerprint()
    assert "Propose a method" not in client.get("/toolbox/").get_data(as_text=True)
    response = client.post("/toolbox/proposals/new", data=FORM)
    assert response.status_code == 403 and "members" in response.get_data(as_text=True)
    assert fingerprint() == before


def test_only_the_proposer_and_staff_see_a_proposal(as_role, world):
    _propose(as_role)
    url = f"/toolbox/proposals/{_proposal().id}"
    assert _as(as_role, "member").get(url).status_code == 200
    assert _as(as_role, "admin").get(url).status_code == 200
    for role in ("facilitator", "observer", "outsider"):
        assert _as(as_role, role).get(url).status_code == 404, role
        assert url not in _as(as_role, role).get("/toolbox/proposals/").get_data(as_text=True)


def test_staff_accept_a_proposal_which_appears_credited(as_role, world):
    _propose(as_role)
    method = _proposal()
    staff = _as(as_role, "admin")
    queue = staff.get("/toolbox/proposals/review").get_data(as_text=True)
    assert "Walking stand-up" in queue and "Max Member" in queue
    assert "1" in staff.get("/toolbox/").get_data(as_text=True).split("Review proposals")[1][:40]
    response = staff.post(f"/toolbox/proposals/{method.id}/accept")
    assert response.status_code == 303 and response.headers["Location"] == f"/toolbox/{method.slug}"
    page = _as(as_role, None).get(f"/toolbox/{method.slug}").get_data(as_text=True)
    assert "Proposed by" in page and "Max Member" in page
    assert "Walking stand-up" in _as(as_role, None).get("/toolbox/").get_data(as_text=True)
    assert "Accepted" in _as(as_role, "member").get("/toolbox/proposals/").get_data(as_text=True)
    found = _as(as_role, "outsider").get("/search?q=Walking").get_data(as_text=True)
    assert f'href="/toolbox/{method.slug}"' in found
    (note,) = _notes(world.users["member"])
    assert note.kind == "toolbox" and note.path == f"/toolbox/proposals/{method.id}"
    inbox = _as(as_role, "member").get("/notifications/").get_data(as_text=True)
    assert "was accepted into the toolbox" in inbox
    # reviewed once: a second decision is a conflict and changes nothing
    staff = _as(as_role, "admin")
    before = fingerprint()
    again = staff.post(f"/toolbox/proposals/{method.id}/decline", data={"note": "No"})
    assert again.status_code == 409 and fingerprint() == before


def test_staff_edit_then_accept(as_role, world):
    _propose(as_role)
    method = _proposal()
    staff = _as(as_role, "admin")
    url = f"/toolbox/proposals/{method.id}/edit"
    assert "Walking stand-up" in staff.get(url).get_data(as_text=True)
    before = fingerprint()
    bad = staff.post(url, data={**FORM, "group_max": "1", "accept": "1"})
    assert bad.status_code == 422 and fingerprint() == before
    saved = staff.post(url, data={**FORM, "text_en-title": "Walk and talk"})
    assert saved.status_code == 303 and _proposal().state == "proposed"
    accepted = staff.post(url, data={**FORM, "text_en-title": "Walk and talk", "accept": "1"})
    method = _proposal()
    assert accepted.status_code == 303 and method.state == "published"
    assert method.text("en").title == "Walk and talk"
    assert "Walk and talk" in _as(as_role, None).get("/toolbox/").get_data(as_text=True)


def test_staff_decline_with_a_note_the_proposer_reads(as_role, world):
    _propose(as_role)
    method = _proposal()
    staff = _as(as_role, "admin")
    before = fingerprint()
    empty = staff.post(f"/toolbox/proposals/{method.id}/decline", data={"note": "  "})
    assert empty.status_code == 422 and "note" in empty.get_data(as_text=True)
    assert fingerprint() == before
    response = staff.post(
        f"/toolbox/proposals/{method.id}/decline", data={"note": "Too close to World café."}
    )
    assert response.status_code == 303
    assert _proposal().state == "declined"
    mine = _as(as_role, "member").get("/toolbox/proposals/").get_data(as_text=True)
    assert "Declined" in mine and "Too close to World café." in mine
    assert "Walking stand-up" not in _as(as_role, None).get("/toolbox/").get_data(as_text=True)
    (note,) = _notes(world.users["member"])
    inbox = _as(as_role, "member").get("/notifications/").get_data(as_text=True)
    assert note.kind == "toolbox" and "was declined" in inbox
    assert "Walking stand-up" not in _as(as_role, "admin").get("/toolbox/proposals/review").get_data(
        as_text=True
    )


def test_non_staff_cannot_review(as_role, world):
    _propose(as_role)
    method = _proposal()
    for role in ("member", "facilitator"):
        client = _as(as_role, role)
        before = fingerprint()
        assert client.post(f"/toolbox/proposals/{method.id}/accept").status_code == 403
        assert client.post(f"/toolbox/proposals/{method.id}/decline", data={"note": "x"}).status_code == 403
        assert client.post(f"/toolbox/proposals/{method.id}/edit", data=FORM).status_code == 403
        assert fingerprint() == before
    assert toolbox_service.shared_by_slug(method.slug) is None
