"""Attachments through HTTP: uploading photos and documents to cards, workshops and funding ideas,
what is served back (type, disposition, no metadata), refusals, limits, deleting."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import pytest
from PIL import Image

from sprintboard import storage
from sprintboard.extensions import db
from sprintboard.models import Activity, Attachment, Card
from tests import factories

GPS = 0x8825


def jpeg_with_gps(size=(60, 40), orientation=None) -> bytes:
    image = Image.new("RGB", size, "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(GPS)
    gps.update({1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 36.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def png(size=(30, 20), colour="teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def heic(size=(64, 48)) -> bytes:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, "HEIF")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def multipart(name: str, content: bytes) -> bytes:
    """A multipart body with one file, its name sent raw (RFC 2231), as a hostile client may."""
    return (
        b"--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename*=UTF-8''"
        + quote(name, safe="").encode()
        + b"\r\nContent-Type: text/html\r\n\r\n"
        + content
        + b"\r\n--XyZ--\r\n"
    )


@pytest.fixture
def card(world):
    card = factories.card(world.partnership, "Flip charts", actor=world.users["facilitator"])
    db.session.commit()
    return card


def upload(client, card, *files, **kw):
    data = {"files": [(io.BytesIO(body), name) for name, body in files]}
    return client.post(
        f"/p/{card.partnership_id}/cards/{card.id}/attachments",
        data=data,
        content_type="multipart/form-data",
        **kw,
    )


def rows(card=None) -> list[Attachment]:
    db.session.expire_all()
    query = db.select(Attachment).order_by(Attachment.id)
    if card is not None:
        query = query.where(Attachment.card_id == card.id)
    return list(db.session.scalars(query))


def fetch(client, attachment, suffix=""):
    response = client.get(f"/p/{attachment.partnership_id}/attachments/{attachment.id}{suffix}")
    response.get_data()
    response.close()  # the stored file is open until the response is closed
    return response


def test_a_phone_photo_loses_its_gps_and_is_turned_upright(card, as_role):
    member = as_role("member")
    response = upload(member, card, ("IMG_0001.jpg", jpeg_with_gps(orientation=6)))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/cards/{card.id}#attachments-card-{card.id}")
    [attachment] = rows(card)
    served = fetch(member, attachment)
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Content-Disposition"].startswith("inline")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (40, 60)  # orientation 6 applied before the metadata went
    exif = image.getexif()
    assert not exif.get_ifd(GPS) and 0x010F not in exif and 0x0112 not in exif
    assert b"Exif" not in served.data and b"taken at home" not in served.data
    thumb = fetch(member, attachment, "/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(thumb.data)).size == (40, 60)
    assert b"Exif" not in thumb.data


def test_the_card_page_shows_the_thumbnail_and_the_board_a_count(card, as_role, world):
    member = as_role("member")
    revision = card.revision
    upload(member, card, ("wall.png", png()), ("call.pdf", PDF))
    db.session.expire_all()
    fresh = db.session.get(Card, card.id)
    assert fresh.attachment_count == 2 and fresh.revision > revision
    page = as_role("observer").get(f"/p/{card.partnership_id}/cards/{card.id}")
    html = page.get_data(as_text=True)
    photo, pdf = rows(card)
    assert f'src="/p/{card.partnership_id}/attachments/{photo.id}/thumbnail"' in html
    assert f'href="/p/{card.partnership_id}/attachments/{pdf.id}" download>call.pdf</a>' in html
    assert "2 files" in html
    assert 'enctype="multipart/form-data"' not in html  # observers get no upload form
    board = member.get(f"/p/{card.partnership_id}/board").get_data(as_text=True)
    assert '<span class="files">2 files</span>' in board
    verbs = db.session.scalars(db.select(Activity.verb).where(Activity.subject_id == card.id)).all()
    assert verbs.count("card.attached") == 2


def test_several_photos_at_once_with_htmx_answer_the_panel(card, as_role):
    response = upload(as_role("member", htmx=True), card, ("a.png", png()), ("b.png", png(colour="red")))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<section id="attachments-card-{card.id}"')
    assert body.count('<img src="') == 2 and "2 files" in body
    assert "sb:card-changed" in response.headers["HX-Trigger"]


def test_an_iphone_photo_becomes_a_jpeg(card, as_role):
    member = as_role("member")
    upload(member, card, ("IMG_4032.HEIC", heic()))
    [attachment] = rows(card)
    assert attachment.filename == "IMG_4032.jpg" and attachment.content_type == "image/jpeg"
    served = fetch(member, attachment)
    assert Image.open(io.BytesIO(served.data)).format == "JPEG"
    assert (attachment.width, attachment.height) == (64, 48)


def test_a_pdf_is_served_as_a_download(card, as_role):
    member = as_role("member")
    upload(member, card, ("Call for proposals.pdf", PDF))
    [attachment] = rows(card)
    served = fetch(as_role("observer"), attachment)
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["Content-Disposition"] == 'attachment; filename="Call for proposals.pdf"'
    assert served.data == PDF
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert fetch(member, attachment, "/thumbnail").status_code == 404


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("holiday.jpg", b"<html><script>alert(1)</script></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("archive.zip", b"PK\x03\x04" + b"\0" * 60),
        ("tool.exe", b"MZ" + b"\0" * 200),
    ],
)
def test_files_of_other_types_are_refused(card, as_role, name, body):
    response = upload(as_role("member"), card, (name, body))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "cannot be attached" in html and "<html" in html
    assert 'enctype="multipart/form-data"' in html  # the form again, not a dead end
    assert rows() == []


def test_the_refusal_is_translated(card, as_role, world):
    world.users["member"].locale = "de"
    db.session.commit()
    response = upload(as_role("member", htmx=True), card, ("x.exe", b"MZ" + b"\0" * 200))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "kann nicht angehängt werden" in body and "cannot be attached" not in body


def test_an_empty_file_and_no_file_are_refused(card, as_role):
    member = as_role("member")
    response = upload(member, card, ("empty.pdf", b""))
    assert response.status_code == 422 and "is empty" in response.get_data(as_text=True)
    none = member.post(f"/p/{card.partnership_id}/cards/{card.id}/attachments", data={})
    assert none.status_code == 422 and "Choose at least one file" in none.get_data(as_text=True)
    assert rows() == []


def test_a_decompression_bomb_is_refused(card, as_role):
    bomb = io.BytesIO()
    Image.new("1", (12000, 12000)).save(bomb, "PNG")  # 144 million pixels in a few KB
    assert len(bomb.getvalue()) < 100_000
    response = upload(as_role("member"), card, ("bomb.png", bomb.getvalue()))
    assert response.status_code == 422
    assert "too many pixels" in response.get_data(as_text=True)
    assert rows() == []


def test_a_broken_image_is_refused(card, as_role):
    response = upload(as_role("member"), card, ("broken.png", png()[:60]))
    assert response.status_code == 422 and "could not be read" in response.get_data(as_text=True)


def test_one_bad_file_refuses_the_whole_upload(card, as_role):
    response = upload(as_role("member"), card, ("ok.pdf", PDF), ("bad.exe", b"MZ" + b"\0" * 200))
    assert response.status_code == 422 and rows() == []


def test_a_hostile_file_name_is_cleaned_and_encoded(card, as_role):
    member = as_role("member")
    name = '../../etc/"Отчёт"\r\nSet-Cookie: x.pdf'  # sent raw (RFC 2231), as no browser would
    body = multipart(name, PDF)
    response = member.post(
        f"/p/{card.partnership_id}/cards/{card.id}/attachments",
        data=body,
        content_type="multipart/form-data; boundary=XyZ",
        headers={"X-CSRFToken": member.csrf_token()},
    )
    assert response.status_code == 303
    [attachment] = rows(card)
    assert attachment.filename == '"Отчёт"Set-Cookie: x.pdf'
    disposition = fetch(member, attachment).headers["Content-Disposition"]
    assert "\n" not in disposition and "\r" not in disposition
    assert "filename*=UTF-8''" + quote('"Отчёт"Set-Cookie: x.pdf', safe="!#$&+^`|~") in disposition
    key = attachment.storage_key
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    path = storage.current().path(key)
    assert path.is_file() and path.read_bytes() == PDF


def test_a_file_over_the_limit_gets_413(app, card, as_role):
    app.config["UPLOAD_MAX_BYTES"] = 1000
    try:
        response = upload(as_role("member"), card, ("big.pdf", PDF + b"x" * 2000))
        assert response.status_code == 413
        assert "is larger than 1,000 B" in response.get_data(as_text=True)
        member = as_role("member")
        body = multipart("huge.pdf", PDF + b"x" * 400_000)  # more than 10 files of 1,000 B may take
        whole = member.post(
            f"/p/{card.partnership_id}/cards/{card.id}/attachments",
            data=body,
            content_type="multipart/form-data; boundary=XyZ",
            headers={"X-CSRFToken": member.csrf_token()},
        )
        assert whole.status_code == 413
        assert "a file may have at most 1,000 B" in whole.get_data(as_text=True)
    finally:
        app.config["UPLOAD_MAX_BYTES"] = 20 * 1024 * 1024
    assert rows() == []


def test_the_partnership_quota_gets_413_and_facilitators_see_the_usage(app, card, as_role):
    upload(as_role("member"), card, ("a.pdf", PDF))
    app.config["UPLOAD_QUOTA_BYTES"] = len(PDF) + 10
    try:
        response = upload(as_role("member"), card, ("b.pdf", PDF + b"more"))
        assert response.status_code == 413
        assert "may take 55 B in all; 45 B are used" in response.get_data(as_text=True)
        page = as_role("facilitator").get(f"/p/{card.partnership_id}/cards/{card.id}")
        assert "Files of this partnership: 45 B of 55 B." in page.get_data(as_text=True)
        member_page = as_role("member").get(f"/p/{card.partnership_id}/cards/{card.id}")
        assert "Files of this partnership" not in member_page.get_data(as_text=True)
    finally:
        app.config["UPLOAD_QUOTA_BYTES"] = 2048 * 1024 * 1024
    assert len(rows()) == 1


def test_observers_cannot_upload_and_outsiders_see_nothing(card, as_role, world):
    assert upload(as_role("observer"), card, ("a.pdf", PDF)).status_code == 403
    upload(as_role("member"), card, ("a.pdf", PDF))
    [attachment] = rows()
    assert fetch(as_role("outsider"), attachment).status_code == 404
    other_partnership = f"/p/{world.other.id}/attachments/{attachment.id}"
    assert as_role("facilitator").get(other_partnership).status_code == 404
    assert as_role(None).get(f"/p/{card.partnership_id}/attachments/{attachment.id}").status_code == 302


def test_an_archived_card_takes_no_files(card, as_role, world):
    from sprintboard.services import cards

    cards.archive_card(card, actor=world.users["member"])
    db.session.commit()
    response = upload(as_role("member"), card, ("a.pdf", PDF))
    assert response.status_code == 422 and "archived" in response.get_data(as_text=True)
    assert rows() == []


def test_the_uploader_or_a_facilitator_deletes_and_the_file_goes(card, as_role, world, app, login):
    upload(as_role("member"), card, ("a.pdf", PDF), ("b.png", png()))
    pdf, photo = rows(card)
    files = storage.current()
    delete = f"/p/{card.partnership_id}/attachments/{{}}/delete"
    other = factories.member(world.partnership, "member", email="mia@example.org")
    stranger = login(app.test_client(), other)
    assert stranger.post(delete.format(pdf.id)).status_code == 403
    assert len(rows(card)) == 2
    keys = pdf.storage_key, photo.storage_key, photo.thumbnail_key
    assert all(files.exists(k) for k in keys)
    assert as_role("member").post(delete.format(pdf.id)).status_code == 303
    assert not files.exists(keys[0]) and files.exists(keys[1])
    assert as_role("facilitator").post(delete.format(photo.id)).status_code == 303
    assert not files.exists(keys[1]) and not files.exists(keys[2])
    db.session.expire_all()
    assert rows(card) == [] and db.session.get(Card, card.id).attachment_count == 0
    verbs = db.session.scalars(db.select(Activity.verb).where(Activity.subject_id == card.id)).all()
    assert verbs.count("card.detached") == 2


def test_a_file_shared_by_two_attachments_stays_until_the_last_goes(card, as_role, world):
    second = factories.card(world.partnership, "Also", actor=world.users["member"])
    db.session.commit()
    member = as_role("member")
    upload(member, card, ("a.pdf", PDF))
    upload(member, second, ("same.pdf", PDF))
    first, other = rows()
    key = first.storage_key
    assert other.storage_key == key
    member.post(f"/p/{card.partnership_id}/attachments/{first.id}/delete")
    assert storage.current().exists(key)
    member.post(f"/p/{card.partnership_id}/attachments/{other.id}/delete")
    assert not storage.current().exists(key)


def test_workshop_outcomes_get_a_gallery(as_role, world):
    from sprintboard.services import workshops

    workshop = workshops.create_workshop(world.partnership, kind="custom", title="Kick-off", actor=None)
    db.session.commit()
    url = f"/p/{world.partnership.id}/workshops/{workshop.id}"
    response = as_role("member").post(
        url + "/attachments",
        data={"files": [(io.BytesIO(png()), "flipchart.png"), (io.BytesIO(jpeg_with_gps()), "wall.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"{url}#attachments-workshop-{workshop.id}"
    )
    html = as_role("observer").get(url).get_data(as_text=True)
    assert html.count('class="gallery"') == 1 and html.count("/thumbnail") == 2
    assert [a.workshop_id for a in rows()] == [workshop.id, workshop.id]


def test_a_funding_idea_keeps_the_call_and_the_draft(as_role, world):
    idea = factories.funding_idea(world.partnership, actor=world.users["member"])
    db.session.commit()
    url = f"/p/{world.partnership.id}/funding/{idea.id}"
    response = as_role("member").post(
        url + "/attachments",
        data={"files": [(io.BytesIO(PDF), "call.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    html = as_role("observer").get(url).get_data(as_text=True)
    assert ">call.pdf</a>" in html


def test_files_go_to_s3_compatible_storage_when_a_bucket_is_set(app, card, as_role, s3_endpoint):
    from sprintboard.storage.s3 import S3Storage
    from tests.conftest import new_bucket, s3_client

    bucket = new_bucket(s3_endpoint)
    saved = app.extensions.get("sprintboard.storage")
    app.extensions["sprintboard.storage"] = S3Storage(s3_client(s3_endpoint), bucket, "sb/")
    try:
        member = as_role("member")
        upload(member, card, ("wall.jpg", jpeg_with_gps()), ("call.pdf", PDF))
        photo, pdf = rows(card)
        listed = s3_client(s3_endpoint).list_objects_v2(Bucket=bucket)["Contents"]
        assert sorted(o["Key"] for o in listed) == sorted(
            f"sb/{k}" for k in (photo.storage_key, photo.thumbnail_key, pdf.storage_key)
        )
        served = fetch(member, pdf)
        assert served.data == PDF and served.headers["Content-Disposition"].startswith("attachment")
        image = Image.open(io.BytesIO(fetch(member, photo).data))
        assert not image.getexif().get_ifd(GPS)
        key = pdf.storage_key
        member.post(f"/p/{card.partnership_id}/attachments/{pdf.id}/delete")
        left = s3_client(s3_endpoint).list_objects_v2(Bucket=bucket)["Contents"]
        assert f"sb/{key}" not in {o["Key"] for o in left} and len(left) == 2
    finally:
        app.extensions["sprintboard.storage"] = saved


def test_deleting_a_funding_idea_removes_its_files(as_role, world):
    idea = factories.funding_idea(world.partnership, actor=world.users["member"])
    db.session.commit()
    base = f"/p/{world.partnership.id}/funding/{idea.id}"
    member = as_role("member")
    member.post(
        base + "/attachments",
        data={"files": [(io.BytesIO(PDF + b"draft"), "draft.pdf")]},
        content_type="multipart/form-data",
    )
    [attachment] = rows()
    key = attachment.storage_key
    assert storage.current().exists(key)
    assert member.post(base + "/delete").status_code in (303, 200)
    assert rows() == [] and not storage.current().exists(key)
