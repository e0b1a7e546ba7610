"""Links that leave the site (emails): built the same in a request, the worker and the CLI.

PUBLIC_URL is the base when set (set it in production: links in emails sent by the worker, and
password reset links, must not depend on a request's Host header). Without it, a request uses
its own host; the worker and the CLI use the development server's address.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request

DEVELOPMENT_URL = "http://127.0.0.1:5000"


def path_for(endpoint: str, **values) -> str:
    """The path of `endpoint` (no host, no script root): stored with notifications."""
    adapter = current_app.url_map.bind("localhost")
    return adapter.build(endpoint, values)


def base_url() -> str:
    public = current_app.config.get("PUBLIC_URL")
    if public:
        return public.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/") + request.script_root
    return DEVELOPMENT_URL


def external(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint`, for an email."""
    return base_url() + path_for(endpoint, **values)


def absolute(path: str) -> str:
    return base_url() + path
