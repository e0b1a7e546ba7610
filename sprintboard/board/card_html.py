"""A card's board HTML without Jinja: exactly what templates/cards/_card.html produces (a test
compares both in every locale), at a fraction of the cost per card.

The board renders hundreds of cards at a time; a template call per card costs more than the rest
of the card. Here the translated texts are looked up once per batch (and per number or date
shown), and a card is a handful of string joins. Everything shown is escaped as Jinja's
autoescape would (translations are trusted as in templates: they are Markup there too).

Keep it in step with templates/cards/_card.html (the template stays: it documents the markup and
is what the test holds this to).
"""

from __future__ import annotations

import functools
from datetime import date

from babel.dates import get_date_format, parse_pattern
from flask_babel import get_locale, gettext, ngettext
from markupsafe import Markup

try:  # MarkupSafe's C escaping of a str, without a Markup object per value
    from markupsafe._speedups import _escape_inner as _escape_str
except ImportError:  # pragma: no cover - the pure Python MarkupSafe

    def _escape_str(text: str) -> str:
        return (
            text.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("'", "&#39;")
            .replace('"', "&#34;")
        )


def escape(value) -> str:
    """What markupsafe.escape does to text (& < > ' "), as a plain str."""
    return _escape_str(value if type(value) is str else str(value))


def _text(translated: str, **values) -> Markup:
    """A translated text as a template shows it: trusted, with its values escaped."""
    return Markup(translated) % values  # noqa: S704 - our own catalogs, as in templates


@functools.lru_cache(maxsize=16)
def _short_date(locale: str):
    """Babel's short date pattern of a locale, parsed (once per locale, not per board)."""
    return parse_pattern(get_date_format("short", locale=locale))


@functools.lru_cache(maxsize=4096)
def _short_date_text(locale: str, day: date) -> str:
    """A day in the locale's short format, escaped (kept: a board shows a few hundred dates, and
    Babel takes microseconds for each)."""
    return escape(_short_date(locale).apply(day, locale))


class CardRenderer:
    """Renders cards for one locale (the request's); make one per batch. Every piece a card
    shares with others (its project, author badge, labels, avatars, numbers, dates) is made
    once per batch; a card is then its title and one string join."""

    def __init__(self):
        self.author_from = str(_text(gettext("Author from")))
        self.assigned = gettext("Assigned to %(name)s, %(city)s")
        self.overdue = str(_text(gettext("Overdue:")))
        self.due = str(_text(gettext("Due:")))
        self.check = gettext("%(done)d/%(total)d done")
        self.untranslated = f'<span class="untranslated">{_text(gettext("not translated yet"))}</span>'
        self._heads = {
            state: f'<li class="card is-{escape(state)}"' if state else '<li class="card"'
            for state in ("", "done", "overdue", "soon")
        }
        self._langs: dict = {None: "", "": ""}
        self._projects: dict = {}
        self._authors: dict = {}
        self._labels: dict = {}
        self._points: dict[int, str] = {}
        self._comments: dict[int, str] = {}
        self._files: dict[int, str] = {}
        self._assigned: dict[tuple, str] = {}
        self._checks: dict[tuple, str] = {}
        self._dates: dict = {}
        # (dates in Babel's short pattern of the locale, as flask_babel.format_date(day, "short")
        # formats them, without its per-call lookups of app, locale and time zone)
        self._locale = str(get_locale())

    def points(self, n: int) -> str:
        text = self._points.get(n)
        if text is None:
            number = _text(ngettext("%(num)d point", "%(num)d points", n), num=n)
            text = self._points[n] = f'<span class="points">{number}</span>'
        return text

    def files(self, n: int) -> str:
        text = self._files.get(n)
        if text is None:
            number = _text(ngettext("%(num)d file", "%(num)d files", n), num=n)
            text = self._files[n] = f'<span class="files">{number}</span>'
        return text

    def comments(self, n: int) -> str:
        text = self._comments.get(n)
        if text is None:
            number = _text(ngettext("%(num)d comment", "%(num)d comments", n), num=n)
            text = self._comments[n] = f'<span class="comments">{number}</span>'
        return text

    def date(self, due, overdue: bool) -> str:
        """The due date (a date or its ISO text), as "Due:" or "Overdue:" and a <time>."""
        html = self._dates.get((due, overdue))
        if html is None:
            day = date.fromisoformat(due) if isinstance(due, str) else due
            word = self.overdue if overdue else self.due
            html = self._dates[due, overdue] = (
                f'<span class="due">{word} <time datetime="{day.isoformat()}">'
                f"{_short_date_text(self._locale, day)}</time></span>"
            )
        return html

    def lang(self, lang) -> str:
        attr = self._langs.get(lang)
        if attr is None:
            attr = self._langs[lang] = f' lang="{escape(lang)}"'
        return attr

    def project(self, project) -> str:
        if not project:
            return ""
        html = self._projects.get(project.title)
        if html is None:
            html = f'<span class="card-project">{escape(project.title)}</span>'
            self._projects[project.title] = html
        return html

    def author(self, person) -> str:
        if not person:
            return ""
        key = (person["city_index"], person["city"])
        html = self._authors.get(key)
        if html is None:
            html = self._authors[key] = (
                f'<span class="city-badge c{escape(person["city_index"])}"><span class="visually-hidden">'
                f"{self.author_from} </span>{escape(person['city'])}</span>"
            )
        return html

    def label(self, label) -> str:
        key = (label.name, label.colour)
        html = self._labels.get(key)
        if html is None:
            html = self._labels[key] = (
                f'<span class="label label-{escape(label.colour)}">{escape(label.name)}</span>'
            )
        return html

    def avatar(self, person: dict) -> str:
        key = (person["name"], person["city"], person["city_index"], person["initials"])
        html = self._assigned.get(key)
        if html is None:
            name, city = escape(person["name"]), escape(person["city"])
            assigned = _text(self.assigned, name=person["name"], city=person["city"])
            html = self._assigned[key] = (
                f'<span class="avatar c{escape(person["city_index"])}" title="{name} ({city})">'
                f'<span aria-hidden="true">{escape(person["initials"])}</span><span class="visually-hidden">'
                f"{assigned}</span></span>"
            )
        return html

    def checklist(self, done: int, total: int) -> str:
        html = self._checks.get((done, total))
        if html is None:
            html = self._checks[done, total] = (
                f'<span class="check">{_text(self.check, done=done, total=total)}</span>'
            )
        return html

    def render(
        self,
        card,
        *,
        state,
        href,
        due,
        author,
        assignees,
        labels,
        project,
        title=None,
        title_lang=None,
        untranslated=False,
    ) -> Markup:
        """The same arguments as the template: `card` a row (id, title, language, estimate,
        checklist_total, checklist_done, attachment_count, comment_count), `author` and
        `assignees` dicts (name, initials, city, city_index), `labels` rows (name, colour),
        `project` a row (title); `due` a date (or its ISO text)."""
        badges = self.author(author) if author else ""
        if labels:
            badges += "".join([self.label(label) for label in labels])
        if assignees:
            badges += "".join([self.avatar(person) for person in assignees])
        return Markup(  # noqa: S704 - every value is escaped (or made of escaped pieces)
            self.card(
                card,
                state,
                href,
                due,
                badges,
                self.project(project) if project else "",
                title,
                title_lang,
                untranslated,
            )
        )

    def card(self, card, state, href, due, badges, project, title=None, title_lang=None, untranslated=False):
        """A card's HTML as text, with what it shows of others already made: `badges` its
        author's, labels' and assignees' pieces (`author`, `label`, `avatar`) in that order,
        `project` its project's (`project`). The board makes each of those once per batch.
        Text, not Markup: the board joins hundreds of them first."""
        cid = card.id
        head = self._heads.get(state)
        if head is None:
            head = self._heads[state] = f'<li class="card is-{escape(state)}"'
        meta = badges
        if card.estimate is not None:
            meta += self.points(card.estimate)
        if due:
            meta += self.date(due, state == "overdue")
        if card.checklist_total:
            meta += self.checklist(card.checklist_done, card.checklist_total)
        if card.attachment_count:
            meta += self.files(card.attachment_count)
        if untranslated:
            meta += self.untranslated
        if card.comment_count:
            meta += self.comments(card.comment_count)
        lang = self._langs.get(title_lang or card.language)
        if lang is None:
            lang = self.lang(title_lang or card.language)
        # (title: in the reader's language, when translated)
        return (
            f'{head} id="card-{cid}" data-card="{cid}"><a class="card-title" id="card-link-{cid}"'
            f' href="{_escape_str(href)}"{lang}>'
            f'{_escape_str(title or card.title)}</a>{project}\n<div class="card-meta">{meta}\n</div></li>'
        )
