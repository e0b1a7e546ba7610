"""The toolbox over HTTP: public reading, shared methods kept by programme staff, open data."""

from __future__ import annotations

import json

import pytest
from flask import g

from sprintboard.extensions import db
from sprintboard.models import Method
from sprintboard.services import toolbox as service
from tests.views.test_routes import fingerprint


@pytest.fixture
def seeded(app, world):
    with app.test_request_context():
        service.seed()
    db.session.commit()


def _as(as_role, role, **kw):
    g.pop("_login_user", None)  # the test's app context caches the last user
    return as_role(role, **kw)


def test_anonymous_reads_and_filters_the_toolbox(as_role, seeded):
    client = _as(as_role, None)
    page = client.get("/toolbox/").get_data(as_text=True)
    assert "World café" in page and "Add a method" not in page
    kickoff = client.get("/toolbox/?phase=kickoff").get_data(as_text=True)
    assert "Stakeholder mapping" in kickoff and "Retrospective starfish" not in kickoff
    found = client.get("/toolbox/?q=starfish&duration=&group=&language=").get_data(as_text=True)
    assert "Retrospective starfish" in found and "World café" not in found
    fragment = _as(as_role, None, htmx=True).get("/toolbox/?group=300").get_data(as_text=True)
    assert fragment.startswith('<div id="methods"') and "Open space" in fragment
    assert "Fishbowl" not in fragment
    bad = client.get("/toolbox/?group=abc").get_data(as_text=True)
    assert "Not a valid integer value" in bad


def test_method_page_in_the_users_language_and_side_by_side(as_role, seeded):
    client = _as(as_role, None)
    page = client.get("/toolbox/world-cafe?lang=de").get_data(as_text=True)
    assert "Weltcafé" in page or "World Café" in page
    both = client.get("/toolbox/world-cafe?lang=en&compare=uk").get_data(as_text=True)
    assert 'lang="uk"' in both and 'lang="en"' in both
    assert client.get("/toolbox/no-such-method").status_code == 404


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("member", False),
        ("observer", False),
        ("facilitator", False),
        ("admin", True),
    ],
)
def test_only_programme_staff_edit_shared_methods(as_role, seeded, role, allowed):
    client = _as(as_role, role)
    before = fingerprint()
    expected = 200 if allowed else 403
    assert client.get("/toolbox/new").status_code == expected
    assert client.get("/toolbox/world-cafe/edit").status_code == expected
    if not allowed:
        assert client.post("/toolbox/world-cafe/delete").status_code == 403
        assert fingerprint() == before


def test_create_edit_and_delete_a_method(as_role, seeded):
    client = _as(as_role, "admin")
    data = {
        "slug": "",
        "phase": "sprint",
        "duration_minutes": "20",
        "group_min": "3",
        "group_max": "12",
        "licence": "CC0",
        "author": "Fiona",
        "original_language": "en",
        "text_en-title": "Silent brainstorm",
        "text_en-purpose": "<i>ideas</i>",
        "text_en-steps": "1. Write\n2. Read <script>x</script>",
        "text_de-title": "Stilles Brainstorming",
        "text_de-steps": "1. Schreiben",
    }
    response = client.post("/toolbox/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"] == "/toolbox/silent-brainstorm"
    page = client.get("/toolbox/silent-brainstorm").get_data(as_text=True)
    assert "&lt;i&gt;ideas&lt;/i&gt;" in page and "&lt;script&gt;" in page and "<ol>" in page
    edit = client.get("/toolbox/silent-brainstorm/edit").get_data(as_text=True)
    assert "Stilles Brainstorming" in edit
    bad = client.post("/toolbox/silent-brainstorm/edit", data={**data, "group_min": "20"})
    assert bad.status_code == 422 and "cannot be smaller" in bad.get_data(as_text=True)
    missing = client.post("/toolbox/new", data={**data, "text_en-title": "", "text_en-steps": ""})
    assert missing.status_code == 422
    no_de = {**data, "text_de-title": "", "text_de-steps": ""}
    ok = client.post("/toolbox/silent-brainstorm/edit", data=no_de)
    assert ok.status_code == 303
    assert service.get_by_slug("silent-brainstorm").languages == ["en"]
    assert client.post("/toolbox/silent-brainstorm/delete").status_code == 303
    assert service.get_by_slug("silent-brainstorm") is None


def test_exports_download(as_role, seeded):
    client = _as(as_role, None)
    response = client.get("/toolbox/export.json")
    data = json.loads(response.get_data())
    assert response.status_code == 200 and len(data["methods"]) >= 10
    assert client.get("/toolbox/export.zip").data[:2] == b"PK"


def test_toolbox_link_in_the_top_nav_for_everyone(as_role, world):
    html = _as(as_role, None).get("/login").get_data(as_text=True)
    assert 'href="/toolbox/"' in html and 'href="/admin/calls/"' not in html
    html = _as(as_role, "admin").get("/").get_data(as_text=True)
    assert 'href="/admin/calls/"' in html


def test_cli_export_import_round_trip(app, world, tmp_path, seeded):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["toolbox", "export", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sprintboard-toolbox.json").exists()
    db.session.execute(db.delete(Method))
    db.session.commit()
    result = runner.invoke(args=["toolbox", "import", str(tmp_path / "sprintboard-toolbox.json")])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(db.func.count(Method.id))) >= 10
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = runner.invoke(args=["toolbox", "import", str(bad)])
    assert result.exit_code != 0 and "not a valid toolbox export" in result.output


def test_programme_staff_import_an_export_in_the_browser(as_role, seeded):
    import io

    admin = _as(as_role, "admin")
    export = admin.get("/toolbox/export.zip").data
    count = db.session.scalar(db.select(db.func.count(Method.id)))
    assert _as(as_role, "facilitator").get("/toolbox/import").status_code == 403
    assert 'href="/toolbox/import"' in admin.get("/toolbox/").text
    # A broken file: 422 with the reason at the field, nothing changed.
    before = fingerprint()
    broken = admin.post(
        "/toolbox/import",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(b"{not json"), "toolbox.json")},
    )
    assert broken.status_code == 422 and "not a valid toolbox export" in broken.text
    assert fingerprint() == before
    missing = admin.post("/toolbox/import", content_type="multipart/form-data", data={})
    assert missing.status_code == 422 and "Choose a file to import." in missing.text
    # The Markdown zip goes back in: every method updated, none added.
    db.session.execute(db.update(Method).values(duration_minutes=5))
    db.session.commit()
    response = admin.post(
        "/toolbox/import",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(export), "toolbox.zip")},
    )
    assert response.status_code == 303
    page = admin.get("/toolbox/").text
    assert f"New methods: 0. Updated methods: {count}." in page
    assert db.session.scalar(db.select(db.func.min(Method.duration_minutes))) > 5


def test_no_method_takes_the_address_of_a_toolbox_page(app, world):
    from sprintboard.services import DomainError

    texts = {"en": {"title": "Import", "purpose": "", "materials": "", "steps": "1. Go"}}
    meta = {
        "phase": "any",
        "duration_minutes": 30,
        "group_min": 2,
        "group_max": 20,
        "licence": "CC BY-SA 4.0",
        "author": "",
        "original_language": "en",
    }
    with app.test_request_context(), pytest.raises(DomainError):
        service.save_method(None, meta, texts, actor=world.admin)


def _zip(files: dict[str, bytes], *, method=None) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED if method is None else method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _method_md(**meta) -> bytes:
    base = {"slug": "silent-walk", "locale": "en", "title": "Silent walk", "phase": "kickoff"}
    lines = [
        "---",
        *(f"{k}: {json.dumps(v)}" for k, v in {**base, **meta}.items()),
        "---",
        "## Steps",
        "1. Walk",
    ]
    return "\n".join(lines).encode()


def _broken_files():
    """The audit's crashes: each must be refused with its reason, not raised."""
    good = _zip({"silent-walk/en.md": _method_md()})
    bad_crc = bytearray(_zip({"silent-walk/en.md": _method_md()}, method=0))
    at = bad_crc.index(b"1. Walk")
    bad_crc[at] = ord("2")  # the stored bytes no longer match their checksum
    encrypted = bytearray(good)
    encrypted[6] |= 0x1  # the local header's flag …
    central = encrypted.index(b"PK\x01\x02")
    encrypted[central + 8] |= 0x1  # … and the central directory's
    unknown = bytearray(good)
    unknown[8:10] = (99).to_bytes(2, "little")
    unknown[central + 10 : central + 12] = (99).to_bytes(2, "little")
    deep = "[" * 100_000 + "]" * 100_000
    data = {"format": "sprintboard-toolbox", "version": 1}
    return {
        "bad checksum": (bytes(bad_crc), "damaged"),
        "encryption flag": (bytes(encrypted), "encrypted"),
        "unknown compression": (bytes(unknown), "compression"),
        "list as slug": (_zip({"x/en.md": _method_md(slug=["a", "b"])}), "not a valid toolbox export"),
        "NUL character": (_zip({"x/en.md": _method_md(title="Silent\0walk")}), "cannot be stored (NUL)"),
        "5,000-digit number in a zip": (
            _zip({"x/en.md": _method_md(duration_minutes=1)}).replace(
                b"duration_minutes: 1", b"duration_minutes: " + b"9" * 5000
            ),
            "not a valid toolbox export",
        ),
        "5,000-digit number": (
            b'{"format": "sprintboard-toolbox", "methods": [' + b"9" * 5000 + b"]}",
            "too long",
        ),
        "deep nesting": (deep.encode(), "nested too deeply"),
        "huge integer": (
            json.dumps(
                {
                    **data,
                    "methods": [
                        {
                            "slug": "huge",
                            "phase": "kickoff",
                            "original_language": "en",
                            "duration_minutes": 10**30,
                            "group_min": 1,
                            "group_max": 5,
                            "licence": "CC BY 4.0",
                            "author": "",
                            "translations": {"en": {"title": "Huge"}},
                        }
                    ],
                }
            ).encode(),
            "at most",
        ),
    }


@pytest.mark.parametrize("case", list(_broken_files()))
def test_a_broken_toolbox_import_is_refused_with_its_reason_and_changes_nothing(as_role, seeded, case):
    import io

    raw, reason = _broken_files()[case]
    admin = _as(as_role, "admin")
    before = fingerprint()
    response = admin.post(
        "/toolbox/import",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(raw), "toolbox.zip" if raw[:2] == b"PK" else "toolbox.json")},
    )
    assert response.status_code == 422, response.status_code
    assert reason in response.text
    assert fingerprint() == before
    assert admin.get("/toolbox/").status_code == 200  # the session is fine afterwards
