"""gunicorn settings for Sprintboard (docs/DEPLOY.md): `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

gthread workers: each open live stream holds a thread, so threads > LIVE_MAX_STREAMS leaves room
for ordinary requests. With PROMETHEUS_MULTIPROC_DIR set, /metrics adds up all workers.

Live updates reach streams in other worker processes only through Redis (REDIS_URL): without it
one worker serves everything (a move made in one process would never show on a board streamed
by another). GUNICORN_WORKERS overrides either default.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or (2 if os.environ.get("REDIS_URL") else 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "64"))  # (set here, not by --threads: see below)
# A worker takes at most this many connections (open live streams and kept-alive ones included):
# its threads and a few more. Under load the rest wait in the kernel's queue, where whichever
# worker is free next takes them; a worker that took all it could (gunicorn's default is 1,000)
# kept requests waiting behind its own while another worker was idle (tests/bench/bench_load.py:
# p99 of moves 2.7 s, so 0.9 s). The app runs a few of a worker's requests at a time
# (APP_CONCURRENCY, sprintboard/busy_gate.py); the others wait their turn in order.
worker_connections = threads + int(os.environ.get("GUNICORN_SPARE_CONNECTIONS", "8"))
timeout = 60
graceful_timeout = 30
keepalive = 5
accesslog = None  # the app logs one line per request itself (LOG_FORMAT=json|text)
errorlog = "-"
forwarded_allow_ips = "127.0.0.1,::1"  # nginx on this host: X-Forwarded-Proto gives https


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    from sprintboard import metrics

    metrics.worker_exited(worker.pid)
