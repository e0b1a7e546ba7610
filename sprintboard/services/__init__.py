"""The rules and all writes. Services flush, never commit: the view commits once."""


class DomainError(Exception):
    """A rule was broken; `message` is translated and shown to the user."""

    status = 422

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    """The user's role allows the action in general, but not on this object (403)."""

    status = 403


def refuse_nul(value, error=DomainError) -> None:
    """Raise `error` (422) when a text anywhere in `value` (a string, or dicts and lists of them,
    keys too) holds a NUL character: PostgreSQL's text cannot store one, and no person types it."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\0" in item:
                from flask_babel import gettext as _

                raise error(
                    _("What you sent contains a character that cannot be stored (NUL). Nothing was changed.")
                )
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def original_language(values: dict) -> dict:
    """{"language": code or None} when `values` says what language a text is written in (an
    unknown code is refused), {} when it does not say (a new text: its author's UI language,
    see translations; an edited one keeps its own)."""
    if "language" not in values:
        return {}
    from flask_babel import gettext as _

    from ..i18n import LANGUAGES

    language = values["language"] or None
    if language is not None and language not in LANGUAGES:
        raise DomainError(_("Unknown language."))
    return {"language": language}
