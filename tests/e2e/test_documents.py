"""The document library in a real browser: upload, new version, download, axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import sign_in
from tests.e2e.test_accessibility import BLOCKING, axe_violations, describe

pytestmark = pytest.mark.e2e


def test_upload_new_version_and_download(new_context, tmp_path):
    # emily.clarke@ is used by no other browser test.
    page = new_context(accept_downloads=True).new_page()
    sign_in(page, "emily.clarke@example.org")
    page.goto("/groups/digital-services/documents/")
    first = tmp_path / "Cloud marketplace – terms.md"
    first.write_text("# Terms\n\nVersion one.\n", encoding="utf-8")
    page.get_by_label("Files").set_input_files(str(first))
    page.get_by_label("Tags").fill("cloud, terms")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_text("1 document(s) uploaded.")).to_be_visible()

    page.get_by_role("link", name="Cloud marketplace – terms").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cloud marketplace – terms"
    )
    second = tmp_path / "terms-v2.md"
    second.write_text("# Terms\n\nVersion two.\n", encoding="utf-8")
    page.locator("#file").set_input_files(str(second))
    page.get_by_label("What changed").fill("Clause 4 rewritten")
    page.get_by_role("button", name="Upload new version").click()
    expect(page.get_by_text("Version 2 uploaded.")).to_be_visible()
    expect(page.get_by_text("Clause 4 rewritten")).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Download the latest version")).click()
    download = info.value
    assert download.suggested_filename == "terms-v2.md"
    assert "Version two." in open(download.path(), encoding="utf-8").read()


@pytest.mark.parametrize(
    "path",
    [
        "/groups/digital-identity/documents/?all=1",
        "/groups/digital-identity/documents/1",
    ],
)
def test_library_pages_have_no_serious_accessibility_violations(new_context, path):
    page = new_context(bypass_csp=True).new_page()
    sign_in(page, "member@example.org")
    page.goto(path)
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, describe(blocking)
