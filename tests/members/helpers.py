"""Building profiles, images and page readers for the member-profile tests."""

import io
import re
import zlib
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

from flask import current_app
from PIL import Image

from collab.core.text import render_markdown
from collab.extensions import db
from collab.members.models import Expertise, Profile


def set_profile(
    user,
    *,
    bio: str = "",
    phone: str = "",
    website: str = "",
    languages: tuple[str, ...] = (),
    expertise: tuple[str, ...] = (),
    email_visibility: str = "groups",
    phone_visibility: str = "secretariat",
    photo_key: str | None = None,
) -> Profile:
    """Give ``user`` a profile as if they had filled it in (committed)."""
    profile = Profile(
        user_id=user.id,
        bio=bio,
        bio_html=render_markdown(bio),
        phone=phone,
        website=website,
        languages=list(languages),
        email_visibility=email_visibility,
        phone_visibility=phone_visibility,
        photo_key=photo_key,
    )
    db.session.add(profile)
    user.expertise = [Expertise(tag=tag) for tag in expertise]
    db.session.commit()
    return profile


def profile_form(**overrides) -> dict:
    """A complete, valid profile form as the browser sends it."""
    fields = {
        "display_name": "Kadri Tamm",
        "country": "EE",
        "organisation": "Information System Authority",
        "position": "Head of Electronic Identity",
        "bio": "I lead the **eID** programme.",
        "expertise": "eID, wallets",
        "languages": "et, en",
        "email_visibility": "groups",
        "phone": "+372 663 0200",
        "phone_visibility": "secretariat",
        "website": "https://www.ria.ee/en",
        "timezone": "Europe/Tallinn",
        "locale": "",
    }
    fields.update(overrides)
    return fields


# --- pages -----------------------------------------------------------------------


def text_of(response) -> str:
    return response.get_data(as_text=True)


def field_error(html: str, field_id: str) -> str:
    """The error message shown under a form field, or "" when there is none."""
    found = re.search(
        rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S
    )
    return unescape(found.group(1)).strip() if found else ""


class _Options(HTMLParser):
    def __init__(self, select_id: str):
        super().__init__()
        self.select_id, self.inside, self.values = select_id, False, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.inside = attrs.get("id") == self.select_id
        elif tag == "option" and self.inside:
            self.values.append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self.inside = False


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def elements_in(html: str) -> list[tuple[str, list]]:
    """Every element (tag, attributes) that a browser would build from ``html``."""
    parser = _Elements()
    parser.feed(html)
    return parser.found


def select_options(html: str, select_id: str) -> list[str]:
    """The values offered by the <select id=select_id> on a page."""
    parser = _Options(select_id)
    parser.feed(html)
    return parser.values


def listed_names(html: str) -> list[str]:
    """Names in the people listing (directory or group members page), in order."""
    return [
        unescape(name)
        for name in re.findall(
            r'<a href="/members/[^"]+">([^<]+)</a>',
            html.split('<table class="stack people-table">', 1)[-1].split("</table>")[
                0
            ],
        )
    ]


# --- images ----------------------------------------------------------------------


def jpeg_with_exif(size=(800, 600), color=(200, 40, 40)) -> bytes:
    """A photo as a phone takes it: camera make and GPS position in its EXIF."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Industries"  # Make
    exif[0x0110] = "Model X-7f3a"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (59.0, 26.0, 12.5)  # GPSLatitude: Tallinn
    gps[3] = "E"
    gps[4] = (24.0, 45.0, 11.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def image_bytes(fmt: str, size=(400, 300), mode="RGB", color=(20, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width×height, all black, that is tiny on disk: written
    by hand so that building it costs neither memory nor time."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return (
            len(data).to_bytes(4, "big")
            + body
            + (zlib.crc32(body) & 0xFFFFFFFF).to_bytes(4, "big")
        )

    header = (
        width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    )
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height))
    pixels += compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def upload(data: bytes, filename: str = "me.jpg") -> dict:
    return {"photo": (io.BytesIO(data), filename)}


# --- storage ---------------------------------------------------------------------


def storage_root() -> Path:
    return Path(current_app.extensions["collab_storage"].root)


def stored_files() -> list[str]:
    """Every file in the storage folder (temporary files included), relative."""
    root = storage_root()
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
