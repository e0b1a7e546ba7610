"""Response headers that keep pages safe: a strict CSP, no sniffing or framing, secure cookies."""

from __future__ import annotations

from functools import wraps

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from .services import refuse_nul

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app):
        return request.is_secure or super().get_cookie_secure(app)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    proxies = int(app.config.get("TRUST_PROXY") or 0)  # (True, from older settings, counts as 1)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Only the last `proxies` entries of X-Forwarded-For are believed: an address a client
        # put in the header itself (to dodge a rate limit) is never taken for its own.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    app.before_request(refuse_unstorable_text)
    app.after_request(security_headers)


def refuse_unstorable_text():
    """before_request: a NUL character in a query or form value (or a file's name) is refused
    with 422 before any view reads it. No browser sends one from what a person types, and
    PostgreSQL's text cannot hold it: a view would otherwise fail there, after its checks said yes.
    (The JSON API's schemas refuse it in their own fields, as its document says.)"""
    values = request.args.items(multi=True) if request.method in ("GET", "HEAD") else _posted(request)
    refuse_nul(list(values))


def _posted(req):
    yield from req.args.items(multi=True)
    yield from req.form.items(multi=True)
    for name, file in req.files.items(multi=True):
        yield name, file.filename or ""


def security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint != "static" and "Cache-Control" not in headers:
        if g.get("no_store"):
            headers["Cache-Control"] = "no-store"
        elif current_user.is_authenticated:
            # A signed-in page may stay in the browser's own cache (back and forward work) but is
            # asked for again before it is shown anew; anything else is not kept at all.
            page = response.status_code == 200 and response.mimetype == "text/html"
            keep = page and request.method == "GET"
            headers["Cache-Control"] = "private, no-cache" if keep else "no-store"
    return response


def no_store(view):
    """For pages that show a secret (links with tokens, sessions): never kept in any cache."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        g.no_store = True
        return view(*args, **kwargs)

    return wrapped
