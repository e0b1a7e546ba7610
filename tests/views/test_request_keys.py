"""Idempotent writes: the same one-time request key twice applies once and answers the same."""

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from sprintboard.extensions import db
from sprintboard.models import Activity, Card, Comment, RequestKey, Vote
from sprintboard.models.base import utcnow
from sprintboard.services import board, request_keys, voting
from tests import factories

KEY = "k3y-0f-a-d0uble-click"
_KEY_INPUT = re.compile(r'<input type="hidden" name="request_key" value="[^"]+">')
# A CSRF token is signed with the time: the same page made a second later carries another.
_CSRF = re.compile(r'(name="csrf_token" value="|"X-CSRFToken": ")[^"]+')


def same_answer(first, second) -> bool:
    """Equal answers: status, redirect target and body (the fresh keys of its forms and their
    CSRF tokens aside)."""
    strip = lambda r: _CSRF.sub(r"\1", _KEY_INPUT.sub("", r.get_data(as_text=True)))  # noqa: E731
    return (
        first.status_code == second.status_code
        and first.headers.get("Location") == second.headers.get("Location")
        and strip(first) == strip(second)
    )


def count(model, *where) -> int:
    db.session.rollback()  # a new snapshot: requests may have come from other threads
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.fixture
def cols(world):
    return board.columns_of(world.partnership)


@pytest.fixture
def card(world):
    card = factories.card(world.partnership, "Plan the kick-off", actor=world.users["facilitator"])
    db.session.commit()
    return card


def test_every_form_of_a_signed_in_page_carries_its_own_fresh_key(card, as_role):
    url = f"/p/{card.partnership_id}/cards/{card.id}"
    first = as_role("member").get(url).get_data(as_text=True)
    keys = re.findall(r'name="request_key" value="([^"]+)"', first)
    assert len(keys) == first.count('name="csrf_token"') > 1
    assert len(set(keys)) == len(keys)  # one per form
    again = re.findall(
        r'name="request_key" value="([^"]+)"', as_role("member").get(url).get_data(as_text=True)
    )
    assert not set(again) & set(keys)  # a page shown again hands out new keys
    assert 'name="request_key"' not in as_role(None).get("/login").get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True])
def test_a_quick_add_sent_twice_adds_one_card(world, as_role, cols, htmx):
    client = as_role("member", htmx=htmx)
    data = {"title": "Book the hall", "column": cols[1].id, "request_key": KEY}
    first = client.post(f"/p/{world.partnership.id}/board/cards", data=data)
    second = client.post(f"/p/{world.partnership.id}/board/cards", data=data)
    assert first.status_code == (200 if htmx else 303)
    assert same_answer(first, second) and second.headers["X-Request-Key-Replay"] == "1"
    assert count(Card, Card.title == "Book the hall") == 1
    assert count(Activity, Activity.verb == "card.created") == 1
    # A new key is a new card.
    client.post(f"/p/{world.partnership.id}/board/cards", data={**data, "request_key": KEY + "-2"})
    assert count(Card, Card.title == "Book the hall") == 2


def test_a_move_replayed_moves_once_and_the_replay_gets_the_first_answer(world, as_role, cols):
    p = world.partnership
    a = factories.card(p, "A", actor=world.users["member"])
    b = factories.card(p, "B", column=2, actor=world.users["member"])
    db.session.commit()
    client = as_role("member", htmx=True)
    url = f"/p/{p.id}/cards/{a.id}/move"
    first = client.post(url, data={"column": cols[2].id, "after": b.id}, headers={"X-Request-Key": KEY})
    # Someone moves B to the end meanwhile; the replay of the first move must not move A again.
    as_role("facilitator").post(f"/p/{p.id}/cards/{b.id}/move", data={"column": cols[2].id, "after": a.id})
    second = client.post(url, data={"column": cols[2].id, "after": b.id}, headers={"X-Request-Key": KEY})
    assert first.status_code == 200 and same_answer(first, second)
    order = db.session.scalars(
        sa.select(Card.title).where(Card.column_id == cols[2].id).order_by(Card.position)
    )
    assert order.all() == ["A", "B"]
    assert count(Activity, Activity.verb == "card.moved", Activity.subject_id == a.id) == 1


def test_a_comment_sent_twice_is_one_comment(card, as_role):
    url = f"/p/{card.partnership_id}/cards/{card.id}/comments"
    client = as_role("member", htmx=True)
    first = client.post(url, data={"comment-body": "Who books the room?", "request_key": KEY})
    second = client.post(url, data={"comment-body": "Who books the room?", "request_key": KEY})
    assert first.status_code == 200 and same_answer(first, second)
    assert count(Comment) == 1


def test_a_vote_sent_twice_is_one_dot(world, as_role):
    session = voting.open_vote(
        world.partnership, "What first?", 3, ideas=["Choir", "Bikes"], actor=world.users["facilitator"]
    )
    db.session.commit()
    url = f"/p/{world.partnership.id}/facilitation/votes/{session.id}/items/{session.items[0].id}/vote"
    client = as_role("member", htmx=True)
    first = client.post(url, headers={"X-Request-Key": KEY})
    second = client.post(url, headers={"X-Request-Key": KEY})
    assert first.status_code == 200 and same_answer(first, second)
    assert count(Vote) == 1
    client.post(url, headers={"X-Request-Key": KEY + "-next"})  # a second dot is a new key
    assert count(Vote) == 2


def test_keys_are_per_person(card, as_role):
    url = f"/p/{card.partnership_id}/cards/{card.id}/comments"
    data = {"comment-body": "Same words", "request_key": KEY}
    as_role("member").post(url, data=data)
    other = as_role("facilitator", htmx=True).post(url, data=data)
    assert other.status_code == 200 and "X-Request-Key-Replay" not in other.headers
    assert count(Comment) == 2  # another person's key is not this person's


def test_a_key_reused_for_a_different_change_applies_that_change(card, as_role):
    """A page restored from the back cache may send a used key with new content: not lost."""
    url = f"/p/{card.partnership_id}/cards/{card.id}/comments"
    client = as_role("member")
    client.post(url, data={"comment-body": "First", "request_key": KEY})
    client.post(url, data={"comment-body": "Second", "request_key": KEY})
    assert sorted(db.session.scalars(sa.select(Comment.body))) == ["First", "Second"]


def test_a_refused_write_is_answered_the_same_and_changes_nothing(world, as_role, cols):
    client = as_role("member")
    data = {"title": "", "column": cols[0].id, "request_key": KEY}
    first = client.post(f"/p/{world.partnership.id}/board/cards", data=data)
    with time_machine.travel(utcnow() + timedelta(seconds=5)):  # (sent again a little later)
        second = client.post(f"/p/{world.partnership.id}/board/cards", data=data)
    assert first.status_code == 422 and same_answer(first, second)
    assert count(Card) == 0


@pytest.fixture
def commented(card, as_role):
    """A member's comment sent with KEY: (their client, where it was sent, what was sent)."""
    url = f"/p/{card.partnership_id}/cards/{card.id}/comments"
    data = {"comment-body": "Once", "request_key": KEY}
    client = as_role("member")
    client.post(url, data=data)
    return client, url, data


def test_answers_are_kept_for_a_day_then_swept(commented):
    client, url, data = commented
    with time_machine.travel(utcnow() + timedelta(hours=23), tick=False):
        client.post(url, data=data)
        assert count(Comment) == 1
    with time_machine.travel(utcnow() + timedelta(hours=25), tick=False):
        assert request_keys.purge_expired() == 1
        db.session.commit()
        assert count(RequestKey) == 0
        client.post(url, data=data)  # a day later the key is new again
    assert count(Comment) == 2


def test_an_expired_key_not_yet_swept_is_taken_over_by_its_next_use(commented):
    client, url, data = commented
    with time_machine.travel(utcnow() + timedelta(hours=25), tick=False):
        r = client.post(url, data=data, headers={"HX-Request": "true"})
        assert "X-Request-Key-Replay" not in r.headers
        assert count(Comment) == 2
        (record,) = db.session.scalars(sa.select(RequestKey)).all()
        assert record.status == r.status_code  # the record holds the new answer, for a day again
        assert record.expires_at > utcnow() + timedelta(hours=23)
        client.post(url, data=data)
        assert count(Comment) == 2  # and the key answers repeats again


def test_concurrent_requests_with_one_key_apply_once(app, card, login, world, _server):
    client = login(app.test_client(), world.users["member"])
    token = client.csrf_token()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    url = f"{_server}/p/{card.partnership_id}/cards/{card.id}/comments"
    body = urllib.parse.urlencode(
        {"csrf_token": token, "comment-body": "At once", "request_key": KEY}
    ).encode()
    answers, start = [], threading.Barrier(4)

    def send():
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Cookie": f"{cookie.key}={cookie.value}", "HX-Request": "true"},
        )
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                answers.append((response.status, _KEY_INPUT.sub("", response.read().decode())))
        except urllib.error.HTTPError as error:
            answers.append((error.code, error.read().decode()))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(answers) == 4 and len(set(answers)) == 1 and answers[0][0] == 200
    assert count(Comment) == 1


def test_a_repeat_while_the_first_is_still_running_waits_then_gets_a_translated_409(
    app, card, as_role, world
):
    url = f"/p/{card.partnership_id}/cards/{card.id}/comments"
    client = as_role("member", htmx=True)
    client.post(url, data={"comment-body": "Kept", "request_key": KEY})  # learn the stored key
    record = db.session.scalars(sa.select(RequestKey)).one()
    record.status = None  # as if that first request were still running
    world.users["member"].locale = "ru"
    db.session.commit()
    app.config["REQUEST_KEY_WAIT_SECONDS"] = 0
    try:
        repeat = client.post(url, data={"comment-body": "Kept", "request_key": KEY})
    finally:
        app.config.pop("REQUEST_KEY_WAIT_SECONDS")
    assert repeat.status_code == 409 and repeat.headers["Retry-After"]
    assert "Это изменение ещё сохраняется" in repeat.get_data(as_text=True)
    assert count(Comment) == 1


def test_clients_retrying_every_move_with_its_key_leave_each_card_at_its_last_move(
    app, world, login, _server
):
    """Under load: each move is sent twice at once (a retry of a request that seemed lost) and
    once more after its answer; every card ends where its client's last move put it, one
    activity row per move."""
    p = world.partnership
    column_ids = [c.id for c in board.columns_of(p)]
    people = [world.users["member"], world.users["facilitator"]]
    cards_of = [[factories.card(p, f"{n}-{i}", actor=people[n]).id for i in range(3)] for n in range(2)]
    db.session.commit()
    pid, sessions = p.id, []  # plain values for the threads
    for person in people:
        client = login(app.test_client(), person)
        token = client.csrf_token()  # (first: it adds the token to the session cookie)
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        sessions.append((f"{cookie.key}={cookie.value}", token))
    expected, errors, moves = {}, [], [0, 0]

    def post(n, card, column, key):
        cookie, token = sessions[n]
        data = urllib.parse.urlencode({"csrf_token": token, "column": column}).encode()
        headers = {"Cookie": cookie, "HX-Request": "true", "X-Request-Key": key}
        request = urllib.request.Request(
            f"{_server}/p/{pid}/cards/{card}/move", data=data, method="POST", headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def send(statuses, *args):
        statuses.append(post(*args))

    def client(n):
        for step in range(8):
            card = cards_of[n][step % 3]
            column = column_ids[1 + (step // 3 + 1) % 3]  # never the column the card is in
            key = f"client-{n}-move-{step:04d}"
            statuses = []
            both = [threading.Thread(target=send, args=(statuses, n, card, column, key)) for _ in "ab"]
            for t in both:
                t.start()
            for t in both:
                t.join(90)
            statuses.append(post(n, card, column, key))
            if set(statuses) != {200}:
                errors.append((key, statuses))
            expected[card] = column
            moves[n] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert errors == [] and moves == [8, 8]
    db.session.rollback()
    columns = dict(db.session.execute(sa.select(Card.id, Card.column_id)).all())
    assert {card: columns[card] for card in expected} == expected
    assert count(Activity, Activity.verb == "card.moved") == 16  # one per move, not per request


@pytest.fixture
def statements():
    """The statements sent to the database while the test runs (first two words, upper case)."""
    seen = []

    def _seen(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()[:3]).upper())

    sa.event.listen(db.engine, "before_cursor_execute", _seen)
    yield seen
    sa.event.remove(db.engine, "before_cursor_execute", _seen)


def test_a_keyed_move_costs_the_same_few_statements_on_a_small_and_a_large_board(
    world, as_role, cols, statements
):
    """A keyed move is the commonest write: its round trips to the database are counted (the
    claim of its key is one statement; the partnership and the mover's role one; the board's
    columns one; the WIP badges and the card's place one) and do not grow with the board."""
    p, member = world.partnership, world.users["member"]
    a = factories.card(p, "A", actor=member)
    db.session.commit()
    url, columns = f"/p/{p.id}/cards/{a.id}/move", [c.id for c in cols]
    client = as_role("member", htmx=True)

    def move(column, key):
        statements.clear()
        r = client.post(url, data={"column": column}, headers={"X-Request-Key": key})
        assert r.status_code == 200 and "X-Request-Key-Replay" not in r.headers
        transactions = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")
        return [s for s in statements if not s.startswith(transactions)]

    move(columns[1], "k" * 20)  # (the first request of a process loads what it keeps)
    small = move(columns[0], "l" * 20)
    for i in range(150):
        factories.card(p, f"More {i}", column=i % 2, actor=member)
    db.session.commit()
    large = move(columns[1], "m" * 20)
    assert small == large
    # On SQLite the card and its target column are read again under the write lock (one each).
    again = 1 if db.engine.dialect.name == "sqlite" else 0
    assert len(large) <= 16 + again, large
    assert (
        sum(s.startswith("SELECT BOARD_COLUMNS.ID, BOARD_COLUMNS.PARTNERSHIP_ID") for s in large) == 1 + again
    )


def test_a_keyed_move_claims_its_key_in_the_same_transaction_as_the_move(world, as_role, cols, statements):
    """A browser's move carries a key: the key's claim, the move and the answer kept for the key
    are one write (on SQLite one turn at the write lock), not a claim before the move and the
    answer after it."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write lock")
    a = factories.card(world.partnership, "A", actor=world.users["member"])
    db.session.commit()
    client = as_role("member", htmx=True)
    statements.clear()
    r = client.post(
        f"/p/{world.partnership.id}/cards/{a.id}/move",
        data={"column": cols[1].id},
        headers={"X-Request-Key": KEY},
    )
    assert r.status_code == 200
    turns = [i for i, s in enumerate(statements) if s.startswith("BEGIN IMMEDIATE")]
    assert len(turns) == 1, statements  # the move with its key's claim and its answer
    move = statements[turns[0] :]
    claim, moved, answer = (
        move.index("INSERT INTO REQUEST_KEYS"),
        move.index("UPDATE CARDS SET"),
        move.index("UPDATE REQUEST_KEYS SET"),
    )
    assert claim < moved < answer
    assert not any(s.startswith("BEGIN") for s in move[1:answer])  # (no new transaction between)
    repeat = client.post(
        f"/p/{world.partnership.id}/cards/{a.id}/move",
        data={"column": cols[1].id},
        headers={"X-Request-Key": KEY},
    )
    assert same_answer(r, repeat) and repeat.headers["X-Request-Key-Replay"] == "1"


def test_a_key_claimed_while_the_move_was_checked_gets_the_first_answer(
    app, world, as_role, cols, monkeypatch
):
    """A move reads and checks before it writes; the same key sent again meanwhile (a retry that
    overtook it) and claimed first: this one applies nothing and answers as the repeat it is."""
    from sprintboard import request_keys as keys
    from sprintboard.views import board as board_view

    a = factories.card(world.partnership, "A", actor=world.users["member"])
    db.session.commit()
    member_id, checked = world.users["member"].id, board_view.begin_writing

    def _overtaken(*fresh):
        with db.engine.connect() as other:  # another request's claim, committed
            now = utcnow()
            other.execute(
                sa.insert(RequestKey).values(
                    user_id=member_id,
                    key=keys._content_key(KEY),
                    method="POST",
                    path="/",
                    created_at=now,
                    expires_at=now + timedelta(days=1),
                )
            )
            other.commit()
        checked(*fresh)

    monkeypatch.setattr(board_view, "begin_writing", _overtaken)
    app.config["REQUEST_KEY_WAIT_SECONDS"] = 0
    try:
        r = as_role("member", htmx=True).post(
            f"/p/{world.partnership.id}/cards/{a.id}/move",
            data={"column": cols[1].id},
            headers={"X-Request-Key": KEY},
        )
    finally:
        app.config.pop("REQUEST_KEY_WAIT_SECONDS")
    assert r.status_code == 409 and r.headers["Retry-After"]  # the first is still being saved
    assert db.session.get(Card, a.id).column_id == cols[0].id
    assert count(Activity, Activity.verb == "card.moved") == 0


def test_a_refused_write_keeps_no_claim(world, as_role, cols):
    """Nothing was written: no claim is kept (sent again, the same refusal is worked out again)."""
    client = as_role("member")
    data = {"title": "", "column": cols[0].id, "request_key": KEY}
    assert client.post(f"/p/{world.partnership.id}/board/cards", data=data).status_code == 422
    assert count(RequestKey) == 0 and count(Card) == 0


def test_a_keyed_move_that_cannot_be_saved_with_its_answer_is_answered_503_and_changes_nothing(
    world, as_role, cols, monkeypatch
):
    """The move and its key's answer are committed together, after the view answered: when that
    commit fails (here the answer cannot be written: the disk is full), the move is not saved
    either and the person is told so (503, try again), never a 200 for a lost move."""
    import sqlite3

    a = factories.card(world.partnership, "A", actor=world.users["member"])
    db.session.commit()

    def full(*_args, **_kwargs):
        raise sa.exc.OperationalError(
            "UPDATE request_keys", None, sqlite3.OperationalError("database or disk is full")
        )

    monkeypatch.setattr(request_keys, "record_answer", full)
    client = as_role("member", htmx=True)
    r = client.post(
        f"/p/{world.partnership.id}/cards/{a.id}/move",
        data={"column": cols[1].id},
        headers={"X-Request-Key": KEY, "Accept-Language": "de"},
    )
    assert r.status_code == 503 and r.headers["Retry-After"]
    assert "Speichern ist gerade nicht möglich" in r.get_data(as_text=True)  # (in German)
    assert db.session.get(Card, a.id).column_id == cols[0].id
    assert count(Activity, Activity.verb == "card.moved") == 0 and count(RequestKey) == 0
    monkeypatch.undo()
    again = client.post(
        f"/p/{world.partnership.id}/cards/{a.id}/move",
        data={"column": cols[1].id},
        headers={"X-Request-Key": KEY},
    )
    assert again.status_code == 200 and "X-Request-Key-Replay" not in again.headers  # applied now
    assert count(Activity, Activity.verb == "card.moved") == 1
