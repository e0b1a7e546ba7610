"""Brokers fan live events out to the open streams, and keep who is looking at a board.

`MemoryBroker` (one process; the default) and `RedisBroker` (REDIS_URL set: pub/sub on
`<prefix>live:<partnership id>`, so every gunicorn worker and host sees every event). Publishing
never raises into a request: a Redis outage is logged once, writes go on, clients poll.
Presence: streams read `present_cached(pid)` (one Redis read per process and half second,
however many streams).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
import uuid

from flask import current_app

log = logging.getLogger("sprintboard.live")

PRESENCE_TTL = 45  # seconds a viewer stays listed without a heartbeat
QUEUE_SIZE = 500  # events buffered per stream before it is told to reload


class Subscription:
    """One open stream's mailbox. `get` returns an event dict, or None after `timeout` seconds."""

    def __init__(self, hub: _Hub, pid):
        self.hub, self.pid = hub, pid
        self.keys = [pid]  # the partnership, and e.g. "u5": the viewer's own events (the bell)
        self.queue: queue.Queue = queue.Queue(QUEUE_SIZE)
        self.overflowed = False
        self.broken = False  # the broker lost its connection: the stream should end

    def put(self, event: dict) -> None:
        try:
            self.queue.put_nowait(event)
        except queue.Full:
            self.overflowed = True

    def get(self, timeout: float) -> dict | None:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.hub.remove(self)


class _Hub:
    """Local subscribers per partnership (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.subs: dict[int, set[Subscription]] = {}

    def add(self, pid, sub: Subscription | None = None) -> Subscription:
        """Subscribe to `pid` (a partnership id, or another key such as "u5"); an existing
        subscription gets one more key."""
        if sub is None:
            sub = Subscription(self, pid)
        elif pid not in sub.keys:
            sub.keys.append(pid)
        with self.lock:
            self.subs.setdefault(pid, set()).add(sub)
        return sub

    def remove(self, sub: Subscription) -> None:
        with self.lock:
            for key in sub.keys:
                group = self.subs.get(key)
                if group is not None:
                    group.discard(sub)
                    if not group:
                        del self.subs[key]

    def dispatch(self, event: dict) -> None:
        with self.lock:
            targets = list(self.subs.get(event["p"], ()))
        for sub in targets:
            sub.put(event)

    def count(self) -> int:
        with self.lock:
            return len({sub for group in self.subs.values() for sub in group})

    def break_all(self) -> None:
        with self.lock:
            targets = {sub for group in self.subs.values() for sub in group}
        for sub in targets:
            sub.broken = True
            sub.put({"k": "broken", "p": sub.pid})


class MemoryBroker:
    """Everything in this process: right for one worker (the default, and the tests)."""

    name = "memory"

    def __init__(self):
        self.hub = _Hub()
        self.lock = threading.Lock()
        self.presence: dict[int, dict[str, tuple[dict, float]]] = {}
        self._present_cache: dict[int, tuple[float, list[dict]]] = {}

    @property
    def healthy(self) -> bool:
        return True

    def publish(self, event: dict) -> None:
        self.hub.dispatch(event)

    def subscribe(self, pid: int, also=()) -> Subscription:
        sub = self.hub.add(pid)
        for key in also:
            self.hub.add(key, sub)
        return sub

    def streams(self) -> int:
        return self.hub.count()

    # Presence
    def enter(self, pid: int, entry: dict) -> None:
        with self.lock:
            self.presence.setdefault(pid, {})[entry["k"]] = (entry, time.time() + PRESENCE_TTL)

    def leave(self, pid: int, stream: str) -> None:
        with self.lock:
            self.presence.get(pid, {}).pop(stream, None)

    def present_cached(self, pid: int, max_age: float = 0.5) -> list[dict]:
        """`present(pid)`, read at most every `max_age` seconds in this process."""
        now = time.monotonic()
        cached = self._present_cache.get(pid)
        if cached is None or now - cached[0] > max_age:
            cached = self._present_cache[pid] = (now, self.present(pid))
        return cached[1]

    def present(self, pid: int) -> list[dict]:
        now = time.time()
        with self.lock:
            entries = self.presence.get(pid, {})
            for key in [k for k, (_e, until) in entries.items() if until < now]:
                del entries[key]
            return [e for e, _until in entries.values()]


class RedisBroker(MemoryBroker):
    """Pub/sub through Redis: one listener thread per process fans events out to local streams."""

    name = "redis"
    FAIL_PAUSE = 5.0  # after a failed publish, skip Redis for this long (writes stay fast)

    def __init__(self, url: str, prefix: str = "sprintboard:"):
        import redis

        super().__init__()
        self.url, self.prefix = url, prefix
        options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "health_check_interval": 30}
        self.client = redis.Redis.from_url(url, **options)
        # The listener pings now and then, so a silently dropped connection is noticed too.
        self.listen_client = redis.Redis.from_url(
            url,
            socket_connect_timeout=0.5,
            socket_timeout=30,
            socket_keepalive=True,
            health_check_interval=10,
        )
        self._listener: threading.Thread | None = None
        self._listener_pid = None
        self._connected = threading.Event()
        self._stop = threading.Event()
        self._down_since: float | None = None
        self._skip_until = 0.0

    def channel(self, pid) -> str:
        return f"{self.prefix}live:{pid}"

    @property
    def healthy(self) -> bool:
        self._ensure_listener()
        # The first time, give the listener a moment to connect; during an outage answer at once.
        return self._connected.wait(1.0 if self._down_since is None else 0)

    def _failed(self, what: str, error: Exception) -> None:
        self._skip_until = time.monotonic() + self.FAIL_PAUSE
        if self._down_since is None:
            self._down_since = time.monotonic()
            log.warning("Redis unavailable (%s: %s); live updates fall back to polling", what, error)

    def _recovered(self) -> None:
        self._skip_until = 0.0
        if self._down_since is not None:
            log.warning("Redis is back after %.0f s", time.monotonic() - self._down_since)
            self._down_since = None

    def publish(self, event: dict) -> None:
        if time.monotonic() < self._skip_until:
            return
        try:
            self.client.publish(self.channel(event["p"]), json.dumps(event))
        except Exception as error:  # noqa: BLE001 - a lost event never fails a write
            self._failed("publish", error)
        else:
            self._recovered()

    def subscribe(self, pid: int, also=()) -> Subscription:
        self._ensure_listener()
        return super().subscribe(pid, also)

    def _ensure_listener(self) -> None:
        if self._listener is not None and self._listener_pid == os.getpid() and self._listener.is_alive():
            return
        with self.lock:
            if self._listener is not None and self._listener_pid == os.getpid() and self._listener.is_alive():
                return
            self._listener_pid = os.getpid()  # a forked worker starts its own listener
            self._connected.clear()
            self._listener = threading.Thread(target=self._listen, name="live-redis", daemon=True)
            self._listener.start()

    def _listen(self) -> None:
        delay = 0.2
        while not self._stop.is_set():
            pubsub = self.listen_client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.psubscribe(self.channel("*"))
                self._connected.set()
                self._recovered()
                delay = 0.2
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    try:
                        event = json.loads(message["data"])
                    except Exception as error:  # noqa: BLE001
                        log.warning("dropping a bad live event: %s", error)
                        continue
                    self.hub.dispatch(event)
            except Exception as error:  # noqa: BLE001 - reconnect with backoff
                if self._connected.is_set():
                    self._connected.clear()
                    self.hub.break_all()  # streams end; clients poll, then reconnect and replay
                self._failed("subscribe", error)
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)
            finally:
                try:
                    pubsub.close()
                except Exception:  # noqa: BLE001, S110
                    pass

    def close(self) -> None:
        self._stop.set()

    # Presence: a sorted set per partnership, scored by expiry time.
    def _presence_key(self, pid) -> str:
        return f"{self.prefix}presence:{pid}"

    def enter(self, pid: int, entry: dict) -> None:
        super().enter(pid, entry)
        try:
            key = self._presence_key(pid)
            pipe = self.client.pipeline()
            pipe.zadd(key, {json.dumps(entry, sort_keys=True): time.time() + PRESENCE_TTL})
            pipe.expire(key, PRESENCE_TTL * 2)
            pipe.execute()
        except Exception as error:  # noqa: BLE001
            self._failed("presence", error)

    def leave(self, pid: int, stream: str) -> None:
        entry = self.presence.get(pid, {}).get(stream)
        super().leave(pid, stream)
        if entry is None:
            return
        try:
            self.client.zrem(self._presence_key(pid), json.dumps(entry[0], sort_keys=True))
        except Exception as error:  # noqa: BLE001
            self._failed("presence", error)

    def present(self, pid: int) -> list[dict]:
        try:
            key = self._presence_key(pid)
            pipe = self.client.pipeline()
            pipe.zremrangebyscore(key, "-inf", time.time())
            pipe.zrange(key, 0, -1)
            _removed, members = pipe.execute()
            return [json.loads(m) for m in members]
        except Exception as error:  # noqa: BLE001
            self._failed("presence", error)
            return super().present(pid)


def current():
    """This app's broker (created on first use from REDIS_URL and LIVE_KEY_PREFIX)."""
    app = current_app._get_current_object()
    b = app.extensions.get("live_broker")
    if b is None:
        url = app.config.get("REDIS_URL")
        if url:
            b = RedisBroker(url, app.config.get("LIVE_KEY_PREFIX", "sprintboard:"))
        else:
            b = MemoryBroker()
        b = app.extensions.setdefault("live_broker", b)
    return b


def new_stream_id() -> str:
    return uuid.uuid4().hex[:16]
