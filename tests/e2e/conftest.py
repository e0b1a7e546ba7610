"""Browser tests: Debian's Chromium, driven by Playwright (pytest-playwright), against a live server.

Every test here is marked `e2e`. Tests ask for `world` (or `db`) and `live_server`: the server runs the
session `app` in a thread, so it reads and writes the same database that `db` empties after each test.
Without Chromium or Playwright the tests are skipped, or fail when the CI environment variable is set.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests import factories

HERE = Path(__file__).parent
AXE_JS = HERE / "vendor" / "axe.min.js"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling Google's hosts, which are closed here.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000  # generous: CI machines run two xdist workers on two cores
# expect(...) waits as long (its own default is 5 s); checks with a product deadline (live
# updates within a second) pass their own timeout.
expect.set_options(timeout=TIMEOUT_MS)


def _in_e2e(item: pytest.Item) -> bool:
    return HERE in Path(item.path).parents


def pytest_collection_modifyitems(items):
    for item in items:
        if _in_e2e(item):
            item.add_marker(pytest.mark.e2e)


def _missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    for module, package in (("playwright", "playwright"), ("pytest_playwright", "pytest-playwright")):
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed (pip install -e '.[test]')"
    if shutil.which("chromium") is None:
        return "Debian's Chromium is not installed (apt-get install -y chromium chromium-driver)"
    return None


MISSING = _missing_browser()
if MISSING and not os.environ.get("CI"):
    pytest.skip(f"browser tests skipped: {MISSING}", allow_module_level=True)
if MISSING and importlib.util.find_spec("playwright") is None:
    # The test modules import Playwright, so nothing here can even be collected.
    pytest.fail(f"browser tests cannot run on CI: {MISSING}", pytrace=False)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # On CI a missing browser fails each browser test (the other tests still run).
    if MISSING and _in_e2e(item):
        pytest.fail(f"browser tests cannot run on CI: {MISSING}", pytrace=False)


# --- the browser (pytest-playwright's fixtures, with Debian's Chromium) -------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, base_url):
    return {**browser_context_args, "base_url": base_url, "locale": "en-GB"}


@pytest.fixture
def new_context(new_context):
    """pytest-playwright's new_context (also behind `context` and `page`), with shorter timeouts."""

    def _new_context(**kwargs):
        context = new_context(**kwargs)
        context.set_default_timeout(TIMEOUT_MS)
        return context

    return _new_context


# --- the live server -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def base_url(_server):
    """The live server's address (replaces pytest-playwright's --base-url); pages use relative URLs."""
    return _server


@pytest.fixture
def live_server(db, _server, app):
    """The running server, for one test: the data is what this test's `db`/`world` put in.

    On SQLite every transaction outside a request starts with BEGIN IMMEDIATE (sprintboard/database.py),
    so merely reading `world.users[...].email` in the test would hold the write lock until the test
    ends, and the server's next POST would wait for it. Inside a GET request context the test's reads
    are deferred transactions, which never block the server. They do keep a snapshot: call
    `db.session.rollback()` before reading what the browser has just changed.
    """
    with app.test_request_context():
        yield SimpleNamespace(url=_server, app=app)


@pytest.fixture
def streams(live_server):
    """Real streams while the browsers look (under TESTING a stream otherwise ends at once)."""
    app = live_server.app
    keys = ("LIVE_TEST_STREAM_SECONDS", "LIVE_POLL_MS", "LIVE_HEARTBEAT")
    saved = {key: app.config[key] for key in keys if key in app.config}
    # (a short heartbeat: streams of closed browsers notice it soon and free their thread)
    app.config.update(LIVE_TEST_STREAM_SECONDS=30, LIVE_HEARTBEAT=2)
    yield app
    for key in keys:
        app.config.pop(key, None)
    app.config.update(saved)


# --- helpers -----------------------------------------------------------------------------------------------


@pytest.fixture
def log_in():
    """log_in(page, user): log in through the real login form; returns the page after the redirect."""

    def _log_in(page, user, password=factories.PASSWORD):
        page.goto("/login")
        page.locator("input[name=email]").fill(user.email)
        page.locator("input[name=password]").fill(password)
        with page.expect_navigation():
            page.locator("form[action$='/login'] button[type=submit]").click()
        assert "/login" not in page.url, f"login as {user.email} failed: {page.url}"
        return page

    return _log_in


@pytest.fixture
def axe_check():
    """axe_check(page): run axe-core on the page as it is now and fail on any violation."""

    def _check(page, *, context=None, options=None):
        _inject_axe(page)
        result = page.evaluate(
            "([context, options]) => axe.run(context || document, options || {})", [context, options]
        )
        if result["violations"]:
            raise AssertionError(_describe(page, result["violations"]))
        return result

    return _check


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def _inject_axe(page) -> None:
    if page.evaluate("typeof window.axe !== 'undefined'"):
        return
    # Evaluated through the DevTools protocol: the page's CSP (script-src 'self') does not apply,
    # and no request is made that the app's service worker could answer instead of a route.
    page.evaluate(_axe_source())
    page.wait_for_function("typeof window.axe !== 'undefined'")


def _describe(page, violations) -> str:
    lines = [f"{len(violations)} axe violation(s) on {page.url}:"]
    for v in violations:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"][:3]]
        more = len(v["nodes"]) - len(targets)
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines.append(f"    {v['helpUrl']}")
        lines.append(f"    at {json.dumps(targets)}" + (f" and {more} more" if more > 0 else ""))
        if v["nodes"]:
            lines.append(f"    html: {v['nodes'][0]['html'][:200]}")
    return "\n".join(lines)
