"""The Nu Html Checker (vnu, the W3C validator) finds no error on the main pages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from sprintboard.extensions import db
from sprintboard.seed.board import fill_board
from sprintboard.seed.match import fill_match
from sprintboard.services import sprints, workshops
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = [
    os.environ.get("VNU_JAR", ""),
    ROOT / ".ci/tools/node_modules/vnu-jar/build/dist/vnu.jar",
    ROOT / "node_modules/vnu-jar/build/dist/vnu.jar",
]


def _vnu() -> list[str]:
    jar = next((Path(c) for c in CANDIDATES if c and Path(c).is_file()), None)
    missing = "vnu-jar (npm i vnu-jar, or set VNU_JAR)" if jar is None else None
    if shutil.which("java") is None:
        missing = "Java"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"the HTML check cannot run on CI: {missing} is missing", pytrace=False)
        pytest.skip(f"{missing} is missing")
    return ["java", "-Xss4m", "-jar", str(jar), "--errors-only", "--format", "json"]


def _attach_files(owners, actor) -> None:
    """A photo and a PDF on each owner: the gallery, the file list and the upload form."""
    import io

    from PIL import Image

    from sprintboard.services import attachments

    limits = attachments.Limits.from_config()
    for owner in owners:
        photo = io.BytesIO()
        Image.new("RGB", (64, 48), "teal").save(photo, "PNG")
        photo.seek(0)
        pdf = io.BytesIO(b"%PDF-1.4\n%%EOF\n")
        attachments.add_attachments(
            owner, [("wall.png", photo), ("call.pdf", pdf)], actor=actor, limits=limits
        )


def _pages(world) -> dict[str, str]:
    p, fiona = world.partnership, world.users["facilitator"]
    fill_match(p, actor=fiona)
    fill_board(p, 60, [fiona, world.users["member"]])
    cards = sprints.backlog_cards(p)[:8]  # (in the board's order on every database)
    sprint = factories.sprint(p, "Sprint 1", start=date.today() - timedelta(days=3), actor=fiona, cards=cards)
    sprints.start_sprint(sprint, actor=fiona)
    series = workshops.plan_standard_series(p, fiona)
    workshops.add_agenda_item(series[0], "World café", duration=45, actor=fiona)
    idea = factories.funding_idea(p, actor=fiona)
    _attach_files([cards[0], series[0], idea], fiona)
    db.session.commit()
    base = f"/p/{p.id}"
    return {
        "board": f"{base}/board",
        "board-present": f"{base}/board?present=1",
        "card": f"{base}/cards/{cards[0].id}",
        "status": f"{base}/status",
        "actors": f"{base}/actors/",
        "match": f"{base}/match/",
        "entries": f"{base}/entries/",
        "sprints": f"{base}/sprints/",
        "sprint": f"{base}/sprints/{sprint.id}",
        "charts": f"{base}/sprints/charts",
        "close-sprint": f"{base}/sprints/{sprint.id}/close",
        "report": f"{base}/reports/done-since-workshop",
        "workshops": f"{base}/workshops/",
        "workshop": f"{base}/workshops/{series[0].id}",
        "facilitation": f"{base}/facilitation/",
        "timebox": f"{base}/facilitation/timebox",
        "overview": base,
        "members": f"{base}/members/",
        "projects": f"{base}/projects/",
        "funding": f"{base}/funding/",
        "funding-idea": f"{base}/funding/{idea.id}",
        "settings": f"{base}/board/settings",
        "activity": f"{base}/activity",
        "translations": f"{base}/translations/?into=de",
        "translation": f"{base}/translations/card/{cards[0].id}/de",
        "done": f"{base}/board/done",
        "home": "/",
        "account": "/account",
        "toolbox": "/toolbox/",
        "search": "/search?q=card&kind=&since=",
        "search-errors": "/search?q=card&since=2026-05-02&until=2026-05-01",
        "api-tokens": "/account/tokens",
        "api-docs": "/api/v1/docs",
        "imports": f"{base}/import/",
    }


def test_main_pages_have_no_html_errors(world, as_role, tmp_path):
    command = _vnu()
    client = as_role("facilitator")
    files = []
    for name, path in _pages(world).items():
        response = client.get(path)
        assert response.status_code == (422 if name.endswith("-errors") else 200), path
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
