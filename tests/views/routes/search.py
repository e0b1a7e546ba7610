"""Routes of search."""

ROUTES = {
    "search.index": "login",
}


def params(world) -> dict:
    return {}
