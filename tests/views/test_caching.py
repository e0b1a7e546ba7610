"""Static files (hashed names, compressed once, cached for a year) and how pages may be cached."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from sprintboard.assets import hashed_name
from sprintboard.extensions import db
from sprintboard.services.cards import add_comment
from tests import factories

ASSETS = re.compile(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"')
BUDGET = 60 * 1024  # first visit: CSS + JS, gzipped (DESIGN.md)


def test_pages_link_static_files_by_content_hashed_names(world, as_role):
    html = as_role("member").get(f"/p/{world.partnership.id}/board").get_data(as_text=True)
    urls = ASSETS.findall(html)
    assert len(urls) >= 6
    assert all(re.search(r"\.[0-9a-f]{12}\.(css|js)$", url) for url in urls), urls


@pytest.mark.parametrize("encoding, decode", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_static_files_are_sent_compressed_and_immutable(app, client, encoding, decode):
    url = next(u for u in _assets(client) if "/css/app." in u)
    status, headers, body = _fetch(client, url, f"{encoding}, deflate")
    assert status == 200
    assert headers["Content-Encoding"] == encoding
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "Accept-Encoding" in headers["Vary"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    with open(app.static_folder + "/css/app.css", "rb") as fh:
        assert decode(body) == fh.read()


def test_a_client_without_compression_gets_the_plain_file(app, client):
    url = next(u for u in _assets(client) if "htmx.min" in u)
    _status, headers, body = _fetch(client, url, "identity")
    assert "Content-Encoding" not in headers
    with open(app.static_folder + "/vendor/htmx/htmx.min.js", "rb") as fh:
        assert body == fh.read()


def test_a_changed_file_gets_a_new_name():
    assert hashed_name("css/app.css", b"a") != hashed_name("css/app.css", b"b")
    assert hashed_name("vendor/htmx/LICENSE", b"x").startswith("vendor/htmx/LICENSE.")


def test_the_unhashed_name_still_works_but_is_revalidated(client):
    status, headers, _body = _fetch(client, "/static/css/app.css", "gzip")
    assert status == 200 and headers["Cache-Control"] == "no-cache"


def test_first_visit_css_and_js_stay_within_60_kb_gzipped(world, as_role):
    """The heaviest page (the board, as a member who can drag): everything it loads, as sent."""
    client = as_role("member")
    html = client.get(f"/p/{world.partnership.id}/board").get_data(as_text=True)
    total = 0
    for url in ASSETS.findall(html):
        _status, headers, body = _fetch(client, url, "gzip")
        assert headers["Content-Encoding"] == "gzip", url
        total += len(body)
    assert total <= BUDGET, f"{total / 1024:.1f} KB of CSS and JS"


def _fetch(client, url, encoding):
    """A static file as sent: (headers, body); WhiteNoise's file is closed at once."""
    response = client.get(url, headers={"Accept-Encoding": encoding})
    try:
        return response.status_code, response.headers, response.get_data()
    finally:
        response.close()


def _assets(client) -> list[str]:
    return ASSETS.findall(client.get("/login", follow_redirects=True).get_data(as_text=True))


# Pages -----------------------------------------------------------------------------------------


def test_signed_in_pages_may_be_kept_by_the_browser_but_are_revalidated(world, as_role):
    response = as_role("member").get(f"/p/{world.partnership.id}/board")
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize(
    "path",
    ["/p/{pid}/members/", "/p/{pid}/status", "/account", "/admin/outbox"],
    ids=["invitation links", "public and calendar links", "account", "outbox"],
)
def test_pages_with_secrets_are_never_stored(world, as_role, path):
    response = as_role("admin").get(path.format(pid=world.partnership.id))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_writes_and_errors_are_never_stored(world, as_role):
    client = as_role("member")
    assert client.get("/p/999999/board").headers["Cache-Control"] == "no-store"
    card = factories.card(world.partnership, "A card")
    response = client.post(f"/p/{world.partnership.id}/cards/{card.id}/move", data={"column": "0"})
    assert response.headers["Cache-Control"] == "no-store"


def test_anonymous_pages_are_not_marked_private(client):
    assert "private" not in client.get("/login").headers.get("Cache-Control", "")


# Revalidation: ETag and 304 ---------------------------------------------------------------------


def test_an_unchanged_board_answers_a_reload_with_304(world, as_role, monkeypatch):
    from itsdangerous import TimestampSigner

    factories.card(world.partnership, "Plan the youth camp", actor=world.users["member"])
    db.session.commit()
    url = f"/p/{world.partnership.id}/board"
    for client in (as_role("member"), as_role("member", htmx=True)):  # a reload, an htmx refresh
        first = client.get(url)
        tag = first.headers["ETag"]
        assert first.status_code == 200 and not tag.startswith("W/")
        # The CSRF token in the page is signed anew every second: the tag does not change with it.
        later = TimestampSigner.get_timestamp(TimestampSigner("k")) + 5
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self, at=later: at)
        again = client.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == tag
        monkeypatch.undo()
    # Another person's session: another tag (their page holds their CSRF token).
    assert as_role("facilitator").get(url).headers["ETag"] != tag


def test_a_changed_board_answers_with_the_new_page(world, as_role):
    card = factories.card(world.partnership, "Plan the youth camp", actor=world.users["member"])
    db.session.commit()
    client, url = as_role("member"), f"/p/{world.partnership.id}/board"
    tag = client.get(url).headers["ETag"]
    add_comment(card, "In May?", language="en", actor=world.users["facilitator"])
    db.session.commit()
    response = client.get(url, headers={"If-None-Match": tag})
    assert response.status_code == 200 and response.headers["ETag"] != tag
    assert "1 comment" in response.get_data(as_text=True)


def test_pages_that_are_not_stored_get_no_etag(world, as_role, client):
    assert "ETag" not in as_role("admin").get("/account").headers
    assert "ETag" not in client.get("/login").headers  # anonymous: not kept either


def test_a_gzipped_page_has_its_own_tag_and_is_revalidated_uncompressed(app, world, as_role, monkeypatch):
    monkeypatch.setitem(app.config, "COMPRESS", True)
    client, url = as_role("member"), f"/p/{world.partnership.id}/board"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert gzip.decompress(zipped.get_data()).startswith(b"<!doctype html>")
    assert zipped.headers["ETag"] == plain.headers["ETag"][:-1] + '-gz"'
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304 and "Content-Encoding" not in again.headers


def test_after_a_write_with_one_of_its_keys_the_page_is_not_reused(world, as_role):
    """A kept page's one-time request keys must be unused: any write by the person since gives a
    new tag, even one that changed nothing the page shows (here "mark all read" with nothing
    unread). A refused write keeps no claim: its key is still unused, the page may be kept."""
    client, url = as_role("member"), f"/p/{world.partnership.id}/board"
    page = client.get(url)
    html, tag = page.get_data(as_text=True), page.headers["ETag"]
    keys = re.findall(r'name="request_key" value="([^"]+)"', html)
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    refused = client.post(
        f"/p/{world.partnership.id}/board/cards", data={"title": "", "request_key": keys[0]}
    )
    assert refused.status_code == 422
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    saved = client.post("/notifications/read", data={"request_key": keys[1]})
    assert saved.status_code in (200, 303)
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 200 and again.headers["ETag"] != tag


# Compressed once --------------------------------------------------------------------------------

_PER_ANSWER = re.compile(rb'(name="(?:csrf_token|request_key)"[^>]*value="|"X-CSRFToken": ")[^"]*')


def _same_page(html: bytes) -> bytes:
    """The page without what every answer signs or makes anew (CSRF token, request keys)."""
    return _PER_ANSWER.sub(rb"\1", html)


def test_a_cached_board_is_compressed_once_and_sent_whole(app, world, as_role, monkeypatch):
    """A gzipped board is the page the browser would get uncompressed (a folded lane folded), and
    once the board is cached only the page around it is compressed for the next answer."""
    from sprintboard import compression
    from sprintboard.services import board_view

    p, member = world.partnership, world.users["member"]
    for i, name in enumerate(("Youth exchange", "Bike tour", "Choir")):
        project = factories.project(p, name)
        for j in range(4):
            factories.card(p, f"{name} card {j} <&>", actor=member, project=project if i or j else None)
    board_view.fold_lane(p, member, f"p{project.id}", collapsed=True, actor=member)
    db.session.commit()
    monkeypatch.setitem(app.config, "COMPRESS", True)
    deflated, whole = [], []
    deflate, compress = compression.deflate, gzip.compress
    monkeypatch.setattr(compression, "deflate", lambda data: deflated.append(len(data)) or deflate(data))
    monkeypatch.setattr(gzip, "compress", lambda data, **kw: whole.append(len(data)) or compress(data, **kw))
    client, url = as_role("member"), f"/p/{p.id}/board"
    for htmx in (False, True):  # a page, and the board alone (an htmx refresh)
        headers = {"HX-Request": "true"} if htmx else {}
        plain = client.get(url, headers={**headers, "Accept-Encoding": "identity"}).get_data()
        assert f'data-lane="p{project.id}">'.encode() in plain  # folded for this viewer
        assert plain.count(b'class="lane-fold"') == 4 and plain.count(b'" open>') == 3
        for _answer in range(2):
            deflated.clear()
            zipped = client.get(url, headers={**headers, "Accept-Encoding": "gzip"})
            assert zipped.headers["Content-Encoding"] == "gzip"
            assert _same_page(gzip.decompress(zipped.get_data())) == _same_page(plain)
        # The second answer: the board's pieces as compressed for the first, nothing whole.
        assert not whole
        assert sum(deflated) < len(plain) / 2 if not htmx else sum(deflated) < 1024


@pytest.mark.parametrize("nul", [b"", b"\0"], ids=["html", "with a NUL byte"])
def test_pieces_compressed_once_give_the_body_whatever_stands_between_them(nul):
    from sprintboard.compression import Pieces, gzip_of

    texts = [
        b"".join(b'<li class="card">Card %d%s</li>' % (i * 10 + j, nul) for j in range(300)) for i in range(5)
    ]
    pieces = Pieces([*texts, b""])
    for token in (b"A" * 90, b"B" * 90, b"C" * 700, b""):  # the same layout, then others
        data = b"<!doctype html>" + token.join(texts) + b"</html>"
        zipped = gzip_of(data, pieces)
        assert gzip.decompress(zipped) == data
        if not nul:  # (each piece compressed with what precedes it; with a NUL byte, on its own)
            assert len(zipped) < len(gzip.compress(data)) * 1.2 + len(token) * len(texts)
    assert gzip_of(b"<!doctype html>" + texts[0], pieces) is None  # a piece missing: compressed whole
