"""The Nu Html Checker (vnu) finds no error on the pages of an open-space event."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

from sprintboard.extensions import db
from sprintboard.services import openspace, openspace_grid, openspace_sessions
from tests import factories
from tests.views.test_html_valid import _vnu

DAY = date(2026, 5, 4)


def _event(world):
    event = factories.open_space(
        world.partnership,
        actor=world.users["facilitator"],
        rooms=[("Aula", 40), ("Lab", 2, False)],
        slots=[(DAY, "10:00", "10:45"), (DAY, "11:00", "11:45")],
    )
    anna, _ = factories.guest(event, "Anna", city="Minsk", languages=["ru"], needs_access=True)
    sessions = [factories.space_session(event, f"Session {n}", by=anna, languages=["de"]) for n in (1, 2, 3)]
    openspace_sessions.add_dot(sessions[0], factories.viewer_of(event, anna))
    openspace_sessions.save_notes(
        sessions[0], factories.viewer_of(event, anna), "- *one*", "Done", ["ru"], version=0
    )
    openspace_grid.apply_suggestion(event, actor=None)
    db.session.commit()
    return event, sessions[0]


def test_event_pages_have_no_html_errors(world, as_role, tmp_path):
    command = _vnu()
    event, session = _event(world)
    eid = event.id
    pages = {
        "events": "/o/",
        "partnership": f"/p/{world.partnership.id}/openspace",
        "sessions": f"/o/{eid}",
        "propose": f"/o/{eid}/propose",
        "session": f"/o/{eid}/sessions/{session.id}",
        "edit": f"/o/{eid}/sessions/{session.id}/edit",
        "grid": f"/o/{eid}/grid",
        "now": f"/o/{eid}/now",
        "wall": f"/o/{eid}/wall",
        "print": f"/o/{eid}/print",
        "report": f"/o/{eid}/report",
        "me": f"/o/{eid}/me",
        "people": f"/o/{eid}/people",
        "settings": f"/o/{eid}/settings",
        "join": f"/o/{eid}/join/{openspace.registration_token(event)}",
    }
    client = as_role("facilitator")
    files = []
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.get_data())
        files.append(str(file))
    result = subprocess.run(command + files, capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors[:30])
