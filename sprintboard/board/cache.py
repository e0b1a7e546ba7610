"""The render cache of the board: one per app (process), bounded by bytes, least recently used
out first; with REDIS_URL, card fragments are also shared by every worker and host.

- `LocalCache`: an LRU bounded by the bytes its entries hold (RENDER_CACHE_BYTES, default 64 MiB
  per process): card fragments, whole boards and filter forms alike. Sizes are estimates that err
  on the high side (the text's own size plus a fixed overhead per entry).
- `SharedCache`: card fragments, board frames and filters in Redis (RENDER_CACHE_SHARED, on by
  default when REDIS_URL is set), each with a time to live (RENDER_CACHE_TTL seconds, default a
  day; Redis' own maxmemory bounds the whole), and whole boards, compressed, for
  RENDER_CACHE_BOARD_TTL seconds (default 10 minutes). Read in one MGET per board, written in
  one pipeline; when Redis is unreachable the board is rendered without it (and Redis is left
  alone for a while).
- `stats`: how many cards, board frames and filters were rendered, how many lookups hit and how
  many whole boards came from Redis, per app (tests assert them).

Keys are derived from what is shown, so nothing ever has to invalidate anything.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
import time
import weakref
from collections import OrderedDict

from flask import Flask, current_app

log = logging.getLogger(__name__)

DEFAULT_BYTES = 64 * 1024 * 1024
DEFAULT_TTL = 24 * 3600
DEFAULT_BOARD_TTL = 600  # whole boards: a state of the board is read again soon or not at all
ENTRY_OVERHEAD = 512  # key tuple, entry tuple, dictionary slot, list of ids: an upper estimate
RETRY_AFTER = 30  # seconds without Redis after it failed
_ALL: weakref.WeakSet = weakref.WeakSet()  # every RenderCache, for clear_all()


class LocalCache:
    """A least-recently-used mapping bounded by the estimated bytes of its entries."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.bytes = 0
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def keys(self) -> list:
        """The keys kept now, least recently used first (a copy)."""
        with self._lock:
            return list(self._data)

    def get(self, key):
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            self._data.move_to_end(key)
            return item[0]

    def get_many(self, keys: list) -> list:
        """`get` each key, under one lock (a board looks up hundreds at a time)."""
        data, found = self._data, []
        with self._lock:
            for key in keys:
                item = data.get(key)
                if item is None:
                    found.append(None)
                else:
                    data.move_to_end(key)
                    found.append(item[0])
        return found

    def put(self, key, value, size: int) -> None:
        self.put_many(((key, value, size),))

    def put_many(self, items) -> None:
        """`put` each (key, value, size), under one lock (a board puts hundreds at a time)."""
        data, limit = self._data, self.max_bytes
        with self._lock:
            for key, value, size in items:
                size += ENTRY_OVERHEAD
                if size > limit:
                    continue
                old = data.pop(key, None)
                if old is not None:
                    self.bytes -= old[1]
                data[key] = (value, size)
                self.bytes += size
            while self.bytes > limit:
                _key, (_value, dropped) = data.popitem(last=False)
                self.bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = 0


# SET each KEYS[i] to ARGV[i + 1], to expire in ARGV[1] seconds.
_SET_ALL = """
local ttl = ARGV[1]
for i, key in ipairs(KEYS) do
    redis.call('SET', key, ARGV[i + 1], 'EX', ttl)
end
"""


class SharedCache:
    """Card fragments in Redis, shared by all workers and hosts (values are bytes)."""

    def __init__(self, url: str, ttl: int, prefix: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._set_all = self.client.register_script(_SET_ALL)
        self.ttl = ttl
        self.prefix = prefix
        self._down_until = 0.0

    def _usable(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, error) -> None:
        log.warning("render cache: Redis unavailable, rendering without it for %ds (%s)", RETRY_AFTER, error)
        self._down_until = time.monotonic() + RETRY_AFTER

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        if not keys or not self._usable():
            return [None] * len(keys)
        import redis

        try:
            return self.client.mget([self.prefix + key for key in keys])
        except redis.RedisError as error:
            self._failed(error)
            return [None] * len(keys)

    def set_many(self, items: dict[str, bytes], ttl: int | None = None) -> None:
        if not items or not self._usable():
            return
        import redis

        try:
            # One command for them all, run by Redis itself: a pipeline of 720 SETs (a cold
            # board's cards) costs ~5.7 ms to pack and send, this ~1.4 ms (as much as MSET,
            # which cannot set a time to live).
            keys = [self.prefix + key for key in items]
            self._set_all(keys=keys, args=[ttl or self.ttl, *items.values()], client=self.client)
        except redis.RedisError as error:
            self._failed(error)

    def clear(self) -> None:
        """Remove this app's entries (tests; `sprintboard` never needs it: keys carry versions)."""
        import redis

        try:
            keys = list(self.client.scan_iter(match=self.prefix + "*", count=1000))
            if keys:
                self.client.delete(*keys)
        except redis.RedisError as error:
            self._failed(error)


class RenderCache:
    def __init__(self, max_bytes: int, shared: SharedCache | None, board_ttl: int = DEFAULT_BOARD_TTL):
        self.local = LocalCache(max_bytes)
        self.shared = shared
        self.board_ttl = board_ttl
        self.stats = {
            "rendered": 0,
            "local_hits": 0,
            "shared_hits": 0,
            "frames": 0,
            "filters": 0,
            "boards_shared": 0,
        }
        self.boards_seen: set[tuple[int, str]] = set()  # (partnership id, language) rendered here
        _ALL.add(self)

    def clear(self, shared: bool = False) -> None:
        self.local.clear()
        self.boards_seen.clear()
        for name in self.stats:
            self.stats[name] = 0
        if shared and self.shared is not None:
            self.shared.clear()


def init_app(app: Flask) -> None:
    config = app.config
    max_bytes = int(config.get("RENDER_CACHE_BYTES") or DEFAULT_BYTES)
    shared = None
    url = config.get("REDIS_URL")
    if url and _flag(config.get("RENDER_CACHE_SHARED", True)):
        # Two instances on one Redis but different databases must not share card ids.
        database = hashlib.blake2b(str(config.get("SQLALCHEMY_DATABASE_URI")).encode(), digest_size=6)
        prefix = f"{config.get('RENDER_CACHE_PREFIX') or 'sb:render:'}{database.hexdigest()}:"
        shared = SharedCache(url, int(config.get("RENDER_CACHE_TTL") or DEFAULT_TTL), prefix)
    board_ttl = int(config.get("RENDER_CACHE_BOARD_TTL") or DEFAULT_BOARD_TTL)
    app.extensions["render_cache"] = RenderCache(max_bytes, shared, board_ttl)


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "no", "false", "off")
    return bool(value)


def get() -> RenderCache:
    return current_app.extensions["render_cache"]


def clear_all() -> None:
    """Empty every app's local cache (tests, between cases)."""
    for cache in list(_ALL):
        cache.clear()


def text_size(text: str) -> int:
    return sys.getsizeof(text)


def digest(value) -> str:
    """A short digest that is the same in every process (unlike hash() of strings)."""
    return hashlib.blake2b(repr(value).encode(), digest_size=8).hexdigest()
