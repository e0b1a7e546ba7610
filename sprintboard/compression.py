"""Revalidation and gzip for text responses (static files and streams excepted).

- A page the browser may keep but must ask for again (GET, 200, HTML, `no-cache`: signed-in
  pages without secrets, see security.py) gets a strong ETag
  of its content; when the browser already holds that content (If-None-Match), the answer is
  304 without a body, and nothing is compressed. The viewer's CSRF token is signed anew every
  second, so the signed token is left out of the tag and the session's own token is put in.
- Bodies the browser accepts compressed are gzipped (COMPRESS); the tag then says so (a strong
  tag names one representation).
"""

from __future__ import annotations

import gzip
import hashlib

from flask import Flask, current_app, g, request, session

MIN_SIZE = 1024  # smaller bodies gain less than the header costs


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
    digest.update(data.replace(signed.encode(), b"") if signed else data)
    digest.update(str(session.get("csrf_token", "")).encode())
    return digest.hexdigest()
