"""Lighthouse on the board at 200 cards (mobile preset), as a signed-in member sees it. On demand:

    npm install --no-save --prefix .ci/tools lighthouse@12.2.3    # once (13 wants Node 22)
    .venv/bin/python tests/bench/bench_lighthouse.py [--cards 200] [--desktop]

It makes a demo partnership in a fresh SQLite database, serves it with gunicorn (-k gthread),
logs in, and runs Lighthouse with Debian's Chromium (offline). Goals: performance ≥ 95,
accessibility 100, best practices 100; prints the scores and the main timings.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / ".ci/tools/node_modules/.bin/lighthouse"
PASSWORD = "bench-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def session_cookie(base: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrf_token": token, "email": "anna@demo.example", "password": PASSWORD})
    opener.open(f"{base}/login", data=data.encode()).read()
    opener.open(f"{base}/p/1/board?lang=en").read()  # the language is remembered
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--desktop", action="store_true")
    args = parser.parse_args()
    lighthouse = os.environ.get("LIGHTHOUSE") or str(LIGHTHOUSE)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench-" + tmp}
        sprintboard = str(Path(sys.executable).parent / "sprintboard")
        subprocess.run(
            [sprintboard, "demo", "--cards", str(args.cards), "--password", PASSWORD],
            env=env,
            check=True,
            capture_output=True,
        )
        port = free_port()
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        server = subprocess.Popen(
            [gunicorn, "-k", "gthread", "--threads", "16", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/login")
                    break
                except OSError:
                    time.sleep(0.1)
            cookie = session_cookie(base)
            out = Path(tmp) / "lighthouse.json"
            command = [
                lighthouse,
                f"{base}/p/1/board",
                "--quiet",
                "--only-categories=performance,accessibility,best-practices",
                "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                f"--extra-headers={json.dumps({'Cookie': cookie})}",
                "--output=json",
                f"--output-path={out}",
            ] + (["--preset=desktop"] if args.desktop else [])
            env_lh = {**os.environ, "CHROME_PATH": shutil.which("chromium") or "chromium"}
            subprocess.run(command, env=env_lh, check=True, timeout=600)
            report = json.loads(out.read_text())
        finally:
            server.send_signal(signal.SIGINT)  # quick shutdown: open event streams would hold a graceful one
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    scores = {k: round(v["score"] * 100) for k, v in report["categories"].items()}
    print(f"board, {args.cards} cards, {'desktop' if args.desktop else 'mobile'} preset: {scores}")
    audits = report["audits"]
    for key in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                "cumulative-layout-shift", "speed-index", "total-byte-weight", "dom-size"):  # fmt: skip
        print(f"  {key}: {audits[key].get('displayValue', audits[key]['numericValue'])}")


if __name__ == "__main__":
    main()
