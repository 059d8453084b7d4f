"""Organisation sign-in (OpenID Connect, against the real provider in tests/oidc) and
the authenticator-app second factor, in a real Chromium; and axe-core on their pages.

The app trusts the provider as "Agency ID" (conftest.py). Only these tests use the
demo accounts of Ingrid Larsen (SSO), Anna Kowalska and Laura García (second factor).
"""

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.conftest import SSO_ACCOUNTS
from tests.e2e.journeys import PASSWORD, sign_in
from tests.e2e.test_accessibility import BLOCKING, axe_violations, describe
from tests.oidc.server import unavailable

pytestmark = pytest.mark.e2e

SSO_BUTTON = "Sign in with Agency ID"
INGRID = "ingrid"  # her login at the provider, which vouches for her demo address
STRANGER = "pat"  # known to the provider, unknown to collab
ANNA = "anna.kowalska@example.org"
LAURA = "laura.garcia@example.org"
RECOVERY_CODE = re.compile(r"^[0-9a-f]{6}-[0-9a-f]{6}$")


@pytest.fixture
def provider(oidc_provider):
    if oidc_provider is None:
        unavailable("Node.js or tests/oidc/node_modules is missing: no OpenID provider")
    return oidc_provider


@pytest.fixture
def axe_page(new_context):
    # Injected scripts are inline, which the app's script-src forbids: bypass it here.
    return new_context(bypass_csp=True).new_page()


# --- steps -------------------------------------------------------------------------


def sign_in_with_agency_id(page: Page, provider, login: str) -> None:
    """From collab's sign-in page through the provider's development login (any
    password) and consent pages, back to collab. The browser must be new to the
    provider (a fresh context), or the provider sends it straight back."""
    at_provider = re.compile("^" + re.escape(provider.issuer) + "/")
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else 0,
    )
    page.goto("/auth/sign-in")
    page.get_by_role("button", name=SSO_BUTTON).click()
    try:
        page.wait_for_url(at_provider, timeout=5_000)
        reached = True
    except PlaywrightTimeoutError:
        reached = False
    if not reached:  # failed outside the except: no chained timeout in the report
        pytest.fail(
            f"the browser never reached the provider; it is at {page.url}; "
            f"Content Security Policy refusals: {refused}",
            pytrace=False,
        )
    page.get_by_placeholder("Enter any login").fill(login)
    page.get_by_placeholder("and password").fill("any password will do")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    expect(page).not_to_have_url(at_provider)


def open_account_security(page: Page) -> None:
    """Header name → own profile → Edit my profile → Account security."""
    page.locator("header a.who").click()
    page.get_by_role("link", name="Edit my profile").click()
    page.get_by_role("link", name="Account security").click()
    expect(page).to_have_url(re.compile(r"/account/security$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Account security")


def my_groups(page: Page):
    return page.locator("h2:text-is('My groups') + ul")


def set_up_authenticator(page: Page) -> tuple[pyotp.TOTP, int, list[str]]:
    """From Account security: read the key, confirm with a code computed here.
    Returns the app, the time step of the code used, and the recovery codes."""
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Set up an authenticator app"
    )
    expect(page.locator(".qr svg")).to_be_visible()
    totp = pyotp.TOTP(page.locator("code.totp-key").inner_text().replace(" ", ""))
    now = int(time.time())
    page.get_by_label("Code", exact=True).fill(totp.at(now))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = [c.strip() for c in page.locator(".recovery-codes li").all_inner_texts()]
    return totp, now // totp.interval, codes


def sign_out(page: Page) -> None:
    page.locator("header").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/auth/sign-in"))


def sign_in_with_password_then_code_page(page: Page, email: str) -> None:
    page.goto("/auth/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/auth/two-factor$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")


def enter_code(page: Page, code: str) -> None:
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Continue").click()


# --- organisation sign-in ----------------------------------------------------------


def test_delegate_signs_in_with_agency_id_and_lands_in_their_groups(page, provider):
    assert SSO_ACCOUNTS[INGRID]["email"] == "ingrid.larsen@example.org"

    sign_in_with_agency_id(page, provider, INGRID)

    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ingrid Larsen")
    expect(my_groups(page).get_by_role("link", name="Digital Identity")).to_be_visible()
    expect(my_groups(page).locator("li")).to_have_count(1)

    open_account_security(page)
    page.get_by_role("link", name="Linked organisation sign-ins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisation sign-ins")
    linked = page.locator("main li").filter(has_text="Agency ID")
    expect(linked).to_have_count(1)
    expect(linked).to_contain_text("ingrid.larsen@example.org")
    expect(linked.get_by_role("button", name="Unlink")).to_be_visible()

    # Her recent security events say, in words, that she signed in and linked it.
    page.get_by_role("link", name="Account security").click()
    events = page.locator("ul.events li")
    expect(page.locator("ul.events")).to_contain_text("Organisation sign-in linked")
    raw = [t for t in events.all_inner_texts() if re.search(r"\bauth\.\w+", t)]
    assert not raw, f"security events shown by their internal names: {raw}"


def test_someone_unknown_to_collab_is_told_how_to_get_an_account(page, provider):
    sign_in_with_agency_id(page, provider, STRANGER)

    expect(page).to_have_url(re.compile(r"/auth/sso/agency/callback\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("No collab account yet")
    expect(page.locator("main")).to_contain_text(
        "There is no collab account for pat.nobody@agency.example."
    )
    expect(page.locator("main")).to_contain_text("write to the secretariat")
    expect(page.get_by_role("link", name="Back to sign-in")).to_be_visible()
    # Not signed in: no way past the sign-in page.
    expect(page.locator("header").get_by_role("button", name="Sign out")).to_have_count(
        0
    )
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/auth/sign-in"))


# --- second factor -----------------------------------------------------------------


def test_delegate_sets_up_an_authenticator_app_and_is_then_asked_for_a_code(page):
    sign_in(page, ANNA)
    open_account_security(page)

    totp, step, codes = set_up_authenticator(page)

    assert len(codes) == 10, codes
    assert all(RECOVERY_CODE.match(c) for c in codes), codes
    assert len(set(codes)) == 10, codes
    page.get_by_role("link", name="I have kept them").click()
    expect(page.locator("main")).to_contain_text(
        "An authenticator app protects your account. Recovery codes left: 10."
    )
    sign_out(page)

    sign_in_with_password_then_code_page(page, ANNA)
    # The code that confirmed the enrolment never works again.
    enter_code(page, totp.at(step * totp.interval))
    expect(page.locator("main")).to_contain_text("That code is not right.")
    expect(page).to_have_url(re.compile(r"/auth/two-factor$"))
    # A fresh code: the app's next one, once the enrolment's time step is over.
    while int(time.time()) // totp.interval <= step:
        page.wait_for_timeout(250)
    enter_code(page, totp.now())

    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Anna Kowalska")
    expect(my_groups(page).get_by_role("link", name="Digital Services")).to_be_visible()


# --- accessibility -----------------------------------------------------------------


def _scan(page: Page, name: str, found: dict) -> None:
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    if blocking:
        found[name] = describe(blocking)
    minor = [v for v in violations if v["impact"] not in BLOCKING]
    if minor:
        print(f"axe-core minor findings on {name}:\n{describe(minor)}")


def test_sso_pages_have_no_serious_accessibility_violations(new_context, provider):
    found = {}
    # Injected scripts are inline, which the app's script-src forbids: bypass it here.
    page = new_context(bypass_csp=True).new_page()
    page.goto("/auth/sign-in")
    expect(page.get_by_role("button", name=SSO_BUTTON)).to_be_visible()
    _scan(page, "sign-in page with the SSO button", found)

    sign_in_with_agency_id(page, provider, STRANGER)
    expect(page.get_by_role("heading", level=1)).to_have_text("No collab account yet")
    _scan(page, "no-account page", found)

    page = new_context(bypass_csp=True).new_page()  # new to the provider
    sign_in_with_agency_id(page, provider, INGRID)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ingrid Larsen")
    open_account_security(page)
    _scan(page, "account security page, signed in with Agency ID", found)
    page.get_by_role("link", name="Linked organisation sign-ins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisation sign-ins")
    _scan(page, "organisation sign-ins page", found)

    assert not found, "axe-core:\n" + "\n".join(
        f"--- {name}:\n{text}" for name, text in found.items()
    )


def test_second_factor_pages_have_no_serious_accessibility_violations(axe_page):
    found = {}
    sign_in(axe_page, LAURA)
    open_account_security(axe_page)
    _scan(axe_page, "account security page", found)

    axe_page.get_by_role("link", name="Set up an authenticator app").click()
    expect(axe_page.locator(".qr svg")).to_be_visible()
    _scan(axe_page, "enrolment page", found)
    axe_page.go_back()

    _, _, codes = set_up_authenticator(axe_page)
    _scan(axe_page, "recovery codes page", found)

    sign_out(axe_page)
    sign_in_with_password_then_code_page(axe_page, LAURA)
    _scan(axe_page, "two-factor code page", found)

    # Signing in with a recovery code instead of the app's code.
    enter_code(axe_page, codes[0])
    expect(axe_page.get_by_role("heading", level=1)).to_contain_text("Welcome, ")
    open_account_security(axe_page)
    expect(axe_page.locator("main")).to_contain_text("Recovery codes left: 9.")
    _scan(axe_page, "account security page, enrolled", found)

    assert not found, "axe-core:\n" + "\n".join(
        f"--- {name}:\n{text}" for name, text in found.items()
    )
