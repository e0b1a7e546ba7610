"""Logs: one line per request with a request id, as text or JSON (LOG_FORMAT=text|json).

The request id comes from the proxy's X-Request-ID (nginx: $request_id) when it looks like one,
else it is made here; it is sent back as X-Request-ID, shown on error pages (so a user can quote
it) and added to every log record written during the request.

Nothing secret is logged: no headers or cookies, no request bodies; URL parts that are tokens
(route arguments named *token*) and query values that may be secrets are replaced by [redacted].
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

from flask import Flask, g, has_request_context, request

log = logging.getLogger("sprintboard.requests")

REDACTED = "[redacted]"
INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")
SECRET_QUERY = re.compile(r"token|password|secret|key|code|sig|next", re.IGNORECASE)
LONG_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_-]{20,}")
RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
# Logged at DEBUG when answered fine: probes, scrapes and files.
QUIET_ENDPOINTS = {"health.live", "health.ready", "metrics.scrape", "static"}


def init_app(app: Flask) -> None:
    # First of all before_request functions (CSRF, rate limits … may end a request early);
    # after_request functions run in reverse order, so _finish sees the final response.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    configure_logging(app)


def request_id() -> str | None:
    """The current request's id (None outside a request)."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


def _start() -> None:
    request_id()
    g.request_started = time.perf_counter()


def _finish(response):
    response.headers["X-Request-ID"] = request_id()
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    fields = {
        "method": request.method,
        "path": safe_path(),
        "status": response.status_code,
        "duration_ms": duration_ms,
        "bytes": response.content_length,
        "endpoint": request.endpoint,
        "remote_addr": request.remote_addr,
        "user_id": _user_id(),
    }
    quiet = request.endpoint in QUIET_ENDPOINTS and response.status_code < 400
    log.log(
        logging.DEBUG if quiet else logging.INFO,
        "%s %s %s %sms",
        fields["method"],
        fields["path"],
        fields["status"],
        duration_ms,
        extra={"http": fields, "request_id": request_id()},
    )
    return response


def safe_path() -> str:
    """The request's path and query with tokens and secret-looking query values redacted."""
    rule, args = request.url_rule, request.view_args or {}
    if rule is not None:
        path = RULE_ARGUMENT.sub(
            lambda m: REDACTED if "token" in m.group(1) else str(args.get(m.group(1), "")), rule.rule
        )
    else:  # no route: any long token-like segment may be a mistyped or expired link's token
        path = LONG_SEGMENT.sub(REDACTED, request.path)
    query = parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True)
    if query:
        redacted = [(k, REDACTED if SECRET_QUERY.search(k) else v) for k, v in query]
        path += "?" + urlencode(redacted, safe="[]")
    return path


def _user_id():
    user = g.get("_login_user")  # only when the request already loaded it: no extra query
    return user.id if user is not None and getattr(user, "is_authenticated", False) else None


# Formatting ---------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, http fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        http = getattr(record, "http", None)
        if http:
            entry.update(http)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def make_handler(log_format: str) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(app: Flask) -> None:
    """Records of the app's own logger (errors with tracebacks) carry the request id; outside
    tests, the root logger gets our handler when nothing else configured logging (gunicorn,
    `sprintboard worker`): app, queue and library records all come out one way."""
    app_logger = logging.getLogger("sprintboard")
    if not any(isinstance(f, RequestIdFilter) for f in app_logger.filters):
        app_logger.addFilter(RequestIdFilter())
    if app.testing:
        return
    root = logging.getLogger()
    if root.handlers:
        return
    root.addHandler(make_handler(app.config.get("LOG_FORMAT", "text")))
    root.setLevel(logging.INFO)
