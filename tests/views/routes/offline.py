"""The service worker (static/sw.js), served from the root."""

ROUTES = {
    "offline.service_worker": "public",
}
