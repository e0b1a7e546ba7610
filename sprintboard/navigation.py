"""Extension points for pages every area adds to: partnership tabs and home-page sections."""

from __future__ import annotations

from flask import current_app

_TABS: list[tuple[int, str, object]] = []  # (order, endpoint taking `pid`, lazy label)
_HOME_SECTIONS: list[tuple[int, str]] = []  # (order, template included with `partnership`)


def add_tab(endpoint: str, label, order: int) -> None:
    if all(e != endpoint for _o, e, _l in _TABS):
        _TABS.append((order, endpoint, label))
        _TABS.sort(key=lambda t: t[0])


def add_home_section(template: str, order: int) -> None:
    if all(t != template for _o, t in _HOME_SECTIONS):
        _HOME_SECTIONS.append((order, template))
        _HOME_SECTIONS.sort(key=lambda t: t[0])


def partnership_tabs() -> list[tuple[str, str]]:
    return [(e, str(label)) for _o, e, label in _TABS if e in current_app.view_functions]


def home_sections(_partnership=None) -> list[str]:
    return [template for _o, template in _HOME_SECTIONS]
