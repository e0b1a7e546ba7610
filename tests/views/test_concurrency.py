"""Several people moving cards in one column at once, against a real threaded server."""

import random
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from sprintboard.extensions import db
from sprintboard.models import Card
from sprintboard.services import board
from tests import factories


@pytest.fixture
def server(db, _server):
    return _server


def _session(app, login, user):
    client = app.test_client()
    login(client, user)
    token = client.csrf_token()
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return f"{cookie.key}={cookie.value}", token


def test_concurrent_moves_keep_every_card_once_and_in_order(app, world, login, server):
    p = world.partnership
    columns = board.columns_of(p)
    people = [world.users["member"], world.users["facilitator"]]
    ids = [factories.card(p, f"Card {i}", actor=people[0]).id for i in range(12)]
    db.session.commit()
    pid, column_ids = p.id, [c.id for c in columns]  # plain values for the threads
    sessions = [_session(app, login, person) for person in people for _ in range(2)]
    errors, statuses = [], []

    def worker(n):
        rng = random.Random(n)  # noqa: S311
        cookie, token = sessions[n]
        for _ in range(15):
            card, other = rng.sample(ids, 2)
            data = {"csrf_token": token, "column": column_ids[rng.choice([0, 0, 1])]}
            if rng.random() < 0.5:
                data["after"] = other  # may be in another column: then 422, and nothing moves
            request = urllib.request.Request(
                f"{server}/p/{pid}/cards/{card}/move",
                data=urllib.parse.urlencode(data).encode(),
                headers={"Cookie": cookie, "HX-Request": "true"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                body = error.read().decode()
                statuses.append(error.code)
                if error.code >= 500 or re.search("locked", body, re.I):
                    errors.append((error.code, body[:300]))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(len(sessions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert statuses.count(200) > 20  # most moves went through
    assert set(statuses) <= {200, 422}
    db.session.expire_all()
    rows = db.session.execute(select(Card.id, Card.column_id, Card.position)).all()
    assert sorted(r.id for r in rows) == sorted(ids)  # none lost, none duplicated
    for column_id in column_ids:
        positions = [r.position for r in rows if r.column_id == column_id]
        assert len(positions) == len(set(positions))  # a strict order in every column
