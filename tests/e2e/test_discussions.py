"""Discussing in a real browser: write with markdown, mention, get notified, reply."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import sign_in
from tests.e2e.test_accessibility import BLOCKING, axe_violations, describe

pytestmark = pytest.mark.e2e

THREAD_TITLE = "Shared test suite for relying parties"


def test_thread_with_markdown_mention_notification_and_reply(new_context):
    # secretariat@ is used by no other browser test; member@ keeps English.
    writer = new_context().new_page()
    sign_in(writer, "secretariat@example.org")
    writer.goto("/groups/digital-services/threads/new")
    writer.get_by_label("Title").fill(THREAD_TITLE)
    writer.get_by_label("Your message").fill(
        "Proposal for @Park Min-jun:\n\n- one suite\n- **four** countries\n\n"
        "| step | owner |\n|---|---|\n| draft | KR |"
    )
    writer.get_by_role("button", name="Preview").click()
    expect(writer.locator(".preview strong")).to_have_text("four")
    writer.get_by_role("button", name="Start thread").click()
    expect(writer.get_by_role("heading", level=1)).to_have_text(THREAD_TITLE)
    expect(writer.locator(".post table td").first).to_have_text("draft")
    expect(writer.locator(".post a", has_text="@Park Min-jun")).to_have_attribute(
        "href", "/members/park-min-jun"
    )

    reader = new_context().new_page()
    sign_in(reader, "member@example.org")
    reader.get_by_role("link", name=re.compile(r"^Notifications \d+")).click()
    reader.get_by_role("link", name=re.compile("mentioned you in")).first.click()
    expect(reader).to_have_url(
        re.compile(r"/groups/digital-services/threads/\d+\?page=1#post-\d+$")
    )
    reader.get_by_label("Your message").fill("Happy to draft the **Korean** part.")
    reader.get_by_role("button", name="Post reply").click()
    expect(reader.locator(".post strong", has_text="Korean")).to_be_visible()


def test_thread_page_has_no_serious_accessibility_violations(new_context):
    page = new_context(bypass_csp=True).new_page()
    sign_in(page, "member@example.org")
    page.goto("/groups/digital-identity/threads/")
    page.get_by_role("link", name=re.compile("EUDI wallet")).first.click()
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, describe(blocking)
