import pytest

from sprintboard.extensions import db
from sprintboard.services import DomainError, board, cards, projects
from tests import factories


def test_create_and_update_a_project(world, ctx):
    p, f = world.partnership, world.users["member"]
    project = projects.create_project(
        p,
        " Youth  exchange ",
        summary="Summer camp",
        lead_city=p.cities[1],
        status="idea",
        language="de",
        actor=f,
    )
    assert (project.title, project.lead_city, project.status) == ("Youth exchange", p.cities[1], "idea")
    changed = projects.update_project(
        project,
        title="Youth exchange",
        summary="Camp",
        lead_city=None,
        status="active",
        language=None,
        actor=f,
    )
    assert changed == ["summary", "lead_city_id", "status", "language"]


@pytest.mark.parametrize("kw", [{"title": ""}, {"title": "x" * 201}, {"status": "done"}])
def test_bad_projects_are_refused(world, ctx, kw):
    values = {"title": "Ok", "status": "active", **kw}
    with pytest.raises(DomainError):
        projects.create_project(world.partnership, values.pop("title"), actor=None, **values)


def test_a_lead_city_of_another_partnership_is_refused(world, ctx):
    with pytest.raises(DomainError):
        projects.create_project(world.partnership, "Ok", lead_city=world.other.cities[0], actor=None)


def test_card_counts_per_project_leave_archived_cards_out(world, ctx):
    p, f = world.partnership, world.users["member"]
    a, b = factories.project(p, "A", actor=f), factories.project(p, "B", actor=f)
    done_index = next(i for i, c in enumerate(board.columns_of(p)) if c.is_done)
    factories.card(p, "a1", project=a, actor=f)
    factories.card(p, "a2", project=a, column=done_index, actor=f)
    cards.archive_card(factories.card(p, "a3", project=a, actor=f), actor=f)
    factories.card(p, "loose", actor=f)
    db.session.commit()
    assert projects.card_counts(p) == {a.id: (1, 2)}
    assert b.id not in projects.card_counts(p)


def test_cards_by_column_follow_the_board_order(world, ctx):
    p, f = world.partnership, world.users["member"]
    project = factories.project(p, actor=f)
    factories.card(p, "second", project=project, column=2, actor=f)
    factories.card(p, "first", project=project, column=0, actor=f)
    factories.card(p, "not ours", column=0, actor=f)
    grouped = projects.cards_by_column(project)
    assert [c.name for c, _cards in grouped] == [c.name for c in board.columns_of(p)]
    assert [[card.title for card in cs] for _c, cs in grouped][:3] == [["first"], [], ["second"]]
