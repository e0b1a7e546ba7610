import csv
import io
import json
import re
from datetime import UTC, date

import pytest
from icalendar import Calendar

from sprintboard.extensions import db
from sprintboard.models import CalendarFeed
from sprintboard.services import board, cards
from tests import factories


def _feed_link(client, world) -> str:
    response = client.post(f"/p/{world.partnership.id}/calendar")
    assert response.status_code == 200
    match = re.search(r'value="http://localhost(/cal/[A-Za-z0-9_-]+\.ics)"', response.get_data(as_text=True))
    assert match, "the calendar link is shown once"
    return match.group(1)


def test_cards_csv_for_observers_is_formula_safe(world, as_role):
    p = world.partnership
    column = board.columns_of(p)[1]
    cards.create_card(p, '=HYPERLINK("http://evil")', column=column, actor=world.users["member"])
    cards.create_card(p, "Plain card", column=column, actor=world.users["member"], body="-1+2")
    db.session.commit()
    response = as_role("observer").get(f"/p/{p.id}/export/cards.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Title", "Project", "Column"]
    assert rows[1][0] == '\'=HYPERLINK("http://evil")' and rows[1][2] == "To do"
    assert rows[2][0] == "Plain card" and rows[2][rows[0].index("Description")] == "'-1+2"


def test_csv_exports_have_a_column_per_language(world, as_role):
    from sprintboard.services import translations

    p = world.partnership
    card = factories.card(
        p, "Закупить краски", actor=world.users["member"], body="Для мастерской.", language="ru"
    )
    translations.save_translation(card, "de", {"title": "Farben kaufen", "body": "Werkstatt."}, actor=None)
    factories.card(p, "Plain card", actor=world.users["member"], language="en")
    actor = factories.actor(p, 0, "Филармония", description="Концертный зал.")
    actor.language = "ru"
    idea = factories.funding_idea(p, title="Städtefonds")
    idea.language, idea.next_step = "de", "Antrag schreiben"
    translations.save_translation(actor, "uk", {"description": "Концертна зала."}, actor=None)
    translations.save_translation(
        idea, "ru", {"title": "Городской фонд", "next_step": "Написать заявку"}, actor=None
    )
    db.session.commit()

    def table(url):
        text = as_role("observer").get(url).get_data(as_text=True).lstrip("\ufeff")
        header, *rows = list(csv.reader(io.StringIO(text)))
        return [dict(zip(header, row, strict=True)) for row in rows]

    russian, plain = table(f"/p/{p.id}/export/cards.csv")
    assert russian["Title"] == "Закупить краски" and russian["Original language"] == "ru"
    assert russian["Title (Russian)"] == "Закупить краски" and russian["Title (German)"] == "Farben kaufen"
    assert russian["Description (German)"] == "Werkstatt." and russian["Title (Ukrainian)"] == ""
    assert plain["Title (English)"] == "Plain card" and plain["Title (German)"] == ""
    [phil] = table(f"/p/{p.id}/actors/export.csv")
    assert (
        phil["Description (Ukrainian)"] == "Концертна зала."
        and phil["Description (Russian)"] == "Концертный зал."
    )
    [fund] = table(f"/p/{p.id}/funding/funding.csv")
    assert fund["Title (Russian)"] == "Городской фонд" and fund["Next step (German)"] == "Antrag schreiben"


def test_calendar_feed_parses_and_lists_funding_deadlines(world, as_role):
    factories.funding_idea(world.partnership, title="EU call", deadline=date(2027, 1, 15), funder="EU")
    factories.funding_idea(world.partnership, title="No date")
    factories.funding_idea(world.other, title="Not ours", deadline=date(2027, 1, 16))
    db.session.commit()
    link = _feed_link(as_role("observer"), world)
    response = as_role(None).get(link)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    events = cal.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Funding deadline: EU call"]
    assert events[0].decoded("DTSTART") == date(2027, 1, 15)
    assert events[0].decoded("DTEND") == date(2027, 1, 16)
    assert str(cal["X-WR-CALNAME"]) == world.partnership.name


def test_calendar_token_is_hashed_revocable_and_personal(world, as_role):
    observer = as_role("observer")
    link = _feed_link(observer, world)
    token = link.removeprefix("/cal/").removesuffix(".ics")
    feed = db.session.scalar(db.select(CalendarFeed))
    assert feed.token_hash != token and len(feed.token_hash) == 64
    anonymous = as_role(None)
    assert anonymous.get(link).status_code == 200
    assert anonymous.get("/cal/" + "x" * 43 + ".ics").status_code == 404
    new_link = _feed_link(observer, world)  # a new link replaces the old one
    assert anonymous.get(link).status_code == 404
    assert anonymous.get(new_link).status_code == 200
    assert observer.post(f"/p/{world.partnership.id}/calendar/revoke").status_code == 303
    assert anonymous.get(new_link).status_code == 404


def test_calendar_link_dies_with_the_membership(world, as_role):
    link = _feed_link(as_role("observer"), world)
    from sprintboard.services import partnerships

    membership = next(m for m in world.partnership.memberships if m.user is world.users["observer"])
    partnerships.remove_member(membership, actor=None)
    db.session.commit()
    assert as_role(None).get(link).status_code == 404


@pytest.mark.parametrize(
    "role, code", [("observer", 403), ("member", 403), ("facilitator", 200), ("admin", 200)]
)
def test_json_backup_is_for_facilitators_and_admins(world, as_role, role, code):
    response = as_role(role).get(f"/p/{world.partnership.id}/export/backup.json")
    assert response.status_code == code
    if code == 200:
        data = json.loads(response.data)
        assert data["format"] == "sprintboard.partnership" and data["schema_version"] == 2
        assert world.users["observer"].email in {u["email"] for u in data["users"]}


def test_calendar_has_workshops_and_sprint_ends(world, as_role):
    from sprintboard.services import workshops

    p = world.partnership
    factories.sprint(p, "Sprint 7", start=date(2027, 2, 1), end=date(2027, 2, 14))
    workshops.create_workshop(
        p,
        "custom",
        "Match & Sprint",
        host_city=p.cities[1],
        start=date(2027, 3, 5),
        end=date(2027, 3, 6),
        venue="Rathaus",
        actor=world.users["facilitator"],
    )
    db.session.commit()
    link = _feed_link(as_role("member"), world)
    events = {str(e["SUMMARY"]): e for e in Calendar.from_ical(as_role(None).get(link).data).walk("VEVENT")}
    assert events["End of Sprint 7"].decoded("DTSTART") == date(2027, 2, 14)
    workshop = events["Match & Sprint"]
    assert workshop.decoded("DTSTART") == date(2027, 3, 5) and workshop.decoded("DTEND") == date(2027, 3, 7)
    assert str(workshop["LOCATION"]) == "Hamburg · Rathaus"
    assert len({str(e["UID"]) for e in events.values()}) == len(events)


def test_calendar_feed_gives_workshop_times_in_the_partnerships_zone_with_its_vtimezone(world, as_role):
    """RFC 5545: DTSTART;TZID=Europe/Berlin with a VTIMEZONE of that TZID (summer and winter
    time), so 10:00 on either side of the October change is 10:00 local in every calendar."""
    from datetime import datetime, time

    from sprintboard.services import workshops

    summer, winter, undated = workshops.timeline(world.partnership)[:3]
    summer.start_date, summer.start_time, summer.end_time = date(2026, 10, 23), time(10), time(12, 30)
    winter.start_date, winter.start_time = date(2026, 10, 26), time(10)
    undated.start_date = date(2026, 11, 2)  # no time: all day, as before
    db.session.commit()
    body = as_role(None).get(_feed_link(as_role("member"), world)).data
    text = body.decode()
    assert "DTSTART;TZID=Europe/Berlin:20261023T100000" in text
    assert "DTEND;TZID=Europe/Berlin:20261023T123000" in text
    assert "DTSTART;TZID=Europe/Berlin:20261026T100000" in text
    assert "DTSTART;VALUE=DATE:20261102" in text
    cal = Calendar.from_ical(body)
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Berlin"]
    assert zones[0].walk("STANDARD") and zones[0].walk("DAYLIGHT")
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Berlin"
    starts = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in cal.walk("VEVENT")}
    utc = {k: v.astimezone(UTC).replace(tzinfo=None) for k, v in starts.items() if isinstance(v, datetime)}
    assert sorted(utc.values()) == [datetime(2026, 10, 23, 8, 0), datetime(2026, 10, 26, 9, 0)]


def test_calendar_feed_follows_the_partnerships_zone(world, as_role):
    from datetime import time

    from sprintboard.services import workshops

    world.partnership.timezone = "Europe/Kyiv"
    w = workshops.timeline(world.partnership)[0]
    w.start_date, w.start_time = date(2026, 12, 10), time(18)
    db.session.commit()
    text = as_role(None).get(_feed_link(as_role("member"), world)).data.decode()
    assert "DTSTART;TZID=Europe/Kyiv:20261210T180000" in text and "TZID:Europe/Kyiv" in text
