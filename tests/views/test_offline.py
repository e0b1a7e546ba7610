"""What the offline parts need from the server: the worker at the root, the banner, a clean logout."""

import re
from datetime import timedelta


def test_the_service_worker_is_served_from_the_root_and_allowed_by_the_csp(client):
    r = client.get("/sw.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert r.headers["Cache-Control"] == "no-cache"  # a new worker is picked up at the next visit
    assert "worker-src 'self'" in r.headers["Content-Security-Policy"]
    assert "caches.open" in r.get_data(as_text=True)


def test_signed_in_pages_carry_the_translated_banner(world, as_role, client):
    world.users["member"].locale = "de"
    html = as_role("member").get(f"/p/{world.partnership.id}/board").get_data(as_text=True)
    banner = re.search(r'<section id="offline".*?</section>', html, re.S).group(0)
    assert " hidden " in banner and f'data-user="{world.users["member"].id}"' in banner
    assert "Keine Verbindung." in banner and "Alle Änderungen gespeichert." in banner


def test_logout_tells_the_browser_to_forget_what_it_kept(world, as_role):
    client = as_role("member")
    r = client.post("/logout")
    assert r.status_code == 303 and r.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_guests_get_the_banner_without_a_queue(world, client):
    html = client.get("/login").get_data(as_text=True)
    banner = re.search(r'<section id="offline".*?</section>', html, re.S).group(0)
    assert 'data-user=""' in banner
    assert "Forms cannot be sent until the connection is back." in banner
    assert "Changes are kept on this device" not in banner  # nothing is kept for a guest


def test_todays_workshops_and_their_methods_are_listed_to_keep_on_the_device(world, as_role):
    from sprintboard.extensions import db
    from sprintboard.services import workshops
    from sprintboard.timezones import partnership_today
    from tests.services.test_toolbox import make_method

    p = world.partnership
    today, other_day = workshops.timeline(p)[:2]
    today.start_date = today.end_date = partnership_today(p)
    other_day.start_date = other_day.end_date = partnership_today(p) + timedelta(days=2)
    method = make_method(world.admin, title="World café")
    workshops.add_agenda_item(today, "Café round", method=method, actor=None)
    workshops.add_agenda_item(other_day, "Another", actor=None)
    db.session.commit()

    r = as_role("member").get("/offline/today")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert r.json == {"keep": [f"/p/{p.id}/workshops/{today.id}", f"/toolbox/{method.slug}"]}
    assert as_role("outsider").get("/offline/today").json == {"keep": []}
    assert as_role(None).get("/offline/today").status_code == 302  # to the login page


def test_the_banner_is_each_persons_own_and_in_their_language(world, as_role, client):
    """The banner is kept once made (templating.kept_include), per person and language: one
    person's kept banner is never another's, nor in another's language."""

    def banner(response):
        html = response.get_data(as_text=True)
        return re.search(r'<section id="offline".*?</section>', html, re.S).group(0)

    url = f"/p/{world.partnership.id}/board"
    member, facilitator = world.users["member"], world.users["facilitator"]
    first = banner(as_role("member").get(url))
    assert f'data-user="{member.id}"' in first and "All changes saved." in first
    assert f'data-user="{facilitator.id}"' in banner(as_role("facilitator").get(url))
    member.locale = "ru"
    again = banner(as_role("member").get(url))
    assert f'data-user="{member.id}"' in again and "Все изменения сохранены." in again
    assert 'data-user=""' in banner(client.get("/login"))
