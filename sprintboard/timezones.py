"""People's time zones: `User.timezone` holds an IANA name (None: UTC).

The browser reports its zone on login (static/js/app.js fills a hidden field) and the account
page changes it. Times are stored as naive UTC everywhere; convert only to show them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_datetime

from .models.base import utcnow

DEFAULT = "UTC"


@lru_cache(maxsize=1)
def names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (choices on the account page)."""
    return tuple(sorted(n for n in available_timezones() if "/" in n or n == "UTC"))


def is_valid(name: str | None) -> bool:
    return bool(name) and name in names()


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_of(user) -> ZoneInfo:
    name = getattr(user, "timezone", None) or DEFAULT
    try:
        return _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return _zone(DEFAULT)


def to_local(value: datetime, user) -> datetime:
    """A naive-UTC timestamp as an aware datetime in the user's zone."""
    return value.replace(tzinfo=UTC).astimezone(zone_of(user))


def user_now(user, now: datetime | None = None) -> datetime:
    """Now (or the naive-UTC `now`) on the user's wall clock."""
    return to_local(now or utcnow(), user)


def format_local(value: datetime | None, user, fmt: str = "medium", locale: str | None = None) -> str:
    """A naive-UTC timestamp as the user reads it: their zone, their (or the current) locale."""
    if value is None:
        return ""
    if locale is None:
        from flask_babel import get_locale

        locale = str(get_locale())
    return format_datetime(to_local(value, user), fmt, locale=locale)
