"""Routes of quick capture (actors and entries during a workshop)."""

ROUTES = {
    "capture.index": ("p", "edit"),
    "capture.add": ("p", "edit"),
    "capture.paste": ("p", "edit"),
}
