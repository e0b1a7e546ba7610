"""Prometheus metrics (prometheus_client): what /metrics (views/metrics.py) shows.

Counted where things happen: requests by endpoint, method and status and their latency (an
after_request hook), open live streams (live/stream.py), failed tasks (the queue's runner),
database connections in use (pool events), render cache lookups (caches wrapped in
`CountingCache`, flushed once per request). What lives in the database or the queue (outbox
backlog, queued tasks, cache sizes) is read when scraped (services/monitoring.py).

Under gunicorn every worker is a process of its own: with PROMETHEUS_MULTIPROC_DIR set (to an
empty folder, before the app is imported: deploy/gunicorn.conf.py does it) the values go to
files there and a scrape adds up all processes. Without it, one process's values are shown.

This module imports nothing of the app's own, so any module may count something.
"""

from __future__ import annotations

import os
import time

from flask import Flask, g, request
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
TASK_FAILURES = Counter("sprintboard_task_failures", "Background tasks that raised", ["task"])
CACHE_LOOKUPS = Counter("sprintboard_cache_lookups", "Render cache lookups", ["cache", "result"])

CONTENT_TYPE = CONTENT_TYPE_LATEST
CACHES: dict[str, CountingCache] = {}


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class CountingCache(dict):
    """A dict that counts its get() hits and misses in plain ints (cheap enough for a lookup per
    card); `flush` moves them to CACHE_LOOKUPS once per request."""

    def __init__(self, name: str, *args):
        super().__init__(*args)
        self.name, self.hits, self.misses = name, 0, 0

    def get(self, key, default=None):
        value = super().get(key, default)
        if value is default:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def flush(self) -> None:
        hits, misses = self.hits, self.misses
        self.hits -= hits  # (another thread may count in between: it is kept for the next flush)
        self.misses -= misses
        if hits:
            CACHE_LOOKUPS.labels(self.name, "hit").inc(hits)
        if misses:
            CACHE_LOOKUPS.labels(self.name, "miss").inc(misses)


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
    for cache in CACHES.values():
        cache.flush()
    return response


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
