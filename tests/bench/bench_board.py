"""Board benchmark (run on demand): python tests/bench/bench_board.py [--sizes 50,500,2000]

For each board size it creates a demo board (`sprintboard demo --cards N`) in a fresh SQLite
database, serves it with gunicorn next to a "floor" app (the same cards from one SELECT with a
trivial template), and measures over HTTP, side by side in one run: the full board page, one card
move, one card edit, and the floor page. It prints medians and the ratios the issue sets goals for.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "bench-password-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Http:
    """A tiny cookie-keeping HTTP client for one host."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";")[0]
        conn.close()
        return response.status, data, elapsed, response.headers


def wait_for(port: int, path: str = "/healthz") -> None:
    for _ in range(200):
        try:
            Http(port).request("GET", path)
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on {port} did not start")


def start(app: str, port: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "--log-level", "warning", app],
        cwd=ROOT,
        env=env,
    )


def side_by_side(fns: dict, repeat: int) -> dict[str, float]:
    """Median ms of each function, called in turns (A B C A B C …) so that a noisy neighbour
    slows all of them alike and the ratios stay meaningful."""
    for fn in fns.values():
        fn()  # warm up (fills the render caches)
    samples = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            samples[name].append(fn())
    return {name: median_ms(values) for name, values in samples.items()}


def median_ms(samples) -> float:
    return statistics.median(samples) * 1000


def measure(size: int, repeat: int) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"sb-bench-{size}-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
        "SECRET_KEY": "bench",
        "SPRINTBOARD_COMPRESS": "1",
    }
    out = subprocess.run(  # noqa: S603
        [str(BIN / "sprintboard"), "demo", "--cards", str(size), "--password", PASSWORD],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pid = int(re.search(r"\(id (\d+)\)", out).group(1))
    app_port, floor_port = free_port(), free_port()
    servers = [start("wsgi:app", app_port, env), start("tests.bench.floor_app:app", floor_port, env)]
    try:
        wait_for(app_port)
        wait_for(floor_port, f"/floor/{pid}")
        client = Http(app_port)
        _s, page, _t, _h = client.request("GET", "/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
        status, _d, _t, _h = client.request(
            "POST", "/login", {"csrf_token": token, "email": "facilitator@demo.example", "password": PASSWORD}
        )
        assert status == 303, status
        # The first board of a fresh server renders every card: the cold figure.
        _s, board_html, cold, _h = client.request("GET", f"/p/{pid}/board")
        token = re.search(rb'"X-CSRFToken": "([^"]+)"', board_html).group(1).decode()
        columns = [int(c) for c in dict.fromkeys(re.findall(rb'data-column="(\d+)"', board_html))]
        card_id = int(re.search(rb'data-card="(\d+)"', board_html).group(1))
        floor = Http(floor_port)

        def board():
            status, _data, elapsed, _h = client.request("GET", f"/p/{pid}/board")
            assert status == 200
            return elapsed

        def floor_page():
            status, _data, elapsed, _h = floor.request("GET", f"/floor/{pid}")
            assert status == 200
            return elapsed

        moves = iter(range(10**6))

        def move():
            target = columns[next(moves) % 2]
            status, _data, elapsed, _h = client.request(
                "POST",
                f"/p/{pid}/cards/{card_id}/move",
                {"csrf_token": token, "column": target},
                {"HX-Request": "true"},
            )
            assert status == 200, status
            return elapsed

        edit = None
        status, page, _t, _h = client.request("GET", f"/p/{pid}/cards/{card_id}")
        if status == 200 and b'name="version"' in page:

            def edit():
                _s, page, _t, _h = client.request("GET", f"/p/{pid}/cards/{card_id}")
                version = re.search(rb'name="version"[^>]*value="(\d+)"', page)
                status, _data, elapsed, _h = client.request(
                    "POST",
                    f"/p/{pid}/cards/{card_id}/edit",
                    {
                        "csrf_token": token,
                        "version": version.group(1).decode(),
                        "title": f"Edited {time.time()}",
                        "body": "Benchmark edit",
                    },
                    {"HX-Request": "true"},
                )
                assert status in (200, 303), status
                return elapsed

        fns = {"board": board, "floor": floor_page, "move": move}
        if edit:

            def board_after_edit():
                """The board page right after someone changed a card: the board's cached HTML
                is stale, and so is that card's (the usual case in a workshop)."""
                edit()
                return board()

            fns.update(edit=edit, changed=board_after_edit)
        result = {"edit": None, **side_by_side(fns, repeat)}
        _s, raw, _t, _h = client.request("GET", f"/p/{pid}/board")
        result["html_raw"] = len(raw)
        result["html_gz"] = len(gzip.compress(raw, 6))
        result["cold"] = cold * 1000
        return result
    finally:
        for server in servers:
            server.terminate()
            server.wait(10)


def asset_budget() -> tuple[int, list[tuple[str, int]]]:
    files = [
        "static/vendor/htmx/htmx.min.js",
        "static/vendor/sortablejs/Sortable.min.js",
        "static/vendor/htmx-ext-sse/sse.min.js",
        "static/js/app.js",
        "static/js/board.js",
        "static/css/app.css",
    ]
    files += [
        str(p.relative_to(ROOT))
        for p in sorted((ROOT / "static/js").glob("*.js"))
        if str(p.relative_to(ROOT)) not in files
    ]
    sizes = [(f, len(gzip.compress((ROOT / f).read_bytes(), 9))) for f in files if (ROOT / f).exists()]
    return sum(s for _f, s in sizes), sizes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,500,2000")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {size: measure(size, args.repeat) for size in sizes}
    print(
        f"\n{'cards':>6} {'board ms':>9} {'floor ms':>9} {'board/floor':>11} {'changed ms':>10} "
        f"{'changed/floor':>13} {'move ms':>8} {'edit ms':>8} {'html KB':>8} {'html gz KB':>10}"
    )
    for size, r in results.items():
        edit = f"{r['edit']:8.1f}" if r["edit"] is not None else f"{'n/a':>8}"
        print(
            f"{size:>6} {r['board']:9.1f} {r['floor']:9.1f} {r['board'] / r['floor']:11.2f} "
            f"{r.get('changed', 0):10.1f} {r.get('changed', 0) / r['floor']:13.2f} "
            f"{r['move']:8.1f} {edit} {r['html_raw'] / 1024:8.1f} {r['html_gz'] / 1024:10.1f}"
        )
    print("(changed: the board page right after a card was edited: its cached HTML is stale)")
    print(
        "cold (first board of a fresh server, no card cached): "
        + ", ".join(f"{size} cards {r['cold']:.0f} ms" for size, r in results.items())
    )
    small, large = results[sizes[0]], results[sizes[-1]]
    print(f"\nboard/floor at {sizes[-1]} cards: {large['board'] / large['floor']:.2f} (goal <= 1.5)")
    print(f"move {sizes[-1]}/{sizes[0]} cards: {large['move'] / small['move']:.2f} (goal <= 1.5)")
    if large["edit"] and small["edit"]:
        print(f"edit {sizes[-1]}/{sizes[0]} cards: {large['edit'] / small['edit']:.2f}")
    total, parts = asset_budget()
    print(f"\nCSS + JS gzipped: {total / 1024:.1f} KB (budget 60 KB)")
    for name, size in parts:
        print(f"  {name}: {size / 1024:.1f} KB")


if __name__ == "__main__":
    main()
