"""Settings from environment variables, with safe defaults."""

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'sprintboard.db'}"
    # Heroku-style and plain PostgreSQL URLs use psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else a key generated once into instance/."""
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _proxy_count(value: str | None) -> int:
    """TRUST_PROXY: how many proxies in front of the app add X-Forwarded-* headers (0: none, the
    app is reached directly and those headers are ignored)."""
    value = (value or "").strip().lower()
    if value in ("", "0", "no", "false", "off"):
        return 0
    if value in ("yes", "true", "on"):
        return 1
    if not value.isdigit():
        raise ValueError(f"TRUST_PROXY must be the number of proxies in front of the app, not {value!r}")
    return int(value)


MB = 1024 * 1024

# What may be attached (sniffed from the bytes; text and CSV by their name once no binary
# type matched and the bytes hold no NUL).
DEFAULT_UPLOAD_TYPES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/heic",
    "image/heif",
    "application/pdf",
    "text/plain",
    "text/csv",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/rtf",
)


def _list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = os.environ.get(name, "").strip()
    return tuple(v.strip() for v in raw.split(",") if v.strip()) if raw else default


def load(instance_path: Path) -> dict:
    """The configuration for a normal run, read from the environment."""
    redis_url = os.environ.get("REDIS_URL", "").strip() or None
    database_url = _database_url(instance_path)
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A server's connection may have gone away (restart, idle timeout): one that waited in
        # the pool this long is tried before use (database.py); one used a moment ago is not
        # (a round trip less on every request under load). An SQLite file cannot go away.
        "DATABASE_PING_IDLE_SECONDS": float(os.environ.get("DATABASE_PING_IDLE_SECONDS", "5")),
        # SQLite: writing requests queue in turn for the write lock (database.py, write_gate.py);
        # SQLITE_WRITE_GATE=0 leaves them to SQLite's busy handler (to compare, tests/bench/).
        "SQLITE_WRITE_GATE": os.environ.get("SQLITE_WRITE_GATE", "1") != "0",
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per 15 minutes"),
        # Failed logins per address (default: LOGIN_RATE_LIMIT) and per account from any address;
        # a browser that logged into the account before has an allowance of its own.
        "LOGIN_IP_RATE_LIMIT": os.environ.get("LOGIN_IP_RATE_LIMIT") or None,
        "LOGIN_ACCOUNT_RATE_LIMIT": os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes"),
        # Unknown or revoked tokens of public links (/s/…, /cal/…) per address: guessing stops here.
        "TOKEN_RATE_LIMIT": os.environ.get("TOKEN_RATE_LIMIT", "30 per 10 minutes"),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "sprintboard_session",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        # Proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed (a count).
        "TRUST_PROXY": _proxy_count(os.environ.get("TRUST_PROXY")),
        # Largest request body read (bytes); bigger ones get 413 before anything is parsed.
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "").rstrip("/") or None,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "1") == "1",
        "MAIL_FROM": os.environ.get("MAIL_FROM", "sprintboard@localhost"),
        "INVITATION_DAYS": 14,
        # Background work (sprintboard/queue): Huey's SQLite file (default instance/queue.db;
        # Redis when REDIS_URL is set); QUEUE_IMMEDIATE=1 runs tasks inline (no worker needed).
        "QUEUE_FILE": os.environ.get("QUEUE_FILE") or None,
        "QUEUE_IMMEDIATE": os.environ.get("QUEUE_IMMEDIATE", "") == "1",
        # Outgoing mail: tries per message before it is marked failed (back-off in between).
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "6")),
        # "Forgot password" requests per address (and reset links tried) before 429.
        "RESET_RATE_LIMIT": os.environ.get("RESET_RATE_LIMIT", "5 per 15 minutes"),
        # JSON API (/api/v1/): requests per personal token (per address without one).
        "API_RATE_LIMIT": os.environ.get("API_RATE_LIMIT", "300 per minute"),
        # Trello and CSV imports: the largest file accepted (bytes); larger ones get 413.
        "IMPORT_MAX_BYTES": int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024))),
        # Webhooks (services/webhooks.py): WEBHOOKS_ALLOW_PRIVATE=1 lets them reach loopback and
        # private addresses (a receiver on this network: off by default, against request
        # forgery); seconds per try; tries per delivery (back-off from WEBHOOK_RETRY_SECONDS,
        # doubling); failures in a row before a webhook is switched off.
        "WEBHOOKS_ALLOW_PRIVATE": os.environ.get("WEBHOOKS_ALLOW_PRIVATE", "") == "1",
        "WEBHOOK_TIMEOUT": float(os.environ.get("WEBHOOK_TIMEOUT", "10")),
        "WEBHOOK_MAX_ATTEMPTS": int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "8")),
        "WEBHOOK_RETRY_SECONDS": int(os.environ.get("WEBHOOK_RETRY_SECONDS", "30")),
        "WEBHOOK_MAX_FAILURES": int(os.environ.get("WEBHOOK_MAX_FAILURES", "10")),
        "COMPRESS": os.environ.get("SPRINTBOARD_COMPRESS", "1") == "1",
        # The board's render cache (board/cache.py): bytes per process (an LRU), and with
        # REDIS_URL card fragments shared by all workers (RENDER_CACHE_SHARED=0: not), kept
        # RENDER_CACHE_TTL seconds; whole boards RENDER_CACHE_BOARD_TTL seconds.
        "RENDER_CACHE_BYTES": int(os.environ.get("RENDER_CACHE_BYTES", str(64 * 1024 * 1024))),
        "RENDER_CACHE_SHARED": os.environ.get("RENDER_CACHE_SHARED", "1") != "0",
        "RENDER_CACHE_TTL": int(os.environ.get("RENDER_CACHE_TTL", str(24 * 3600))),
        "RENDER_CACHE_BOARD_TTL": int(os.environ.get("RENDER_CACHE_BOARD_TTL", "600")),
        "SQL_ECHO": False,
        # Python's garbage collector (sprintboard.tune_gc): the first generation's threshold,
        # then how many collections of each generation start one of the next ("0": Python's
        # own 700,10,10).
        "GC_THRESHOLD": os.environ.get("GC_THRESHOLD", "10000,10,10"),
        # Requests of one worker process that run at once (sprintboard/busy_gate.py; live
        # streams and health checks not counted); the others wait their turn. 0: no limit.
        "APP_CONCURRENCY": int(os.environ.get("APP_CONCURRENCY", "2")),
        # Live updates (views/live.py): open streams per process (keep below gunicorn --threads),
        # stream lifetime before the browser reconnects (spreads streams over workers),
        # heartbeat interval, Redis key/channel prefix, polling interval of the fallback.
        "LIVE_MAX_STREAMS": int(os.environ.get("LIVE_MAX_STREAMS", "48")),
        # … of which one person, and one login session, may hold this many (then 429).
        "LIVE_MAX_STREAMS_PER_USER": int(os.environ.get("LIVE_MAX_STREAMS_PER_USER", "6")),
        "LIVE_MAX_STREAMS_PER_SESSION": int(os.environ.get("LIVE_MAX_STREAMS_PER_SESSION", "3")),
        "LIVE_STREAM_SECONDS": int(os.environ.get("LIVE_STREAM_SECONDS", "300")),
        "LIVE_HEARTBEAT": int(os.environ.get("LIVE_HEARTBEAT", "15")),
        "LIVE_KEY_PREFIX": os.environ.get("LIVE_KEY_PREFIX", "sprintboard:"),
        "LIVE_POLL_MS": int(os.environ.get("LIVE_POLL_MS", "10000")),
        # Machine translation (optional): a LibreTranslate-compatible server at TRANSLATE_URL, or
        # DeepL with TRANSLATE_PROVIDER=deepl and TRANSLATE_API_KEY (a free key, ending ":fx", uses
        # api-free.deepl.com). Unset, no text ever leaves this server; calls run in the worker.
        "TRANSLATE_URL": os.environ.get("TRANSLATE_URL", "").strip().rstrip("/") or None,
        "TRANSLATE_PROVIDER": os.environ.get("TRANSLATE_PROVIDER", "libretranslate").strip().lower(),
        "TRANSLATE_API_KEY": os.environ.get("TRANSLATE_API_KEY") or None,
        "TRANSLATE_TIMEOUT": float(os.environ.get("TRANSLATE_TIMEOUT", "10")),
        # Operations (docs/DEPLOY.md): log lines as "text" or "json"; /readyz fails when the
        # oldest due email waited longer than READYZ_QUEUE_MAX_AGE seconds (0: only reported).
        "LOG_FORMAT": "json" if os.environ.get("LOG_FORMAT", "").strip().lower() == "json" else "text",
        "READYZ_TIMEOUT": float(os.environ.get("READYZ_TIMEOUT", "1")),
        "READYZ_QUEUE_MAX_AGE": int(os.environ.get("READYZ_QUEUE_MAX_AGE", "0")),
        # /metrics (Prometheus) answers only with `Authorization: Bearer <METRICS_TOKEN>`; unset: 404.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", "").strip() or None,
        # Attachments (services/attachments.py): bytes per file, per partnership (all its files),
        # pixels per image (decompression bombs), files per upload, the types allowed, and where
        # files are kept: UPLOAD_DIR (default instance/uploads), or S3-compatible storage when
        # S3_BUCKET is set (S3_ENDPOINT_URL for MinIO, Ceph …; credentials the boto3 way).
        "UPLOAD_MAX_BYTES": int(os.environ.get("UPLOAD_MAX_BYTES", str(20 * MB))),
        "UPLOAD_QUOTA_BYTES": int(os.environ.get("UPLOAD_QUOTA_BYTES", str(2048 * MB))),
        "UPLOAD_MAX_PIXELS": int(os.environ.get("UPLOAD_MAX_PIXELS", "50000000")),
        "UPLOAD_MAX_FILES": int(os.environ.get("UPLOAD_MAX_FILES", "10")),
        "UPLOAD_ALLOWED_TYPES": _list("UPLOAD_ALLOWED_TYPES", DEFAULT_UPLOAD_TYPES),
        "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(instance_path / "uploads"),
        "S3_BUCKET": os.environ.get("S3_BUCKET") or None,
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL") or None,
        "S3_REGION": os.environ.get("S3_REGION") or None,
        "S3_PREFIX": os.environ.get("S3_PREFIX", "sprintboard/"),
        # Backups (`sprintboard backup`, services/snapshots.py): where, how many are kept, and
        # whether the worker makes one every night at 02:30 UTC.
        "BACKUP_DIR": os.environ.get("BACKUP_DIR", "").strip() or None,
        "BACKUP_KEEP": int(os.environ.get("BACKUP_KEEP", "7")),
        "BACKUP_NIGHTLY": os.environ.get("BACKUP_NIGHTLY", "") == "1",
    }
