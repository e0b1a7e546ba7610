"""What an open-space event leaves behind: the report, JSON and CSV exports, the iCal feed."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select

from ..extensions import db
from ..models import OpenSpace, SpaceDot, SpaceParticipant
from .openspace_grid import Grid, load_grid


def _city(name: str) -> str:
    return name or _("City not given")


def interest_by_city(event: OpenSpace) -> dict[int, Counter]:
    """Per session: how many people of each city marked interest (people, not dots)."""
    rows = db.session.execute(
        select(SpaceDot.session_id, SpaceDot.participant_id, SpaceParticipant.city)
        .join(SpaceParticipant, SpaceParticipant.id == SpaceDot.participant_id)
        .where(SpaceDot.event_id == event.id)
        .distinct()
    )
    found: dict[int, Counter] = defaultdict(Counter)
    for session_id, _participant, city in rows:
        found[session_id][_city(city)] += 1
    return dict(found)


def report(event: OpenSpace) -> dict:
    """The report: every session (placed ones in time order first) with hosts, interest per city
    and outcome; participants per city; totals."""
    grid = load_grid(event)
    by_city = interest_by_city(event)
    order = {(r.id, s.id): (n, m) for m, s in enumerate(grid.slots) for n, r in enumerate(grid.rooms)}
    placed = sorted(
        (s for s in grid.sessions if s.is_placed), key=lambda s: order[s.room_id, s.slot_id][::-1]
    )
    rows = [
        {
            "session": s,
            "hosts": s.hosts,
            "cities": sorted(by_city.get(s.id, Counter()).items()),
            "dots": grid.dots(s),
            "people": grid.count(s),
        }
        for s in placed + grid.pool
    ]
    taking_part = _taking_part(grid)
    participants = Counter(_city(p.city) for p in taking_part)
    return {
        "grid": grid,
        "rows": rows,
        "participants": sorted(participants.items()),
        "participant_count": len(taking_part),
        "proposed": len(grid.sessions),
        "placed": len(placed),
        "documented": sum(1 for s in grid.sessions if s.notes or s.outcome),
    }


def _taking_part(grid: Grid) -> list:
    """Who took part: registered people, hosts and everyone who marked a session (a facilitator
    who only ran the grid, or a member who never joined in, is not counted)."""
    active = {p for i in grid.interest.values() for p in i.people}
    active |= {h.id for s in grid.sessions for h in s.hosts}
    return [p for p in grid.people.values() if p.registered or p.id in active]


def _session_data(grid: Grid, session, by_city) -> dict:
    return {
        "id": session.id,
        "title": session.title,
        "description": session.description,
        "format": session.format,
        "languages": session.language_codes,
        "needs": session.need_codes,
        "hosts": [{"name": h.name, "city": h.city} for h in session.hosts],
        "room": session.room.name if session.room else None,
        "day": session.slot.day.isoformat() if session.slot else None,
        "starts": session.slot.starts.strftime("%H:%M") if session.slot else None,
        "ends": session.slot.ends.strftime("%H:%M") if session.slot else None,
        "dots": grid.dots(session),
        "people": grid.count(session),
        "interest_by_city": dict(sorted(by_city.get(session.id, Counter()).items())),
        "outcome": session.outcome,
        "notes": session.notes,
        "notes_languages": session.notes_language_codes,
        "card_id": session.card_id,
        "entry_id": session.entry_id,
    }


def export_json(event: OpenSpace) -> str:
    """The event as JSON: rooms, slots and sessions (no contact data: guests leave none)."""
    grid = load_grid(event)
    by_city = interest_by_city(event)
    data = {
        "format": "sprintboard-openspace/1",
        "event": {
            "id": event.id,
            "title": event.title,
            "description": event.description,
            "venue": event.venue,
            "timezone": event.timezone,
            "partnership": event.partnership.name if event.partnership else None,
        },
        "rooms": [
            {"name": r.name, "capacity": r.capacity, "accessible": r.accessible, "online_url": r.online_url}
            for r in grid.rooms
        ],
        "slots": [
            {"day": s.day.isoformat(), "starts": s.starts.strftime("%H:%M"), "ends": s.ends.strftime("%H:%M")}
            for s in grid.slots
        ],
        "participants_by_city": dict(sorted(Counter(_city(p.city) for p in _taking_part(grid)).items())),
        "sessions": [_session_data(grid, s, by_city) for s in grid.sessions],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


CSV_HEADER = (
    "id", "title", "format", "languages", "hosts", "room", "day", "starts", "ends", "dots", "people",
    "interest_by_city", "outcome", "notes",
)  # fmt: skip


def export_rows(event: OpenSpace) -> list[list]:
    grid = load_grid(event)
    by_city = interest_by_city(event)
    rows = []
    for s in grid.sessions:
        d = _session_data(grid, s, by_city)
        rows.append(
            [
                d["id"], d["title"], d["format"], " ".join(d["languages"]),
                "; ".join(f"{h['name']} ({h['city']})" if h["city"] else h["name"] for h in d["hosts"]),
                d["room"] or "", d["day"] or "", d["starts"] or "", d["ends"] or "", d["dots"], d["people"],
                "; ".join(f"{c}: {n}" for c, n in d["interest_by_city"].items()), d["outcome"], d["notes"],
            ]
        )  # fmt: skip
    return rows


def calendar(event: OpenSpace, host: str = "sprintboard") -> bytes:
    """The placed sessions as iCalendar events in the venue's time zone."""
    zone = ZoneInfo(event.timezone)
    cal = Calendar()
    cal.add("prodid", "-//Sprintboard//Open space//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", event.title)
    cal.add("x-wr-timezone", event.timezone)
    grid = load_grid(event)
    stamp = datetime.now().astimezone()
    for session in grid.sessions:
        if not session.is_placed:
            continue
        slot, room = session.slot, session.room
        item = Event()
        item.add("uid", f"openspace-session-{session.id}@{host}")
        item.add("dtstamp", stamp)
        item.add("summary", session.title)
        item.add("dtstart", slot.start_at.replace(tzinfo=zone))
        item.add("dtend", slot.end_at.replace(tzinfo=zone))
        item.add("location", " · ".join(x for x in (room.name, event.venue) if x))
        hosts = ", ".join(h.name for h in session.hosts)
        about = "\n\n".join(
            x for x in (_("Hosts: %(names)s", names=hosts) if hosts else "", session.description) if x
        )
        if about:
            item.add("description", about)
        if room.online_url:
            item.add("url", room.online_url)
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()
