"""Sprintboard: a server-rendered collaborative sprint board for city partnerships."""

from __future__ import annotations

import gc
import logging
import os
from pathlib import Path

from flask import Flask

from . import config as config_module
from .paths import STATIC, TEMPLATES, TRANSLATIONS, asset_root
from .urls import Sprintboard

# One Blueprint per area, in sprintboard/views/<name>.py.
BLUEPRINTS = (
    "main",
    "help",
    "health",
    "metrics",
    "auth",
    "partnerships",
    "members",
    "admin",
    "board",
    "undo",
    "applications",
    "toolbox",
    "toolbox_copies",
    "toolbox_proposals",
    "actors",
    "match",
    "capture",
    "workshops",
    "workshop_agenda",
    "translations",
    "sprints",
    "facilitation",
    "voting",
    "reports",
    "projects",
    "columns",
    "cards",
    "funding",
    "status",
    "exports",
    "live",
    "notifications",
    "search",
    "passwords",
    "api_tokens",
    "imports",
    "openspace",
    "openspace_settings",
    "openspace_sessions",
    "openspace_grid",
    "openspace_people",
    "openspace_report",
    "attachments",
    "offline",
    "webhooks",
)


def create_app(config: dict | type | None = None) -> Flask:
    """The application factory; `config` (a dict or class) overrides the environment."""
    root = asset_root()
    app = Sprintboard(
        __name__,
        template_folder=str(root / TEMPLATES),
        static_folder=str(root / STATIC),
        instance_relative_config=True,
    )
    overrides = _as_dict(config)
    instance = Path(
        overrides.get("INSTANCE_PATH") or os.environ.get("SPRINTBOARD_INSTANCE") or app.instance_path
    )
    app.instance_path = str(instance)
    app.config.from_mapping(config_module.load(instance))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(root / TRANSLATIONS)
    app.config.update(overrides)

    from .ids import IdConverter

    app.url_map.converters["int"] = IdConverter  # ids past what a column holds: 404, not 500
    _init_extensions(app)
    _register_blueprints(app)
    _init_request_handling(app)
    from . import cli

    cli.init_app(app)
    logging.getLogger("sprintboard").setLevel(logging.INFO)
    tune_gc(app)
    return app


def tune_gc(app: Flask) -> None:
    """Python's garbage collector, tuned for a server that keeps a large render cache.

    A request makes and drops tens of thousands of objects, nearly all freed by their reference
    counts; with the default threshold (700) the collector still ran ~4 times per board rendered
    anew, and every ~40th such request a full collection walked every object of the process (the
    cache's entries, the modules, the templates) for ~80 ms: a pause for every thread of the
    worker. GC_THRESHOLD (default 10000,10,10) makes collections rare; what exists once the app is
    made (modules, templates compiled so far, configuration) is frozen out of the collector's
    walks (gc.freeze: never garbage, and with gunicorn --preload its pages stay shared)."""
    value = str(app.config.get("GC_THRESHOLD") or "0").strip()
    if value != "0":
        try:
            threshold = tuple(int(part) for part in value.split(","))
            gc.set_threshold(*threshold)
        except (TypeError, ValueError):
            logging.getLogger(__name__).warning("GC_THRESHOLD=%r is not 1 to 3 numbers: left as it is", value)
    if not app.testing:  # (tests make many apps in one process: theirs stay collectable)
        gc.freeze()


def _as_dict(config) -> dict:
    if config is None:
        return {}
    if isinstance(config, dict):
        return dict(config)
    return {k: getattr(config, k) for k in dir(config) if k.isupper()}


def _init_extensions(app: Flask) -> None:
    from .database import configure_engine
    from .extensions import babel, csrf, db, limiter, login_manager, migrate
    from .i18n import select_locale
    from .live import hooks

    db.init_app(app)
    hooks.install()
    from .services import search_index

    search_index.install()
    from .services import attachments

    attachments.install()  # stored files go once the commit that dropped their rows is done
    from .services import webhooks

    webhooks.install()  # deliveries written with the changes they tell of
    with app.app_context():
        configure_engine(
            db.engine,
            app.config.get("SQLITE_BUSY_TIMEOUT_MS", 10000),
            write_gate=app.config.get("SQLITE_WRITE_GATE", True),
            ping_idle_seconds=app.config.get("DATABASE_PING_IDLE_SECONDS", 5.0),
        )
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)

    from . import tasks  # noqa: F401 - registers the app's tasks with the queue
    from .queue import queue

    queue.init_app(app)

    from .board import cache as render_cache

    render_cache.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = None  # sessions are server-side rows, see UserSession

    @login_manager.user_loader
    def load_user(token: str):
        from .access import load_user

        return load_user(token)


def _init_request_handling(app: Flask) -> None:
    from . import (
        access,
        assets,
        busy_gate,
        compression,
        errors,
        htmx,
        i18n,
        metrics,
        request_keys,
        requestlog,
        security,
        templating,
    )

    requestlog.init_app(app)
    metrics.init_app(app)
    app.before_request(access.enforce_login)
    app.after_request(i18n.remember)
    app.after_request(htmx.add_vary)
    compression.init_app(app)  # runs after security's headers (after_request: last in, first run)
    security.init_app(app)
    request_keys.init_app(app)  # after compression: its answers are stored uncompressed
    from .views import undo

    undo.init_app(app)  # after request_keys: the Undo toast is part of the answer it keeps
    errors.init_app(app)
    templating.init_app(app)
    busy_gate.init_app(app)  # before assets: static files do not wait for a turn
    assets.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from importlib import import_module

    for name in BLUEPRINTS:
        app.register_blueprint(import_module(f".views.{name}", __name__).bp)
    from .views import api

    api.init_app(app)  # the JSON API (flask-smorest blueprints) and its OpenAPI document
