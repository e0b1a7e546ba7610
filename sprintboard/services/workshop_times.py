"""When a workshop happens: wall-clock times in the partnership's zone, shown to each reader on
the partnership's clock and, where theirs differs, on their own too."""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.dates import format_date, format_time
from flask_babel import get_locale

from .. import timezones
from ..models import Workshop


def span(workshop: Workshop) -> tuple[datetime, datetime | None] | None:
    """Start and end as aware datetimes in the partnership's zone; None for an all-day workshop."""
    if workshop.start_date is None or workshop.start_time is None:
        return None
    p = workshop.partnership
    start = timezones.event_start(p, workshop.start_date, workshop.start_time)
    last = workshop.end_date or workshop.start_date
    if workshop.end_time is not None:
        return start, timezones.event_start(p, last, workshop.end_time)
    if last != workshop.start_date:  # a time to begin, none to end: until the last day's midnight
        return start, datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=start.tzinfo)
    return start, None


def when(workshop: Workshop, reader=None) -> dict | None:
    """The workshop's times for a page: its own clock, and the reader's where that shows another time."""
    times = span(workshop)
    if times is None:
        return None
    start, end = times
    locale = str(get_locale())

    def clock(moment):
        return format_time(moment, "HH:mm", locale=locale) if moment else ""

    shown = {
        "start": clock(start),
        "end": clock(end) if workshop.end_time else "",
        "iso": start.isoformat(timespec="minutes"),
        "zone": timezones.place(start.tzinfo, locale),
        "reader": None,
    }
    zone = timezones.zone_of(reader, workshop.partnership)
    mine = start.astimezone(zone)
    if mine.utcoffset() != start.utcoffset():
        shown["reader"] = {
            "start": clock(mine),
            "end": clock(end.astimezone(zone)) if shown["end"] else "",
            # the date only where the reader's day is another one
            "date": format_date(mine.date(), "medium", locale=locale) if mine.date() != start.date() else "",
            "zone": timezones.place(zone, locale),
        }
    return shown
