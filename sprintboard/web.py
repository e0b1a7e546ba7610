"""Request plumbing: security headers, error pages, template helpers, compression."""

from __future__ import annotations

import gzip

from flask import Flask, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import access, htmx, i18n, navigation
from .markdown import render_markdown
from .services import DomainError, board_render, mail
from .services import activity as activity_service

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

ERROR_TITLES = {
    400: lambda: _("Bad request"),
    401: lambda: _("Please log in"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Not found"),
    405: lambda: _("Not allowed"),
    409: lambda: _("Conflict"),
    413: lambda: _("Too large"),
    422: lambda: _("Please check your input"),
    423: lambda: _("Locked"),
    429: lambda: _("Too many attempts"),
    500: lambda: _("Something went wrong"),
}
ERROR_TEXTS = {
    400: lambda: _("The request could not be understood."),
    401: lambda: _("You need to log in to do this."),
    403: lambda: _("You do not have permission to do this."),
    404: lambda: _("This page does not exist, or you do not have access to it."),
    405: lambda: _("This action is not possible here."),
    409: lambda: _("Someone else changed this in the meantime. Reload and try again."),
    413: lambda: _("What you sent is too large."),
    422: lambda: _("Some of what you entered is not valid."),
    423: lambda: _("This is locked at the moment."),
    429: lambda: _("Too many attempts. Please wait a few minutes and try again."),
    500: lambda: _("An unexpected error happened. It has been logged; please try again."),
}


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app):
        return request.is_secure or super().get_cookie_secure(app)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    if app.config.get("TRUST_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    app.before_request(access.enforce_login)
    app.after_request(i18n.remember)
    app.after_request(mail.send_after_request)
    app.after_request(htmx.add_vary)
    app.after_request(_security_headers)
    if app.config.get("COMPRESS"):
        app.after_request(_compress)

    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(500, lambda _e: render_error(500))

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        LANGUAGES=i18n.LANGUAGES,
        can=access.can,
        role_in=access.role_in,
        role_label=role_label,
        partnership_tabs=navigation.partnership_tabs,
        home_sections=navigation.home_sections,
        describe_activity=activity_service.describe,
        board_texts=board_render.board_texts,
        can_edit_toolbox=access.can_edit_toolbox,
    )
    app.jinja_env.filters.update(
        date=lambda value, fmt="medium": format_date(value, fmt) if value else "",
        datetime=lambda value, fmt="medium": format_datetime(value, fmt) if value else "",
        number=format_decimal,
        country=country_name,
        markdown=render_markdown,
    )

    @app.context_processor
    def _globals():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale()), "is_htmx": htmx.is_htmx()}


def role_label(role: str) -> str:
    from .forms.partnerships import ROLE_LABELS

    return str(ROLE_LABELS[role])


def country_name(code: str) -> str:
    """The country's name in the current language (DE → Deutschland / Germany / Германия)."""
    from flask_babel import get_locale

    return get_locale().territories.get(code.upper(), code)


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if current_user.is_authenticated and request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    return response


def _compress(response):
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
    if len(data) < 1024:
        return response
    response.set_data(gzip.compress(data, compresslevel=5))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def render_error(status: int, message: str | None = None):
    """A full error page, or for htmx a small message swapped into the flash region."""
    title = ERROR_TITLES.get(status, ERROR_TITLES[500])()
    text = message or ERROR_TEXTS.get(status, ERROR_TEXTS[500])()
    if htmx.is_htmx():
        body = render_template("errors/_message.html", status=status, title=title, text=text)
        return body, status, {"HX-Retarget": "#flash", "HX-Reswap": "beforeend"}
    body = render_template("errors/error.html", status=status, title=title, text=text)
    return body, status


def form_errors(form):
    """422 for a form that is not on the page being answered (quick-add, move): its errors."""
    messages = [
        f"{getattr(form, name).label.text}: {' '.join(map(str, errors))}"
        if name in form._fields and not isinstance(errors, dict)
        else str(errors)
        for name, errors in form.errors.items()
    ]
    return render_error(422, " ".join(messages) or None)


def _http_error(error: HTTPException):
    if error.code == 401:
        return render_error(401)
    if error.code is None or error.code < 400:
        return error
    message = error.description if getattr(error, "translated", False) else None
    return render_error(error.code, message)


def _csrf_error(_error: CSRFError):
    return render_error(
        400, _("The form has expired or was sent from another site. Reload the page and try again.")
    )


def _domain_error(error: DomainError):
    return render_error(error.status, error.message)
