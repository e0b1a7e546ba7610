"""The inbox and the bell, email settings, unsubscribing without login, watching, @suggestions."""

from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Notification, User
from sprintboard.models.notification import mode_for, modes_of
from sprintboard.services import cards, notifications, unsubscribe, watching
from tests import factories
from tests.views.test_routes import fingerprint


def _mention(world, text="@Max Member look", title="Plan the camp"):
    p = world.partnership
    card = factories.card(p, title, actor=world.users["facilitator"])
    cards.add_comment(card, text, language="en", actor=world.users["facilitator"])
    db.session.commit()
    return card


def test_the_bell_counts_unread_and_the_inbox_links_to_the_place(world, as_role):
    card = _mention(world)
    other = _mention(world, "@Max Member and this", title="Book the hall")
    client = as_role("member")
    page = client.get("/").get_data(as_text=True)
    assert 'id="bell"' in page and "1 unread" not in page and "2 unread" in page
    inbox = client.get("/notifications/").get_data(as_text=True)
    assert inbox.index("Book the hall") < inbox.index("Plan the camp")  # newest first, by card
    assert "Fiona Facilitator mentioned you on “Plan the camp”" in inbox
    note = db.session.scalars(select(Notification).where(Notification.card_id == card.id)).one()
    r = client.get(f"/notifications/{note.id}")
    assert r.status_code == 303 and r.headers["Location"].endswith(
        f"/cards/{card.id}#comment-{card.comments[0].id}"
    )
    assert "1 unread" in client.get("/").get_data(as_text=True)
    r = client.post("/notifications/read")
    assert r.status_code == 303
    assert db.session.get(User, world.users["member"].id).unread_count == 0
    assert "unread" not in client.get("/").get_data(as_text=True).split('id="bell"')[1].split("</a>")[0]
    assert other.id


def test_someone_elses_notification_is_404(world, as_role):
    _mention(world)
    note = db.session.scalars(select(Notification)).one()
    assert as_role("observer").get(f"/notifications/{note.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is None


def test_the_inbox_hides_partnerships_one_has_lost(world, as_role):
    _mention(world)
    p = world.partnership
    membership = next(m for m in p.memberships if m.user_id == world.users["member"].id)
    from sprintboard.services import partnerships

    partnerships.remove_member(membership, actor=world.users["facilitator"])
    db.session.commit()
    html = as_role("member").get("/notifications/").get_data(as_text=True)
    assert "Plan the camp" not in html


def test_settings_are_saved_and_bad_values_change_nothing(world, as_role):
    client = as_role("member")
    assert "Someone mentions me" in client.get("/account/notifications").get_data(as_text=True)
    form = {f"s-mode_{k}": "off" if k == "comment" else "now" for k in notifications.KINDS}
    r = client.post("/account/notifications", data={**form, "s-digest_hour": "7"})
    assert r.status_code == 303
    user = db.session.get(User, world.users["member"].id)
    assert mode_for(user, "comment") == "off" and user.digest_hour == 7
    before = fingerprint()
    r = client.post(
        "/account/notifications", data={**form, "s-mode_mention": "sometimes", "s-digest_hour": "25"}
    )
    assert r.status_code == 422 and fingerprint() == before


def test_unsubscribing_needs_no_login_and_forged_tokens_are_404(app, world, client):
    max_ = world.users["member"]
    token = unsubscribe.token(max_, "comment")
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "Comments on cards I watch" in page.get_data(as_text=True)
    assert mode_for(db.session.get(User, max_.id), "comment") == "digest"  # GET only asks
    before = fingerprint()
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    other_kind = token.replace(token.split(".")[0], unsubscribe.token(max_, "mention").split(".")[0])
    for bad in (forged, other_kind, "x" * 40):
        assert client.post(f"/unsubscribe/{bad}", csrf=False).status_code == 404
    assert fingerprint() == before
    r = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}, csrf=False)
    assert r.status_code == 200
    db.session.expire_all()
    user = db.session.get(User, max_.id)
    assert mode_for(user, "comment") == "off" and mode_for(user, "mention") == "now"


def test_unsubscribing_from_the_digest_turns_off_every_digest_kind(world, client):
    max_ = world.users["member"]
    client.post(f"/unsubscribe/{unsubscribe.token(max_, 'digest')}", csrf=False)
    db.session.expire_all()
    modes = modes_of(db.session.get(User, max_.id))
    assert modes["comment"] == modes["done"] == modes["sprint"] == "off" and modes["mention"] == "now"


def test_watching_and_unwatching_a_card_a_project_and_the_board(world, as_role, htmx_client, login):
    p = world.partnership
    olga = world.users["observer"]
    project = factories.project(p, actor=world.users["facilitator"])
    card = factories.card(p, "Paint", actor=world.users["facilitator"], project=project)
    db.session.commit()
    client = as_role("observer")
    page = client.get(f"/p/{p.id}/cards/{card.id}").get_data(as_text=True)
    assert "Watch this card" in page and "Watch the project" in page and "Watch the whole board" in page
    r = client.post(
        f"/p/{p.id}/watch",
        data={"what": "card", "target": card.id, "on": "1", "next": f"/p/{p.id}/cards/{card.id}"},
    )
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/cards/{card.id}")
    login(htmx_client, olga)
    r = htmx_client.post(
        f"/p/{p.id}/watch", data={"what": "project", "target": project.id, "on": "1", "page_card": card.id}
    )
    assert 'id="watch"' in r.get_data(as_text=True) and "Stop watching the project" in r.get_data(
        as_text=True
    )
    client.post(f"/p/{p.id}/watch", data={"what": "board", "on": "1"})
    assert "Stop watching the board" in client.get(f"/p/{p.id}/board").get_data(as_text=True)
    assert watching.is_watching(olga, p, card=card) and watching.is_watching(olga, p, project=project)
    client.post(f"/p/{p.id}/watch", data={"what": "card", "target": card.id, "on": "0"})
    assert not watching.is_watching(olga, p, card=card)
    # A card of another partnership is 404, and nothing is watched.
    foreign = factories.card(world.other, "Theirs", actor=world.users["outsider"])
    db.session.commit()
    before = fingerprint()
    assert (
        client.post(f"/p/{p.id}/watch", data={"what": "card", "target": foreign.id, "on": "1"}).status_code
        == 404
    )
    assert fingerprint() == before


def test_mention_suggestions_list_members_only(world, as_role):
    p = world.partnership
    html = as_role("member").get(f"/p/{p.id}/mentions?q=fi&for=comment-body").get_data(as_text=True)
    assert 'data-mention="Fiona Facilitator"' in html and "Oscar" not in html and "Max" not in html
    page = as_role("member").get(f"/p/{p.id}/cards/{factories.card(p, 'X', actor=world.users['member']).id}")
    assert f'data-mentions="/p/{p.id}/mentions"' in page.get_data(as_text=True)
