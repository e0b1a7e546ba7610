from datetime import datetime

from tests import factories


def test_report_lists_done_cards_per_project_and_city(world, as_role):
    p = world.partnership
    project = factories.project(p, "Choir exchange")
    card = factories.card(p, "Song book", actor=world.users["member"], project=project)
    card.done_at = datetime(2026, 3, 20)
    factories.card(p, "Still open", actor=world.users["member"])
    from sprintboard.extensions import db

    db.session.commit()
    client = as_role("observer")
    html = client.get(f"/p/{p.id}/reports/done-since-workshop").get_data(as_text=True)
    assert "No workshop has been held yet" in html
    assert "Choir exchange" in html and "Song book" in html and "Still open" not in html
    assert "1 card done (0 points)." in html
    home = client.get(f"/p/{p.id}").get_data(as_text=True)
    assert "Done since the last workshop" in home and "Song book" in home
