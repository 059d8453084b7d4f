"""Search in a real browser: the header's box finds a demo document by its contents,
marks the word, leads to the document; the type filter narrows; axe finds nothing
serious on the results page."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journeys import sign_in
from tests.e2e.test_accessibility import BLOCKING, axe_violations, describe

pytestmark = pytest.mark.e2e

# yuki.tanaka@ (a member of Digital Identity) is used by no other browser test.
EMAIL = "yuki.tanaka@example.org"
# In the text of the demo's "Estonia - eID wallet pilot report.pdf" (not its title).
WORD = "disclosure"
DOCUMENT = "Estonia - eID wallet pilot report"


def test_a_member_finds_a_document_by_its_contents(page):
    sign_in(page, EMAIL)
    box = page.locator("header").get_by_role("searchbox", name="Search collab")
    box.fill(WORD)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=disclosure$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    results = page.locator("ol.results > li")
    result = results.filter(has=page.get_by_role("heading", name=DOCUMENT, exact=True))
    expect(result).to_have_count(1)
    expect(result.locator(".meta")).to_contain_text("Document · Digital Identity")
    mark = result.locator(".snippet mark")
    expect(mark).to_have_count(1)
    expect(mark).to_have_text(re.compile(f"^{WORD}$", re.I))
    expect(result.locator(".snippet")).to_contain_text("Selective disclosure confused")
    shown = results.count()
    expect(page.get_by_role("heading", level=2)).to_have_text(
        f"{shown} result" + ("s" if shown != 1 else "")
    )

    result.get_by_role("link", name=DOCUMENT).click()
    expect(page).to_have_url(re.compile(r"/groups/digital-identity/documents/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(DOCUMENT)


def test_a_member_narrows_the_results_by_type(page):
    sign_in(page, EMAIL)
    box = page.locator("header").get_by_role("searchbox", name="Search collab")
    box.fill("wallet")
    box.press("Enter")
    results = page.locator("ol.results > li")
    expect(results.first).to_be_visible()
    every = {c.split("result-")[1] for c in _classes(results)}
    assert "document" in every and len(every) > 1, every

    form = page.locator("form.search-form")
    expect(form.get_by_label("Search for")).to_have_value("wallet")
    form.get_by_label("Type").select_option(label="Documents")
    form.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"type=documents"))
    expect(results.first).to_be_visible()
    narrowed = {c.split("result-")[1] for c in _classes(results)}
    assert narrowed <= {"document", "version"} and narrowed, narrowed
    expect(form.get_by_label("Type")).to_have_value("documents")
    count = int(page.get_by_role("heading", level=2).inner_text().split()[0])
    assert count == results.count()


def _classes(results) -> list[str]:
    return [
        next(c for c in item.get_attribute("class").split() if c.startswith("result-"))
        for item in results.all()
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/search?q=wallet",
        "/search?q=wallet&type=documents&group=digital-identity",
        "/search?q=nothingatallmatches",
        "/search?q=wallet&since=not-a-date",
    ],
)
def test_the_results_page_has_no_serious_accessibility_violations(new_context, path):
    page = new_context(bypass_csp=True).new_page()
    sign_in(page, EMAIL)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {path}:\n{describe(blocking)}"
    minor = [v for v in violations if v["impact"] not in BLOCKING]
    if minor:
        print(f"axe-core minor findings on {path}:\n{describe(minor)}")
