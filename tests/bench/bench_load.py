"""Load benchmark (run on demand, loopback only, bounded):

    python tests/bench/bench_load.py [--users 50] [--seconds 20] [--workers 4] [--think 1.0]
                                     [--kill-every 0] [--no-request-keys]

Users move their own cards on 10 boards (so every acknowledged move can be checked) and read
their board now and then, against gunicorn (gthread) on 127.0.0.1 with a fresh SQLite database
(or DATABASE_URL / REDIS_URL from the environment). It prints moves by status, p50/p99 latency,
acknowledged-but-missing moves (must be 0), moves answered 5xx that were saved anyway (must be
0), the invariants (one activity row per saved move, positions unique per column), and the load
average beside the run.

--think S: each user pauses between requests for a random time, exponential with mean S seconds
(default 1 s), as a person looks at the board before the next drag (1 s is a hurried person:
still ~40 moves/s from 50 users); arrivals then look like many independent people (a Poisson-like
stream) and latency measures the app, not a queue this bench builds itself. --think 0 is the
saturation figure: every user fires the next request as soon as the last one answered (a closed
loop of N busy clients, so by Little's law each request waits for about N others and p99 grows
with N whatever the app does).

Each move carries a one-time request key (X-Request-Key), as the browser sends it (static/js/
offline.js): the key is claimed and the answer kept, writes of their own; --no-request-keys
sends moves without one (the figures of earlier runs).

--kill-every N kills one worker every N seconds (only in-flight requests may fail).
SQLITE_WRITE_GATE=0 in the environment runs without the write gate (sprintboard/write_gate.py),
for a side-by-side figure. Figures are machine-dependent: compare ratios (p99 against the goal,
runs side by side) and note the load average.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BOARDS = 10
ERRORS: list[str] = []

SEED = r"""
import json, secrets, sys
from itsdangerous import URLSafeTimedSerializer
from sprintboard import create_app
from sprintboard.extensions import db
from sprintboard.services import accounts, board, cards, partnerships
from flask_migrate import upgrade

users = int(sys.argv[1])
app = create_app()
out = []
with app.app_context():
    upgrade()
    admin = accounts.create_user("admin@bench.example", "Admin", "bench admin passphrase", is_admin=True)
    boards = []
    for b in range(%(boards)d):
        cities = [("Minsk", "BY"), ("Hamburg", "DE")]
        p = partnerships.create_partnership(f"Bench {b}", "", cities, actor=admin)
        cols = board.columns_of(p)
        for c in cols:
            c.wip_limit = None
        boards.append((p, cols[:2]))
    db.session.flush()
    serializer = app.session_interface.get_signing_serializer(app)
    csrf = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    for i in range(users):
        p, cols = boards[i %% len(boards)]
        user = accounts.create_user(f"user{i}@bench.example", f"User {i}", "bench user passphrase 1")
        partnerships.add_member(p, user, "member", p.cities[i %% 2], actor=admin)
        card = cards.create_card(p, f"Card of user {i}", column=cols[0], actor=user)
        token = accounts.start_session(user)
        raw = secrets.token_hex(20)
        cookie = serializer.dumps({"_user_id": token, "_fresh": True, "csrf_token": raw})
        db.session.flush()
        out.append({"pid": p.id, "card": card.id, "columns": [c.id for c in cols],
                    "cookie": cookie, "csrf": csrf.dumps(raw)})
    db.session.commit()
print(json.dumps(out))
""".replace("%(boards)d", str(BOARDS)).replace("%%", "%")

CHECK = r"""
import json, sys
from sprintboard import create_app
from sprintboard.extensions import db
from sprintboard.models import Activity, Card
import sqlalchemy as sa

ids = json.loads(sys.argv[1])
app = create_app()
with app.app_context():
    cols = dict(db.session.execute(sa.select(Card.id, Card.column_id).where(Card.id.in_(ids))).all())
    moved = dict(db.session.execute(
        sa.select(Activity.subject_id, sa.func.count()).where(
            Activity.verb == "card.moved", Activity.subject_id.in_(ids)
        ).group_by(Activity.subject_id)
    ).all())
    dupes = db.session.execute(sa.text(
        "SELECT count(*) FROM (SELECT column_id, position FROM cards GROUP BY column_id, position "
        "HAVING count(*) > 1) AS d"
    )).scalar()
print(json.dumps({"columns": {str(k): v for k, v in cols.items()},
                  "moved": {str(k): v for k, v in moved.items()}, "dupes": dupes}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, cookie, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"sprintboard_session={cookie}", **(headers or {})}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    start = time.perf_counter()
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, time.perf_counter() - start, response.headers.get("Retry-After")
    except (OSError, http.client.HTTPException) as error:  # connection cut (a killed worker)
        ERRORS.append(repr(error))
        return 0, time.perf_counter() - start, None
    finally:
        conn.close()


def user_loop(port, user, deadline, log, think, keys=False):
    """Move the user's own card back and forth; read the board every fifth step; pause `think`
    seconds on average (exponential) between steps."""
    step = 0
    rng = random.Random(user["card"])  # noqa: S311 - think times, not secrets
    while time.monotonic() < deadline:
        if think:
            time.sleep(min(rng.expovariate(1 / think), max(0.0, deadline - time.monotonic())))
            if time.monotonic() >= deadline:
                break
        step += 1
        if step % 5 == 0:
            status, elapsed, _ = request(port, "GET", f"/p/{user['pid']}/board", user["cookie"])
            log.append(("read", status, elapsed, None))
            continue
        target = user["columns"][step % 2]
        status, elapsed, retry = request(
            port,
            "POST",
            f"/p/{user['pid']}/cards/{user['card']}/move",
            user["cookie"],
            {"csrf_token": user["csrf"], "column": target},
            # (as a browser sends a move: with a one-time key, see sprintboard/request_keys.py)
            {"HX-Request": "true", **({"X-Request-Key": secrets.token_urlsafe(18)} if keys else {})},
        )
        log.append(("move", status, elapsed, (user["card"], target, retry)))
        if status == 503 and retry:
            time.sleep(min(float(retry), 1.0) * random.random())  # noqa: S311 - jitter, as a browser


def _own_cpu() -> float:
    """CPU seconds used so far by this process: the simulated users themselves."""
    times = os.times()
    return times.user + times.system


def postgres_cpu() -> float:
    """CPU seconds used so far by every PostgreSQL process on the machine (its server processes
    are not ours to list: any other client's queries count too)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
        except OSError:
            continue  # ended meanwhile
        if fields[0].endswith("(postgres"):
            values = fields[1].split()
            total += (int(values[11]) + int(values[12])) / tick
    return total


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server (gunicorn's master and its live workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()  # noqa: S603, S607
    total = 0.0
    for proc in [str(pid), *children]:
        try:
            fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a worker that just ended
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def run(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="sb-load-"))
    env = {**os.environ, "SECRET_KEY": "bench-load", "SPRINTBOARD_INSTANCE": str(tmp), "QUEUE_IMMEDIATE": "1"}
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'load.db'}")
    seeded = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SEED, str(args.users)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    users = json.loads(seeded.stdout.strip().splitlines()[-1])
    port = free_port()
    metrics = tmp / "metrics"
    metrics.mkdir()
    server = subprocess.Popen(  # noqa: S603
        [
            str(BIN / "gunicorn"),
            "-c",  # the settings a deployment runs with: workers and threads from the environment
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
            "wsgi:app",
        ],
        cwd=ROOT,
        env={
            **env,
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
            "GUNICORN_WORKERS": str(args.workers),
            "GUNICORN_THREADS": str(args.threads),
        },
    )
    try:
        for _ in range(400):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        # Workers boot (import, first templates) before the clock starts: on a busy machine that
        # alone takes tens of seconds, and it is not what this measures.
        for user in users[: args.workers * 4]:
            request(port, "GET", f"/p/{user['pid']}/board", user["cookie"])
        load_before = os.getloadavg()[0]
        cpu_before, client_before, pg_before = server_cpu(server.pid), _own_cpu(), postgres_cpu()
        deadline = time.monotonic() + args.seconds
        logs = [[] for _ in users]
        threads = [
            threading.Thread(
                target=user_loop, args=(port, u, deadline, log, args.think, args.request_keys), daemon=True
            )
            for u, log in zip(users, logs, strict=True)
        ]
        for t in threads:
            t.start()
        kills = 0
        while any(t.is_alive() for t in threads):
            time.sleep(args.kill_every or 0.5)
            if args.kill_every and time.monotonic() < deadline:
                children = subprocess.run(  # noqa: S603
                    ["pgrep", "-P", str(server.pid)],
                    capture_output=True,
                    text=True,  # noqa: S607
                ).stdout.split()
                if children:
                    os.kill(int(random.choice(children)), signal.SIGKILL)  # noqa: S311
                    kills += 1
        load_after = os.getloadavg()[0]
        cpu = server_cpu(server.pid) - cpu_before
        client_cpu, pg_cpu = _own_cpu() - client_before, postgres_cpu() - pg_before
    finally:
        server.terminate()
        server.wait(20)
    ids = [u["card"] for u in users]
    checked = json.loads(
        subprocess.run(  # noqa: S603
            [sys.executable, "-c", CHECK, json.dumps(ids)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    result = summarise(users, logs, checked, load_before, load_after, kills)
    result["server_cores"] = cpu / args.seconds
    result["client_cores"] = client_cpu / args.seconds
    result["postgres_cores"] = pg_cpu / args.seconds
    result["write_lock"] = write_lock(metrics, args.seconds)
    return result


def write_lock(folder: Path, seconds: float) -> str | None:
    """The SQLite write gate's figures from the workers' metrics: how busy the lock was, how
    long writers held it and waited for it (bucket bounds: "<= x ms")."""
    from prometheus_client import CollectorRegistry, multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(folder))
    found = {}
    for metric in registry.collect():
        if metric.name.startswith("sprintboard_sqlite_write_"):
            samples = metric.samples
            count = sum(x.value for x in samples if x.name.endswith("_count"))
            total = sum(x.value for x in samples if x.name.endswith("_sum"))
            buckets = sorted((float(x.labels["le"]), x.value) for x in samples if x.name.endswith("_bucket"))
            found[metric.name.removeprefix("sprintboard_sqlite_write_").removesuffix("_seconds")] = (
                count,
                total,
                buckets,
            )
    if not found.get("hold", (0,))[0]:
        return None

    def pct(name, p):
        count, _total, buckets = found[name]
        bound = next((le for le, n in buckets if n >= p * count), float("inf"))
        return f"<= {bound * 1000:.0f} ms" if bound != float("inf") else "> 10 s"

    holds, held = found["hold"][0], found["hold"][1]
    return (
        f"busy {held / seconds:.0%} of the time; held {held / holds * 1000:.1f} ms on average "
        f"(p99 {pct('hold', 0.99)}); waited p50 {pct('wait', 0.5)}, p99 {pct('wait', 0.99)}"
    )


def summarise(users, logs, checked, load_before, load_after, kills) -> dict:
    moves = [entry for log in logs for entry in log if entry[0] == "move"]
    reads = [entry for log in logs for entry in log if entry[0] == "read"]
    by_status: dict[int, int] = {}
    for _kind, status, _e, _x in moves:
        by_status[status] = by_status.get(status, 0) + 1
    missing = saved_5xx = 0
    acked_total = 0
    for user, log in zip(users, logs, strict=True):
        user_moves = [e for e in log if e[0] == "move"]
        acked = [e for e in user_moves if 200 <= e[1] < 400]
        acked_total += len(acked)
        final = checked["columns"][str(user["card"])]
        saved_rows = checked["moved"].get(str(user["card"]), 0)
        last_acked = acked[-1][3][1] if acked else user["columns"][0]
        later = user_moves[user_moves.index(acked[-1]) + 1 :] if acked else user_moves
        if final != last_acked and not any(e[3][1] == final for e in later):
            missing += 1  # the acknowledged place is lost, and no later try explains the card's place
        # moves that changed the card but were answered with an error: activity rows beyond the acks
        # (a move to the column it is already in writes no row, so this counts a lower bound)
        saved_5xx += max(0, saved_rows - len(acked))
    latencies = sorted(e[2] for e in moves if e[1])

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

    return {
        "moves": len(moves),
        "by_status": dict(sorted(by_status.items())),
        "retry_after_on_503": all(e[3][2] for e in moves if e[1] == 503),
        "reads": len(reads),
        "reads_5xx": sum(1 for e in reads if e[1] >= 500),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "median_read_ms": statistics.median([e[2] for e in reads]) * 1000 if reads else 0.0,
        "acknowledged_missing": missing,
        "saved_but_error": saved_5xx,
        "acked": acked_total,
        "activity_rows": sum(checked["moved"].values()),
        "duplicate_positions": checked["dupes"],
        "load": (round(load_before, 1), round(load_after, 1)),
        "workers_killed": kills,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between requests (s); 0: none")
    parser.add_argument("--kill-every", type=float, default=0)
    parser.add_argument(
        "--request-keys",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="send each move with a one-time request key, as browsers do (--no-request-keys: without)",
    )
    parser.add_argument("--goal-p99-ms", type=float, default=300)
    args = parser.parse_args()
    if args.users > 400 or args.seconds > 600:
        parser.error("bounded: at most 400 users and 600 seconds")
    r = run(args)
    db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    cores = f"the server used {r['server_cores']:.2f} of {os.cpu_count()} cores"
    cores += f", the simulated users {r['client_cores']:.2f}"
    if db == "PostgreSQL":
        cores += f", PostgreSQL {r['postgres_cores']:.2f}"
    load = f"load average {r['load'][0]} -> {r['load'][1]}, {cores}"
    think = f"think {args.think:g} s" if args.think else "no think time (saturation)"
    keys = "request keys" if args.request_keys else "no request keys"
    print(f"{db}, {args.users} users, {think}, {keys}, {args.workers} workers, {args.seconds:.0f} s, {load}")
    retry = r["retry_after_on_503"]
    print(f"  moves {r['moves']} by status {r['by_status']}  (every 503 has Retry-After: {retry})")
    print(f"  reads {r['reads']} (5xx: {r['reads_5xx']}, median {r['median_read_ms']:.0f} ms)")
    print(f"  served {(r['moves'] + r['reads']) / args.seconds:.0f} requests/s")
    ratio = r["p99_ms"] / args.goal_p99_ms
    print(f"  move p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms = {ratio:.2f}x the goal")
    print(f"  acknowledged but missing: {r['acknowledged_missing']} (must be 0)")
    print(f"  saved but answered with an error: {r['saved_but_error']} (must be 0)")
    print(
        f"  activity rows {r['activity_rows']} for {r['acked']} acknowledged moves; "
        f"duplicate positions: {r['duplicate_positions']}"
    )
    if r["write_lock"]:
        print(f"  SQLite write lock: {r['write_lock']}")
    if args.kill_every:
        print(f"  workers killed: {r['workers_killed']}")
    if ERRORS:
        print(f"  connection errors: {len(ERRORS)}, e.g. {ERRORS[0]}")


if __name__ == "__main__":
    main()
