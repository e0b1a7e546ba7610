"""The SQLite write gate: writers are let in one at a time, in the order they came, across
threads and processes, and a writer that waits too long is told so instead of polling on."""

import subprocess
import sys
import threading
from collections import deque

from sprintboard.write_gate import WriteGate

HOLD = """
import fcntl, sys
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX | (fcntl.LOCK_NB if sys.argv[2] == "try" else 0))
print("held", flush=True)
sys.stdin.readline()
"""


def _other_process(path, how="wait"):
    """Another process taking the gate's file lock; returns once it holds it."""
    other = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", HOLD, str(path), how],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert other.stdout.readline() == "held\n", other.stderr.read()
    return other


def _let_go(other):
    other.stdin.close()
    assert other.wait(10) == 0
    other.stdout.close()
    other.stderr.close()


def test_writers_are_let_in_in_the_order_they_came(tmp_path):
    gate = WriteGate(tmp_path / "db-writegate")
    first = object()
    assert gate.acquire(first, timeout=5)
    order, arrived = [], threading.Semaphore(0)

    class Queue(deque):  # tells the test when a writer has joined the queue
        def append(self, item):
            super().append(item)
            arrived.release()

    gate._queue = Queue()

    def writer(n):
        me = object()
        assert gate.acquire(me, timeout=10)
        order.append(n)
        gate.release(me)

    threads = []
    for n in range(6):
        t = threading.Thread(target=writer, args=(n,))
        t.start()
        threads.append(t)
        assert arrived.acquire(timeout=10)  # the next writer comes once this one is queued
    gate.release(first)
    for t in threads:
        t.join(10)
    assert order == list(range(6))


def test_a_writer_waits_for_another_process_and_gets_in_once_it_lets_go(tmp_path):
    path = tmp_path / "db-writegate"
    gate = WriteGate(path)
    other = _other_process(path)
    try:
        assert not gate.acquire(object(), timeout=0.2)  # held elsewhere: the wait ends, False
        got = []
        me = object()
        t = threading.Thread(target=lambda: got.append(gate.acquire(me, timeout=10)))
        t.start()
    finally:
        _let_go(other)
    t.join(10)
    assert got == [True]
    gate.release(me)
    _let_go(_other_process(path, "try"))  # once let go here, another process gets it at once


def test_a_thread_already_writing_on_another_connection_passes(tmp_path):
    gate = WriteGate(tmp_path / "db-writegate")
    first, second = object(), object()
    assert gate.acquire(first, timeout=1)
    assert gate.acquire(second, timeout=0.1)  # not queued behind itself (SQLite's lock decides)
    gate.release(second)  # does not let go of the first connection's hold
    assert not _free_for_another_thread(gate)
    gate.release(first)
    assert _free_for_another_thread(gate)


def _free_for_another_thread(gate):
    result = []
    me = object()
    t = threading.Thread(target=lambda: result.append(gate.acquire(me, timeout=0.1)))
    t.start()
    t.join(10)
    if result[0]:
        gate.release(me)
    return result[0]
