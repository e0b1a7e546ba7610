import json
from datetime import date

import pytest
from werkzeug.security import check_password_hash

from sprintboard.extensions import db
from sprintboard.models import (
    Activity,
    Card,
    ChecklistItem,
    Comment,
    FundingIdea,
    Invitation,
    Label,
    Partnership,
    Project,
    User,
)
from sprintboard.services import backup, board, cards, funding, status
from tests import factories
from tests.conftest import _clean


@pytest.fixture(autouse=True)
def _request(app, db):
    with app.test_request_context():
        yield


def rich_partnership(world):
    """world.partnership with a bit of everything a backup must keep."""
    p = world.partnership
    member, facilitator = world.users["member"], world.users["facilitator"]
    columns = board.columns_of(p)
    proj = Project(
        partnership=p,
        title="Bike lanes",
        summary="Safer routes",
        lead_city=p.cities[1],
        created_by_id=member.id,
        language="de",
    )
    db.session.add(proj)
    db.session.flush()
    label = Label(partnership_id=p.id, name="urgent", colour="red")
    db.session.add(label)
    card = cards.create_card(
        p,
        "Count cyclists",
        column=columns[1],
        project=proj,
        actor=member,
        body="**Mon–Fri**, 7–9 am",
        language="de",
    )
    card.estimate, card.due_date = 3, date(2027, 2, 1)
    card.labels.append(label)
    # Created last but first by email: restored people get ids in another order.
    early = factories.member(p, "member", 1, name="Aaron Early", email="aaa@example.org")
    card.assignees.extend([member, facilitator, early])
    card.checklist.append(ChecklistItem(text="Find volunteers", done=True, position=1))
    card.comments.append(Comment(author_id=facilitator.id, body="Я помогу", language="ru"))
    other = cards.create_card(p, '=HYPERLINK("x")', column=columns[0], actor=facilitator)
    board.move_card(other, columns[-1], actor=facilitator)
    idea = factories.funding_idea(
        p,
        actor=member,
        amount="25000.10",
        cofunding="0.01",
        currency="BYN",
        deadline=date(2027, 1, 15),
        owner=member,
        projects=[proj],
        notes="ünïcødé ✓",
        url="https://example.org/call",
    )
    funding.move_funding_idea(idea, "researching", actor=member)
    status.create_public_link(p, actor=facilitator)
    from sprintboard.services import invitations, voting, workshops

    sprint = factories.sprint(p, "Sprint 1", start=date(2026, 11, 2), state="active", cards=[card])
    voting.add_retro_note(p, "well", "Mixed pairs", actor=member, sprint=sprint)
    session = voting.open_vote(p, "Which first?", 3, cards=[card, other], actor=facilitator)
    voting.cast_vote(session, session.items[0], actor=member)
    ws = workshops.create_workshop(
        p, "custom", "Kick-off", host_city=p.cities[0], start=date(2026, 10, 1), actor=facilitator
    )
    workshops.add_agenda_item(ws, "Welcome", duration=15, responsible=facilitator, actor=facilitator)
    workshops.set_attendance(ws, {p.cities[0]: 12, p.cities[1]: 3}, actor=facilitator)
    workshops.mark_held(ws, actor=facilitator)

    invitations.invite(p, "new@example.org", "member", p.cities[0], actor=facilitator)
    db.session.commit()
    return p


def empty_instance(db):
    db.session.commit()
    _clean(db)
    db.session.expunge_all()


def without_timestamp(data):
    return {k: v for k, v in data.items() if k != "exported_at"}


def test_round_trip_reproduces_the_same_export(world, db):
    p = rich_partnership(world)
    first = json.loads(backup.dumps(backup.export_partnership(p)))
    tables = first["tables"]
    assert {
        "partnerships",
        "cities",
        "memberships",
        "projects",
        "board_columns",
        "cards",
        "labels",
        "card_labels",
        "card_assignees",
        "checklist_items",
        "comments",
        "activities",
        "funding_ideas",
        "funding_idea_projects",
        "sprints",
        "workshops",
        "agenda_items",
        "workshop_attendance",
        "retro_notes",
        "vote_sessions",
        "vote_items",
        "votes",
    } <= tables.keys()
    assert tables["cards"][0]["sprint_id"] == 1
    assert "invitations" not in tables and "status_token_hash" not in tables["partnerships"][0]
    assert tables["funding_ideas"][0]["amount"] == "25000.10"
    assert {u["email"] for u in first["users"]} >= {world.users["member"].email, world.admin.email}
    assert world.users["outsider"].email not in json.dumps(first)

    empty_instance(db)
    restored, created = backup.import_partnership(backup.load(backup.dumps(first).encode()))
    db.session.commit()
    assert restored.status_token_hash is None
    assert len(created) == len(first["users"])
    assert all(not check_password_hash(u.password_hash, "") for u in created)
    second = json.loads(backup.dumps(backup.export_partnership(restored)))
    assert without_timestamp(second) == without_timestamp(first)

    card = db.session.scalar(db.select(Card).where(Card.title == "Count cyclists"))
    assert [u.name for u in card.assignees] == ["Aaron Early", "Fiona Facilitator", "Max Member"]
    assert card.labels[0].name == "urgent" and card.checklist[0].done
    assert card.comments[0].body == "Я помогу"
    idea = db.session.scalar(db.select(FundingIdea))
    assert idea.projects[0].title == "Bike lanes" and idea.owner.name == "Max Member"
    moved = db.session.scalar(db.select(Activity).where(Activity.verb == "funding.moved"))
    assert moved.subject_id == idea.id


def test_existing_people_are_reused_by_email(world, db):
    p = rich_partnership(world)
    email = world.users["member"].email
    data = backup.dumps(backup.export_partnership(p)).encode()
    empty_instance(db)
    admin = factories.user("Admin here", email=email.upper())
    restored, created = backup.import_partnership(backup.load(data))
    assert admin.email not in [u.email for u in created]
    assert any(m.user_id == admin.id for m in restored.memberships)


def _counts():
    return [
        db.session.scalar(db.select(db.func.count()).select_from(m))
        for m in (Partnership, User, Card, Activity, Invitation)
    ]


def test_import_refuses_a_non_empty_instance_and_writes_nothing(world):
    data = backup.dumps(backup.export_partnership(world.partnership)).encode()
    before = _counts()
    with pytest.raises(backup.BackupError, match="empty"):
        backup.import_partnership(backup.load(data))
    db.session.rollback()
    assert _counts() == before


@pytest.mark.parametrize(
    "mangle, message",
    [
        (lambda raw: raw[: len(raw) // 2], "truncated"),
        (lambda raw: b"", "truncated"),
        (lambda raw: raw.replace(b'"schema_version": 2', b'"schema_version": 99'), "newer"),
        (lambda raw: raw.replace(b'"format": "sprintboard.partnership"', b'"format": "other"'), "not a"),
        (lambda raw: raw.replace(b'"cards":', b'"robots":'), "does not know"),
        (lambda raw: raw.replace(b'"title":', b'"colour_of_sky":'), "does not know"),
        (lambda raw: b"[1, 2, 3]", "not a"),
        (lambda raw: raw.replace(b'"Count cyclists"', b'"Count\\u0000cyclists"'), "cannot be stored"),
    ],
)
def test_bad_files_are_refused_with_a_clear_error(world, db, mangle, message):
    p = rich_partnership(world)
    raw = mangle(backup.dumps(backup.export_partnership(p)).encode())
    with pytest.raises(backup.BackupError, match=message):
        backup.import_partnership(backup.load(raw))


def test_huge_files_are_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(backup, "MAX_BYTES", 100)
    with pytest.raises(backup.BackupError, match="larger"):
        backup.load(b" " * 101)


def test_a_broken_reference_rolls_everything_back(world, db):
    p = rich_partnership(world)
    data = json.loads(backup.dumps(backup.export_partnership(p)))
    data["tables"]["cards"][-1]["column_id"] = 999
    empty_instance(db)
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.import_partnership(backup.load(json.dumps(data).encode()))
    db.session.rollback()
    assert _counts() == [0, 0, 0, 0, 0]


def _first(data, table):
    return data["tables"][table][0]


@pytest.mark.parametrize(
    "edit, where",
    [
        (lambda d: _first(d, "funding_ideas").update(url="javascript:alert(1)"), "funding_ideas.url"),
        (lambda d: _first(d, "memberships").update(role="superuser"), "memberships.role"),
        (lambda d: _first(d, "cards").update(title="x" * 100_000), "cards.title"),
        (lambda d: _first(d, "cards").update(estimate=10**30), "cards.estimate"),
        (lambda d: _first(d, "cards").update(title=["a list"]), "cards.title"),
        (lambda d: _first(d, "labels").update(colour="url(javascript:x)"), "labels.colour"),
        (lambda d: _first(d, "partnerships").update(timezone="Mars/Olympus"), "partnerships.timezone"),
    ],
)
def test_an_import_checks_values_as_the_forms_do_and_writes_nothing(world, db, edit, where):
    """The audit's `sprintboard import` of a crafted file: a javascript: link, a role the app
    does not know (every page of that person broke), a 100,000-character title … refused."""
    p = rich_partnership(world)
    data = json.loads(backup.dumps(backup.export_partnership(p)))
    edit(data)
    empty_instance(db)
    with pytest.raises(backup.BackupError, match=rf"damaged \({where}\)"):
        backup.import_partnership(backup.load(json.dumps(data).encode()))
    db.session.rollback()
    assert _counts() == [0, 0, 0, 0, 0]


def test_secrets_are_neither_exported_nor_taken_from_a_file(world, db):
    """The public status link's hash stays out of the file; one written into a file is ignored
    (its writer would know the link): the restored partnership has no public link until a
    facilitator makes a new one."""
    p = rich_partnership(world)
    assert p.status_token_hash
    data = json.loads(backup.dumps(backup.export_partnership(p)))
    assert "status_token_hash" not in _first(data, "partnerships")
    assert "api_tokens" not in data["tables"]
    from sprintboard.services.tokens import hash_token

    _first(data, "partnerships")["status_token_hash"] = hash_token("known-to-the-writer")
    empty_instance(db)
    restored, _people = backup.import_partnership(backup.load(json.dumps(data).encode()))
    assert restored.status_token_hash is None


def test_cli_import_restores_and_names_the_people_without_password(app, world, db, tmp_path):
    p = rich_partnership(world)
    path = tmp_path / "backup.json"
    path.write_text(backup.dumps(backup.export_partnership(p)), encoding="utf-8")
    empty_instance(db)
    result = app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported the partnership Minsk – Hamburg" in result.output
    assert "set-password" in result.output and "user" in result.output
    assert db.session.scalar(db.select(db.func.count(Card.id))) == 2


def test_cli_import_of_a_truncated_file_writes_nothing(app, world, db, tmp_path):
    p = rich_partnership(world)
    raw = backup.dumps(backup.export_partnership(p))
    path = tmp_path / "backup.json"
    path.write_text(raw[:-200], encoding="utf-8")
    empty_instance(db)
    result = app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert "truncated" in result.output and "Nothing was imported" in result.output
    assert _counts() == [0, 0, 0, 0, 0]


def test_cli_import_refuses_huge_files_without_reading_them(app, db, tmp_path, monkeypatch):
    monkeypatch.setattr(backup, "MAX_BYTES", 10)
    path = tmp_path / "big.json"
    path.write_text("{" + " " * 20 + "}")
    result = app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 1 and "larger than" in result.output


def test_the_backup_covers_the_partnership_tables_but_not_programme_wide_ones(app):
    names = [t.name for t, _link in backup.partnership_tables()]
    assert names[0] == "partnerships" and names[-1] == "activities"
    assert {"cards", "comments", "funding_ideas", "funding_idea_projects", "memberships"} <= set(names)
    assert not {"users", "invitations", "calendar_feeds", "applications", "calls"} & set(names)
    # a partnership's own copies of toolbox methods travel with it (not the shared methods)
    assert {"methods", "method_translations"} <= set(names)


def test_a_partnerships_own_method_copies_travel_with_it_and_links_to_shared_methods_stay(world, db):
    from sprintboard.models import AgendaItem, Method
    from sprintboard.services import toolbox, toolbox_copies, workshops

    toolbox.seed()
    p, facilitator = world.partnership, world.users["facilitator"]
    shared = toolbox.shared_by_slug("world-cafe")
    other_shared = toolbox.shared_by_slug("dot-voting")
    copy, _made = toolbox_copies.adapt_method(shared, p, actor=facilitator)
    copy.text("en").title = "Our café"
    ws = workshops.create_workshop(
        p, "custom", "Kick-off", host_city=p.cities[0], start=date(2026, 10, 1), actor=facilitator
    )
    workshops.add_agenda_item(ws, "Our round", method=copy, actor=facilitator)
    workshops.add_agenda_item(ws, "Voting", method=other_shared, actor=facilitator)
    db.session.commit()
    copy_slug, shared_ids = copy.slug, {shared.id: shared.slug, other_shared.id: other_shared.slug}
    first = json.loads(backup.dumps(backup.export_partnership(p)))
    assert [m["slug"] for m in first["tables"]["methods"]] == [copy_slug]  # no shared method
    links = {item["title"]: item["method_id"] for item in first["tables"]["agenda_items"]}
    assert links == {"Our round": "copy:1", "Voting": other_shared.id}

    empty_instance(db)
    toolbox.seed()  # the target instance has the shared toolbox, under other ids
    db.session.commit()
    restored, _created = backup.import_partnership(backup.load(backup.dumps(first).encode()))
    db.session.commit()
    restored_copy = db.session.scalar(db.select(Method).where(Method.partnership_id == restored.id))
    assert restored_copy.slug == copy_slug and restored_copy.text("en").title == "Our café"
    assert {t.locale for t in restored_copy.translations} == {
        t["locale"] for t in first["tables"]["method_translations"]
    }
    items = {i.title: i for i in db.session.scalars(db.select(AgendaItem))}
    assert items["Our round"].method_id == restored_copy.id
    # links to shared methods are kept where that row exists here (same id), else dropped
    voting = items["Voting"].method_id
    assert voting is None or shared_ids.get(voting) == db.session.get(Method, voting).slug
    second = json.loads(backup.dumps(backup.export_partnership(restored)))
    assert second["tables"]["methods"][0]["slug"] == copy_slug
    assert second["tables"]["agenda_items"][0]["method_id"] == "copy:1"


def test_a_restored_copy_whose_slug_is_taken_gets_a_free_one(world, db):
    from sprintboard.models import Method
    from sprintboard.services import toolbox, toolbox_copies

    toolbox.seed()
    p = world.partnership
    copy, _made = toolbox_copies.adapt_method(
        toolbox.shared_by_slug("world-cafe"), p, actor=world.users["facilitator"]
    )
    db.session.commit()
    data = backup.dumps(backup.export_partnership(p))
    taken = copy.slug
    empty_instance(db)
    toolbox.seed()
    db.session.add(Method(slug=taken))
    db.session.commit()
    restored, _created = backup.import_partnership(backup.load(data.encode()))
    db.session.commit()
    restored_copy = db.session.scalar(db.select(Method).where(Method.partnership_id == restored.id))
    assert restored_copy.slug != taken and restored_copy.slug.startswith(taken)


def test_a_link_to_a_copy_that_is_not_in_the_file_is_refused(world, db):
    data = json.loads(backup.dumps(backup.export_partnership(rich_partnership(world))))
    data["tables"]["agenda_items"][0]["method_id"] = "copy:7"
    empty_instance(db)
    with pytest.raises(backup.BackupError, match="agenda_items.method_id"):
        backup.import_partnership(backup.load(json.dumps(data).encode()))


def test_attached_files_travel_with_the_backup(world, db, app, tmp_path):
    import hashlib
    import io

    from PIL import Image

    from sprintboard import storage
    from sprintboard.models import Attachment
    from sprintboard.services import attachments

    p, member = world.partnership, world.users["member"]
    card = factories.card(p, "Flip charts", actor=member)
    photo = io.BytesIO()
    Image.new("RGB", (50, 40), "orange").save(photo, "PNG")
    photo.seek(0)
    pdf = b"%PDF-1.4\nthe call\n%%EOF\n"
    limits = attachments.Limits.from_config()
    attachments.add_attachments(
        card, [("wall.png", photo), ("call.pdf", io.BytesIO(pdf))], actor=member, limits=limits
    )
    db.session.commit()
    first = json.loads(backup.dumps(backup.export_partnership(p)))
    assert len(first["tables"]["attachments"]) == 2
    assert len(first["files"]) == 3  # the photo, its thumbnail, the PDF
    assert hashlib.sha256(pdf).hexdigest() in first["files"]

    saved = app.extensions.get("sprintboard.storage")
    app.extensions["sprintboard.storage"] = storage.LocalStorage(tmp_path / "elsewhere")  # another host
    try:
        damaged = json.loads(json.dumps(first))
        damaged["files"].pop(hashlib.sha256(pdf).hexdigest())
        with pytest.raises(backup.BackupError, match="lacks the file “call.pdf”"):
            backup.load(json.dumps(damaged).encode())
        empty_instance(db)
        restored, _created = backup.import_partnership(backup.load(backup.dumps(first).encode()))
        db.session.commit()
        second = json.loads(backup.dumps(backup.export_partnership(restored)))
        assert without_timestamp(second) == without_timestamp(first)
        rows = db.session.scalars(db.select(Attachment).order_by(Attachment.id)).all()
        assert rows[0].card_id == db.session.scalar(db.select(Card.id).where(Card.title == "Flip charts"))
        with storage.current().open(rows[1].storage_key) as fh:
            assert fh.read() == pdf
    finally:
        app.extensions["sprintboard.storage"] = saved


def test_languages_and_translations_travel_with_the_backup(world, db):
    from sprintboard.services import translations

    p, other = world.partnership, world.other
    factories.card(other, "Не наша карточка", actor=world.users["outsider"])  # ids differ from the file's
    card = factories.card(
        p, "Закупить краски", actor=world.users["member"], body="Для мастерской.", language="ru"
    )
    comment = cards.add_comment(card, "Я куплю.", language="ru", actor=world.users["member"])
    translations.save_translation(
        card, "de", {"title": "Farben kaufen", "body": "Werkstatt."}, actor=world.users["member"]
    )
    translations.save_translation(comment, "de", {"body": "Ich kaufe sie."}, actor=None)
    card.body = "Для мастерской в Минске."  # the German translation is outdated now
    db.session.commit()
    data = json.loads(backup.dumps(backup.export_partnership(p)))
    rows = data["tables"]["translations"]
    card_ref = next(c["id"] for c in data["tables"]["cards"] if c["title"] == "Закупить краски")
    assert card.id != card_ref
    assert {(r["kind"], r["object_id"], r["field"]) for r in rows if r["kind"] != "column"} == {
        ("card", card_ref, "title"),
        ("card", card_ref, "body"),
        ("comment", 1, "body"),
    }

    empty_instance(db)
    restored, _created = backup.import_partnership(backup.load(backup.dumps(data).encode()))
    db.session.commit()
    card = db.session.scalar(db.select(Card).where(Card.title == "Закупить краски"))
    assert card.language == "ru" and card.comments[0].language == "ru"
    german = translations.version(card, "de")
    assert german.text("title") == "Farben kaufen" and german.outdated
    assert german.translator.name == "Max Member"
    assert translations.version(card.comments[0], "de").text("body") == "Ich kaufe sie."
    assert [c.language for c in board.columns_of(restored)] == ["en"] * 5
    again = json.loads(backup.dumps(backup.export_partnership(restored)))
    assert without_timestamp(again) == without_timestamp(data)


def test_a_translation_of_something_not_in_the_file_is_refused(world, db):
    from sprintboard.services import translations

    card = factories.card(world.partnership, "Закупить краски", actor=world.users["member"], language="ru")
    translations.save_translation(card, "de", {"title": "Farben kaufen"}, actor=None)
    db.session.commit()
    data = backup.export_partnership(world.partnership)
    next(r for r in data["tables"]["translations"] if r["kind"] == "card")["object_id"] = 99
    empty_instance(db)
    with pytest.raises(backup.BackupError, match="translations.object_id"):
        backup.import_partnership(backup.load(backup.dumps(data).encode()))


def test_an_older_backup_restores_without_its_translations(world, db):
    from sprintboard.models import Translation
    from sprintboard.services import translations

    card = factories.card(world.partnership, "Закупить краски", actor=world.users["member"], language="ru")
    translations.save_translation(card, "de", {"title": "Farben kaufen"}, actor=None)
    db.session.commit()
    data = backup.export_partnership(world.partnership)
    data["schema_version"] = 1  # made before translations named their original by its id in the file
    empty_instance(db)
    backup.import_partnership(backup.load(backup.dumps(data).encode()))
    db.session.commit()
    restored = db.session.scalar(db.select(Card))
    assert restored.title == "Закупить краски" and restored.language == "ru"
    assert db.session.scalars(db.select(Translation)).all() == []
