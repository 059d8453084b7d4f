"""What goes in and what comes out: ~15 real sample files downloaded with safe headers
(attachment, UTF-8 names, nosniff, sandbox CSP, the server's own type), previews for
PDF and images only, bad input refused with a clear message and nothing stored, and
uploads that fail half-way leave neither a row nor a file."""

import re
from urllib.parse import unquote

import pytest

import collab.core.storage as storage_module
from collab.core.storage import LocalStorage
from collab.documents import services
from collab.documents.models import Document, DocumentTag, DocumentVersion
from collab.extensions import db
from tests.documents import samples
from tests.documents.conftest import (
    add_version,
    count,
    document_url,
    files_in,
    flashes,
    follow,
    fresh,
    make_document,
    only_document,
    text,
    upload,
    versions,
)

OOXML = "application/vnd.openxmlformats-officedocument"
ODF = "application/vnd.oasis.opendocument"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": f"{OOXML}.wordprocessingml.document",
    "xlsx": f"{OOXML}.spreadsheetml.sheet",
    "pptx": f"{OOXML}.presentationml.presentation",
    "odt": f"{ODF}.text",
    "ods": f"{ODF}.spreadsheet",
    "odp": f"{ODF}.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}
SAMPLES = [
    "Compte rendu – réunion № 3.pdf",
    "Ελληνική προεδρία – πρόγραμμα.pdf",
    "Korea mobile ID overview.docx",
    "Take-up by channel.xlsx",
    "E-Leaders slides 2026.pptx",
    "Terms of reference.odt",
    "Budget 2026 (draft).ods",
    "Session plan.odp",
    "Take-up chart.png",
    "Photo de groupe – Tallinn.jpg",
    "Scan.JPEG",
    "Notizen – Übersicht.txt",
    "Service standard comparison.csv",
    "Résumé 概要 🗂.md",
    "README.md",
]
INLINE = {"pdf", "png", "jpg", "jpeg"}
SANDBOX = "default-src 'none'; sandbox"
NOT_ALLOWED = "is not an allowed type, or its content does not match its extension"


def _ext(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower()


def _download_name(disposition: str) -> str:
    """The file name a browser saves as: filename* (RFC 6266/5987) wins."""
    star = re.search(r"filename\*=UTF-8''([^;]+)", disposition)
    if star:
        return unquote(star.group(1))
    return re.search(r'filename="?([^";]+)"?', disposition).group(1)


def _nothing_stored(storage_folder) -> None:
    assert count(Document) == count(DocumentVersion) == count(DocumentTag) == 0
    assert files_in(storage_folder) == {}


def test_the_samples_cover_every_allowed_type():
    assert {_ext(name) for name in SAMPLES} >= set(CONTENT_TYPES) - {"jpeg"}


@pytest.fixture
def uploaded(team, login):
    """``uploaded(name)`` → (document, the bytes sent), uploaded through the page
    with a lying Content-Type from the client."""

    def _uploaded(name: str):
        data = samples.sample(name)
        browser = login(team.member)
        response = upload(browser, team.group, (name, data, "text/html"))
        assert "1 document(s) uploaded." in flashes(follow(browser, response))
        return only_document(), data

    return _uploaded


@pytest.mark.parametrize("name", SAMPLES)
def test_download_is_an_attachment_with_safe_headers_and_the_same_bytes(
    team, login, uploaded, name
):
    document, data = uploaded(name)

    response = login(team.observer).get(document_url(document, "/download"))

    assert response.status_code == 200
    assert response.get_data() == data
    assert response.headers["Content-Type"] == CONTENT_TYPES[_ext(name)]
    disposition = response.headers["Content-Disposition"]
    assert disposition.split(";")[0] == "attachment"
    assert _download_name(disposition) == name
    if not name.isascii():
        assert "filename*=UTF-8''" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == SANDBOX


@pytest.mark.parametrize("name", SAMPLES)
def test_preview_is_inline_for_pdf_and_images_only(team, login, uploaded, name):
    document, data = uploaded(name)

    response = login(team.observer).get(document_url(document, "/versions/1/preview"))

    if _ext(name) in INLINE:
        assert response.status_code == 200
        assert response.get_data() == data
        assert response.headers["Content-Disposition"].split(";")[0] == "inline"
        assert response.headers["Content-Type"] == CONTENT_TYPES[_ext(name)]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == SANDBOX
    else:
        assert response.status_code == 404


def test_document_page_offers_a_preview_for_images_and_pdfs(team, login):
    image = make_document(team.member, team.group, "Chart.png")
    sheet = make_document(team.member, team.group, "Budget.xlsx")
    browser = login(team.observer)

    image_page = text(browser.get(document_url(image)))
    sheet_page = text(browser.get(document_url(sheet)))

    preview = document_url(image, "/versions/1/preview")
    assert f'<img class="document-preview" src="{preview}"' in image_page
    assert "/preview" not in sheet_page


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, data",
    [
        ("setup.exe", samples.EXE),
        ("Invoice.pdf", samples.EXE),
        ("page.html", samples.HTML),
        ("page.htm", samples.HTML),
        ("logo.svg", samples.SVG),
        ("Report.pdf", samples.HTML),
        ("Report.pdf", b"  <html><script>alert(1)</script>%PDF-1.4"),
        ("Report.docx", samples.zip_without_word_parts()),
        ("Report.xlsx", samples.docx("a word file")),
        ("Report.odt", samples.ods("a spreadsheet")),
        ("Report.docx", b"PK\x03\x04 not really a zip"),
        ("Chart.jpg", samples.png()),
        ("Chart.png", samples.pdf()),
        ("notes.txt", b"MZ\x00\x00binary"),
        ("notes.txt", "Latin-1 caf\xe9".encode("latin-1")),
        ("no extension", b"plain words"),
    ],
)
def test_wrong_types_are_refused_with_a_clear_message(
    team, login, storage_folder, name, data
):
    browser = login(team.member)

    page = follow(browser, upload(browser, team.group, (name, data)))

    assert any(f"“{name}” {NOT_ALLOWED}" in f for f in flashes(page)), flashes(page)
    _nothing_stored(storage_folder)


@pytest.mark.parametrize("name", ["empty.pdf", "empty.txt", "empty.docx"])
def test_empty_files_are_refused(team, login, storage_folder, name):
    browser = login(team.member)

    page = follow(browser, upload(browser, team.group, (name, b"")))

    assert f"“{name}” is empty." in flashes(page)
    _nothing_stored(storage_folder)


def test_a_file_over_the_size_limit_gets_413_and_nothing_is_stored(
    app, team, login, storage_folder, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 20_000)
    browser = login(team.member)
    big = samples.pdf("Big", ["x" * 80] * 300)
    assert len(big) > 20_000

    response = upload(browser, team.group, ("Big.pdf", big))

    assert response.status_code == 413
    assert "Too large" in text(response)
    _nothing_stored(storage_folder)


def test_a_new_version_over_the_size_limit_gets_413_and_nothing_is_stored(
    app, team, login, storage_folder, monkeypatch
):
    document = make_document(team.member, team.group, "Report.txt", b"v1")
    files_before = files_in(storage_folder)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 5_000)

    response = add_version(login(team.member), document, "Report.txt", b"y" * 6_000)

    assert response.status_code == 413
    assert fresh(document).version_count == 1
    assert files_in(storage_folder) == files_before


KEY = re.compile(r"^documents/\d+/[0-9a-f]{32}\.[a-z]{2,4}$")


@pytest.mark.parametrize(
    "name, shown",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\win.ini.txt", "win.ini.txt"),
        ("/etc/cron.d/evil.txt", "evil.txt"),
        ("..%2F..%2Fsecret.txt", "%2F..%2Fsecret.txt"),
        ("....//....//boot.txt", "boot.txt"),
        ("../.bashrc.txt", "bashrc.txt"),
    ],
)
def test_path_traversal_names_are_cleaned_and_never_reach_the_file_system(
    team, login, storage_folder, tmp_path, name, shown
):
    browser = login(team.member)

    page = follow(browser, upload(browser, team.group, (name, b"harmless")))

    assert "1 document(s) uploaded." in flashes(page)
    (version,) = versions(only_document())
    assert version.filename == shown
    assert KEY.match(version.storage_key)
    assert list(files_in(storage_folder)) == [version.storage_key]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["files"]
    response = browser.get(document_url(only_document(), "/download"))
    assert _download_name(response.headers["Content-Disposition"]) == shown


INVISIBLE = "\u202e\u2066\u2069\u200b\ufeff\x07\x1b\x00\x7f"


@pytest.mark.parametrize(
    "name, shown",
    [
        ("Budget\u202efdp.txt", "Budgetfdp.txt"),  # right-to-left override
        ("Report\u2066\u2069 final.txt", "Report final.txt"),  # bidi isolates
        ("zero\u200bwidth\ufeff.txt", "zerowidth.txt"),
        ("tab\there.txt", "tabhere.txt"),
        ("bell\x07 and esc\x1b[31m.txt", "bell and esc[31m.txt"),
        ("nul\x00byte.txt", "nulbyte.txt"),
        ("del\x7f.txt", "del.txt"),
        ("  .hidden   spaced   name.txt", "hidden spaced name.txt"),
    ],
)
def test_control_and_bidi_characters_are_removed_from_names(
    team, login, storage_folder, name, shown
):
    browser = login(team.member)

    follow(browser, upload(browser, team.group, (name, b"harmless")))

    document = only_document()
    (version,) = versions(document)
    assert version.filename == shown
    assert document.title == shown.rsplit(".", 1)[0]
    assert KEY.match(version.storage_key)
    assert list(files_in(storage_folder)) == [version.storage_key]
    for page in (
        text(browser.get(document_url(document))),
        text(browser.get(f"/groups/{team.group.slug}/documents/")),
    ):
        assert not any(c in page for c in INVISIBLE)


@pytest.mark.parametrize(
    "name, shown",
    [("Minutes.txt ", "Minutes.txt"), ("Report.pdf\u200b", "Report.pdf")],
)
def test_a_name_is_judged_by_its_cleaned_extension(
    team, login, storage_folder, name, shown
):
    """The message must not call “Minutes.txt” a forbidden type."""
    data = samples.sample(shown)
    browser = login(team.member)

    page = follow(browser, upload(browser, team.group, (name, data)))

    assert "1 document(s) uploaded." in flashes(page), flashes(page)
    (version,) = versions(only_document())
    assert version.filename == shown


def test_a_very_long_name_is_shortened_keeping_its_extension(team, login):
    browser = login(team.member)

    upload(browser, team.group, ("Rapport " * 60 + ".pdf", samples.pdf()))

    (version,) = versions(only_document())
    assert len(version.filename) <= 200 and version.filename.endswith(".pdf")
    assert len(only_document().title) <= 200


def test_storage_keys_never_contain_the_file_name(team, login, storage_folder):
    browser = login(team.member)
    names = ["Wallet pilot report.pdf", "budget.csv", "slides.pptx"]

    upload(browser, team.group, *[(n, samples.sample(n)) for n in names])

    for key in files_in(storage_folder):
        assert KEY.match(key)
        assert not any(word in key for word in ("Wallet", "budget", "slides"))


@pytest.mark.parametrize("visibility, status", [("private", 404), ("public", 403)])
def test_upload_to_a_group_you_are_not_in_is_refused(
    team, login, storage_folder, visibility, status
):
    team.private_group.visibility = visibility
    db.session.commit()
    browser = login(team.member)

    response = upload(browser, team.private_group, ("Report.pdf", samples.pdf()))

    assert response.status_code == status
    _nothing_stored(storage_folder)


# --- atomicity ------------------------------------------------------------------------


def test_disk_failure_mid_write_leaves_no_row_no_file_and_no_temp_file(
    team, login, storage_folder, monkeypatch
):
    def disk_full(_fd):
        raise OSError(28, "No space left on device")

    browser = login(team.member)
    monkeypatch.setattr(storage_module.os, "fsync", disk_full)

    page = follow(browser, upload(browser, team.group, ("Report.pdf", samples.pdf())))

    assert "The file could not be stored. Please try again later." in flashes(page)
    _nothing_stored(storage_folder)


class FailsOnSecondPut(LocalStorage):
    """The object store goes away after the first file of a batch."""

    puts = 0

    def put(self, key, data):
        type(self).puts += 1
        if type(self).puts == 2:
            raise ConnectionError("storage went away")
        super().put(key, data)


def test_storage_failure_on_the_second_file_of_a_batch_removes_the_first(
    app, team, login, storage_folder, monkeypatch
):
    FailsOnSecondPut.puts = 0
    monkeypatch.setitem(
        app.extensions, "collab_storage", FailsOnSecondPut(str(storage_folder))
    )
    browser = login(team.member)
    files = [("One.pdf", samples.pdf()), ("Two.pdf", samples.pdf()), ("3.txt", b"3")]

    page = follow(browser, upload(browser, team.group, *files))

    assert FailsOnSecondPut.puts == 2
    assert "The file could not be stored. Please try again later." in flashes(page)
    _nothing_stored(storage_folder)


def test_storage_failure_on_a_new_version_keeps_the_document_as_it_was(
    app, team, login, storage_folder, monkeypatch
):
    document = make_document(team.member, team.group, "Report.txt", b"v1")
    files_before = files_in(storage_folder)
    browser = login(team.member)
    monkeypatch.setattr(storage_module.os, "fsync", lambda fd: 1 / 0)

    page = follow(browser, add_version(browser, document, "Report.txt", b"v2"))

    assert "The file could not be stored. Please try again later." in flashes(page)
    assert fresh(document).version_count == 1 and len(versions(document)) == 1
    assert files_in(storage_folder) == files_before


def _audit_fails(monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services.audit, "record", broken)


def test_failure_after_the_file_was_written_removes_it_again(
    app, team, login, storage_folder, monkeypatch
):
    """As in production: the error page is shown and the transaction rolled back."""
    browser = login(team.member)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    _audit_fails(monkeypatch)

    response = upload(browser, team.group, ("Report.pdf", samples.pdf()))

    assert response.status_code == 500
    assert "Something went wrong" in text(response)
    assert "audit log unavailable" not in text(response)
    _nothing_stored(storage_folder)


def test_failure_after_the_file_was_written_removes_it_even_when_the_request_dies(
    team, login, storage_folder, monkeypatch
):
    """The exception escapes the request (as under a debugger, or when a worker is
    killed): the session is only closed, never explicitly rolled back."""
    browser = login(team.member)
    _audit_fails(monkeypatch)

    with pytest.raises(RuntimeError, match="audit log unavailable"):
        upload(browser, team.group, ("Report.pdf", samples.pdf()))

    _nothing_stored(storage_folder)
