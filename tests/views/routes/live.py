"""Routes of live updates: the event stream and the polling fallback (both read-only).

The walker only GETs them as anonymous users, outsiders (404) and with too few rights, which are
answered before any streaming. Allowed viewers are covered in tests/views/test_live.py; under
TESTING a stream ends after its first events (LIVE_TEST_STREAM_SECONDS, default 0), so even a
walker GET as a member terminates.
"""

ROUTES = {
    "live.stream": ("p", "view"),
    "live.changes": ("p", "view"),
}
