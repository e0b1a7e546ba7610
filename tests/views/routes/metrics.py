"""Routes of the metrics: public, but answered only with METRICS_TOKEN (tests/test_metrics.py)."""

ROUTES = {
    "metrics.scrape": "public",
}
