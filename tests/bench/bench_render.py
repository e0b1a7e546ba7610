"""Board render benchmark, in one process (run on demand):

    python tests/bench/bench_render.py [--sizes 50,500,2000] [--repeat 15] [--redis redis://127.0.0.1:6379/14]
        [--translated]   (each size also with every card's title translated into the reader's language)

For each size it creates a demo board in a fresh SQLite database (or DATABASE_URL's PostgreSQL
server, analysed after seeding as autovacuum would soon: DATABASE_URL should name an empty
database) and measures in turns (A B C … A B C …, medians, so a noisy neighbour slows all alike):

- floor: one SELECT of the same cards the page shows (title, an assignee, a label, due date) and
  one trivial template;
- cold: the board page with every render cache empty; warm: the same page again;
- after edit: one card commented on (its revision changes) before each request;
- after rename: one label renamed before each request (only its cards are rendered anew);
- all cold: ?all=1 with empty caches, against a floor of the same cards;
- fresh worker (--redis): a second app instance's first board, its card fragments from Redis.

It prints ms, ratios to the floor, per-card cost (µs and bytes) and the process' RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from flask import render_template_string  # noqa: E402
from sqlalchemy import text  # noqa: E402

FLOOR = """<!doctype html><html><body><h1>Board</h1>
{% for c in cards %}<div class="card" id="card-{{ c.id }}"><a href="/cards/{{ c.id }}">{{ c.title }}</a>
<span>{{ c.assignee or "" }}</span><span>{{ c.label or "" }}</span><span>{{ c.due or "" }}</span></div>
{% endfor %}</body></html>"""
FLOOR_SQL = """SELECT c.id, c.title, c.due_date AS due,
  (SELECT u.name FROM card_assignees a JOIN users u ON u.id = a.user_id
   WHERE a.card_id = c.id LIMIT 1) AS assignee,
  (SELECT l.name FROM card_labels cl JOIN labels l ON l.id = cl.label_id
   WHERE cl.card_id = c.id LIMIT 1) AS label
FROM cards c WHERE c.id IN ({ids}) ORDER BY c.column_id, c.position"""


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_app(database_url: str, instance: Path, redis_url: str | None, prefix: str):
    from sprintboard import create_app

    return create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(instance),
            "REDIS_URL": redis_url,
            "RATELIMIT_STORAGE_URI": "memory://",
            "COMPRESS": False,
            "QUEUE_IMMEDIATE": True,
            "RENDER_CACHE_SHARED": bool(redis_url),
            "RENDER_CACHE_PREFIX": prefix,
            "METRICS_TOKEN": None,
        }
    )


def login(app, user_id: int):
    from sprintboard.extensions import db
    from sprintboard.models import User
    from sprintboard.services.accounts import start_session

    client = app.test_client()
    with app.app_context():
        token = start_session(db.session.get(User, user_id))
        db.session.commit()
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = token, True
    return client


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def in_turns(fns: dict, repeat: int) -> dict[str, float]:
    samples = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            samples[name].append(fn())
    return {name: statistics.median(values) * 1000 for name, values in samples.items()}


def translate_every_card(pid: int, reader_id: int) -> None:
    """--translated: every card written in Russian, with its title translated into German, and
    the reader reading German (the board shows every card's translated title)."""
    from sprintboard.extensions import db
    from sprintboard.models import Card, Translation, User
    from sprintboard.services.translations import source_hash

    db.session.get(User, reader_id).locale = "de"
    cards = db.session.scalars(db.select(Card).where(Card.partnership_id == pid)).all()
    for card in cards:
        card.language = "ru"
        db.session.add(
            Translation(
                partnership_id=pid,
                kind="card",
                object_id=card.id,
                field="title",
                language="de",
                text=f"DE {card.title}",
                source_text=card.title,
                source_hash=source_hash(card.title),
                status="ready",
            )
        )
    db.session.commit()


def measure(size: int, repeat: int, redis_url: str | None, translated: bool = False) -> dict:
    from sprintboard.board import query
    from sprintboard.extensions import db
    from sprintboard.models import Card, Label, Partnership
    from sprintboard.seed import demo
    from sprintboard.services import cards as cards_service

    tmp = Path(tempfile.mkdtemp(prefix=f"sb-render-{size}-"))
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
    prefix = f"sbbench:{uuid.uuid4().hex[:8]}:"
    app = make_app(database_url, tmp / "instance", redis_url, prefix)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        made = demo.create_demo(password="bench-password-123", cards=size)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # (as autovacuum would soon: without statistics, the floor's subqueries get a poor plan)
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        pid = made["partnership"].id
        member = next(user.id for user, role in made["people"] if role in ("member", "facilitator"))
        if translated:
            translate_every_card(pid, member)
    client = login(app, member)
    url = f"/p/{pid}/board"
    store = app.extensions["render_cache"]

    def shown_ids(limit):
        with app.test_request_context():
            p = db.session.get(Partnership, pid)
            board = query.plan_board(p, query.Filters(), limit=limit)
            return [row.id for lane in board.lanes for rows in lane.rows.values() for row in rows]

    def floor(ids):
        sql = text(FLOOR_SQL.format(ids=",".join(map(str, ids))))

        def run():
            with app.test_request_context():
                rows = db.session.execute(sql).all()
                render_template_string(FLOOR, cards=rows).encode()

        return run

    def get(path, clear=False):
        def run():
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            return response

        def measured():
            if clear:
                store.clear(shared=True)  # (not timed)
            return timed(run)

        return measured

    def before(step, fn):
        def run():
            step()
            return fn()

        return run

    with app.app_context():
        card_ids = list(db.session.scalars(db.select(Card.id).where(Card.partnership_id == pid).limit(50)))
        label_id = db.session.scalar(db.select(Label.id).where(Label.partnership_id == pid))
    counter = {"n": 0}

    def comment():
        with app.app_context():
            card = db.session.get(Card, card_ids[counter["n"] % len(card_ids)])
            cards_service.add_comment(card, "bench", language="en", actor=None)
            db.session.commit()
        counter["n"] += 1

    def rename():
        with app.app_context():
            label = db.session.get(Label, label_id)
            label.name = f"Label {counter['n']}"
            db.session.commit()
        counter["n"] += 1

    def labelled() -> int:
        with app.app_context():
            from sprintboard.models.card import card_labels

            shown = set(shown_ids(query.CELL_LIMIT))
            query_ids = db.select(card_labels.c.card_id).where(card_labels.c.label_id == label_id)
            return len(shown & set(db.session.scalars(query_ids)))

    shown, every = shown_ids(query.CELL_LIMIT), shown_ids(None)
    get(url)()  # warm the app (templates, catalogs)
    floor(shown)()
    store.clear(shared=True)
    page = client.get(url).get_data()
    cold_cards = store.stats["rendered"]
    fns = {
        "floor": lambda: timed(floor(shown)),
        "cold": get(url, clear=True),
        "warm": get(url),
        "after edit": before(comment, get(url)),
        "after rename": before(rename, get(url)),
    }
    result = in_turns(fns, repeat)
    all_fns = {"floor all": lambda: timed(floor(every)), "all cold": get(url + "?all=1", clear=True)}
    result |= in_turns(all_fns, max(3, repeat // 3))
    result |= {"shown": len(shown), "every": len(every), "renamed cards": labelled(), "bytes": len(page)}
    result["cold cards"] = cold_cards
    if redis_url:
        other = make_app(database_url, tmp / "instance", redis_url, prefix)
        other_client = login(other, member)
        first, second = [], []
        for _ in range(max(3, repeat // 3)):
            store.clear(shared=True)
            client.get(url)  # worker 1 renders, and shares its cards
            other.extensions["render_cache"].clear()
            first.append(timed(lambda: other_client.get(url)))  # a fresh worker: cards from Redis
            second.append(timed(lambda: other_client.get(url)))  # then warm
        result["fresh worker"] = statistics.median(first) * 1000
        result["fresh warm"] = statistics.median(second) * 1000
        store.clear(shared=True)
    result["rss"] = rss_mb()
    return result


def main():
    import logging

    logging.disable(logging.INFO)  # one log line per request would be measured too
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,500,2000")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL"))
    parser.add_argument(
        "--translated", action="store_true", help="each size twice: plain, then every card translated"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        "board | cards | shown | floor ms | cold ms (×) | warm ms (×) | after edit (×) |"
        " after rename (×, cards) | all: floor ms, cold ms (×) | fresh worker ms (× its warm) |"
        " cold µs/card | page KB | RSS MB"
    )
    runs = [
        (size, kind)
        for size in sizes
        for kind in (("plain", "translated") if args.translated else ("plain",))
    ]
    for size, kind in runs:
        r = measure(size, args.repeat, args.redis, translated=kind == "translated")
        f = r["floor"]
        per_card = (r["cold"] - r["warm"]) * 1000 / max(r["cold cards"], 1)
        fresh = "-"
        if "fresh worker" in r:
            fresh = f"{r['fresh worker']:.1f} ({r['fresh worker'] / r['fresh warm']:.2f}×)"
        print(
            f"{kind} | {size} | {r['shown']} | {f:.1f} | {r['cold']:.1f} ({r['cold'] / f:.2f}×) | "
            f"{r['warm']:.1f} ({r['warm'] / f:.2f}×) | {r['after edit']:.1f} ({r['after edit'] / f:.2f}×) | "
            f"{r['after rename']:.1f} ({r['after rename'] / f:.2f}×, {r['renamed cards']}) | "
            f"{r['floor all']:.1f}, {r['all cold']:.1f} ({r['all cold'] / r['floor all']:.2f}×) | {fresh} | "
            f"{per_card:.0f} | {r['bytes'] / 1024:.0f} | {r['rss']:.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
