"""Idempotent writes, checked in one place for every writing route.

Every form a signed-in person gets carries a one-time key (a hidden `request_key` field, added
after each CSRF field of the page as it leaves the app, so cached fragments never hand out an
old key); requests made by script send one in the `X-Request-Key` header. The first request with
a key claims it and its answer is kept for a day (services.request_keys); the same key sent again
with the same content (a double click, a browser retry, an offline change replayed) gets that
answer back and changes nothing. A second request that arrives while the first is still running
waits for its answer. The content is part of the key: a key reused for a different change (a
page restored from the browser's back cache) applies that change instead of answering it with an
unrelated first answer.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time

from flask import Flask, Response, current_app, g, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from .database import commit_keeping_loaded, on_first_write, reads_first_view, write_again
from .extensions import db
from .services import request_keys

log = logging.getLogger(__name__)
FIELD = "request_key"
HEADER = "X-Request-Key"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CSRF_INPUT = b'name="csrf_token"'
_KEY_INPUT = b'<input type="hidden" name="request_key" value="%s">'


class KeyClaimedMeanwhile(Exception):  # noqa: N818 - not an error: a repeat, answered
    """The key is claimed already (a repeat, or the same key sent twice at once): answer with
    the first request's answer."""

    def __init__(self, user_id: int, key: str):
        super().__init__(key)
        self.user_id, self.key = user_id, key


def init_app(app: Flask) -> None:
    app.after_request(add_keys)  # registered first: runs after remember_answer
    app.before_request(answer_repeat)
    app.after_request(remember_answer)
    app.teardown_request(_release_on_error)
    app.register_error_handler(KeyClaimedMeanwhile, lambda repeat: _first_answer(repeat.user_id, repeat.key))


def new_key() -> str:
    return secrets.token_urlsafe(18)


def _content_key(raw: str) -> str:
    """The stored key: the client's key with the request it came with (method, path, fields)."""
    fields = sorted(
        (name, value) for name, value in request.form.items(multi=True) if name not in (FIELD, "csrf_token")
    )
    files = sorted((name, f.filename or "") for name, f in request.files.items(multi=True))
    text = repr((raw, request.method, request.full_path, fields, files))
    return hashlib.sha256(text.encode()).hexdigest()


def answer_repeat():
    """before_request: claim the key in the transaction of the request's own writes (one turn
    at SQLite's write lock, not two), or answer a repeat with the first answer: a view that
    writes from its start claims it now, a @reads_first view when it begins writing (a repeat
    is found then, before anything is written). The claim is saved with the writes or not at
    all (a refusal that writes nothing keeps no claim: sent again, it is refused again)."""
    if request.method not in WRITES or not current_user.is_authenticated:
        return None
    raw = request.form.get(FIELD) or request.headers.get(HEADER)
    if not request_keys.valid_key(raw):
        return None
    key, user_id = _content_key(raw), current_user.id
    if reads_first_view():
        on_first_write(lambda: _claim(user_id, key))
        return None
    try:
        _claim(user_id, key)
    except KeyClaimedMeanwhile:
        return _first_answer(user_id, key)
    return None


def _claim(user_id: int, key: str) -> None:
    claimed = request_keys.claim_key(user_id, key, method=request.method, path=request.path)
    if claimed is None:
        db.session.rollback()
        raise KeyClaimedMeanwhile(user_id, key)
    g.request_key_id = claimed
    current_user.latest_claim = None  # (read with the login session: older now)


def _first_answer(user_id: int, key: str):
    # How long a repeat waits for the first request's answer.
    deadline = time.monotonic() + current_app.config.get("REQUEST_KEY_WAIT_SECONDS", 10.0)
    while True:
        record = request_keys.find(user_id, key)
        answer = record and (record.status, record.headers, record.body)
        # End the read at once: a transaction left open (on SQLite a writing request's holds the
        # write lock) would keep the first request from finishing.
        db.session.rollback()
        if answer is None:  # the first request failed and let go of the key: nothing was saved
            return _still_running()
        status, headers, body = answer
        if status is not None:
            response = Response(body or b"", status=status, headers=headers or {})
            response.headers["X-Request-Key-Replay"] = "1"
            return response
        if time.monotonic() > deadline:
            return _still_running()
        time.sleep(0.05)  # the first request is still running in another thread or process


def _still_running():
    from .errors import render_error

    body, status, *headers = render_error(
        409, _("This change is still being saved. Wait a moment and send it again.")
    )
    response = Response(body, status=status, headers=headers[0] if headers else None)
    response.headers["Retry-After"] = "2"
    return response


def commit_with_answer() -> None:
    """A view's commit, for a view that answers from what it has just written (its objects stay
    loaded, see database.commit_keeping_loaded). When the request claimed a key, the writes are
    only flushed: remember_answer keeps the answer in the same transaction and commits both, so
    a keyed change takes one turn at SQLite's write lock, not two (and one transaction, not two,
    on PostgreSQL), and its answer leaves only once it is saved."""
    if g.get("request_key_id") is None:
        commit_keeping_loaded()
        return
    db.session.flush()
    g.request_key_pending = True


def remember_answer(response: Response) -> Response:
    """after_request: keep the answer to a claimed key (a failure lets go of the key instead).
    A claim the request never committed went with its rollback: nothing to keep."""
    record_id = g.pop("request_key_id", None)
    if record_id is None:
        return response
    if g.pop("request_key_pending", False):
        return _commit_with_answer(record_id, response)
    committed = g.get("database_committed")
    db.session.rollback()  # whatever the view did not commit is not part of the answer
    if not committed:
        return response
    write_again()
    try:
        _keep_answer(record_id, response)
        db.session.commit()
    except SQLAlchemyError:
        # The write itself is saved; a repeat of this key will be told to wait, not applied twice.
        db.session.rollback()
        log.exception("could not keep the answer to a request key")
    return response


def _commit_with_answer(record_id: int, response: Response) -> Response:
    """The view's writes (flushed, see commit_with_answer) and its key's answer, in one commit;
    an error answer keeps neither, and a commit that fails answers 503: nothing was saved."""
    if response.status_code >= 500:
        db.session.rollback()
        return response
    try:
        _keep_answer(record_id, response)
        commit_keeping_loaded()
    except SQLAlchemyError as error:
        db.session.rollback()
        from .errors import not_saved

        return current_app.make_response(not_saved(error))
    return response


def _keep_answer(record_id: int, response: Response) -> None:
    """Keep `response` as the key's answer; one that cannot be replayed (a server error, a
    stream) lets go of the key instead."""
    if response.status_code >= 500 or response.is_streamed or response.direct_passthrough:
        request_keys.release_key(record_id)
    else:
        request_keys.record_answer(
            record_id, response.status_code, dict(response.headers), response.get_data()
        )


def _release_on_error(error) -> None:
    record_id = g.pop("request_key_id", None)
    if record_id is not None and error is not None:
        db.session.rollback()
        write_again()
        request_keys.release_key(record_id)
        db.session.commit()


def add_keys(response: Response) -> Response:
    """after_request: a fresh key after every CSRF field of a page for a signed-in person."""
    if (
        response.mimetype != "text/html"
        or response.is_streamed
        or response.direct_passthrough
        or not current_user.is_authenticated
    ):
        return response
    data = response.get_data()
    if _CSRF_INPUT not in data:
        return response
    parts, start = [], 0
    while (at := data.find(_CSRF_INPUT, start)) != -1:
        end = data.find(b">", at) + 1
        if not end:
            break
        parts += [
            data[start:end],
            b'<input type="hidden" name="request_key" value="%s">' % new_key().encode(),
        ]
        start = end
    parts.append(data[start:])
    response.set_data(b"".join(parts))
    return response
