"""Extension points for pages every area adds to: partnership tabs and home-page sections."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_babel import get_locale

_TABS: list[tuple[int, str, object]] = []  # (order, endpoint taking `pid`, lazy label)
# (order, template, context): the template is included with `partnership` and `data`, the
# dict its area's context(partnership) returned (the view calls them: templates never query).
_HOME_SECTIONS: list[tuple[int, str, Callable[[object], dict]]] = []


def add_tab(endpoint: str, label, order: int) -> None:
    if all(e != endpoint for _o, e, _l in _TABS):
        _TABS.append((order, endpoint, label))
        _TABS.sort(key=lambda t: t[0])


def add_home_section(template: str, order: int, context: Callable[[object], dict]) -> None:
    if all(t != template for _o, t, _c in _HOME_SECTIONS):
        _HOME_SECTIONS.append((order, template, context))
        _HOME_SECTIONS.sort(key=lambda t: t[0])


def partnership_tabs() -> tuple[tuple[str, str], ...]:
    """(endpoint, label) of each tab, in the current language (made once per language: every
    partnership page shows them)."""
    kept = current_app.extensions.setdefault("partnership_tabs", {})
    key = (len(_TABS), str(get_locale()))
    tabs = kept.get(key)
    if tabs is None:
        tabs = kept[key] = tuple((e, str(label)) for _o, e, label in _TABS if e in current_app.view_functions)
    return tabs


def home_sections(partnership) -> list[tuple[str, dict]]:
    """(template, data) for each section of the partnership's home page, data loaded now."""
    return [(template, context(partnership)) for _o, template, context in _HOME_SECTIONS]
