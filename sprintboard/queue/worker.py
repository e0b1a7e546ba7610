"""`sprintboard worker`: the Huey consumer with its periodic tasks, in its own process.

Huey's consumer installs signal handlers, so it must run in a process's main thread: the
development server (`sprintboard run`) starts it as a child process (`spawn_child`), which
stops with the server (Ctrl+C reaches both; the child also watches its parent).
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import subprocess
import sys
import threading
import time

log = logging.getLogger("sprintboard.queue")


def run_consumer(huey, *, workers: int = 2, parent: int | None = None) -> None:
    """Consume tasks (and enqueue periodic ones) until SIGINT/SIGTERM."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if parent:
        _follow_parent(parent)
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()


def _follow_parent(parent: int) -> None:
    """Stop when the process that started us is gone (e.g. the dev server was killed)."""

    def watch():
        while os.getppid() == parent:
            time.sleep(2)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def spawn_child() -> subprocess.Popen:
    """Start `sprintboard worker` beside the development server; it ends when we do."""
    command = [sys.executable, "-m", "sprintboard", "worker", "--parent", str(os.getpid())]
    child = subprocess.Popen(command)  # noqa: S603 - our own interpreter and module
    atexit.register(_stop, child)
    return child


def _stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
