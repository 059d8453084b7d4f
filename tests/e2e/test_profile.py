"""A delegate completes their profile and photo in a real browser."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.journeys import sign_in

pytestmark = pytest.mark.e2e


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 400), (20, 110, 160)).save(out, "PNG")
    return out.getvalue()


def test_outsider_completes_profile_and_photo_then_is_found_by_expertise(page):
    # Only this browser test uses outsider@, so its saved profile affects no other.
    sign_in(page, "outsider@example.org")
    page.get_by_role("link", name="Tom Becker").click()
    page.get_by_role("link", name="Edit my profile").click()

    page.get_by_label("Position").fill("Head of Division, Online Access Act")
    page.get_by_label("Areas of expertise").fill(
        "online access act, once-only principle"
    )
    page.get_by_label("Who sees my e-mail address").select_option("everyone")
    page.get_by_label("Website").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("alert")).to_contain_text("must start with https://")
    expect(page.get_by_label("Position")).to_have_value(
        "Head of Division, Online Access Act"
    )

    page.get_by_label("Website").fill("https://www.bmi.bund.de/EN")
    page.get_by_role("button", name="Save profile").click()
    expect(page).to_have_url(re.compile(r"/members/tom-becker$"))
    expect(page.get_by_text("once-only principle")).to_be_visible()

    page.goto("/members/tom-becker/edit")
    page.get_by_label("New photo").set_input_files(
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_role("button", name="Upload photo").click()
    expect(page.get_by_text("Your photo is updated.")).to_be_visible()
    photo = page.locator("img.avatar-large")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.naturalWidth") == 320

    page.goto("/members/?q=once-only")
    expect(
        page.get_by_role("table").get_by_role("link", name="Tom Becker")
    ).to_be_visible()
