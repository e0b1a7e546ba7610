"""The service worker (static/sw.js), served from the root, and the pages to keep for today."""

ROUTES = {
    "offline.service_worker": "public",
    "offline.today": "login",
}
