"""The toolbox without HTTP: search, editing, export/import round trip, seed."""

from __future__ import annotations

import json

import pytest

from sprintboard.models import Method
from sprintboard.services import DomainError
from sprintboard.services import toolbox as service


@pytest.fixture(autouse=True)
def request_ctx(app):
    with app.test_request_context():
        yield


META = {
    "phase": "match",
    "duration_minutes": 45,
    "group_min": 6,
    "group_max": 40,
    "licence": "CC BY-SA 4.0",
    "author": "Test",
    "original_language": "en",
}


def make_method(actor, slug="", title="Gallery walk", **meta):
    texts = {
        "en": {
            "title": title,
            "purpose": "See all results.",
            "materials": "Posters",
            "steps": "1. Hang posters\n2. Walk",
        },
        "ru": {
            "title": "Галерея",
            "purpose": "Увидеть все результаты.",
            "materials": "",
            "steps": "1. Повесить плакаты",
        },
    }
    return service.save_method(None, {**META, **meta}, texts, slug=slug, actor=actor)


def test_create_derives_a_slug_and_refuses_duplicates(db, world):
    method = make_method(world.admin)
    assert method.slug == "gallery-walk"
    assert method.languages == ["en", "ru"]
    assert method.text("ru").title == "Галерея"
    assert method.text("de").locale == "en"  # falls back to the original
    with pytest.raises(DomainError):
        make_method(world.admin)


def test_search_filters(db, world):
    make_method(world.admin)
    make_method(world.admin, title="Open space", phase="kickoff", duration_minutes=180, group_max=200)
    titles = lambda **kw: [m.slug for m in service.search(**kw)]  # noqa: E731
    assert titles(phase="kickoff") == ["open-space"]
    assert titles(duration=(0, 60)) == ["gallery-walk"]
    assert titles(group=100) == ["open-space"]
    assert titles(language="de") == []
    assert titles(q="ГАЛЕРЕЯ") == ["gallery-walk", "open-space"]  # both have the same ru text
    assert titles(q="open") == ["open-space"]


def test_invalid_meta_is_refused(db, world):
    with pytest.raises(DomainError):
        make_method(world.admin, group_min=50, group_max=10)
    with pytest.raises(DomainError):
        make_method(world.admin, phase="party")


def test_json_round_trip(db, world):
    make_method(world.admin)
    exported = service.export_json()
    for method in db.session.scalars(db.select(Method)):
        db.session.delete(method)
    db.session.flush()
    assert service.import_file(exported.encode()) == (1, 0)
    assert service.export_json() == exported
    assert service.import_file(exported.encode()) == (0, 1)  # upsert by slug


def test_markdown_zip_round_trip(db, world):
    make_method(world.admin)
    before = service.export_data()
    raw = service.export_markdown_zip()
    for method in db.session.scalars(db.select(Method)):
        db.session.delete(method)
    db.session.flush()
    assert service.import_file(raw) == (1, 0)
    assert service.export_data() == before


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        json.dumps({"format": "other", "methods": []}).encode(),
        json.dumps({"format": "sprintboard-toolbox", "methods": [{"slug": "Bad Slug"}]}).encode(),
        json.dumps(
            {
                "format": "sprintboard-toolbox",
                "methods": [{"slug": "ok", **META, "translations": {"en": {"title": "x" * 500}}}],
            }
        ).encode(),
        b"PK\x03\x04broken",
        b" " * (service.MAX_IMPORT_BYTES + 1),
    ],
)
def test_bad_imports_change_nothing(db, world, raw):
    make_method(world.admin)
    before = service.export_json()
    with pytest.raises(DomainError):
        service.import_file(raw)
    assert service.export_json() == before


def test_seed_loads_real_methods_in_every_language(db):
    assert service.seed() >= 10
    methods = service.all_methods()
    assert len(methods) >= 10
    for method in methods:
        assert method.languages == ["en", "de", "ru", "uk", "be"], method.slug
    assert service.seed() == 0  # only into an empty toolbox
