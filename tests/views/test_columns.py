from sprintboard.extensions import db
from sprintboard.models import BoardColumn, Card, Label, Partnership
from sprintboard.services import board
from tests import factories


def settings(p):
    return f"/p/{p.id}/board/settings/"


def columns(p):
    db.session.expire_all()
    return board.columns_of(db.session.get(Partnership, p.id))


def column_data(column, **changes):
    data = {
        "name": column.name,
        "wip_limit": column.wip_limit or "",
        "is_done": "y" if column.is_done else "",
    }
    data.update(changes)
    return {f"column-{column.id}-{k}": v for k, v in data.items() if v != ""}


def test_settings_page_per_role(world, as_role):
    p = world.partnership
    factories.label(p, "Funding", "green")
    db.session.commit()
    observer = as_role("observer").get(settings(p).rstrip("/")).get_data(as_text=True)
    assert "Backlog" in observer and "Funding" in observer
    assert '<form method="post"' not in observer.split('id="columns"')[1]
    member = as_role("member").get(settings(p).rstrip("/")).get_data(as_text=True)
    assert "Add label" in member and "Add column" not in member
    facilitator = as_role("facilitator").get(settings(p).rstrip("/")).get_data(as_text=True)
    assert "Add label" in facilitator and "Add column" in facilitator and "Move down" in facilitator


def test_rename_limit_and_mark_done(world, as_role):
    p = world.partnership
    column = columns(p)[2]
    client = as_role("facilitator")
    assert "Doing" not in client.get(f"/p/{p.id}/board").get_data(as_text=True)  # cached from here
    response = client.post(
        f"{settings(p)}columns/{column.id}",
        data=column_data(column, name="Doing", wip_limit="3", is_done="y"),
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("#columns")
    column = columns(p)[2]
    assert (column.name, column.wip_limit, column.is_done) == ("Doing", 3, True)
    assert "Doing" in client.get(f"/p/{p.id}/board").get_data(as_text=True)
    fragment = as_role("facilitator", htmx=True).post(
        f"{settings(p)}columns/{column.id}", data=column_data(column, wip_limit="", is_done="")
    )
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and html.lstrip().startswith('<section id="columns"')
    assert columns(p)[2].wip_limit is None and not columns(p)[2].is_done


def test_bad_column_settings_get_422(world, as_role):
    p = world.partnership
    column = columns(p)[1]
    client = as_role("facilitator", htmx=True)
    for changes in (
        {"wip_limit": "0"},
        {"wip_limit": "-3"},
        {"wip_limit": "many"},
        {"name": ""},
        {"name": "x" * 61},
    ):
        response = client.post(f"{settings(p)}columns/{column.id}", data=column_data(column, **changes))
        assert response.status_code == 422, changes
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert (columns(p)[1].name, columns(p)[1].wip_limit) == (column.name, None)


def test_the_last_open_column_stays_open(world, as_role):
    p = world.partnership
    for column in columns(p)[1:]:
        column.is_done = True
    db.session.commit()
    first = columns(p)[0]
    response = as_role("facilitator").post(
        f"{settings(p)}columns/{first.id}", data=column_data(first, is_done="y")
    )
    assert response.status_code == 422
    assert "must stay open" in response.get_data(as_text=True)
    assert not columns(p)[0].is_done


def test_add_move_and_delete_columns(world, as_role):
    p = world.partnership
    client = as_role("facilitator")
    assert client.post(f"{settings(p)}columns", data={"new-column-name": "Blocked"}).status_code == 303
    assert columns(p)[-1].name == "Blocked"
    assert client.post(f"{settings(p)}columns", data={"new-column-name": " "}).status_code == 422
    names = [c.name for c in columns(p)]
    blocked = columns(p)[-1]
    assert client.post(f"{settings(p)}columns/{blocked.id}/move", data={"direction": "up"}).status_code == 303
    assert [c.name for c in columns(p)] == [*names[:-2], "Blocked", names[-2]]
    assert (
        client.post(f"{settings(p)}columns/{blocked.id}/move", data={"direction": "sideways"}).status_code
        == 422
    )
    blocked_id = blocked.id
    assert client.post(f"{settings(p)}columns/{blocked_id}/delete").status_code == 303
    db.session.expire_all()
    assert db.session.get(BoardColumn, blocked_id) is None


def test_a_column_with_cards_is_not_deleted(world, as_role):
    p = world.partnership
    card = factories.card(p, column=1)
    db.session.commit()
    response = as_role("facilitator", htmx=True).post(f"{settings(p)}columns/{card.column_id}/delete")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "still holds 1 card" in html
    assert html.lstrip().startswith('<section id="columns"')
    assert db.session.get(BoardColumn, card.column_id) is not None


def test_labels_by_members(world, as_role):
    p = world.partnership
    client = as_role("member")
    response = client.post(
        f"{settings(p)}labels", data={"new-label-name": "Funding", "new-label-colour": "green"}
    )
    assert response.status_code == 303
    label = db.session.scalar(db.select(Label).filter_by(partnership_id=p.id))
    assert (label.name, label.colour) == ("Funding", "green")
    for data in (
        {"new-label-name": "x" * 41, "new-label-colour": "blue"},
        {"new-label-name": "funding", "new-label-colour": "blue"},
        {"new-label-name": "Other", "new-label-colour": "pink"},
    ):
        assert client.post(f"{settings(p)}labels", data=data).status_code == 422, data
    card = factories.card(p)
    card.labels = [label]
    db.session.commit()
    assert "Funding" in client.get(f"/p/{p.id}/board").get_data(as_text=True)  # cached from here
    fragment = as_role("member", htmx=True).post(
        f"{settings(p)}labels/{label.id}",
        data={f"label-{label.id}-name": "Money", f"label-{label.id}-colour": "teal"},
    )
    assert fragment.status_code == 200
    assert fragment.get_data(as_text=True).lstrip().startswith('<section id="labels"')
    db.session.expire_all()
    assert db.session.get(Label, label.id).name == "Money"
    board = client.get(f"/p/{p.id}/board").get_data(as_text=True)
    assert "Money" in board and "Funding" not in board.split('id="board"')[1]
    label_id = label.id
    assert client.post(f"{settings(p)}labels/{label_id}/delete").status_code == 303
    db.session.expire_all()
    assert db.session.get(Label, label_id) is None and db.session.get(Card, card.id).labels == []
