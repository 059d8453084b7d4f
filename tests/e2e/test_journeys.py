"""The main journeys in a real Chromium: sign in, find a group's members, French,
keyboard only, without JavaScript, on a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import (
    GROUP_HOME,
    GROUP_MEMBERS,
    member_rows,
    open_group_members,
    sign_in,
    switch_language,
)

pytestmark = pytest.mark.e2e

# Countries of some of Digital Identity's demo members, as the members page names them.
SOME_COUNTRIES = {"Estonia", "Japan", "Netherlands", "Spain"}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_member_signs_in_and_sees_group_members_with_countries(new_context, javascript):
    page = new_context(java_script_enabled=javascript).new_page()

    sign_in(page, "member@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Park Min-jun")
    open_group_members(page)

    rows = member_rows(page)
    assert len(rows) >= 5, rows
    countries = {country.strip() for _, country in rows}
    assert SOME_COUNTRIES <= countries, rows
    assert all(country.strip() for _, country in rows), rows
    assert any(name.startswith("Park Min-jun") for name, _ in rows), rows


def test_language_button_shows_the_pages_in_french(new_context):
    page = new_context().new_page()
    # The chosen language is saved on the account: only this test signs in as observer.
    sign_in(page, "observer@example.org")
    page.goto(GROUP_HOME)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    switch_language(page, "Français")

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page).to_have_url(re.compile(re.escape(GROUP_HOME) + "$"))  # same page
    header = page.locator("header")
    expect(header.get_by_role("button", name="English", exact=True)).to_be_visible()
    expect(header.get_by_role("link", name="Groupes", exact=True)).to_be_visible()
    expect(header.get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(
        page.locator(".group-nav").get_by_role("link", name="Membres")
    ).to_be_visible()

    header.get_by_role("link", name="Groupes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Groupes de travail")
    expect(page.locator("html")).to_have_attribute("lang", "fr")


@pytest.mark.parametrize("signed_in", [False, True], ids=["sign-in-page", "dashboard"])
def test_first_tab_reaches_skip_link_which_moves_focus_to_main(page, signed_in):
    if signed_in:
        sign_in(page, "member@example.org")
    else:
        page.goto("/auth/sign-in")

    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


@pytest.mark.parametrize(
    "path", [GROUP_HOME, "/", GROUP_MEMBERS], ids=["group-home", "dashboard", "members"]
)
def test_page_fits_a_phone_screen_without_horizontal_scroll(new_context, path):
    phone = new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )
    page = phone.new_page()
    sign_in(page, "member@example.org")
    page.goto(path)

    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["inner"] == 390, widths
    assert widths["scroll"] <= widths["inner"], (
        f"{path} scrolls sideways on a phone: {widths}"
    )
