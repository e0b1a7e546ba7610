"""Engine settings: SQLite pragmas and write transactions that take the lock up front."""

import os
import sqlite3
from pathlib import Path
from time import monotonic

from flask import current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, OperationalError

from .write_gate import WriteGate, connection_class, gate_path

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def configure_engine(
    engine: Engine, busy_timeout_ms: int = 10000, *, write_gate: bool = True, ping_idle_seconds: float = 5.0
) -> None:
    """Make an SQLite engine safe for several threads and processes writing at once; try a
    server's connections that waited in the pool before they are used again."""
    _recycle_after_storage_failures(engine)

    @event.listens_for(engine, "commit")
    def _on_commit(_connection):
        if has_request_context():
            g.database_committed = True  # (whether a request key's claim was saved, on any database)

    if not _is_sqlite(engine):
        _ping_when_idle(engine, ping_idle_seconds)
        if engine.dialect.name == "postgresql":
            _without_jit(engine)
        return
    _create_private(engine.url.database)
    gate = _write_gate(engine.url.database) if write_gate else None

    if gate is not None:

        @event.listens_for(engine, "do_connect")
        def _gated_connections(_dialect, _record, _cargs, cparams):
            cparams["factory"] = connection_class(gate)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own BEGIN is deferred).
        dbapi_connection.isolation_level = None
        # SQLite's lower() folds ASCII only; searches must fold Cyrillic and umlauts too.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A deferred transaction that reads and then writes can fail with "database is locked"
        # when another writer got there first; IMMEDIATE takes the write lock at BEGIN and waits
        # (busy_timeout) instead. Writing requests (POST …) begin IMMEDIATE; reads, and work
        # outside requests (CLI, tests), keep cheap deferred transactions that block nobody.
        # After its commit, or once the database failed it, a request only reads (the answer,
        # the error page): it must not queue for the write lock again and time out on a change
        # that is already saved (or already refused).
        # A view marked @reads_first reads and checks in a deferred transaction and takes the
        # lock only from begin_writing() on (its writes), so the lock is held for less time.
        if _writes_now():
            # Writers queue at the gate (write_gate.py) in turn, rather than in SQLite's busy
            # handler, which polls and can leave one waiting until busy_timeout.
            dbapi = connection.connection.dbapi_connection
            if gate is not None and not gate.acquire(dbapi, busy_timeout_ms / 1000):
                raise OperationalError(
                    "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
                )
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                if gate is not None:
                    gate.release(dbapi)
                raise
        else:
            connection.exec_driver_sql("BEGIN")


def _write_gate(database: str | None) -> WriteGate | None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return WriteGate(gate_path(database))


def _without_jit(engine: Engine) -> None:
    """PostgreSQL compiles a statement it estimates costly to machine code first (JIT): a
    board's cards at 20,000 cards are estimated so, and compiling took 77 ms of a 132 ms query
    that runs in 57 without. Short statements like the app's never win that back (the usual
    advice for such servers): off for the app's connections."""

    @event.listens_for(engine, "do_connect")
    def _no_jit(_dialect, _record, _cargs, cparams):
        cparams["options"] = " ".join(filter(None, (cparams.get("options"), "-c jit=off")))


def _ping_when_idle(engine: Engine, seconds: float) -> None:
    """A pooled connection that waited `seconds` or more since its last use is tried before it is
    used again (the server may have restarted or dropped it meanwhile); a dead one is replaced
    at once, so the request does not notice. One used a moment ago is not tried (SQLAlchemy's
    pool_pre_ping tries every one: a round trip more on every request); should it have died
    since, its request answers 503 (nothing changed, try again: errors.py) and the pool replaces
    all connections older than the failure."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        record.info["idle_since"] = monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        since = record.info.get("idle_since")
        if since is None or monotonic() - since < seconds:  # (new, or used just now)
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(str(error)) from error
        if not alive:
            raise DisconnectionError("the connection did not answer")


def _recycle_after_storage_failures(engine: Engine) -> None:
    """A connection that failed because storage was read-only or full is not used again: an
    SQLite connection opened during a read-only episode stays read-only after the file is
    writable again (writes kept failing until workers restarted). Treated as a disconnect, the
    pool drops it and the next request opens a fresh one."""
    from .services import storage_health

    @event.listens_for(engine, "handle_error")
    def _on_error(context):
        kind = storage_health.classify(context.original_exception)
        if kind is not None:
            storage_health.record(kind)
            context.is_disconnect = True


def _create_private(database: str | None) -> None:
    """A new SQLite file is made readable by its owner only (0600, like the secret key); SQLite
    gives its -wal and -shm files the same mode."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:  # another process made it a moment ago
        pass


def write_again() -> None:
    """The next transaction of this request writes (a @reads_first view's writes; a request key's
    answer kept after the view): it takes the write lock at BEGIN again, waiting for it, instead
    of failing at once when another writer got there first."""
    g.pop("database_committed", None)
    g.pop("database_failed", None)
    g.database_writing = True


def reads_first(view):
    """Mark a writing view that loads and checks what it needs first and calls begin_writing()
    before its first write: on SQLite its reads run without the write lock, which is then held
    only for the writes (a move held it from the session lookup on, ~2x as long)."""
    view.reads_first = True
    return view


def begin_writing(*fresh) -> None:
    """In a @reads_first view on SQLite: end the read transaction and let the next one take the
    write lock. The objects given (`fresh`: what the writes depend on, such as the card whose
    place changes) are expired and load again under the lock, so the writes act on the current
    rows (a row deleted meanwhile answers 404, see errors.py); everything else loaded stays as it
    was checked (the checks already made stand), rather than loading again under the lock.
    Elsewhere (the transaction writes already; PostgreSQL) the transaction goes on. Either way the
    step set by on_first_write (the request key's claim) runs here, as the first write."""
    from .extensions import db

    first_write = g.pop("on_first_write", None)
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    if sqlite and _reads_first() and not g.get("database_writing"):
        commit_keeping_loaded()  # (reads only: nothing to write, the transaction just ends)
        write_again()
        for instance in fresh:
            db.session.expire(instance)
    if first_write is not None:
        first_write()  # (its write takes the lock now, with the view's writes to come)


def on_first_write(step) -> None:
    """In a @reads_first view: run `step` (a write) when the view begins writing, in the same
    transaction as its writes (request_keys.py claims the request's key so)."""
    g.on_first_write = step


def reads_first_view() -> bool:
    """Whether the request's view is marked @reads_first."""
    return _reads_first()


def commit_keeping_loaded() -> None:
    """Commit without expiring what the session has loaded: for a view that answers from what it
    has just written (its objects hold what was saved) and need not read it all back. Values the
    database computed (an SQL expression such as revision + 1) load again when read."""
    from .extensions import db

    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _reads_first() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "reads_first", False)


def _writes_now() -> bool:
    """Whether a transaction beginning now takes the write lock (see _on_begin)."""
    if not has_request_context() or request.method in SAFE_METHODS or _done_writing():
        return False
    return g.get("database_writing", not _reads_first())


def _done_writing() -> bool:
    return bool(g.get("database_committed") or g.get("database_failed"))


# Made by the migrations beside the models, per database: the FTS5 table and its shadow tables
# (search_fts_data, _idx, _docsize, _config) on SQLite, the GIN index on PostgreSQL.
UNMODELLED = ("search_fts", "ix_search_entries_document")


def include_name(name, type_, parent_names) -> bool:
    """Alembic's autogenerate filter: leave out what the models do not describe (UNMODELLED)."""
    return not (name and name.startswith(UNMODELLED))
