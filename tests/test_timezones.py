"""Zones named beside a time, and the partnership's 'today'."""

from datetime import date, datetime
from types import SimpleNamespace

from sprintboard import timezones


def test_a_zone_is_named_by_its_city_in_the_readers_language():
    assert timezones.place("Europe/Berlin", "en") == "Berlin"
    assert timezones.place("Europe/Kyiv", "uk") == "Київ"
    assert timezones.place("America/New_York", "be") == "Нью-Ёрк"
    assert timezones.place("UTC", "ru") == "UTC"
    # Etc/GMT+3 is three hours behind UTC (POSIX signs): say so plainly
    assert timezones.place("Etc/GMT+3", "de") == "UTC-03:00"


def test_the_partnerships_today_turns_at_its_midnight():
    berlin, kyiv = SimpleNamespace(timezone="Europe/Berlin"), SimpleNamespace(timezone="Europe/Kyiv")
    late = datetime(2026, 12, 4, 22, 30)  # naive UTC: 23:30 in Berlin, 00:30 in Kyiv
    assert timezones.partnership_today(berlin, late) == date(2026, 12, 4)
    assert timezones.partnership_today(kyiv, late) == date(2026, 12, 5)
    assert timezones.partnership_today(SimpleNamespace(timezone=None), late) == date(2026, 12, 4)


def test_a_reader_without_a_zone_reads_the_partnerships_clock():
    p = SimpleNamespace(timezone="Europe/Minsk")
    assert str(timezones.zone_of(SimpleNamespace(timezone=None), p)) == "Europe/Minsk"
    assert str(timezones.zone_of(SimpleNamespace(timezone="Asia/Tokyo"), p)) == "Asia/Tokyo"
    assert str(timezones.zone_of(None)) == "UTC"
