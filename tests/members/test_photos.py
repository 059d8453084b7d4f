"""Profile photos: re-encoded to a 320×320 JPEG without EXIF, bad files refused with
nothing left behind, old files removed, initials when there is none."""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from collab.audit.models import AuditEvent
from collab.extensions import db
from collab.members.models import Profile
from tests import factories
from tests.members.helpers import (
    field_error,
    image_bytes,
    jpeg_with_exif,
    png_bomb,
    storage_root,
    stored_files,
    text_of,
    upload,
)


@pytest.fixture
def me():
    return factories.make_user("Kadri Tamm")


def send(client, user, data: bytes, filename: str = "me.jpg"):
    return client.post(
        f"/members/{user.username}/photo",
        data=upload(data, filename),
        content_type="multipart/form-data",
    )


def photo_key(user) -> str | None:
    db.session.expire_all()
    profile = db.session.get(Profile, user.id)
    return profile.photo_key if profile else None


def test_uploaded_jpeg_is_stored_as_a_320_square_jpeg_without_exif(me, login):
    original = jpeg_with_exif((1200, 800))
    assert Image.open(io.BytesIO(original)).getexif()[0x010F] == "SpyCam Industries"
    client = login(me)
    response = send(client, me, original)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/members/{me.username}/edit"
    assert "Your photo is updated." in text_of(client.get(response.headers["Location"]))

    served = client.get(f"/members/{me.username}/photo")
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    key = photo_key(me)
    assert stored_files() == [key]
    on_disk = (storage_root() / key).read_bytes()
    assert on_disk == served.data
    for data in (served.data, on_disk):
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert image.size == (320, 320)
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
        assert b"SpyCam" not in data and b"X-7f3a" not in data


def test_stored_name_is_generated_not_the_uploaded_file_name(me, login):
    send(login(me), me, jpeg_with_exif(), filename="../../etc/passwd.jpg")
    [name] = stored_files()
    assert name.startswith("photos/") and "passwd" not in name


def test_portrait_photo_is_cropped_to_a_square_not_squashed(me, login):
    image = Image.new("RGB", (300, 900), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 300, 300))  # red top third, blue below
    out = io.BytesIO()
    image.save(out, "PNG")
    client = login(me)
    send(client, me, out.getvalue(), "tall.png")
    stored = Image.open(io.BytesIO(client.get(f"/members/{me.username}/photo").data))
    red, green, blue = stored.convert("RGB").getpixel((160, 160))
    assert blue > 200 and red < 60  # the centre of the photo, not the top


@pytest.mark.parametrize(
    ("fmt", "mode", "filename"),
    [
        ("PNG", "RGB", "me.png"),
        ("PNG", "RGBA", "transparent.png"),
        ("PNG", "P", "palette.png"),
        ("WEBP", "RGB", "me.webp"),
        ("JPEG", "L", "grey.jpeg"),
        ("JPEG", "CMYK", "print.jpg"),
    ],
)
def test_png_webp_and_jpeg_variants_are_accepted(me, login, fmt, mode, filename):
    color = (10, 200, 30, 128) if mode == "RGBA" else None
    data = image_bytes(
        fmt, (640, 480), mode=mode, color=color if color else (10 if mode == "L" else 0)
    )
    client = login(me)
    assert send(client, me, data, filename).status_code == 302
    image = Image.open(io.BytesIO(client.get(f"/members/{me.username}/photo").data))
    assert (image.format, image.size) == ("JPEG", (320, 320))
    assert len(stored_files()) == 1


FIVE_MIB = 5 * 1024 * 1024
REFUSED = {
    "gif": (image_bytes("GIF", (200, 200), mode="P", color=1), "me.gif", "JPEG, PNG"),
    "gif-named-jpg": (
        image_bytes("GIF", (200, 200), mode="P", color=1),
        "me.jpg",
        "JPEG, PNG",
    ),
    "text-renamed-jpg": (b"Dear colleagues,\nthis is not a photo.\n", "me.jpg", None),
    "html-renamed-png": (b"<html><script>alert(1)</script></html>", "me.png", None),
    "empty-file": (b"", "me.jpg", None),
    "truncated-jpeg": (jpeg_with_exif((1200, 900))[:2500], "me.jpg", None),
    "over-5-mib": (
        jpeg_with_exif() + b"\0" * (FIVE_MIB + 1),
        "huge.jpg",
        "larger than 5 MB",
    ),
    "bomb-100-megapixels": (png_bomb(10_000, 10_000), "bomb.png", "pixels"),
    "bomb-49-megapixels": (png_bomb(7_000, 7_000), "bomb.png", "pixels"),
}


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("case", list(REFUSED))
def test_bad_file_is_refused_with_a_message_and_leaves_nothing_behind(me, login, case):
    data, filename, message = REFUSED[case]
    client = login(me)
    assert send(client, me, jpeg_with_exif()).status_code == 302
    kept_key, kept_files = photo_key(me), stored_files()
    kept_photo = client.get(f"/members/{me.username}/photo").data

    response = send(client, me, data, filename)
    assert response.status_code in (400, 413)
    page = text_of(response)
    error = field_error(page, "photo")
    assert error, "no message under the photo field"
    if message:
        assert message in error
    assert stored_files() == kept_files
    assert photo_key(me) == kept_key
    assert client.get(f"/members/{me.username}/photo").data == kept_photo


@pytest.mark.parametrize("case", ["text-renamed-jpg", "bomb-100-megapixels"])
def test_bad_first_photo_leaves_no_file_and_no_photo(me, login, case):
    data, filename, _ = REFUSED[case]
    client = login(me)
    assert send(client, me, data, filename).status_code == 400
    assert stored_files() == []
    assert photo_key(me) is None
    assert client.get(f"/members/{me.username}/photo").status_code == 404


def test_form_without_a_file_asks_for_one(me, login):
    response = login(me).post(
        f"/members/{me.username}/photo", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert field_error(text_of(response), "photo") == "Choose an image file."


def test_replacing_a_photo_removes_the_old_file_once_the_new_one_is_saved(me, login):
    client = login(me)
    send(client, me, image_bytes("PNG", color=(255, 0, 0)), "red.png")
    old_key = photo_key(me)
    send(client, me, image_bytes("PNG", color=(0, 0, 255)), "blue.png")
    new_key = photo_key(me)
    assert new_key != old_key
    assert stored_files() == [new_key]
    served = Image.open(io.BytesIO(client.get(f"/members/{me.username}/photo").data))
    red, _green, blue = served.convert("RGB").getpixel((100, 100))
    assert blue > 200 and red < 60


def test_removing_the_photo_deletes_the_file_and_shows_initials(me, login):
    client = login(me)
    send(client, me, jpeg_with_exif())
    assert len(stored_files()) == 1
    response = client.post(f"/members/{me.username}/photo/remove")
    assert response.status_code == 302
    assert "Your photo is removed." in text_of(client.get(response.headers["Location"]))
    assert stored_files() == []
    assert photo_key(me) is None
    assert client.get(f"/members/{me.username}/photo").status_code == 404
    page = text_of(client.get(f"/members/{me.username}"))
    assert 'initials" aria-hidden="true">KT</span>' in page
    assert f"/members/{me.username}/photo" not in page
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "profile.photo_changed" in actions and "profile.photo_removed" in actions


def test_initials_are_shown_when_there_is_no_photo(me, login):
    viewer = factories.make_user("Ana Souza")
    client = login(viewer)
    page = text_of(client.get(f"/members/{me.username}"))
    assert 'initials" aria-hidden="true">KT</span>' in page
    directory = text_of(client.get("/members/"))
    assert 'initials" aria-hidden="true">KT</span>' in directory
    assert 'initials" aria-hidden="true">AS</span>' in directory


def test_photo_is_shown_instead_of_initials_once_uploaded(me, login):
    client = login(me)
    send(client, me, jpeg_with_exif())
    page = text_of(login(factories.make_user()).get(f"/members/{me.username}"))
    assert f'src="/members/{me.username}/photo"' in page
    assert 'aria-hidden="true">KT</span>' not in page


def test_photo_response_has_nosniff_and_a_sandbox_csp(me, login):
    client = login(me)
    send(client, me, jpeg_with_exif())
    response = login(factories.make_user()).get(f"/members/{me.username}/photo")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "sandbox" in csp


def test_photo_is_for_signed_in_people_only(me, login, client):
    send(login(me), me, jpeg_with_exif())
    response = client.get(f"/members/{me.username}/photo")
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("who", ["stranger", "secretariat"])
def test_nobody_else_can_change_or_remove_my_photo(me, login, who):
    mine = login(me)
    send(mine, me, jpeg_with_exif())
    key, files = photo_key(me), stored_files()
    other = login(factories.make_user(is_secretariat=who == "secretariat"))
    assert send(other, me, image_bytes("PNG")).status_code == 403
    assert other.post(f"/members/{me.username}/photo/remove").status_code == 403
    assert (photo_key(me), stored_files()) == (key, files)


def test_photo_upload_is_audited(me, login):
    send(login(me), me, jpeg_with_exif())
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "profile.photo_changed")
    ).one()
    assert (event.actor_id, event.target_id) == (me.id, me.id)
