"""What the offline parts need from the server: the worker at the root, the banner, a clean logout."""

import re


def test_the_service_worker_is_served_from_the_root_and_allowed_by_the_csp(client):
    r = client.get("/sw.js")
    assert r.status_code == 200 and r.mimetype == "text/javascript"
    assert r.headers["Cache-Control"] == "no-cache"  # a new worker is picked up at the next visit
    assert "worker-src 'self'" in r.headers["Content-Security-Policy"]
    assert "caches.open" in r.get_data(as_text=True)


def test_signed_in_pages_carry_the_translated_banner_and_guests_none(world, as_role, client):
    world.users["member"].locale = "de"
    html = as_role("member").get(f"/p/{world.partnership.id}/board").get_data(as_text=True)
    banner = re.search(r'<section id="offline".*?</section>', html, re.S).group(0)
    assert " hidden " in banner and f'data-user="{world.users["member"].id}"' in banner
    assert "Keine Verbindung." in banner and "Alle Änderungen gespeichert." in banner
    assert 'id="offline"' not in client.get("/login").get_data(as_text=True)


def test_logout_tells_the_browser_to_forget_what_it_kept(world, as_role):
    client = as_role("member")
    r = client.post("/logout")
    assert r.status_code == 303 and r.headers["Clear-Site-Data"] == '"cache", "storage"'
