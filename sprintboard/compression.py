"""Revalidation and gzip for text responses (static files and streams excepted).

- A page the browser may keep but must ask for again (GET, 200, HTML, `no-cache`: signed-in
  pages without secrets, see security.py) gets a strong ETag
  of its content; when the browser already holds that content (If-None-Match), the answer is
  304 without a body, and nothing is compressed. The viewer's CSRF token is signed anew every
  second, so the signed token is left out of the tag and the session's own token is put in;
  likewise for the forms' one-time request keys (request_keys.py).
- Bodies the browser accepts compressed are gzipped (COMPRESS); the tag then says so (a strong
  tag names one representation).
"""

from __future__ import annotations

import gzip
import hashlib
import re

from flask import Flask, current_app, g, request, session
from flask_login import current_user

from .services import request_keys

MIN_SIZE = 1024  # smaller bodies gain less than the header costs
# (a literal start, not a look-behind: the engine then skips to each candidate instead of
# trying the look-behind at every byte of a large page)
_KEY_ATTR = b'name="request_key" value="'
_KEY_VALUE = re.compile(re.escape(_KEY_ATTR) + rb'[^"]*')


def init_app(app: Flask) -> None:
    app.after_request(finish)


def finish(response):
    """After the security headers (registered before them: after_request runs in reverse)."""
    if not _text(response):
        return response
    gz = (
        bool(current_app.config.get("COMPRESS"))
        and "gzip" in request.headers.get("Accept-Encoding", "")
        and "Content-Encoding" not in response.headers
    )
    revalidates = _revalidates(response)
    if not gz and not revalidates:
        return response
    data = response.get_data()
    gz = gz and len(data) >= MIN_SIZE
    if revalidates:
        response.set_etag(_tag(data) + ("-gz" if gz else ""))
        response.make_conditional(request.environ)
        if response.status_code == 304:
            return response
    if gz:
        response.set_data(gzip.compress(data, compresslevel=5))
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
    return response


def _text(response) -> bool:
    return not (
        response.direct_passthrough
        or response.is_streamed
        or response.status_code < 200
        or not (response.mimetype or "").startswith(("text/", "application/json"))
        or response.mimetype == "text/event-stream"
    )


def _revalidates(response) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and response.mimetype == "text/html"
        and "no-cache" in (response.headers.get("Cache-Control") or "")  # kept, but asked again
        and "no-store" not in response.headers["Cache-Control"]
        and "ETag" not in response.headers
    )


def _tag(data: bytes) -> str:
    digest = hashlib.blake2b(digest_size=16)
    signed = g.get("csrf_token")
    if signed:
        data = data.replace(signed.encode(), b"")
    if _KEY_VALUE.search(data):
        # Each form's one-time request key is new on every answer: left out of the tag, but the
        # person's latest claimed key put in. So the browser may keep a page (and its keys) only
        # while none of its keys can have been used: a write since gives a new tag.
        data = _KEY_VALUE.sub(_KEY_ATTR, data)
        digest.update(b"%d" % request_keys.latest_claim(current_user.id))
    digest.update(data)
    digest.update(str(session.get("csrf_token", "")).encode())
    return digest.hexdigest()
