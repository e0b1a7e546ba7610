"""Notifications are written with the change: mentions, assignments, comments, done cards and
sprints reach the right people once, never the actor, never someone without access."""

import pytest
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Notification, Outbox, User
from sprintboard.services import board, cards, mentions, notifications, partnerships, watching
from tests import factories


def _notes(user, kind=None):
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


@pytest.fixture
def people(world):
    p = world.partnership
    return p, world.users["facilitator"], world.users["member"], world.users["observer"]


def test_a_mention_in_a_comment_tells_the_member_once_and_makes_them_watch(ctx, people):
    p, fiona, max_, _olga = people
    card = factories.card(p, "Plan the camp", actor=fiona)
    comment = cards.add_comment(
        card, "@Max Member can you book the hall? @max member!", language="en", actor=fiona
    )
    cards.edit_comment(comment, comment.body + " Thanks @Max Member", actor=fiona)
    db.session.commit()
    notes = _notes(max_)
    assert [n.kind for n in notes] == ["mention"]
    assert notifications.describe(notes[0]) == "Fiona Facilitator mentioned you on “Plan the camp”"
    assert notes[0].path.endswith(f"/cards/{card.id}#comment-{comment.id}")
    assert "book the hall" in notes[0].data["excerpt"]
    assert watching.is_watching(max_, p, card=card)
    assert db.session.get(User, max_.id).unread_count == 1
    assert _notes(fiona) == []  # never the actor


def test_mentions_of_outsiders_of_removed_people_and_inside_code_tell_nobody(ctx, world, people):
    p, fiona, max_, olga = people
    oscar = world.users["outsider"]
    membership = next(m for m in p.memberships if m.user_id == olga.id)
    partnerships.remove_member(membership, actor=fiona)
    card = factories.card(p, "Code", actor=fiona)
    cards.add_comment(
        card,
        "@Oscar Outsider and @Olga Observer, see `@Max Member` and\n\n```\n@Max Member\n```\n"
        "    @Max Member (indented code)\nmail max@example.org",
        language="en",
        actor=fiona,
    )
    db.session.commit()
    assert _notes(oscar) == [] and _notes(olga) == [] and _notes(max_) == []


def test_a_flood_of_mentions_is_capped_and_each_person_hears_once(ctx, world):
    p = world.partnership
    crowd = [factories.member(p, name=f"Person {i:02d}") for i in range(mentions.MENTION_LIMIT + 5)]
    author = world.users["facilitator"]
    card = factories.card(p, "Crowd", actor=author)
    text = " ".join(f"@Person {i:02d} @Person {i:02d}" for i in range(len(crowd)))
    cards.add_comment(card, text, language="en", actor=author)
    db.session.commit()
    told = db.session.scalar(select(db.func.count(Notification.id)).where(Notification.kind == "mention"))
    assert told == mentions.MENTION_LIMIT
    assert all(len(_notes(person)) <= 1 for person in crowd)


def test_a_first_name_resolves_only_when_it_is_unique(ctx, world):
    p = world.partnership
    anna_m = factories.member(p, name="Anna Müller")
    factories.member(p, name="Anna Schmidt")
    people = mentions.members(p)
    assert mentions.find("@Anna please", people) == []
    assert mentions.find("@anna müller please", people) == [anna_m]
    assert mentions.find("@Max, please", people) == [world.users["member"]]


def test_assigning_tells_the_new_assignee_who_then_hears_of_comments_in_the_digest(ctx, people):
    p, fiona, max_, _olga = people
    card = factories.card(p, "Print flyers", actor=fiona)
    cards.update_card(
        card,
        version=card.version,
        title=card.title,
        body="",
        project=None,
        estimate=None,
        due_date=None,
        language=None,
        assignees=[max_],
        labels=[],
        actor=fiona,
    )
    cards.add_comment(card, "Done by Friday?", language="en", actor=fiona)
    db.session.commit()
    assigned, commented = _notes(max_)
    assert (assigned.kind, assigned.mail) == ("assigned", "now")
    assert (commented.kind, commented.mail) == ("comment", "digest")
    assert notifications.describe(commented) == "Fiona Facilitator commented on “Print flyers”"
    # The assignment went out at once, in the outbox; the comment waits for the digest.
    subjects = [m.subject for m in db.session.scalars(select(Outbox))]
    assert subjects == ["Fiona Facilitator assigned you to “Print flyers”"]
    assert commented.mailed_at is None


def test_watchers_of_the_board_hear_of_comments_and_done_cards_but_not_the_actor(ctx, people):
    p, fiona, max_, olga = people
    watching.watch(olga, p)  # an observer watching the whole board
    card = factories.card(p, "Paint the wall", actor=max_)
    cards.add_comment(card, "Started", language="en", actor=max_)
    columns = board.columns_of(p)
    board.move_card(card, next(c for c in columns if c.is_done), actor=max_)
    db.session.commit()
    assert [n.kind for n in _notes(olga)] == ["comment", "done"]
    assert _notes(max_) == []
    assert notifications.describe(_notes(olga)[1]).startswith("Max Member moved “Paint the wall”")


def test_sprints_starting_and_closing_tell_every_member(ctx, people):
    p, fiona, max_, olga = people
    factories.sprint(p, "Sprint 1", actor=fiona, state="closed")
    db.session.commit()
    for user in (max_, olga):
        assert [n.data["verb"] for n in _notes(user, "sprint")] == ["sprint.started", "sprint.closed"]
    assert _notes(fiona) == []


def test_the_same_event_reported_twice_is_one_notification(ctx, people):
    p, fiona, max_, _olga = people
    for _ in range(2):
        notifications.notify([max_], "mention", "same:1", actor=fiona, partnership=p, path="/", data={})
    db.session.commit()
    assert len(_notes(max_)) == 1 and db.session.get(User, max_.id).unread_count == 1


def test_leaving_a_partnership_takes_its_notifications_and_watches_along(ctx, people):
    p, fiona, max_, _olga = people
    card = factories.card(p, "Plan", actor=fiona)
    cards.add_comment(card, "@Max Member look", language="en", actor=fiona)
    db.session.commit()
    membership = next(m for m in p.memberships if m.user_id == max_.id)
    partnerships.remove_member(membership, actor=fiona)
    cards.add_comment(card, "@Max Member again", language="en", actor=fiona)
    db.session.commit()
    assert _notes(max_) == [] and not watching.is_watching(max_, p, card=card)
    assert db.session.get(User, max_.id).unread_count == 0


def test_marking_read_keeps_the_bell_count_right(ctx, people):
    p, fiona, max_, _olga = people
    for i in range(3):
        notifications.notify([max_], "mention", f"k{i}", actor=fiona, partnership=p, path="/", data={})
    db.session.commit()
    first = _notes(max_)[0]
    notifications.mark_read(max_, first)
    notifications.mark_read(max_, first)
    db.session.commit()
    assert db.session.get(User, max_.id).unread_count == 2
    notifications.mark_all_read(max_)
    db.session.commit()
    assert db.session.get(User, max_.id).unread_count == 0
