"""Routes of the help pages: public, with no partnership data in them."""

ROUTES = {
    "help.index": "public",
    "help.topic": "public",
}


def params(world) -> dict:
    return {"topic": "board"}
