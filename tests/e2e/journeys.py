"""Steps a person takes in collab, written once and shared by the browser tests."""

import re

from playwright.sync_api import Page, expect

PASSWORD = "collab-demo-2026!"  # every demo account's (collab.demo.data.PASSWORD)
GROUP = "Digital Identity"
GROUP_HOME = "/groups/digital-identity/"
GROUP_MEMBERS = "/groups/digital-identity/members"


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill in the real sign-in form and land on the dashboard."""
    page.goto("/auth/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))


def open_group_members(page: Page) -> None:
    """From the dashboard: the group's home, then its Members page."""
    page.get_by_role("link", name=GROUP, exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(GROUP_HOME) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(GROUP)
    page.get_by_role("navigation", name="Group").get_by_role(
        "link", name="Members"
    ).click()
    expect(page).to_have_url(re.compile(re.escape(GROUP_MEMBERS) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Members of {GROUP}")


def member_rows(page: Page) -> list[tuple[str, str]]:
    """(name cell, country cell) of every row of the members table."""
    rows = page.locator("table tbody tr")
    return [
        (row.locator("td").nth(0).inner_text(), row.locator("td").nth(1).inner_text())
        for row in rows.all()
    ]


def switch_language(page: Page, label: str) -> None:
    """Press the header's language button, e.g. "Français"."""
    page.locator("header").get_by_role("button", name=label, exact=True).click()
