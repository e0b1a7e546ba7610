"""Routes of the health checks: public JSON for load balancers (tests/test_health.py)."""

ROUTES = {
    "health.live": "public",
    "health.ready": "public",
}
