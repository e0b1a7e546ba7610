"""Routes of reports."""

ROUTES = {
    "reports.done_since": ("p", "view"),
}
