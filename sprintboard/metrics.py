"""Prometheus metrics (prometheus_client): what /metrics (views/metrics.py) shows.

Counted where things happen: requests by endpoint, method and status and their latency (an
after_request hook), open live streams (live/stream.py), failed tasks (the queue's runner),
database connections in use (pool events), the board's render cache (its own counters, moved
here once per request). What lives in the database or the queue (outbox backlog, queued tasks)
is read when scraped (services/monitoring.py).

Under gunicorn every worker is a process of its own: with PROMETHEUS_MULTIPROC_DIR set (to an
empty folder, before the app is imported: deploy/gunicorn.conf.py does it) the values go to
files there and a scrape adds up all processes. Without it, one process's values are shown.

This module imports nothing of the app's own, so any module may count something.
"""

from __future__ import annotations

import os
import threading
import time

from flask import Flask, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

REQUESTS = Counter("sprintboard_http_requests", "HTTP requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "sprintboard_http_request_duration_seconds",
    "Time to answer a request (for a live stream: until it starts)",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LIVE_STREAMS = Gauge("sprintboard_live_streams", "Open live update streams", multiprocess_mode="livesum")
DB_CONNECTIONS = Gauge(
    "sprintboard_db_connections_in_use", "Database connections checked out", multiprocess_mode="livesum"
)
# SQLite's write gate (write_gate.py): how long writing requests wait for the write lock, and
# how long they hold it (the lock is busy for the sum of holds; waits grow as that nears 100 %).
_LOCK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
WRITE_WAIT = Histogram(
    "sprintboard_sqlite_write_wait_seconds",
    "Time a writer waited for the SQLite write lock",
    buckets=_LOCK_BUCKETS,
)
WRITE_HOLD = Histogram(
    "sprintboard_sqlite_write_hold_seconds", "Time a writer held the SQLite write lock", buckets=_LOCK_BUCKETS
)
TASK_FAILURES = Counter("sprintboard_task_failures", "Background tasks that raised", ["task"])
RENDER_CARDS = Counter(
    "sprintboard_render_cache_cards",
    "Cards shown on boards by where their HTML came from: local or shared cache, or rendered",
    ["source"],
)
RENDER_CACHE_BYTES = Gauge(
    "sprintboard_render_cache_bytes", "Bytes held by the render caches", multiprocess_mode="livesum"
)
RENDER_CACHE_ENTRIES = Gauge(
    "sprintboard_render_cache_entries", "Entries in the render caches", multiprocess_mode="livesum"
)
RENDER_STATS = {"local_hits": "local", "shared_hits": "shared", "rendered": "rendered"}

CONTENT_TYPE = CONTENT_TYPE_LATEST
_flush_lock = threading.Lock()


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def init_app(app: Flask) -> None:
    app.after_request(_count_request)
    with app.app_context():
        from sqlalchemy import event

        from .extensions import db

        engine = db.engine
        if not getattr(engine, "_sprintboard_metrics", False):
            event.listen(engine, "checkout", lambda *_: DB_CONNECTIONS.inc())
            event.listen(engine, "checkin", lambda *_: DB_CONNECTIONS.dec())
            engine._sprintboard_metrics = True


def _count_request(response):
    endpoint = request.endpoint or "none"  # (unknown URLs share one label: bounded series)
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    started = g.get("request_started")
    if started is not None:
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    _flush_render_cache(current_app.extensions.get("render_cache"))
    return response


def _flush_render_cache(store) -> None:
    """The board's render cache (board/cache.py) counts in plain ints; what it counted since the
    last request goes to the counters here (once per request, not per card)."""
    if store is None:
        return
    with _flush_lock:
        stats = dict(store.stats)
        seen = getattr(store, "_metrics_seen", {})
        for name, source in RENDER_STATS.items():
            now, before = stats.get(name, 0), seen.get(name, 0)
            delta = now - before if now >= before else now  # (cleared in between: counted anew)
            if delta:
                RENDER_CARDS.labels(source).inc(delta)
        store._metrics_seen = stats
        RENDER_CACHE_BYTES.set(store.local.bytes)
        RENDER_CACHE_ENTRIES.set(len(store.local))


class _ThisProcess:
    def collect(self):
        return REGISTRY.collect()


def exposition(*collectors) -> bytes:
    """The text format of every metric (all processes' when multiprocess) and of `collectors`."""
    registry = CollectorRegistry()
    if multiprocess():
        from prometheus_client import multiprocess as mp

        mp.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)


def worker_exited(pid: int) -> None:
    """gunicorn's child_exit: a dead worker's live gauges no longer count."""
    if multiprocess():
        from prometheus_client import multiprocess as mp

        mp.mark_process_dead(pid)
