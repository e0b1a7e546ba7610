"""Help pages: one short, practical text per area, written in each language as a Markdown file
(templates/help/texts/<locale>/<topic>.md), rendered with the same safe Markdown as user text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask_babel import lazy_gettext as _l

from ..i18n import LANGUAGES
from ..markdown import render_markdown
from ..paths import TEMPLATES, asset_root

# topic -> its title; the order is the help index's.
TOPICS = {
    "board": _l("Board and cards"),
    "sprints": _l("Sprints"),
    "workshops": _l("Workshops"),
    "facilitation": _l("Facilitation: timebox, dot votes, retrospectives"),
    "funding": _l("Funding"),
    "status": _l("Status and reports"),
    "match": _l("Match and stakeholder map"),
    "toolbox": _l("Toolbox of methods"),
    "openspace": _l("Open space and BarCamps"),
    "notifications": _l("Notifications"),
    "translations": _l("Translations"),
    "attachments": _l("Files and photos"),
    "imports": _l("Imports and the API"),
}


@dataclass(frozen=True)
class HelpText:
    topic: str
    title: str
    summary: str  # the first paragraph, plain text
    html: object  # Markup


def _folder():
    return asset_root() / TEMPLATES / "help" / "texts"


@lru_cache(maxsize=len(TOPICS) * len(LANGUAGES))
def _source(topic: str, locale: str) -> str:
    path = _folder() / locale / f"{topic}.md"
    if not path.is_file():
        path = _folder() / "en" / f"{topic}.md"
    return path.read_text(encoding="utf-8")


def help_text(topic: str, locale: str) -> HelpText | None:
    """The help for `topic` in `locale` (English if that language has none); None if no such topic."""
    if topic not in TOPICS:
        return None
    source = _source(topic, locale if locale in LANGUAGES else "en")
    first = source.strip().split("\n\n", 1)[0]
    return HelpText(topic, str(TOPICS[topic]), " ".join(first.split()), render_markdown(source))


def all_topics(locale: str) -> list[HelpText]:
    return [help_text(topic, locale) for topic in TOPICS]
