"""Time zones: `User.timezone` (a person's; None: UTC) and `Partnership.timezone` (its events').

The browser reports a person's zone on login (static/js/app.js fills a hidden field) and the
account page changes it; a partnership's zone is set in its settings. Moments (timestamps) are
stored as naive UTC everywhere and converted only to show them, in the reader's zone. Events of a
partnership (a workshop at 10:00, a due date's midnight) are wall-clock times in the
partnership's zone, so 10:00 stays 10:00 across a daylight saving change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_datetime, get_timezone_location

from .models.base import utcnow

DEFAULT = "UTC"
PARTNERSHIP_DEFAULT = "Europe/Berlin"  # where the programme runs, unless its facilitator says otherwise


@lru_cache(maxsize=1)
def names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (choices on the account page)."""
    return tuple(sorted(n for n in available_timezones() if "/" in n or n == "UTC"))


def is_valid(name: str | None) -> bool:
    return bool(name) and name in names()


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_named(name: str | None, default: str = DEFAULT) -> ZoneInfo:
    try:
        return _zone(name or default)
    except (ZoneInfoNotFoundError, ValueError):
        return _zone(default)


def zone_of(user, partnership=None) -> ZoneInfo:
    """The reader's zone; without one of their own, the partnership's (if given), else UTC."""
    name = getattr(user, "timezone", None) or getattr(partnership, "timezone", None)
    return zone_named(name)


def partnership_zone(partnership) -> ZoneInfo:
    return zone_named(getattr(partnership, "timezone", None), PARTNERSHIP_DEFAULT)


def partnership_today(partnership, now: datetime | None = None) -> date:
    """Today's date where the partnership is: a due date has passed once its midnight there has."""
    return (now or utcnow()).replace(tzinfo=UTC).astimezone(partnership_zone(partnership)).date()


def event_start(partnership, day: date, at: time) -> datetime:
    """A wall-clock time of the partnership's events (a workshop at 10:00) as an aware datetime."""
    return datetime.combine(day, at, tzinfo=partnership_zone(partnership))


def label(zone: ZoneInfo | str) -> str:
    """A zone's id as people read it (choices of a zone): Europe/Berlin, America/New York."""
    return str(zone).replace("_", " ")


def place(zone: ZoneInfo | str, locale: str | None = None) -> str:
    """A zone named by its city in the reader's language, beside a time: Berlin, Нью-Йорк, UTC."""
    if locale is None:
        from flask import has_request_context
        from flask_babel import get_locale

        locale = str(get_locale()) if has_request_context() else "en"
    key = str(zone)
    if key == "UTC":
        return key
    if key.startswith("Etc/"):  # no city; and Etc/GMT+3 is three hours *behind* UTC (POSIX signs)
        offset = int(datetime.now(_zone(key)).utcoffset().total_seconds() // 60)
        sign = "+" if offset >= 0 else "-"
        return f"UTC{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    try:
        return get_timezone_location(_zone(key), locale=locale, return_city=True)
    except (LookupError, ValueError):
        return label(key).rsplit("/", 1)[-1]


def to_local(value: datetime, user, partnership=None) -> datetime:
    """A naive-UTC timestamp (or an aware datetime) as an aware datetime in the reader's zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone_of(user, partnership))


def user_now(user, now: datetime | None = None) -> datetime:
    """Now (or the naive-UTC `now`) on the user's wall clock."""
    return to_local(now or utcnow(), user)


def format_local(
    value: datetime | None, user, fmt: str = "medium", locale: str | None = None, partnership=None
) -> str:
    """A naive-UTC timestamp as the user reads it: their zone, their (or the current) locale."""
    if value is None:
        return ""
    if locale is None:
        from flask_babel import get_locale

        locale = str(get_locale())
    return format_datetime(to_local(value, user, partnership), fmt, locale=locale)
