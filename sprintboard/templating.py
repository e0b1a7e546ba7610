"""What every template may use: a few pure helpers and filters (none of them runs a query of its
own; pages receive the data they show from their views)."""

from __future__ import annotations

from flask import Flask, has_request_context, render_template
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from markupsafe import Markup

from . import access, htmx, i18n, navigation, timezones
from .board import frame_html
from .markdown import render_markdown
from .services import activity as activity_service
from .services import (
    actors,
    entries,
    facilitation,
    funding,
    openspace_sessions,
    storage_health,
    themes,
    undo,
    workshop_times,
    workshops,
)
from .services.uploads import human_size


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    i18n.install(app)
    app.jinja_env.globals.update(
        LANGUAGES=i18n.LANGUAGES,
        # (the role the view's loader looked up is cached for the request: no query here)
        can=access.can,
        role_in=access.role_in,
        role_label=role_label,
        partnership_tabs=navigation.partnership_tabs,
        describe_activity=activity_service.describe,
        board_texts=frame_html.board_texts,
        # Labels and states computed from what the template already has (no query of their own).
        theme_label=themes.theme_name,
        entry_kind_label=lambda kind: str(entries.ENTRY_KIND_LABELS.get(kind, kind)),
        actor_kind_label=lambda kind: str(actors.KIND_LABELS.get(kind, kind)),
        funding_status_label=funding.status_label,
        workshop_title=workshops.workshop_title,
        workshop_description=workshops.workshop_description,
        workshop_when=workshop_times.when,
        timebox_state=facilitation.timebox_state,
        reader_zone=lambda user, partnership=None: timezones.place(timezones.zone_of(user, partnership)),
        partnership_zone_label=lambda partnership: timezones.place(timezones.partnership_zone(partnership)),
        board_is_frozen_for=facilitation.is_frozen_for,
        session_format_label=lambda code: str(openspace_sessions.FORMAT_LABELS.get(code, code)),
        session_need_label=lambda code: str(openspace_sessions.NEED_LABELS.get(code, code)),
        language_name=i18n.language_name,
        undo_message=undo.message_of,
        UNDO_SECONDS=undo.UNDO_SECONDS,
        kept_include=kept_include,
    )
    app.jinja_env.filters.update(
        date=lambda value, fmt="medium": format_date(value, fmt) if value else "",
        datetime=lambda value, fmt="medium": format_datetime(value, fmt) if value else "",
        number=format_decimal,
        country=country_name,
        markdown=render_markdown,
        filesize=human_size,
        utc_iso=utc_iso,
        # a naive-UTC time in a person's zone: {{ note.created_at|usertime(current_user, "short") }}
        usertime=lambda value, user, fmt="medium", partnership=None: timezones.format_local(
            value, user, fmt, partnership=partnership
        ),
    )

    @app.context_processor
    def _globals():
        # (mail is also rendered by the worker, outside any request)
        return {
            "current_locale": str(get_locale()),
            "is_htmx": has_request_context() and htmx.is_htmx(),
            "storage_condition": storage_health.condition,
        }


def kept_include(name: str, *key) -> Markup:
    """A template that every page includes and whose HTML depends only on the language and
    `key` (say, who is signed in), rendered once per both and kept in the render cache (a page's
    chrome asks for dozens of texts; looking them up again for every page costs more than the
    page's own content). The template must show nothing but what `key` and the language decide."""
    from .board import cache

    store = cache.get().local
    entry_key = ("include", name, str(get_locale()), key)
    html = store.get(entry_key)
    if html is None:
        html = Markup(render_template(name))  # noqa: S704 - autoescaped template output
        store.put(entry_key, html, cache.text_size(html))
    return html


def utc_iso(value) -> str:
    """A stored (naive, UTC) datetime for `<time datetime>`: whole seconds, as HTML allows."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def role_label(role: str) -> str:
    from .forms.partnerships import ROLE_LABELS

    return str(ROLE_LABELS[role])


def country_name(code: str) -> str:
    """The country's name in the current language (DE → Deutschland / Germany / Германия)."""
    return get_locale().territories.get(code.upper(), code)
