"""Sprintboard behind Debian's nginx, as docs/DEPLOY.md sets it up: deploy/nginx.conf (on
loopback, plain HTTP instead of TLS) in front of gunicorn with deploy/gunicorn.conf.py.

A login, the board, a card moved through the proxy and its live event arriving within a second;
static files from nginx; X-Forwarded-For believed only with TRUST_PROXY=1; a 30 MB upload refused
by nginx (413); metrics of both gunicorn workers added up."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "nginx-test-passphrase-42"
TOKEN = "m" * 40

pytestmark = pytest.mark.skipif(
    shutil.which("nginx") is None and not os.environ.get("CI"), reason="Debian's nginx is missing"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_ready(port: int, process, deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)  # (polling a port that is not open yet: nothing to await)
    raise AssertionError(f"nothing listens on {port}")


def wait_until_serving(port: int, process, deadline_s: float = 120) -> None:
    """Until both workers have loaded the app (each answers /readyz)."""
    wait_until_ready(port, process)
    deadline = time.monotonic() + deadline_s
    answered = 0
    while answered < 4 and time.monotonic() < deadline:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=deadline_s)
        c.request("GET", "/readyz")
        if c.getresponse().status == 200:
            answered += 1
        c.close()
    assert answered == 4


def site_config(app_port: int, https_port: int, http_port: int, static_build: Path) -> str:
    """deploy/nginx.conf for loopback: the same locations, plain HTTP where TLS would be."""
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = "\n".join(
        line for line in site.splitlines() if not line.strip().startswith(("ssl_", "listen [::]"))
    )
    site = site.replace("/var/lib/sprintboard/static-build/", f"{static_build}/")
    assert f"127.0.0.1:{https_port}" in site and str(static_build) in site
    return site


@contextmanager
def stack(tmp_path: Path, *, trust_proxy: bool):
    """gunicorn (2 workers) + nginx; yields (nginx port, gunicorn's log file, instance)."""
    instance = tmp_path / "instance"
    env = {
        **os.environ,
        "SPRINTBOARD_INSTANCE": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'sprintboard.db'}",
        "SECRET_KEY": "s" * 40,
        "QUEUE_IMMEDIATE": "1",
        "TRUST_PROXY": "1" if trust_proxy else "0",
        "LOG_FORMAT": "json",
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "LIVE_HEARTBEAT": "1",
        "GUNICORN_THREADS": "8",
    }
    # Two workers share live events through Redis (without it gunicorn.conf.py runs one worker).
    env["REDIS_URL"] = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
    env["LIVE_KEY_PREFIX"] = f"sprintboard-nginx-{tmp_path.name}:"
    (tmp_path / "prometheus").mkdir()
    subprocess.run(
        [BIN / "sprintboard", "demo", "--cards", "6", "--password", PASSWORD],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    app_port, port, http_port = free_port(), free_port(), free_port()
    log = tmp_path / "gunicorn.log"
    command = [
        BIN / "gunicorn",
        "-c",
        ROOT / "deploy" / "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{app_port}",
    ]
    with log.open("w") as out:  # (the child keeps its own copy of the file)
        gunicorn = subprocess.Popen(
            [*command, "wsgi:app"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )
    nginx = None
    try:
        wait_until_serving(app_port, gunicorn)
        conf = tmp_path / "nginx.conf"
        conf.write_text(
            f"""
user root;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {tmp_path}/nginx-access.log;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    {site_config(app_port, port, http_port, instance / "static-build")}
}}
"""
        )
        with (tmp_path / "nginx.out").open("w") as out:
            nginx = subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"], stderr=out)
        wait_until_ready(port, nginx)
        yield port, log, instance
    finally:
        for process in (nginx, gunicorn):
            if process is not None:
                process.terminate()
                process.wait(30)


class Browser:
    """A cookie-keeping HTTP client of the site behind nginx, from a given loopback address."""

    def __init__(self, port: int, source: str = "127.0.0.1"):
        self.port, self.source, self.cookies = port, source, {}

    def conn(self, timeout=10):
        return http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=timeout, source_address=(self.source, 0)
        )

    def request(self, method, path, body=None, headers=None):
        c = self.conn()
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        c.request(method, path, body=body, headers=headers)
        response = c.getresponse()
        data = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        c.close()
        return response, data.decode("utf-8", "replace")

    def form(self, path, fields, form_action=None):
        """GET the page, POST its form (hidden fields included) with `fields`."""
        _response, html = self.request("GET", path)
        action = form_action or path
        hidden = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
        hidden.update(re.findall(r'<input[^>]*name="([^"]+)"[^>]*type="hidden"[^>]*value="([^"]*)"', html))
        return self.request("POST", action, {**hidden, **fields})


def _login(browser: Browser) -> None:
    response, _ = browser.form("/login", {"email": "facilitator@demo.example", "password": PASSWORD})
    assert response.status == 303 or response.status == 302, response.status
    assert "sprintboard_session" in browser.cookies


def _log_lines(log: Path) -> list[dict]:
    lines = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with stack(tmp_path_factory.mktemp("nginx"), trust_proxy=True) as running:
        yield running


def test_login_board_and_a_move_arriving_live_through_nginx(site):
    port, _log, instance = site
    browser = Browser(port)
    _login(browser)
    db = sqlite3.connect(instance / "sprintboard.db")
    pid, card, column = db.execute(
        "SELECT partnership_id, id, column_id FROM cards ORDER BY id LIMIT 1"
    ).fetchone()
    (target,) = db.execute(
        "SELECT id FROM board_columns WHERE partnership_id = ? AND id != ? ORDER BY position LIMIT 1",
        (pid, column),
    ).fetchone()
    db.close()
    response, html = browser.request("GET", f"/p/{pid}/board")
    assert response.status == 200
    assert response.headers["X-Request-ID"]
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    stream = browser.conn(timeout=5)
    stream.request(
        "GET",
        f"/p/{pid}/events",
        headers={
            "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
            "Accept": "text/event-stream",
        },
    )
    events = stream.getresponse()
    try:
        assert events.status == 200
        assert events.headers["Content-Type"].startswith("text/event-stream")
        assert "Content-Encoding" not in events.headers  # not compressed by nginx

        moved, _ = browser.request(
            "POST", f"/p/{pid}/cards/{card}/move", {"csrf_token": csrf, "column": target}
        )
        assert moved.status in (200, 303), moved.status
        sent = time.monotonic()
        received = b""
        expected = f'data-verb="card.moved" data-card="{card}" data-column="{target}"'.encode()
        # Bounded, not timed: the event must come through nginx while the stream is open (nginx
        # buffering it would hold it back for good); heartbeats every second keep read1 from blocking.
        while time.monotonic() - sent < 30 and expected not in received:
            received += events.fp.read1(65536)
        assert expected in received
    finally:
        events.close()  # (the response holds the socket too: both, or it leaks into later tests)
        stream.close()


def test_static_files_come_from_nginx_with_a_long_cache(site):
    port, _log, instance = site
    _response, html = Browser(port).request("GET", "/login")
    path = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', html).group(1)
    response, body = Browser(port).request("GET", path)
    assert response.status == 200
    assert "immutable" in response.headers["Cache-Control"]
    built = (instance / "static-build" / path.removeprefix("/static/")).read_text()
    assert body == built


def test_a_30_mb_upload_is_refused_by_nginx(site):
    port, log, _instance = site
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.putrequest("POST", "/login")
    c.putheader("Content-Type", "application/octet-stream")
    c.putheader("Content-Length", str(30 * 1024 * 1024))
    c.endheaders()
    try:
        c.send(b"x" * 65536)
        response = c.getresponse()
    finally:
        c.close()
    assert response.status == 413
    assert "nginx" in response.headers.get("Server", "")


def test_x_forwarded_for_is_believed_with_trust_proxy(site):
    port, log, _instance = site
    Browser(port, source="127.0.0.2").request(
        "GET", "/login?probe=trusted", headers={"X-Forwarded-For": "203.0.113.9"}
    )
    (line,) = [e for e in _log_lines(log) if e.get("path") == "/login?probe=trusted"]
    assert line["remote_addr"] == "127.0.0.2"  # the client nginx saw, not nginx, not the forged one


def test_x_forwarded_for_is_ignored_without_trust_proxy(tmp_path):
    with stack(tmp_path, trust_proxy=False) as (port, log, _instance):
        Browser(port, source="127.0.0.2").request("GET", "/login?probe=direct")
        (line,) = [e for e in _log_lines(log) if e.get("path") == "/login?probe=direct"]
        assert line["remote_addr"] == "127.0.0.1"  # nginx itself


def test_metrics_add_up_both_workers_and_stay_on_the_host(site):
    port, _log, _instance = site
    for _ in range(6):
        Browser(port).request("GET", "/healthz")
    response, text = Browser(port).request("GET", "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 200
    match = re.search(
        r'sprintboard_http_requests_total\{endpoint="health.live",method="GET",status="200"\} (\S+)', text
    )
    assert match and float(match.group(1)) >= 6
    assert Browser(port, source="127.0.0.2").request("GET", "/metrics")[0].status == 403  # nginx: host only


def test_a_multi_photo_upload_passes_nginx_to_the_app(site):
    """Attachment routes take several photos in one request: nginx lets 30 MB through to the app
    (which answers for itself: here an anonymous request, refused by the app, not by nginx)."""
    port, log, _instance = site
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.putrequest("POST", "/p/1/cards/1/attachments")
    c.putheader("Content-Type", "application/octet-stream")
    c.putheader("Content-Length", str(30 * 1024 * 1024))
    c.endheaders()
    chunk = b"x" * (1024 * 1024)
    try:
        for _ in range(30):
            c.send(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the app may answer before it has read everything
    try:
        response = c.getresponse()
        try:
            response.read()
        except (http.client.IncompleteRead, ConnectionResetError):
            pass  # nginx may reset a connection whose upload the app answered before reading it all
    finally:
        c.close()
    # The answer is the app's own (nginx's error pages carry no Content-Security-Policy)
    assert response.getheader("Content-Security-Policy"), (response.status, response.getheaders())
    assert response.status in (302, 303, 400, 401, 403, 404, 413), response.status
