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
threads = int(os.environ.get("GUNICORN_THREADS", "64"))
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
