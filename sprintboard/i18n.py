"""Locale selection: the user's preference, then ?lang= / cookie, then Accept-Language."""

from flask import g, has_request_context, request
from flask.globals import _cv_app
from flask_babel import Domain, get_domain
from flask_login import current_user

LANGUAGES = {
    "en": "English",
    "de": "Deutsch",
    "ru": "Русский",
    "uk": "Українська",
    "be": "Беларуская",
}
DEFAULT = "en"
COOKIE = "sprintboard_lang"


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT  # CLI and background work; emails use force_locale
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        g.remember_lang = asked
        return asked
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(LANGUAGES.keys(), default=DEFAULT)


def chosen() -> str | None:
    """The language picked on this device (?lang= or the switcher's cookie), if any."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie in LANGUAGES else None


def without_lang(target: str) -> str:
    """`target` without its ?lang= (it would outvote the saved preference on the next page)."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def remember(response):
    """after_request: a ?lang= choice is kept in a cookie for later visits."""
    lang = g.pop("remember_lang", None)
    if lang:
        set_cookie(response, lang)
    return response


def set_cookie(response, lang: str) -> None:
    response.set_cookie(
        COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )


def language_name(code: str) -> str:
    """A language's own name in the current language (de → Deutsch / German / Немецкий)."""
    from babel import Locale
    from flask_babel import get_locale

    name = Locale.parse(str(get_locale())).languages.get(code, code)
    return name[:1].upper() + name[1:]


def translations():
    """Flask-Babel's translations for the current locale (`flask_babel.get_translations()`),
    kept for the app context while its locale stays the same object: a page asks for a hundred
    texts, and Flask-Babel looks up its context, domain, locale and cache for each (force_locale
    sets a new locale object, so it is never served the translations of another)."""
    context = _cv_app.get(None)
    state = context.g.__dict__.get("_flask_babel") if context is not None else None
    kept = state.__dict__.get("sb_translations") if state is not None else None
    if kept is not None and kept[0] is getattr(state, "babel_locale", None):
        return kept[1]
    found = Domain.get_translations(get_domain())  # (Flask-Babel's own lookup, not _Domain's)
    state = context.g.__dict__.get("_flask_babel") if context is not None else None
    if state is not None and getattr(state, "babel_locale", None) is not None:
        state.sb_translations = (state.babel_locale, found)
    return found


class _Domain(Domain):
    """Flask-Babel's domain, its translations looked up through `translations()`."""

    def get_translations(self):
        return translations()


def install(app) -> None:
    """Texts in code and templates through `translations()`: Flask-Babel's domain made one
    that uses it, and templates' _(), gettext and ngettext calling it directly."""
    from .extensions import babel

    if not isinstance(babel.__dict__.get("domain_instance"), _Domain):
        babel.__dict__["domain_instance"] = _Domain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    # (what Flask-Babel installs, minus its lookups per text)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
