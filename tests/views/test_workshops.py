import sqlalchemy as sa

from sprintboard.extensions import db
from sprintboard.models import Workshop
from sprintboard.services import workshops
from tests import factories


def _url(world, tail=""):
    return f"/p/{world.partnership.id}/workshops/{tail}"


def _first(world):
    return workshops.timeline(world.partnership)[0]


def test_timeline_shows_the_standard_series_and_what_comes_next(world, as_role):
    html = as_role("observer").get(_url(world)).get_data(as_text=True)
    for title in ("Kick-off in Minsk", "Kick-off in Hamburg", "Match &amp; Sprint", "Sprint &amp; Succeed"):
        assert title in html
    assert "No workshop has been held yet." in html
    assert "Next:" in html
    assert "Add a workshop" not in html


def test_facilitator_adds_an_online_meeting(world, as_role):
    client = as_role("facilitator")
    response = client.post(
        _url(world),
        data={"kind": "online", "title": "Monthly call", "host_city": "", "start_date": "2026-06-01"},
    )
    assert response.status_code == 303
    assert db.session.scalar(sa.select(Workshop).where(Workshop.kind == "online")).title == "Monthly call"
    bad = client.post(_url(world), data={"kind": "custom", "title": ""})
    assert bad.status_code == 422


def test_dates_in_the_wrong_order_are_refused(world, as_role):
    w = _first(world)
    client = as_role("facilitator", htmx=True)
    response = client.post(
        _url(world, w.id),
        data={
            "title": "",
            "host_city": "",
            "start_date": "2026-05-02",
            "end_date": "2026-05-01",
            "venue": "Hall",
        },
    )
    assert response.status_code == 422
    assert "The end cannot be before the start." in response.get_data(as_text=True)
    db.session.expire_all()
    assert w.start_date is None and w.venue == ""


def test_edit_and_mark_held_answer_with_the_details_fragment(world, as_role):
    w = _first(world)
    city = world.partnership.cities[1]
    client = as_role("facilitator", htmx=True)
    response = client.post(
        _url(world, w.id),
        data={
            "title": "",
            "host_city": str(city.id),
            "start_date": "2026-01-10",
            "end_date": "2026-01-11",
            "venue": "Rathaus",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="workshop-details"')
    assert "Rathaus" in html and "Hamburg" in html
    response = client.post(_url(world, f"{w.id}/held"))
    assert "Mark as planned again" in response.get_data(as_text=True)
    db.session.expire_all()
    assert w.status == "held"


def test_agenda_add_reorder_delete(world, as_role):
    w = _first(world)
    client = as_role("facilitator", htmx=True)
    fac = world.users["facilitator"]
    client.post(
        _url(world, f"{w.id}/agenda"), data={"title": "Welcome", "duration": "15", "responsible": str(fac.id)}
    )
    response = client.post(_url(world, f"{w.id}/agenda"), data={"title": "World café", "duration": "60"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="agenda"') and "Total: 75 minutes" in html
    db.session.expire_all()
    second = w.agenda[1]
    client.post(_url(world, f"{w.id}/agenda/{second.id}/move"), data={"direction": "up"})
    db.session.expire_all()
    assert [i.title for i in w.agenda] == ["World café", "Welcome"]
    client.post(_url(world, f"{w.id}/agenda/{second.id}"), data={"title": "Open space", "duration": "45"})
    client.post(_url(world, f"{w.id}/agenda/{w.agenda[1].id}/delete"))
    db.session.expire_all()
    assert [(i.title, i.duration) for i in w.agenda] == [("Open space", 45)]
    bad = client.post(_url(world, f"{w.id}/agenda"), data={"title": "", "duration": "-3"})
    assert bad.status_code == 422


def test_outcomes_are_markdown_without_html(world, as_role):
    w = _first(world)
    client = as_role("facilitator")
    client.post(_url(world, f"{w.id}/outcomes"), data={"outcomes": "**Three** projects <script>x</script>"})
    html = as_role("facilitator").get(_url(world, w.id)).get_data(as_text=True)
    assert "<strong>Three</strong>" in html and "<script>x" not in html


def test_attendance_and_links_from_the_workshop_page(world, as_role):
    w = _first(world)
    p = world.partnership
    card = factories.card(p, "Idea from the café", actor=world.users["member"])
    db.session.commit()
    client = as_role("facilitator", htmx=True)
    data = {f"city-{c.id}": n for c, n in zip(p.cities, ("12", "7"), strict=True)}
    html = client.post(_url(world, f"{w.id}/attendance"), data=data).get_data(as_text=True)
    assert 'value="12"' in html and 'value="7"' in html
    bad = client.post(_url(world, f"{w.id}/attendance"), data={f"city-{p.cities[0].id}": "many"})
    assert bad.status_code == 422
    html = client.post(_url(world, f"{w.id}/links"), data={"card": str(card.id)}).get_data(as_text=True)
    assert "Card: Idea from the café" in html
    db.session.expire_all()
    assert card.workshop_id == w.id


def test_unlink_a_project(world, as_role):
    w = _first(world)
    project = factories.project(world.partnership, "Choir exchange")
    workshops.link(w, project=project, actor=None)
    db.session.commit()
    html = (
        as_role("facilitator", htmx=True)
        .post(_url(world, f"{w.id}/links/remove"), data={"project": str(project.id)})
        .get_data(as_text=True)
    )
    assert "Nothing linked yet." in html
    db.session.expire_all()
    assert project.workshop_id is None


def test_agenda_item_uses_a_toolbox_method_and_the_method_lists_the_workshop(world, as_role, app):
    from tests.services.test_toolbox import make_method

    w = _first(world)
    method = make_method(world.admin, title="World café")
    db.session.commit()
    client = as_role("facilitator")
    form = client.get(_url(world, f"{w.id}")).get_data(as_text=True)
    assert f'<option value="{method.id}">World café</option>' in form
    r = client.post(
        _url(world, f"{w.id}/agenda"),
        data={"title": "Café round", "duration": "45", "method": str(method.id)},
    )
    assert r.status_code == 303
    page = client.get(_url(world, f"{w.id}")).get_data(as_text=True)
    assert f'href="/toolbox/{method.slug}"' in page
    # The method page: the partnership's people see the workshop, others only a count.
    mine = as_role("member").get(f"/toolbox/{method.slug}").get_data(as_text=True)
    assert "Used in 1 workshop agenda." in mine and world.partnership.name in mine
    public = as_role(None).get(f"/toolbox/{method.slug}").get_data(as_text=True)
    assert "Used in 1 workshop agenda." in public and world.partnership.name not in public


def test_agenda_item_with_an_unknown_method_is_refused(world, as_role):
    w = _first(world)
    r = as_role("facilitator").post(
        _url(world, f"{w.id}/agenda"), data={"title": "Café round", "method": "99999"}
    )
    assert r.status_code == 422 and "not in the toolbox" in r.get_data(as_text=True)
    db.session.expire_all()
    assert not w.agenda


def test_an_upcoming_workshop_links_to_the_report_it_opens_with(world, as_role):
    first = _first(world)
    page = as_role("facilitator").get(_url(world, f"{first.id}")).text
    assert f'href="/p/{world.partnership.id}/reports/done-since-workshop"' in page
    first.status = "held"
    db.session.commit()
    page = as_role("facilitator").get(_url(world, f"{first.id}")).text
    assert "/reports/done-since-workshop" not in page


def test_every_label_of_the_workshop_page_points_at_its_own_field(world, as_role):
    """The details, agenda and outcomes forms share the page: no two elements share an id, so
    "Agenda item" does not label the workshop's title and "Outcomes" labels the text box."""
    import collections
    import re

    w = _first(world)
    workshops.add_agenda_item(w, "Welcome", actor=None)
    html = as_role("facilitator").get(_url(world, w.id)).get_data(as_text=True)
    ids = collections.Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1 and i != "csrf_token"] == []
    for target in re.findall(r'<label for="([^"]+)"', html):
        assert re.search(rf'<(input|select|textarea)[^>]*\sid="{re.escape(target)}"', html), target


def test_an_agenda_item_picked_from_the_toolbox_takes_its_title_and_duration(world, as_role):
    from tests.services.test_toolbox import make_method

    w = _first(world)
    method = make_method(world.admin, title="Gallery walk", duration_minutes=40)
    db.session.commit()
    client = as_role("facilitator")
    assert (
        client.post(
            _url(world, f"{w.id}/agenda?lang=ru"), data={"title": "", "method": str(method.id)}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert [(i.title, i.duration, i.method_id) for i in w.agenda] == [("Галерея", 40, method.id)]
    # Without a method, a title is still needed: 422, nothing added.
    assert client.post(_url(world, f"{w.id}/agenda"), data={"title": " "}).status_code == 422
    db.session.expire_all()
    assert len(w.agenda) == 1


def test_marking_a_future_workshop_held_answers_in_place_with_the_date_field(world, as_role):
    from datetime import timedelta

    from sprintboard.models.base import utcnow

    w = _first(world)
    w.start_date = utcnow().date() + timedelta(days=30)
    db.session.commit()
    for client in (as_role("facilitator", htmx=True), as_role("facilitator")):
        response = client.post(_url(world, f"{w.id}/held"))
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "A workshop in the future cannot be marked as held." in html
        # The date field is right there, open, with the reason beside it.
        assert 'id="start_date-error"' in html and "<details open>" in html
        assert 'name="start_date"' in html and w.start_date.isoformat() in html
        if client.htmx:
            assert html.lstrip().startswith('<section id="workshop-details"')
        else:
            assert "<h1" in html and "Mark as held" in html  # the workshop page, not an error page
    db.session.expire_all()
    assert w.status == "planned"


def test_marking_a_held_workshop_held_again_is_a_conflict_shown_in_place(world, as_role):
    from datetime import timedelta

    from sprintboard.models.base import utcnow

    w = _first(world)
    w.start_date = utcnow().date() - timedelta(days=1)
    w.status = "held"
    db.session.commit()
    response = as_role("facilitator", htmx=True).post(_url(world, f"{w.id}/held"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="workshop-details"')
    assert "This workshop is already marked as held." in html


def test_moving_a_kick_off_to_another_city_retitles_it(world, as_role):
    """The partner city's kick-off, saved with the standard title typed in, goes to Hamburg."""
    minsk, hamburg = world.partnership.cities[0], world.partnership.cities[1]
    first, second = [w for w in workshops.timeline(world.partnership) if w.kind == "kickoff"]
    second.host_city, second.title = minsk, "Kick-off in Minsk"
    db.session.commit()
    response = as_role("facilitator", htmx=True).post(
        _url(world, second.id),
        data={"title": "Kick-off in Minsk", "host_city": str(hamburg.id), "start_date": "", "end_date": ""},
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert workshops.workshop_title(second) == "Kick-off in Hamburg"
    titles = [workshops.workshop_title(w) for w in workshops.timeline(world.partnership)]
    assert titles.count("Kick-off in Minsk") == 1 and titles.count("Kick-off in Hamburg") == 1
    assert "Kick-off in Hamburg" in as_role("observer").get(_url(world)).get_data(as_text=True)
    # A title of one's own stays.
    as_role("facilitator", htmx=True).post(
        _url(world, first.id),
        data={"title": "Opening days", "host_city": str(hamburg.id), "start_date": "", "end_date": ""},
    )
    db.session.expire_all()
    assert workshops.workshop_title(first) == "Opening days"


def test_a_workshop_at_10_stays_at_10_local_across_the_dst_change(world, as_role, login):
    """Berlin leaves summer time on Sunday 25 October 2026. Planned in summer, the workshop the
    day after is still at 10:00 Berlin time; New York changes a week later, so a reader there sees
    it at 5:00 (and one on the Friday before at 4:00); a reader in Warsaw shows no second time."""
    from datetime import UTC, datetime

    import time_machine

    before, after = workshops.timeline(world.partnership)[:2]
    with time_machine.travel(datetime(2026, 7, 1, 9, 0, tzinfo=UTC), tick=False):
        client = as_role("facilitator", htmx=True)
        for w, day in ((before, "2026-10-23"), (after, "2026-10-26")):
            response = client.post(
                _url(world, w.id),
                data={
                    "title": "",
                    "host_city": "",
                    "start_date": day,
                    "start_time": "10:00",
                    "end_time": "12:30",
                },
            )
            assert response.status_code == 200
    world.users["member"].timezone = "America/New_York"
    world.users["observer"].timezone = "Europe/Warsaw"
    db.session.commit()
    with time_machine.travel(datetime(2026, 10, 26, 7, 0, tzinfo=UTC), tick=False):
        own = as_role("facilitator").get(_url(world, after.id)).get_data(as_text=True)
        far = as_role("member").get(_url(world, after.id)).get_data(as_text=True)
        near = as_role("observer").get(_url(world)).get_data(as_text=True)
        far_list = as_role("member").get(_url(world)).get_data(as_text=True)
    shown = '<time class="workshop-time" datetime="2026-10-26T10:00+01:00">10:00–12:30</time>'
    assert shown + " (Berlin)" in own
    assert "your time" not in own  # the facilitator has no zone of their own: the partnership's
    assert "10:00–12:30</time> (Berlin)" in far
    assert "your time: 05:00–07:30 (New York)" in far
    assert '<time class="workshop-time" datetime="2026-10-23T10:00+02:00">10:00–12:30</time>' in far_list
    assert "your time: 04:00–06:30 (New York)" in far_list
    assert "(Berlin)" in near and "your time" not in near  # Warsaw's clock shows the same


def test_a_readers_time_on_another_day_says_which_day(world, as_role):
    w = _first(world)
    response = as_role("facilitator", htmx=True).post(
        _url(world, w.id),
        data={"title": "", "host_city": "", "start_date": "2026-03-10", "start_time": "19:00"},
    )
    assert response.status_code == 200
    world.users["member"].timezone = "America/Los_Angeles"
    db.session.commit()
    html = as_role("member").get(_url(world, w.id)).get_data(as_text=True)
    assert "19:00</time> (Berlin)" in html
    assert " on Mar " not in html  # the same day there
    assert "your time: 11:00 (Los Angeles)" in html  # summer time there since 8 March
    world.users["member"].timezone = "Pacific/Auckland"
    db.session.commit()
    html = as_role("member").get(_url(world, w.id)).get_data(as_text=True)
    assert "your time: 07:00 on Mar 11, 2026 (Auckland)" in html


def test_workshop_times_in_the_wrong_order_or_without_a_date_are_refused(world, as_role):
    w = _first(world)
    client = as_role("facilitator", htmx=True)
    wrong = client.post(
        _url(world, w.id),
        data={
            "title": "",
            "host_city": "",
            "start_date": "2026-05-02",
            "start_time": "14:00",
            "end_time": "10:00",
        },
    )
    assert wrong.status_code == 422
    assert 'id="end_time-error"' in wrong.get_data(as_text=True)
    undated = client.post(_url(world, w.id), data={"title": "", "host_city": "", "start_time": "14:00"})
    assert undated.status_code == 422
    assert "Set the workshop&#39;s date before its times." in undated.get_data(as_text=True)
    garbled = client.post(
        _url(world, w.id),
        data={"title": "", "host_city": "", "start_date": "2026-05-02", "start_time": "25:99"},
    )
    assert garbled.status_code == 422
    db.session.expire_all()
    assert w.start_date is None and w.start_time is None and w.end_time is None
    # Over several days the end time is on the last day: earlier than the start time is fine.
    ok = client.post(
        _url(world, w.id),
        data={
            "title": "",
            "host_city": "",
            "start_date": "2026-05-02",
            "end_date": "2026-05-03",
            "start_time": "14:00",
            "end_time": "12:00",
        },
    )
    assert ok.status_code == 200
    assert "time zone: Berlin." in ok.get_data(as_text=True)


def test_corrected_dates_bring_what_was_recorded_on_them_into_the_outcomes(world, as_role):
    """Next year's date typed by mistake, corrected to today: the outcomes list today's entries."""
    from datetime import timedelta

    from sprintboard.models.base import utcnow

    w = _first(world)
    factories.actor(world.partnership, 0, name="Gymnasium Ottensen")
    db.session.commit()
    today = utcnow().date()
    client = as_role("facilitator", htmx=True)
    data = {"title": "", "host_city": str(w.host_city_id), "end_date": "", "venue": ""}
    next_year = (today + timedelta(days=365)).isoformat()
    wrong = client.post(_url(world, w.id), data={**data, "start_date": next_year})
    assert "Gymnasium Ottensen" not in wrong.get_data(as_text=True)
    right = client.post(_url(world, w.id), data={**data, "start_date": today.isoformat()})
    html = right.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="workshop-details"')
    outcomes = html[html.index('<section id="outcomes"') :]
    assert 'data-hx-swap-oob="true"' in outcomes.split(">", 1)[0]
    assert "Recorded during this workshop" in outcomes and "Gymnasium Ottensen" in outcomes


def test_a_refused_agenda_item_edit_keeps_what_was_typed(world, as_role):
    w = _first(world)
    item = workshops.add_agenda_item(w, "Welcome", duration=15, actor=world.users["facilitator"])
    db.session.commit()
    typed = {"title": "Welcome round", "duration": "9999", "notes": "Names and one wish each"}
    for client in (as_role("facilitator", htmx=True), as_role("facilitator")):
        response = client.post(_url(world, f"{w.id}/agenda/{item.id}"), data=typed)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "was not saved" in html and f'id="ai-error-{item.id}"' in html
        assert 'value="Welcome round"' in html and "Names and one wish each</textarea>" in html
        assert 'value="9999"' in html and "<details open>" in html
    db.session.expire_all()
    assert item.title == "Welcome" and item.duration == 15
