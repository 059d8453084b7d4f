"""axe-core on the main pages: no serious or critical accessibility violation."""

from pathlib import Path

import axe_playwright_python
import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import GROUP_HOME, GROUP_MEMBERS, sign_in, switch_language

pytestmark = pytest.mark.e2e

AXE_JS = Path(axe_playwright_python.__file__).parent / "axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page (the context must bypass the app's CSP to inject it)."""
    page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    return page.evaluate("async () => (await axe.run()).violations")


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(
                f"    {' '.join(map(str, node['target']))}: {node['html'][:200]}"
            )
            if node.get("failureSummary"):
                lines.append(
                    "      " + node["failureSummary"].replace("\n", "\n      ")
                )
    return "\n".join(lines)


@pytest.fixture
def axe_page(new_context):
    # Injected scripts are inline, which the app's script-src forbids: bypass it here.
    return new_context(bypass_csp=True).new_page()


# (who signs in, or None; path; language). Only this test signs in as chair, so the
# French it saves on that account cannot leak into another test.
PAGES = {
    "sign-in": (None, "/auth/sign-in", "en"),
    "dashboard": ("member@example.org", "/", "en"),
    "group-home": ("member@example.org", GROUP_HOME, "en"),
    "members": ("member@example.org", GROUP_MEMBERS, "en"),
    "group-home-fr": ("chair@example.org", GROUP_HOME, "fr"),
    "directory": ("member@example.org", "/members/?q=eid", "en"),
    "profile": ("member@example.org", "/members/kadri-tamm", "en"),
    "profile-edit": ("member@example.org", "/members/park-min-jun/edit", "en"),
}


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violations(axe_page, name):
    email, path, language = PAGES[name]
    if email:
        sign_in(axe_page, email)
    axe_page.goto(path)
    if language == "fr":
        switch_language(axe_page, "Français")
    expect(axe_page.locator("html")).to_have_attribute("lang", language)

    violations = axe_violations(axe_page)

    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {path} ({language}):\n{describe(blocking)}"
    minor = [v for v in violations if v["impact"] not in BLOCKING]
    if minor:
        print(f"axe-core minor findings on {path} ({language}):\n{describe(minor)}")
