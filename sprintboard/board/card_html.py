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

from flask_babel import format_date, gettext, ngettext
from markupsafe import Markup

# What markupsafe.escape does to text (& < > ' "), without a Markup object per value.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})


def escape(value) -> str:
    return str(value).translate(_ESCAPES)


def _text(translated: str, **values) -> Markup:
    """A translated text as a template shows it: trusted, with its values escaped."""
    return Markup(translated) % values  # noqa: S704 - our own catalogs, as in templates


class CardRenderer:
    """Renders cards for one locale (the request's); make one per batch."""

    def __init__(self):
        self.author_from = str(_text(gettext("Author from")))
        self.assigned = gettext("Assigned to %(name)s, %(city)s")
        self.overdue = str(_text(gettext("Overdue:")))
        self.due = str(_text(gettext("Due:")))
        self.check = gettext("%(done)d/%(total)d done")
        self.untranslated = str(_text(gettext("not translated yet")))
        self._points: dict[int, str] = {}
        self._comments: dict[int, str] = {}
        self._files: dict[int, str] = {}
        self._assigned: dict[tuple, str] = {}
        self._checks: dict[tuple, str] = {}
        self._dates: dict = {}

    def points(self, n: int) -> str:
        text = self._points.get(n)
        if text is None:
            text = self._points[n] = str(_text(ngettext("%(num)d point", "%(num)d points", n), num=n))
        return text

    def files(self, n: int) -> str:
        text = self._files.get(n)
        if text is None:
            text = self._files[n] = str(_text(ngettext("%(num)d file", "%(num)d files", n), num=n))
        return text

    def comments(self, n: int) -> str:
        text = self._comments.get(n)
        if text is None:
            text = self._comments[n] = str(_text(ngettext("%(num)d comment", "%(num)d comments", n), num=n))
        return text

    def date(self, due) -> str:
        text = self._dates.get(due)
        if text is None:
            text = self._dates[due] = (
                f'<time datetime="{due.isoformat()}">{escape(format_date(due, "short"))}</time>'
            )
        return text

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
        `project` a row (title)."""
        cid = card.id
        parts = [
            f'<li class="card is-{state}"' if state else '<li class="card"',
            f' id="card-{cid}" data-card="{cid}">',
            f'<a class="card-title" id="card-link-{cid}" href="{escape(href)}"',
        ]
        lang = title_lang or card.language  # (title: in the reader's language, when translated)
        if lang:
            parts.append(f' lang="{escape(lang)}"')
        parts.append(f">{escape(title or card.title)}</a>")
        if project:
            parts.append(f'<span class="card-project">{escape(project.title)}</span>')
        parts.append('\n<div class="card-meta">')
        if author:
            parts.append(
                f'<span class="city-badge c{escape(author["city_index"])}"><span class="visually-hidden">'
                f"{self.author_from} </span>{escape(author['city'])}</span>"
            )
        for label in labels:
            parts.append(f'<span class="label label-{escape(label.colour)}">{escape(label.name)}</span>')
        for person in assignees:
            parts.append(self.avatar(person))
        if card.estimate is not None:
            parts.append(f'<span class="points">{self.points(card.estimate)}</span>')
        if due:
            word = self.overdue if state == "overdue" else self.due
            parts.append(f'<span class="due">{word} {self.date(due)}</span>')
        if card.checklist_total:
            parts.append(self.checklist(card.checklist_done, card.checklist_total))
        if card.attachment_count:
            parts.append(f'<span class="files">{self.files(card.attachment_count)}</span>')
        if untranslated:
            parts.append(f'<span class="untranslated">{self.untranslated}</span>')
        if card.comment_count:
            parts.append(f'<span class="comments">{self.comments(card.comment_count)}</span>')
        parts.append("\n</div></li>")
        return Markup("".join(parts))  # noqa: S704 - every value above is escaped
