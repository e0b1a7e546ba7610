"""gzip for text responses the browser accepts compressed (static files and streams excepted)."""

from __future__ import annotations

import gzip

from flask import Flask, request

MIN_SIZE = 1024  # smaller bodies gain less than the header costs


def init_app(app: Flask) -> None:
    if app.config.get("COMPRESS"):
        app.after_request(compress)


def compress(response):
    if (
        response.direct_passthrough
        or response.status_code < 200
        or "gzip" not in request.headers.get("Accept-Encoding", "")
        or "Content-Encoding" in response.headers
        or not (response.mimetype or "").startswith(("text/", "application/json"))
        or response.mimetype == "text/event-stream"
    ):
        return response
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(data, compresslevel=5))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response
