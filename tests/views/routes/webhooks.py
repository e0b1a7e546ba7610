"""Routes of webhooks (facilitators only)."""

from sprintboard.extensions import db
from sprintboard.models import Webhook

ROUTES = {
    "webhooks.index": ("p", "manage"),
    "webhooks.create": ("p", "manage"),
    "webhooks.show": ("p", "manage"),
    "webhooks.update": ("p", "manage"),
    "webhooks.enable": ("p", "manage"),
    "webhooks.renew_secret": ("p", "manage"),
    "webhooks.delete": ("p", "manage"),
}


def _hook(partnership) -> Webhook:
    # (a row, not the service: the service resolves the host, and the walk needs no network)
    hook = Webhook(
        partnership=partnership,
        url="https://hooks.example.org/in",
        secret="whsec_walk",
        events=["card.created"],
    )
    db.session.add(hook)
    db.session.commit()
    return hook


def params(world) -> dict:
    return {"wid": _hook(world.partnership).id}


def foreign(world) -> dict:
    return {"wid": _hook(world.other).id}
