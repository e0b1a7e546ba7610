"""Benchmark of live updates: N browsers' event streams on one board, served by gunicorn with
several workers sharing events through Redis. Not part of the test suite; run on demand:

    .venv/bin/python tests/bench/bench_live.py                 # N = 50 and 200
    .venv/bin/python tests/bench/bench_live.py --clients 200 --workers 4 --threads 100 --moves 20

It creates a board in a fresh SQLite database (or BENCH_DATABASE_URL), starts gunicorn
(-k gthread) against Redis on 127.0.0.1 (BENCH_REDIS_URL, default db 14 with a random key prefix),
opens N raw HTTP streams (asyncio sockets) to /p/<id>/events, then moves a card M times and
measures, for each move, the time from the move's response to the event's arrival at every client.
Also: RSS of the workers before and after the streams opened (memory per open stream).
Goal: p99 < 1 s at 200 clients.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
GOAL_P99 = 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(database_url: str, secret: str) -> dict:
    """Migrate a fresh database; a board with cards; a logged-in session cookie and CSRF token."""
    from flask_migrate import upgrade
    from itsdangerous import URLSafeTimedSerializer

    from sprintboard import create_app
    from sprintboard.extensions import db
    from sprintboard.services import board, cards
    from sprintboard.services.accounts import start_session
    from tests import factories

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secret,
            "REDIS_URL": None,
            "INSTANCE_PATH": tempfile.mkdtemp(),
        }
    )
    with app.app_context():
        upgrade()
        world = factories.world()
        p = world.partnership
        cols = board.columns_of(p)
        member = world.users["member"]
        card_ids = [cards.create_card(p, f"Card {i}", column=cols[i % 4], actor=member).id for i in range(40)]
        token = start_session(member)
        db.session.commit()
        client = app.test_client()
        raw = secrets.token_hex(20)
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"], sess["csrf_token"] = token, True, raw
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
        csrf = URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)
        result = {
            "pid": p.id,
            "cards": card_ids,
            "columns": [c.id for c in cols],
            "cookie": f"{cookie.key}={cookie.value}",
            "csrf": csrf,
        }
        db.session.remove()
        db.engine.dispose()
    return result


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def workers(master: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{master}/task").iterdir():
        text = (task / "children").read_text().split()
        children += [int(c) for c in text]
    return children


def wait_http(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


class Client:
    def __init__(self, n: int):
        self.n = n
        self.arrivals: dict[int, float] = {}  # event id -> monotonic arrival time
        self.connected = asyncio.Event()
        self.refused = 0

    async def run(self, port: int, path: str, cookie: str, stop: asyncio.Event):
        for _attempt in range(20):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                (
                    f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
                    "Accept: text/event-stream\r\n\r\n"
                ).encode()
            )
            await writer.drain()
            status = (await reader.readline()).decode()
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            if " 200 " in status:
                break
            self.refused += 1  # 503 (stream limit): back off like the browser would
            writer.close()
            await asyncio.sleep(0.5)
        else:
            raise RuntimeError(f"client {self.n}: {status}")
        self.connected.set()
        buffer, event_id = b"", None
        try:
            while not stop.is_set():
                chunk = await reader.read(65536)
                if not chunk:
                    break
                buffer += chunk
                # chunked transfer encoding: we only look for "id: " lines, so the framing can stay
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if line.startswith(b"id: "):
                        event_id = int(line[4:].strip())
                    elif line.startswith(b"event: live") and event_id is not None:
                        self.arrivals.setdefault(event_id, time.monotonic())
                        event_id = None
        finally:
            writer.close()


def move(port: int, info: dict, card_id: int, column_id: int) -> tuple[float, int]:
    """POST a move the way the board's htmx does; returns (response time, status)."""
    body = urllib.parse.urlencode({"column": column_id})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(
        "POST",
        f"/p/{info['pid']}/cards/{card_id}/move",
        body=body,
        headers={
            "Cookie": info["cookie"],
            "X-CSRFToken": info["csrf"],
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    response = conn.getresponse()
    response.read()
    done = time.monotonic()
    conn.close()
    return done, response.status


def last_activity(database_url: str, pid: int) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        value = conn.execute(
            sa.text("SELECT max(id) FROM activities WHERE partnership_id = :p"), {"p": pid}
        ).scalar()
    engine.dispose()
    return value or 0


async def measure(port: int, info: dict, n: int, moves: int, master: int, database_url: str) -> dict:
    stop = asyncio.Event()
    since = last_activity(database_url, info["pid"])
    path = f"/p/{info['pid']}/events?since={since}"
    pids_before = workers(master)
    before = sum(rss_kib(w) for w in pids_before)
    clients = [Client(i) for i in range(n)]
    tasks = [asyncio.create_task(c.run(port, path, info["cookie"], stop)) for c in clients]
    started = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*(c.connected.wait() for c in clients)), 120)
    connect_time = time.monotonic() - started
    await asyncio.sleep(2)  # presence announcements settle
    pids_after = workers(master)
    after = sum(rss_kib(w) for w in pids_after)
    if sorted(pids_after) != sorted(pids_before):
        print(f"  (workers changed: {pids_before} -> {pids_after})")
    sent: list[tuple[float, float]] = []  # (request start, response received)
    loop = asyncio.get_running_loop()
    for i in range(moves):
        card = info["cards"][i % len(info["cards"])]
        column = info["columns"][(i + 1) % 4]
        t0 = time.monotonic()
        t1, status = await loop.run_in_executor(None, move, port, info, card, column)
        assert status == 200, status
        sent.append((t0, t1))
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)
    stop.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)

    move_ids = sorted(i for i in {i for c in clients for i in c.arrivals} if i > since)
    latencies, from_request, missing = [], [], 0
    for event_id, (t0, t1) in zip(move_ids, sent, strict=False):
        for c in clients:
            arrived = c.arrivals.get(event_id)
            if arrived is None:
                missing += 1
                continue
            latencies.append(max(arrived - t1, 0.0))
            from_request.append(arrived - t0)
    return {
        "n": n,
        "moves": len(sent),
        "events": len(move_ids),
        "missing": missing,
        "refused": sum(c.refused for c in clients),
        "connect_s": connect_time,
        "move_ms": statistics.median(t1 - t0 for t0, t1 in sent) * 1000,
        "median": statistics.median(latencies),
        "p99": _p(latencies, 99),
        "max": max(latencies),
        "req_median": statistics.median(from_request),
        "req_p99": _p(from_request, 99),
        "rss_before_mib": before / 1024,
        "rss_after_mib": after / 1024,
        "kib_per_stream": (after - before) / n,
    }


def _p(values, pct):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(pct / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--clients", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=100)
    parser.add_argument("--max-streams", type=int, default=90)
    parser.add_argument("--moves", type=int, default=10)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-live-")
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.db"
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    secret = secrets.token_hex(16)
    info = prepare(database_url, secret)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret,
        "REDIS_URL": redis_url,
        "LIVE_KEY_PREFIX": f"bench:{secrets.token_hex(4)}:",
        "LIVE_MAX_STREAMS": str(args.max_streams),
        "LIVE_STREAM_SECONDS": "600",
        "SPRINTBOARD_COMPRESS": "0",
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "-k",
        "gthread",
        "--threads",
        str(args.threads),
        "-w",
        str(args.workers),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    print(f"$ {' '.join(command)}  (Redis {redis_url}, {database_url.split(':')[0]})")
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    results = []
    try:
        wait_http(port)
        time.sleep(2)  # every worker booted
        asyncio.run(measure(port, info, 40, 2, server.pid, database_url))  # warm-up, not reported
        for n in args.clients:
            results.append(asyncio.run(measure(port, info, n, args.moves, server.pid, database_url)))
            time.sleep(1)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()

    print(
        f"\n{'clients':>7} {'events':>6} {'missing':>7} {'503s':>5} {'median ms':>9} {'p99 ms':>7} "
        f"{'max ms':>7} {'p99/goal':>8} {'RSS MiB before→after':>21} {'KiB/stream':>10} {'move ms':>7} "
        f"{'req p99 ms':>10}"
    )
    for r in results:
        print(
            f"{r['n']:>7} {r['events']:>6} {r['missing']:>7} {r['refused']:>5} {r['median'] * 1000:>9.1f} "
            f"{r['p99'] * 1000:>7.1f} {r['max'] * 1000:>7.1f} {r['p99'] / GOAL_P99:>8.2f} "
            f"{r['rss_before_mib']:>9.1f} → {r['rss_after_mib']:>8.1f} {r['kib_per_stream']:>10.1f} "
            f"{r['move_ms']:>7.1f} {r['req_p99'] * 1000:>10.1f}"
        )
    print(
        "\nLatency: from the move's response to the event's arrival at each client (req p99: from "
        f"the move request's start). Goal: p99 < {GOAL_P99 * 1000:.0f} ms at 200 clients."
    )


if __name__ == "__main__":
    main()
