"""Flask, with the relative URLs it builds remembered.

A page builds a few dozen URLs (navigation, forms, links): werkzeug builds each from its rule,
~20 µs apiece, a tenth of a cached board page. A relative URL depends only on the endpoint, the
values given and where the app is mounted (the static files' hashed names, put in by
`url_defaults`, are fixed while the app runs), so it is kept under those, types included
(`all=1` and `all=True` are different URLs). External URLs, anchors, methods, endpoints relative
to a blueprint and values that cannot be keys are built every time.
"""

from __future__ import annotations

import threading

from flask import Flask
from flask.globals import _cv_request

MAX_URLS = 10_000  # then forgotten all at once and remembered anew (a few MB at most)


class Sprintboard(Flask):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple, str] = {}
        self._urls_lock = threading.Lock()

    def url_for(
        self, endpoint: str, /, *, _anchor=None, _method=None, _scheme=None, _external=None, **values
    ):
        request_context = _cv_request.get(None)
        if (
            request_context is None
            or request_context.url_adapter is None
            or endpoint[:1] == "."
            or _anchor is not None
            or _method is not None
            or _scheme is not None
            or _external
        ):
            return super().url_for(
                endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values
            )
        key = (
            endpoint,
            request_context.url_adapter.script_name,
            *[(k, v.__class__, v) for k, v in values.items()],
        )
        try:
            url = self._urls.get(key)
        except TypeError:  # (a value that cannot be a key: a list)
            return super().url_for(endpoint, **values)
        if url is None:
            url = super().url_for(endpoint, **values)
            with self._urls_lock:
                if len(self._urls) >= MAX_URLS:
                    self._urls.clear()
                self._urls[key] = url
        return url
