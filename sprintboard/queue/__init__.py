"""Background work: a Huey task queue, consumed by `sprintboard worker` (never inside a request).

Storage: SqliteHuey in `instance/queue.db` by default (no extra server), RedisHuey when
REDIS_URL is set; QUEUE_IMMEDIATE=True runs each task inline when it is enqueued (the tests).

Define work anywhere (import the module from sprintboard/tasks.py so the worker knows it):

    from sprintboard.queue import crontab, queue

    @queue.task()                                  # a task; arguments must be JSON-able values
    def make_thumbnail(attachment_id): ...

    @queue.periodic(crontab(minute="*/15"))        # run by the worker on a schedule
    def sweep(): ...

    make_thumbnail.after_commit(attachment.id)     # from a service: enqueued once the change commits
    make_thumbnail.delay(attachment.id)            # enqueued now
    make_thumbnail(attachment.id)                  # run here and now (CLI, tests)

Each task runs in a fresh context of the app that queued it, with its own database session
(removed afterwards); each app (create_app) has its own Huey in app.extensions.
Tasks must be idempotent: a nudge may arrive twice, or after the work was done by the sweep.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event as sa_event

from .. import metrics
from ..extensions import db

__all__ = ["crontab", "queue"]
log = logging.getLogger("sprintboard.queue")


class Task:
    """A function the worker runs; calling it runs it here."""

    def __init__(self, owner: TaskQueue, fn, name: str, options: dict, schedule=None):
        self.owner, self.fn, self.name, self.options, self.schedule = owner, fn, name, options, schedule
        self.bound: dict[int, object] = {}  # id(huey) -> Huey's task wrapper, one per app's queue

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def bind(self, huey, app) -> None:
        run = self.owner.runner(self.fn, app)
        if self.schedule is not None:
            self.bound[id(huey)] = huey.periodic_task(self.schedule, name=self.name, **self.options)(run)
        else:
            self.bound[id(huey)] = huey.task(name=self.name, **self.options)(run)

    def delay(self, *args, **kwargs) -> None:
        """Enqueue now. A queue that cannot be reached is logged, not raised: callers keep the
        work in the database (the outbox …) and a periodic sweep finishes it."""
        try:
            self.bound[id(self.owner.huey_of_app())](*args, **kwargs)
        except Exception:  # noqa: BLE001
            log.exception("could not enqueue %s", self.name)

    def after_commit(self, *args) -> None:
        """Enqueue once the current transaction commits (same calls in one transaction: once)."""
        pending = db.session.info.setdefault("queue_after_commit", {})
        pending[(self.name, args)] = self


class TaskQueue:
    """The app's queue: collects tasks at import time; each app gets its own Huey (init_app)."""

    KEY = "sprintboard_queue"

    def __init__(self):
        self.tasks: dict[str, Task] = {}
        self.apps: list = []  # (huey, app) pairs configured so far

    def task(self, name: str | None = None, **options):
        """Decorator: a task (Huey options such as retries=, retry_delay= pass through)."""
        return self._register(name, options, None)

    def after_commit(self, name: str, *args) -> None:
        """Enqueue the task called `name` once the transaction commits (for modules that the
        task's own module imports: no import circle)."""
        self.tasks[name].after_commit(*args)

    def periodic(self, schedule, name: str | None = None, **options):
        """Decorator: a task the worker runs on `schedule` (a huey.crontab)."""
        return self._register(name, options, schedule)

    def _register(self, name, options, schedule):
        def decorator(fn):
            task = Task(self, fn, name or f"{fn.__module__}.{fn.__name__}", options, schedule)
            self.tasks[task.name] = task
            for huey, app in self.apps:
                task.bind(huey, app)
            return task

        return decorator

    @staticmethod
    def runner(fn, app):
        def run(*args, **kwargs):
            with app.app_context():  # a new context: its own session, even when immediate
                try:
                    return fn(*args, **kwargs)
                except Exception:
                    metrics.TASK_FAILURES.labels(fn.__name__).inc()
                    raise
                finally:
                    db.session.remove()

        run.__name__ = fn.__name__
        run.__module__ = "sprintboard"  # Huey's registry key: "sprintboard.<task name>"
        return run

    def init_app(self, app) -> None:
        """Give the app its queue (Huey) and bind every task to it."""
        huey = make_huey(app.config, Path(app.instance_path))
        app.extensions[self.KEY] = huey
        self.apps.append((huey, app))
        for task in self.tasks.values():
            task.bind(huey, app)
        _install_hooks()

    def huey_of_app(self, app=None):
        """The Huey of `app` (default: the current app): what `sprintboard worker` consumes."""
        return (app or current_app).extensions[self.KEY]


def make_huey(config, instance: Path):
    immediate = bool(config.get("QUEUE_IMMEDIATE"))
    if config.get("REDIS_URL") and not immediate:
        prefix = config.get("LIVE_KEY_PREFIX") or "sprintboard:"
        return RedisHuey(f"{prefix}queue", url=config["REDIS_URL"], utc=True)
    if immediate:
        return MemoryHuey("sprintboard", immediate=True, utc=True)
    path = Path(config.get("QUEUE_FILE") or instance / "queue.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("sprintboard", filename=str(path), utc=True)


def _after_commit(session) -> None:
    # SQLAlchemy also calls this when a SAVEPOINT is released: wait for the real commit, or the
    # worker would look before the rows are there (and SQLite's write lock is still held).
    if session.in_nested_transaction():
        return
    pending = session.info.pop("queue_after_commit", None)
    for (_name, args), task in (pending or {}).items():
        task.delay(*args)


def _after_rollback(session) -> None:
    if not session.in_nested_transaction():  # (a rolled-back SAVEPOINT: an extra nudge is harmless)
        session.info.pop("queue_after_commit", None)


_hooked = False


def _install_hooks() -> None:
    global _hooked
    if _hooked:
        return
    factory = db.session.session_factory
    sa_event.listen(factory, "after_commit", _after_commit)
    sa_event.listen(factory, "after_rollback", _after_rollback)
    _hooked = True


queue = TaskQueue()
