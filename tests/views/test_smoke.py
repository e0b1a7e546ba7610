def test_pages_render(world, as_role):
    c = as_role("facilitator")
    pid = world.partnership.id
    urls = ["/", f"/p/{pid}", f"/p/{pid}/members/", f"/p/{pid}/activity", f"/p/{pid}/edit", "/account"]
    for url in urls:
        r = c.get(url)
        assert r.status_code == 200, (url, r.status_code, r.get_data(as_text=True)[:2000])
