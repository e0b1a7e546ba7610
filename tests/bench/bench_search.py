"""Search benchmark (run on demand): python tests/bench/bench_search.py [--cards 20000]

Builds a partnership with N cards (German, Russian and English words; a fifth with a comment) in
a fresh database — SQLite, or PostgreSQL with TEST_DATABASE_URL — through the ORM, so the index
is written by the same flush hook as in production, and reports the time to index, then the
median time of searches (common word, rare word, prefix, two words, Cyrillic stem) next to a
floor measured in the same run: a plain LIKE '%word%' over the cards' titles and bodies.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

WORDS = (
    "Jugendaustausch Bürgerbeteiligung Straßenfest Partnerschaft Radweg Stadtbibliothek Theater "
    "обмен молодёжи партнерство фестиваль библиотека велодорожка театр волонтёры "
    "exchange festival volunteers library cycling theatre workshop funding school river"
).split()
QUERIES = {
    "common word": "festival",
    "rare word": "zeppelin",
    "prefix": "volunt",
    "two words": "festival volunteers",
    "Cyrillic stem": "партнерства",
}


def _median(fn, runs=15) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=20000)
    args = parser.parse_args()

    from tests.conftest import PG_URL, fresh_postgresql

    with (
        fresh_postgresql("sb_bench") if PG_URL else nullcontext(None) as pg,
        tempfile.TemporaryDirectory() as tmp,
    ):
        url = pg or f"sqlite:///{tmp}/bench.db"
        run(url, tmp, args.cards)


def run(url: str, tmp: str, n: int) -> None:
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from sprintboard import create_app
    from sprintboard.extensions import db
    from sprintboard.models import Card, Comment
    from sprintboard.services import board, partnerships, search

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secrets.token_hex(8),
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": f"{tmp}/instance",
            "RATELIMIT_STORAGE_URI": "memory://",
            "QUEUE_IMMEDIATE": True,
        }
    )
    rnd = random.Random(7)
    with app.test_request_context():
        upgrade()
        p = partnerships.create_partnership("Bench", "", [("Minsk", "BY"), ("Hamburg", "DE")], actor=None)
        column = board.columns_of(p)[0]
        db.session.commit()
        start = time.perf_counter()
        for offset in range(0, n, 1000):
            batch = []
            for i in range(offset, min(offset + 1000, n)):
                title = " ".join(rnd.choices(WORDS, k=4))
                body = " ".join(rnd.choices(WORDS, k=30))
                card = Card(partnership_id=p.id, column_id=column.id, title=title, body=body, position=i)
                if i % 5 == 0:
                    card.comments.append(Comment(body=" ".join(rnd.choices(WORDS, k=12))))
                batch.append(card)
            db.session.add_all(batch)
            db.session.commit()
        indexing = time.perf_counter() - start
        entries = db.session.scalar(sa.text("SELECT count(*) FROM search_entries"))
        print(f"{db.engine.dialect.name}: {n} cards, {entries} index entries, written in {indexing:.1f} s")
        print(f"{'query':<16}{'search ms':>10}{'LIKE ms':>10}{'ratio':>8}{'hits':>7}")
        for name, q in QUERIES.items():
            word = q.split()[0]
            like = sa.select(sa.func.count()).where(
                Card.partnership_id == p.id,
                sa.or_(Card.title.ilike(f"%{word}%"), Card.body.ilike(f"%{word}%")),
            )
            searched = _median(lambda q=q: search.search([p.id], q))
            floor = _median(lambda like=like: db.session.scalar(like))
            hits = search.search([p.id], q).total
            print(f"{name:<16}{searched:>10.1f}{floor:>10.1f}{searched / floor:>8.2f}{hits:>7}")


if __name__ == "__main__":
    main()
