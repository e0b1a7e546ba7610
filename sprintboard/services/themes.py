"""The theme vocabulary of a partnership: built-in themes plus those facilitators add."""

from __future__ import annotations

import re

from flask_babel import force_locale, get_locale, pgettext
from flask_babel import gettext as _

from ..extensions import db
from ..i18n import LANGUAGES
from ..ids import valid_id
from ..models import Partnership
from ..models.theme import BUILTIN_THEMES, Theme
from . import DomainError
from .activity import describes, log

# The built-in names carry the context "theme" ("History" is also a card's history).
BUILTIN_NAMES = {
    "culture": lambda: pgettext("theme", "Culture"),
    "youth": lambda: pgettext("theme", "Youth"),
    "environment": lambda: pgettext("theme", "Environment"),
    "mobility": lambda: pgettext("theme", "Mobility"),
    "digital": lambda: pgettext("theme", "Digital"),
    "sport": lambda: pgettext("theme", "Sport"),
    "history": lambda: pgettext("theme", "History"),
    "economy": lambda: pgettext("theme", "Economy"),
    "social": lambda: pgettext("theme", "Social"),
}
NAME_MAX = 60


def seed_themes(partnership: Partnership) -> None:
    """Give a partnership the built-in themes it does not have yet."""
    have = {t.key for t in themes_of(partnership)}
    for position, key in enumerate(BUILTIN_THEMES):
        if key not in have:
            db.session.add(Theme(partnership=partnership, key=key, builtin=True, position=position))
    db.session.flush()


def themes_of(partnership: Partnership) -> list[Theme]:
    return list(
        db.session.scalars(
            db.select(Theme).where(Theme.partnership_id == partnership.id).order_by(Theme.position, Theme.id)
        )
    )


def theme_name(theme: Theme, locale: str | None = None) -> str:
    """The theme's name in `locale` (default: the current one); added themes fall back to the
    first name they were given."""
    if theme.builtin and theme.key in BUILTIN_NAMES:
        return BUILTIN_NAMES[theme.key]()
    names = theme.names or {}
    locale = locale or str(get_locale())
    return names.get(locale) or next(iter(names.values()), theme.key)


def _key(name: str) -> str:
    return re.sub(r"[\W_]+", "-", name.casefold()).strip("-")[:NAME_MAX]


def add_theme(partnership: Partnership, names: dict[str, str], *, actor) -> Theme:
    """A new theme named per locale ({locale: name}, at least one); the first name is the key."""
    names = {loc: " ".join((n or "").split()) for loc, n in names.items() if loc in LANGUAGES}
    names = {loc: n for loc, n in names.items() if n}
    if not names:
        raise DomainError(_("Give the theme a name in at least one language."))
    if any(len(n) > NAME_MAX for n in names.values()):
        raise DomainError(_("A theme name can have at most %(n)d characters.", n=NAME_MAX))
    key = _key(next(iter(names.values())))
    if not key:
        raise DomainError(_("Give the theme a name in at least one language."))
    existing = themes_of(partnership)
    taken = {t.key for t in existing} | {_key(n) for t in existing for n in (t.names or {}).values()}
    for locale in LANGUAGES:  # a built-in theme's name in any language is taken too
        with force_locale(locale):
            taken |= {_key(BUILTIN_NAMES[t.key]()) for t in existing if t.builtin}
    if key in taken or any(_key(n) in taken for n in names.values()):
        raise DomainError(_("This theme exists already."))
    theme = Theme(
        partnership=partnership,
        key=key,
        names=names,
        position=max((t.position for t in existing), default=0) + 1,
    )
    db.session.add(theme)
    db.session.flush()
    log(actor, "theme.added", theme, partnership=partnership, name=next(iter(names.values())))
    return theme


def resolve_themes(partnership: Partnership, ids) -> list[Theme]:
    """The themes with these ids; an id that is not a theme of the partnership is an error."""
    ids = {valid_id(i) for i in ids or ()}  # (None for an id no row can have: unknown)
    if not ids:
        return []
    themes = list(
        db.session.scalars(db.select(Theme).where(Theme.partnership_id == partnership.id, Theme.id.in_(ids)))
    )
    if len(themes) != len(ids):
        raise DomainError(_("Unknown theme."))
    return sorted(themes, key=lambda t: (t.position, t.id))


@describes("theme.added")
def _theme_added(d, who):
    return _("%(who)s added the theme %(name)s", who=who, name=d.get("name", ""))
