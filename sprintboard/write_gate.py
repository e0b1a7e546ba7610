"""One SQLite writer at a time, served in turn.

SQLite lets one connection write at once; the others wait in its busy handler, which polls: it
sleeps 1, 2, 5 … then 100 ms between tries, so a writer that has waited a while wakes rarely and
keeps missing the lock to newcomers that arrive while it sleeps. Under load most moves were quick
but some waited until busy_timeout (p99 of 10 s at 50 users). The gate queues writing requests
instead of polling: in a process, in arrival order; across processes (gunicorn workers), on an
flock on a file beside the database, where waiters block in the kernel and are woken when it is
let go. A process lets go of the file lock after every transaction, so the workers take turns.

The gate is taken before BEGIN IMMEDIATE and let go once the transaction's COMMIT or ROLLBACK has
run (the connection class below), or when the connection closes. Writers that do not pass
through the gate (the CLI, a queue worker) still meet SQLite's own lock and busy handler; the gate
only spares its users the polling.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from pathlib import Path

from .metrics import WRITE_HOLD, WRITE_WAIT

log = logging.getLogger(__name__)


class WriteGate:
    """A fair write lock for one database file, shared by the threads and processes using it."""

    def __init__(self, path: Path):
        self.path = path
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._cond = threading.Condition(threading.Lock())
        self._queue: deque[object] = deque()  # this process's waiters, first come first served
        self._holder: object | None = None  # the DBAPI connection holding the gate
        self._holder_thread: int | None = None
        self._held_since = 0.0
        self._file_held = False  # this process holds the flock
        self._helper_waiting = False  # a thread is blocked in flock for this process
        self._fd: int | None = None

    def _file(self) -> int | None:
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as error:  # e.g. a read-only folder: SQLite's own lock still holds
                log.warning("write gate file unavailable (%s): processes are not queued", error)
                return None
        return self._fd

    def acquire(self, connection: object, timeout: float) -> bool:
        """Wait (at most `timeout` seconds) for the gate on behalf of `connection`; False when
        the time ran out. A thread that already holds it through another connection passes
        without holding it again (SQLite's own lock decides that case, as before)."""
        if self._pid != os.getpid():  # forked after the gate was made: nothing is inherited
            self._reset()
        me = object()
        start = time.monotonic()
        deadline = start + timeout
        with self._cond:
            if self._holder_thread == threading.get_ident():
                return True
            self._queue.append(me)
            while True:
                if self._queue[0] is me and self._holder is None:
                    if self._file_held or self._try_file():
                        self._queue.popleft()
                        self._holder, self._holder_thread = connection, threading.get_ident()
                        self._held_since = time.monotonic()
                        self._cond.notify_all()  # the next in line becomes the head
                        WRITE_WAIT.observe(self._held_since - start)
                        return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._queue.remove(me)
                    self._cond.notify_all()
                    WRITE_WAIT.observe(time.monotonic() - start)
                    return False
                self._cond.wait(remaining)

    def release(self, connection: object) -> None:
        """Let go of the gate if `connection` holds it (safe to call more than once)."""
        with self._cond:
            if self._holder is not connection or self._pid != os.getpid():
                return
            self._holder = self._holder_thread = None
            WRITE_HOLD.observe(time.monotonic() - self._held_since)
            if self._file_held:
                # Every transaction lets go of the file, so the other processes get their turn.
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                self._file_held = False
            self._cond.notify_all()

    def _try_file(self) -> bool:
        """Take the flock now if it is free; else have a helper thread wait for it in the kernel
        (flock has no timeout; the helper lets go at once if nobody here wants it any more)."""
        if self._helper_waiting:
            return False  # the helper's flock shares this file description: it answers first
        fd = self._file()
        if fd is None:
            return True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not self._helper_waiting:
                self._helper_waiting = True
                threading.Thread(target=self._wait_for_file, args=(fd,), daemon=True).start()
            return False
        self._file_held = True
        return True

    def _wait_for_file(self, fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            log.exception("write gate: waiting for the file lock failed")
            with self._cond:
                self._helper_waiting = False
                self._cond.notify_all()
            return
        with self._cond:
            self._helper_waiting = False
            if self._queue and self._holder is None:
                self._file_held = True
                self._cond.notify_all()
            else:
                fcntl.flock(fd, fcntl.LOCK_UN)


def connection_class(gate: WriteGate) -> type[sqlite3.Connection]:
    """A sqlite3 connection that lets go of `gate` once its COMMIT or ROLLBACK has run."""

    class GatedConnection(sqlite3.Connection):
        def commit(self):
            try:
                super().commit()
            finally:
                gate.release(self)

        def rollback(self):
            try:
                super().rollback()
            finally:
                gate.release(self)

        def close(self):
            try:
                super().close()
            finally:
                gate.release(self)

    return GatedConnection


def gate_path(database: str) -> Path:
    return Path(f"{database}-writegate")


@contextlib.contextmanager
def held(gate: WriteGate, connection: object, timeout: float):
    """For tests and tools: hold the gate for `connection` within the block."""
    if not gate.acquire(connection, timeout):
        raise TimeoutError("write gate")
    try:
        yield
    finally:
        gate.release(connection)
