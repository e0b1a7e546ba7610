"""Ids and numbers from URLs: anything a database column cannot hold is simply not found.

Primary keys are 32-bit integers on PostgreSQL and SQLite refuses anything past 64 bits; a
bigger number in a URL used to reach the database and come back as a 500. The `int` URL
converter (used by every route) matches 0…MAX_ID only, so a larger or negative id is a plain
404 before any view runs; loaders and query arguments go through `valid_id` / `arg_int`.
"""

from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL `integer`, the type of every id column
MAX_PAGE = 100_000  # pages, offsets and counts in query strings


def _up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 0…limit (leading zeros allowed)."""
    digits = str(limit)
    parts = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        if digit != "0":
            rest = len(digits) - i - 1
            parts.append(digits[:i] + f"[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class IdConverter(IntegerConverter):
    """`<int:…>` in a route: 0…MAX_ID. A larger number does not even match the route's pattern,
    so it is a 404 for every method (a converter that refused it after matching would make the
    router answer 405 where a route of the same path has other methods)."""

    regex = _up_to(MAX_ID)

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, MAX_ID if max is None else max, signed)
        if signed:
            self.regex = r"-?" + _up_to(MAX_ID)


def valid_id(value) -> int | None:
    """`value` as an id a row could have, else None (which loaders answer with 404)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit() or len(value) > 10:
            return None
        value = int(value)
    if not isinstance(value, int) or not 0 < value <= MAX_ID:
        return None
    return value


def arg_int(name: str, default: int | None = None, *, low: int = 1, high: int = MAX_PAGE) -> int | None:
    """An integer query argument, clamped to low…high; `default` when missing or not a number."""
    raw = request.args.get(name, "").strip()
    if not raw.lstrip("-").isdigit() or len(raw) > 12:
        return default
    return max(low, min(int(raw), high))
