"""The board's frame renderer (board/frame_html.py) produces what templates/board/_board.html
produces, whitespace aside, in every locale, for every kind of board (escaping included)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from flask import render_template
from flask_babel import force_locale
from markupsafe import Markup

from sprintboard.board.frame_html import frame
from sprintboard.i18n import LANGUAGES

EVIL = "<script>alert(\"x\")</script> & 'quotes'"


def _board(wip: int | None, done_more: bool) -> SimpleNamespace:
    columns = [
        SimpleNamespace(id=1, shown_name="Backlog", wip_limit=None, is_done=False),
        SimpleNamespace(id=2, shown_name=EVIL, wip_limit=wip, is_done=False),
        SimpleNamespace(id=3, shown_name="Done", wip_limit=wip, is_done=True),
    ]
    lanes = [
        SimpleNamespace(key="p7", title=EVIL, project_id=7, rows={1: [1, 2], 2: [3]}, more={1: 21}),
        SimpleNamespace(key="p0", title="No project", project_id=None, rows={3: [4]}, more={2: 1, 3: 5}),
        SimpleNamespace(key="c3", title="Мінськ", project_id=None, rows={}, more={}),
    ]
    for index, lane in enumerate(lanes):
        lane.cells = {c.id: Markup(f"<!--cell-{index}-{c.id}-->") for c in columns}  # noqa: S704
    return SimpleNamespace(
        partnership=SimpleNamespace(id=4),
        columns=columns,
        lanes=lanes,
        counts={1: 0, 2: 1, 3: 22},
        done_more=done_more,
    )


def _same(html: str) -> str:
    """HTML with every run of whitespace one space, and none between tags."""
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


@pytest.mark.parametrize("locale", ["en", *[code for code in LANGUAGES if code != "en"]])
def test_the_frame_renderer_matches_the_template(app, locale):
    compared = 0
    with app.test_request_context("/"), force_locale(locale):
        for wip in (None, 1, 22, 30):  # no limit, over it, at it, under it
            for done_more in (False, True):
                for may_edit in (False, True):
                    for args in ({}, {"group": "city", "q": EVIL}):
                        board = _board(wip, done_more)
                        urls = {
                            (lane.key, cid): f"/p/4/board/cell?lane={lane.key}&x={EVIL}"
                            for lane in board.lanes
                            for cid in lane.more
                        }
                        context = {
                            "may_edit": may_edit,
                            "csrf": "TOKEN&<",
                            "board_args": args,
                            "cell_urls": urls,
                        }
                        made = frame(board, **context)
                        expected = render_template(
                            "board/_board.html", board=board, partnership=board.partnership, **context
                        )
                        assert _same(made) == _same(expected), (wip, done_more, may_edit, args)
                        compared += 1
    assert compared == 32
