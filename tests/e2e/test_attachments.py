"""Photos of the flip charts from a phone: two photos attached to a workshop at 360 px, the
thumbnails in the gallery, one opened full size; axe on the gallery."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import expect

from sprintboard.extensions import db
from sprintboard.services import workshops


def _photo(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(out, "JPEG")
    return out.getvalue()


def test_two_photos_from_a_phone_land_in_the_workshop_gallery(page, live_server, world, log_in, axe_check):
    workshop = workshops.create_workshop(world.partnership, kind="custom", title="Kick-off", actor=None)
    db.session.commit()
    url = f"/p/{world.partnership.id}/workshops/{workshop.id}"
    page.set_viewport_size({"width": 360, "height": 800})
    log_in(page, world.users["member"])
    page.goto(url)
    panel = page.locator(f"#attachments-workshop-{workshop.id}")
    photos = panel.get_by_label("Take photos")
    assert photos.get_attribute("capture") == "environment" and photos.get_attribute("accept") == "image/*"
    photos.set_input_files(
        [
            {"name": "flipchart-1.jpg", "mimeType": "image/jpeg", "buffer": _photo("orange")},
            {"name": "flipchart-2.jpg", "mimeType": "image/jpeg", "buffer": _photo("teal")},
        ]
    )
    panel.get_by_role("button", name="Upload").click()
    gallery = page.locator(f"#attachments-workshop-{workshop.id} .gallery img")
    expect(gallery).to_have_count(2)
    expect(page.locator(f"#attachments-workshop-{workshop.id}-h")).to_have_text("2 files")
    # The thumbnails load (awaited: the browser may still be fetching them when the list is there;
    # through evaluate, not wait_for_function, whose polling evaluates a string: the CSP forbids it).
    widths = page.evaluate(
        """() => Promise.all([...document.querySelectorAll('.gallery img')].map(i => i.complete
            ? i.naturalWidth
            : new Promise(done => {
                i.addEventListener("load", () => done(i.naturalWidth), {once: true});
                i.addEventListener("error", () => done(0), {once: true});
              })))"""
    )
    assert len(widths) == 2 and all(width > 0 for width in widths)
    axe_check(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name="flipchart-1.jpg").click()
    page.wait_for_load_state()
    assert page.evaluate("document.images[0].naturalWidth") == 640
