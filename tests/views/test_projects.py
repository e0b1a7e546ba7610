from sprintboard.extensions import db
from sprintboard.models import Activity, Project
from sprintboard.services import board
from tests import factories


def _project(world):
    return db.session.scalar(db.select(Project).filter_by(partnership_id=world.partnership.id))


def test_project_list_counts_cards(world, as_role):
    p = world.partnership
    project = factories.project(p, "Youth exchange")
    done_index = next(i for i, c in enumerate(board.columns_of(p)) if c.is_done)
    factories.card(p, "open", project=project)
    factories.card(p, "finished", project=project, column=done_index)
    db.session.commit()
    page = as_role("observer").get(f"/p/{p.id}/projects/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in html
    assert "Youth exchange" in html and "1 of 2" in html and "New project" not in html
    assert 'aria-current="page">Projects</a>' in html
    fragment = as_role("member", htmx=True).get(f"/p/{p.id}/projects/").get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="project-list"') and "1 of 2" in fragment


def test_create_a_project(world, as_role):
    p = world.partnership
    client = as_role("member")
    assert "New project" in client.get(f"/p/{p.id}/projects/").get_data(as_text=True)
    assert client.get(f"/p/{p.id}/projects/new").status_code == 200
    response = client.post(
        f"/p/{p.id}/projects/new",
        data={
            "title": "Bridges",
            "summary": "A *festival*",
            "lead_city": p.cities[1].id,
            "status": "idea",
            "language": "de",
        },
    )
    assert response.status_code == 303
    project = _project(world)
    assert (project.title, project.lead_city_id, project.status, project.language) == (
        "Bridges",
        p.cities[1].id,
        "idea",
        "de",
    )
    assert response.headers["Location"].endswith(f"/projects/{project.id}")
    assert db.session.scalar(db.select(Activity).filter_by(verb="project.created")) is not None
    html = client.get(f"/p/{p.id}/projects/{project.id}").get_data(as_text=True)
    assert "<em>festival</em>" in html and "Hamburg" in html and "Idea" in html


def test_bad_projects_get_422(world, as_role):
    p = world.partnership
    client = as_role("member")
    for data in (
        {"title": ""},
        {"title": "x" * 201},
        {"title": "Ok", "status": "done"},
        {"title": "Ok", "lead_city": world.other.cities[0].id},
    ):
        response = client.post(f"/p/{p.id}/projects/new", data={"status": "active", **data})
        assert response.status_code == 422, data
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert _project(world) is None


def test_edit_a_project_and_the_board_shows_its_new_title(world, as_role):
    p = world.partnership
    project = factories.project(p, "Bridges")
    factories.card(p, "Find a venue", project=project)
    db.session.commit()
    client = as_role("member")
    assert "Bridges" in client.get(f"/p/{p.id}/board").get_data(as_text=True)  # cached from here
    form = client.get(f"/p/{p.id}/projects/{project.id}/edit").get_data(as_text=True)
    assert 'value="Bridges"' in form
    response = client.post(
        f"/p/{p.id}/projects/{project.id}/edit",
        data={"title": "Bridges 2027", "status": "active", "lead_city": ""},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Project, project.id).title == "Bridges 2027"
    assert "Bridges 2027" in client.get(f"/p/{p.id}/board").get_data(as_text=True)
    assert (
        client.post(
            f"/p/{p.id}/projects/{project.id}/edit", data={"title": "", "status": "active"}
        ).status_code
        == 422
    )


def test_project_page_lists_its_cards_by_column(world, as_role):
    p = world.partnership
    project = factories.project(p, "Bridges")
    card = factories.card(p, "Find a venue", project=project, column=2)
    factories.card(p, "Someone else's card")
    db.session.commit()
    html = as_role("observer").get(f"/p/{p.id}/projects/{project.id}").get_data(as_text=True)
    assert "Find a venue" in html and "Someone else" not in html
    assert f'/cards/{card.id}">Find a venue</a>' in html
    assert "Edit project" not in html
    fragment = as_role("member", htmx=True).get(f"/p/{p.id}/projects/{project.id}").get_data(as_text=True)
    assert fragment.lstrip().startswith('<article id="project-detail"') and "Edit project" in fragment
