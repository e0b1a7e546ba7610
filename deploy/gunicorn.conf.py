"""gunicorn settings for Sprintboard (docs/DEPLOY.md): `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

gthread workers: each open live stream holds a thread, so threads > LIVE_MAX_STREAMS leaves room
for ordinary requests. With PROMETHEUS_MULTIPROC_DIR set, /metrics adds up all workers.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
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
