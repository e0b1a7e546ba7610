"""The app remembers the relative URLs it builds (urls.py): the same URLs as Flask builds,
built once, wherever the app is mounted."""

from __future__ import annotations

import pytest
from flask import Flask, url_for
from werkzeug.routing import BuildError

CASES = [
    ("board.show", {"pid": 3}),
    ("board.show", {"pid": 3, "all": 1}),
    ("board.show", {"pid": 3, "all": True}),  # (another URL than all=1)
    ("board.show", {"pid": 3, "group": "city", "q": "a&b <c>"}),
    ("cards.show", {"pid": 3, "card_id": 41}),
    ("static", {"filename": "css/app.css"}),  # (its hashed name, put in by url_defaults)
    ("board.show", {"pid": 3, "label": [1, 2]}),  # (a value that cannot be a key)
]


@pytest.mark.parametrize("mounted", ["", "/sprintboard"])
def test_remembered_urls_are_flasks_own(app, mounted):
    for endpoint, values in CASES:
        with app.test_request_context("/", base_url=f"http://localhost{mounted}/"):
            expected = Flask.url_for(app, endpoint, **values)
            assert url_for(endpoint, **values) == expected
            assert url_for(endpoint, **values) == expected  # (remembered)
            assert expected.startswith(f"{mounted}/")
            assert url_for(endpoint, _anchor="x", **values) == expected + "#x"
            assert url_for(endpoint, _external=True, **values) == f"http://localhost{expected}"
    with app.test_request_context("/"):
        assert url_for("board.show", pid=3, all=True) != url_for("board.show", pid=3, all=1)
        assert not url_for("static", filename="css/app.css").endswith("/app.css")  # (hashed)


def test_a_remembered_url_is_built_once_and_errors_are_not_remembered(app, monkeypatch):
    built = []
    monkeypatch.setattr(app, "_urls", {})  # (earlier tests' pages may have remembered these)
    with app.test_request_context("/"):
        adapter = type(app.url_map.bind("localhost"))
        build = adapter.build
        monkeypatch.setattr(
            adapter, "build", lambda self, *a, **kw: built.append(a[0]) or build(self, *a, **kw)
        )
        first = url_for("board.done", pid=7)
        assert url_for("board.done", pid=7) == first and built.count("board.done") == 1
        for _ in range(2):
            with pytest.raises(BuildError):
                url_for("board.no_such_page", pid=7)
        assert built.count("board.no_such_page") == 2
