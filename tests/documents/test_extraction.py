"""Text extracted at upload and stored with each version (for search to index later):
PDF, Word, Excel, PowerPoint, OpenDocument and text files; malformed files still upload
with empty text; output is bounded in size and time."""

import pytest

from collab.documents import extract
from tests.documents import samples
from tests.documents.conftest import (
    add_version,
    flashes,
    follow,
    make_document,
    only_document,
    upload,
    versions,
)


@pytest.fixture
def extracted(team, login):
    """``extracted(name, data)`` → the text stored with the uploaded version."""

    def _extracted(name: str, data: bytes) -> str:
        browser = login(team.member)
        page = follow(browser, upload(browser, team.group, (name, data)))
        assert "1 document(s) uploaded." in flashes(page), flashes(page)
        (version,) = versions(only_document())
        return version.extracted_text

    return _extracted


@pytest.mark.parametrize(
    "name, data, words",
    [
        (
            "Pilot.pdf",
            samples.pdf("eID wallet pilot", ["Selective disclosure confused 31%"]),
            ["eID wallet pilot", "Selective disclosure confused 31%"],
        ),
        (
            "Overview.docx",
            samples.docx("Korea mobile ID", "NFC chip read 71%"),
            ["Korea mobile ID", "NFC chip read 71%"],
        ),
        (
            "Take-up.xlsx",
            samples.xlsx("Estonia", "Take-up by channel"),
            ["Estonia", "Take-up by channel"],
        ),
        (
            "Slides.pptx",
            samples.pptx("Wallet pilots", "Lessons learned"),
            ["Wallet pilots", "Lessons learned"],
        ),
        (
            "Terms.odt",
            samples.odt("Terms of reference", "E-Leaders session"),
            ["Terms of reference", "E-Leaders session"],
        ),
        ("Budget.ods", samples.ods("Budget line", "Travel"), ["Budget line", "Travel"]),
        ("Plan.odp", samples.odp("Session plan", "Agenda"), ["Session plan", "Agenda"]),
        (
            "Notes.txt",
            "Réunion à Tallinn – suivi № 3".encode(),
            ["Réunion à Tallinn – suivi № 3"],
        ),
        (
            "Standards.csv",
            b"country,standard\nGB,Service Standard\n",
            ["GB,Service Standard"],
        ),
        (
            "Charter.md",
            b"# Charter\n\n- share pilot results\n",
            ["share pilot results"],
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_text_is_extracted_and_stored_with_the_version(extracted, name, data, words):
    text = extracted(name, data)

    for phrase in words:
        assert phrase in text


@pytest.mark.parametrize("name", ["Chart.png", "Photo.jpg"])
def test_images_have_no_text(extracted, name):
    assert extracted(name, samples.sample(name)) == ""


def test_text_files_keep_their_words_with_spaces_tidied(extracted):
    assert extracted("Notes.txt", b"  one   two\t\tthree  \n") == "one two three"


def _docx_with(document_xml: str) -> bytes:
    return samples._zip(
        {
            "[Content_Types].xml": samples._content_types({}),
            "word/document.xml": document_xml,
        }
    )


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    ']><w:document xmlns:w="w"><w:body><w:t>&lol3;</w:t></w:body></w:document>'
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<w:document xmlns:w="w"><w:body><w:t>&xxe;</w:t></w:body></w:document>'
)


@pytest.mark.parametrize(
    "name, data",
    [
        ("Broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog broken\n%%EOF\n"),
        ("Truncated.pdf", samples.pdf("Cut short")[:120]),
        ("Broken.docx", _docx_with("<w:document><w:body><w:p>unclosed")),
        ("Bomb.docx", _docx_with(BILLION_LAUGHS)),
        ("Entity.docx", _docx_with(EXTERNAL_ENTITY)),
    ],
)
def test_a_malformed_file_still_uploads_with_empty_text(extracted, name, data):
    assert extracted(name, data) == ""


def test_extracted_text_is_bounded_in_size(extracted):
    text = extracted("Huge.txt", b"word " * 100_000)

    assert len(text) == extract.MAX_CHARS


def test_extracted_text_of_a_large_word_file_is_bounded(extracted):
    paragraphs = [f"Paragraph {n} " + "lorem ipsum " * 50 for n in range(800)]

    text = extracted("Long.docx", samples.docx(*paragraphs))

    assert text.startswith("Paragraph 0 lorem ipsum")
    assert len(text) <= extract.MAX_CHARS


@pytest.mark.parametrize(
    "name, data",
    [("Pilot.pdf", samples.pdf("Pilot")), ("Overview.docx", samples.docx("Korea"))],
)
def test_extraction_stops_when_its_time_budget_is_spent(
    extracted, monkeypatch, name, data
):
    monkeypatch.setattr(extract, "MAX_SECONDS", -1)

    assert extracted(name, data) == ""


def test_each_version_keeps_its_own_text(team, login):
    document = make_document(
        team.member, team.group, "Report.docx", samples.docx("First draft")
    )

    browser = login(team.member)

    follow(
        browser,
        add_version(browser, document, "Report.docx", samples.docx("Final text")),
    )

    first, second = versions(document)
    assert "First draft" in first.extracted_text
    assert "Final text" in second.extracted_text
    assert "First draft" not in second.extracted_text
