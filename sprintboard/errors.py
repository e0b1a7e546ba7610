"""Error pages and messages: one rendering for every error status, and one way for a view to turn
a broken rule (a DomainError from a service) into a form error or an error response.

A view wraps its service call in `rule_errors(form, field)`: a 422 from the service lands on the
form (the field, else the form's own errors) for the view to re-render in place; any other status
(403, 409, 423 …) goes on to the app's handler. Either way the session is rolled back first, so
nothing half-done can be committed later in the request.
"""

from __future__ import annotations

import errno
import json
import logging
from contextlib import contextmanager

from flask import Flask, g, make_response, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import ObjectDeletedError
from werkzeug.exceptions import HTTPException

from . import access, htmx, i18n, requestlog
from .extensions import db, login_manager
from .services import DomainError

ERROR_TITLES = {
    400: lambda: _("Bad request"),
    401: lambda: _("Please log in"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Not found"),
    405: lambda: _("Not allowed"),
    409: lambda: _("Conflict"),
    410: lambda: _("Too late"),
    412: lambda: _("Changed in the meantime"),
    413: lambda: _("Too large"),
    422: lambda: _("Please check your input"),
    423: lambda: _("Locked"),
    429: lambda: _("Too many attempts"),
    500: lambda: _("Something went wrong"),
    503: lambda: _("Not saved"),
}
ERROR_TEXTS = {
    400: lambda: _("The request could not be understood."),
    401: lambda: _("You need to log in to do this."),
    403: lambda: _("You do not have permission to do this."),
    404: lambda: _("This page does not exist, or you do not have access to it."),
    405: lambda: _("This action is not possible here."),
    409: lambda: _("Someone else changed this in the meantime. Reload and try again."),
    410: lambda: _("This is no longer possible."),
    412: lambda: _("This changed since the version you sent. Read it again and retry."),
    413: lambda: _("What you sent is too large."),
    422: lambda: _("Some of what you entered is not valid."),
    423: lambda: _("This is locked at the moment."),
    429: lambda: _("Too many attempts. Please wait a few minutes and try again."),
    500: lambda: _("An unexpected error happened. It has been logged; please try again."),
    503: lambda: _("The server is busy right now. Nothing was changed; please try again in a moment."),
}


def storage_text() -> str:
    return _(
        "Cannot save right now: the server's storage is full or read-only. Nothing was changed. "
        "Please try again later; the administrators can see the problem."
    )


RETRY_AFTER = 5  # seconds, for 503 answers: a busy database is usually free again by then
log = logging.getLogger("sprintboard.errors")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(DataError, _value_refused)
    app.register_error_handler(ObjectDeletedError, _deleted_meanwhile)
    app.register_error_handler(OSError, _storage_error)
    app.register_error_handler(500, lambda _e: render_error(500))


class Broken:
    """What `rule_errors` yields: true, with the message, once the service broke a rule."""

    message: str | None = None

    def __bool__(self) -> bool:
        return self.message is not None


@contextmanager
def rule_errors(form=None, field: str | None = None):
    """Around a service call: a broken rule rolls the session back; a 422 becomes an error on
    `form` (its `field`, else the form's own errors) and on the yielded `Broken`; any other
    status is raised on to the app's error handler."""
    broken = Broken()
    try:
        yield broken
    except DomainError as error:
        db.session.rollback()
        if error.status != 422:
            raise
        broken.message = error.message
        if form is not None:
            target = getattr(form, field) if field else form
            errors = target.errors if field else form.form_errors
            if isinstance(errors, tuple):  # a field not validated yet keeps an empty tuple
                errors = target.errors = list(errors)
            errors.append(error.message)


def render_error(status: int, message: str | None = None, **problem):
    """A full error page, or for htmx a small message swapped into the flash region; under
    /api/ an RFC 9457 problem document (`problem` adds members such as `errors`). When the
    page cannot be rendered because the database fails (the page looks up the user, the
    language …), a plain page without it, in the browser's language."""
    try:
        return _render_error(status, message, **problem)
    except SQLAlchemyError:
        log.warning("error page %s rendered without the database", status, exc_info=True)
        _without_database()
        lang = request.accept_languages.best_match(i18n.LANGUAGES.keys(), default=i18n.DEFAULT)
        with force_locale(lang):
            return _render_error(status, message, plain=lang, **problem)


def _render_error(status: int, message: str | None, plain: str | None = None, **problem):
    title = ERROR_TITLES.get(status, ERROR_TITLES[500])()
    text = message or ERROR_TEXTS.get(status, ERROR_TEXTS[500])()
    rid = requestlog.request_id()
    headers = {"Retry-After": str(RETRY_AFTER)} if status == 503 else {}
    if access.is_api_request():
        response = problem_response(status, title, text, **({"request_id": rid} if rid else {}), **problem)
        response.headers.update(headers)
        return response
    context = {"status": status, "title": title, "text": text, "request_id": rid}
    if htmx.is_htmx():
        body = render_template("errors/_message.html", **context)
        return body, status, {**headers, "HX-Retarget": "#flash", "HX-Reswap": "beforeend"}
    if plain:
        return render_template("errors/plain.html", lang=plain, **context), status, headers
    return render_template("errors/error.html", **context), status, headers


def _without_database() -> None:
    """The rest of this request (error page, after-request hooks) runs without the database:
    nothing half-done is kept, and no new write transaction waits for the lock again."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        pass
    g.database_failed = True
    g._login_user = login_manager.anonymous_user()  # (Flask-Login's cache: no user lookup)


def _deleted_meanwhile(_error: ObjectDeletedError):
    """A row the request had loaded was deleted by someone else before it was used again (a
    @reads_first view loads it again under the write lock, database.begin_writing): 404."""
    db.session.rollback()
    return render_error(404)


def _storage_error(error: OSError):
    """A file that could not be written (an upload on a full or read-only disk): 503 with the
    storage message; any other OS error is a 500 as before."""
    from .services import storage_health

    kind = {errno.EROFS: storage_health.READ_ONLY, errno.ENOSPC: storage_health.FULL}.get(error.errno)
    if kind is None and error.errno == getattr(errno, "EDQUOT", None):
        kind = storage_health.FULL
    if kind is None:
        log.exception("unexpected error", exc_info=error)
        return render_error(500)
    storage_health.record(kind)
    _without_database()
    return render_error(503, storage_text())


def _database_unavailable(error: OperationalError):
    """A lock that did not come in time (SQLite "database is locked", a PostgreSQL lock or
    statement timeout) or a database that cannot be reached: 503, nothing saved, try again."""
    from .services import storage_health

    storage = storage_health.classify(error.orig) if isinstance(error, DBAPIError) else None
    if storage is None and isinstance(error, DBAPIError) and error.connection_invalidated:
        log.warning("database connection lost: %s", error.orig)
    elif storage is None:
        log.warning("database unavailable: %s", error.orig)
    _without_database()
    if storage is not None:
        return render_error(503, storage_text())
    return render_error(503)


def _value_refused(error: DataError):
    """A value the database refused although our checks let it pass (they should not): 422,
    nothing saved, and a warning for us to add the check where it belongs."""
    log.warning("the database refused a value: %s", error.orig)
    db.session.rollback()
    return render_error(422)


def not_saved(error: SQLAlchemyError):
    """The answer when a change could not be committed after its view had answered (a request
    key's answer is saved with it, see request_keys.commit_with_answer): 503, nothing saved."""
    if isinstance(error, OperationalError):
        return _database_unavailable(error)
    log.warning("could not save a change: %s", error)
    return render_error(503)


def problem_response(status: int, title: str, detail: str, **members):
    """application/problem+json (RFC 9457), the API's only error format."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **members}
    response = make_response(json.dumps(body, ensure_ascii=False, default=str), status)
    response.mimetype = "application/problem+json"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="sprintboard"'
    return response


def form_error_text(form) -> str:
    """A form's errors as one sentence, each after its field's label ("" without errors)."""
    messages = [
        f"{getattr(form, name).label.text}: {' '.join(map(str, errors))}"
        if name in form._fields and not isinstance(errors, dict)
        else str(errors)
        for name, errors in form.errors.items()
    ]
    return " ".join(messages)


def form_errors(form):
    """422 for a form that is not on the page being answered (quick-add, move): its errors."""
    return render_error(422, form_error_text(form) or None)


def _http_error(error: HTTPException):
    if error.code == 401:
        return render_error(401)
    if error.code is None or error.code < 400:
        return error
    message = error.description if getattr(error, "translated", False) else None
    if access.is_api_request():
        return _api_http_error(error, message)
    return render_error(error.code, message)


def _api_http_error(error: HTTPException, message: str | None):
    """Validation messages of the API's schemas (webargs) travel as `errors`; 429 says when."""
    members = {}
    messages = (getattr(error, "data", None) or {}).get("messages")
    if messages:
        members["errors"] = messages
    response = render_error(error.code, message, **members)
    limit = getattr(error, "limit", None)  # flask-limiter's RateLimitExceeded
    if error.code == 429 and limit is not None:
        response.headers["Retry-After"] = str(limit.limit.get_expiry())  # at most one window
    return response


def _csrf_error(_error: CSRFError):
    return render_error(
        400, _("The form has expired or was sent from another site. Reload the page and try again.")
    )


def _domain_error(error: DomainError):
    db.session.rollback()  # nothing of the broken change may be committed later in the request
    return render_error(error.status, error.message)
