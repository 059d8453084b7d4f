"""Document downloads and previews: every file answers with nosniff, a sandboxing
``default-src 'none'; sandbox`` policy, ``Content-Disposition: attachment`` (inline only
when previewing a PDF, PNG or JPEG) and the content type the server decided from the
checked kind, never the one the upload declared. Fifteen sample files, each declared
as something dangerous (HTML, SVG, JavaScript…), go through the upload and new-version
forms and come back out through every download route."""

import io
import zipfile

import pytest
from sqlalchemy import select
from werkzeug.http import parse_options_header

from collab.demo.documents import docx
from collab.documents.models import Document, DocumentVersion
from collab.extensions import db
from tests.security.routes import (
    document_url,
    jpeg_bytes,
    library_url,
    pdf_bytes,
    png_bytes,
)

SANDBOX = "default-src 'none'; sandbox"


def _zip(parts: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _ooxml(part: str) -> bytes:
    """The smallest Office Open XML package of a kind: content types and one part."""
    return _zip(
        {
            "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://'
            'schemas.openxmlformats.org/package/2006/content-types"/>',
            part: '<?xml version="1.0"?><root><t>Figures</t></root>',
        }
    )


def _odf(kind: str) -> bytes:
    return _zip(
        {
            "mimetype": f"application/vnd.oasis.opendocument.{kind}",
            "content.xml": '<?xml version="1.0"?><office:document-content xmlns:'
            'office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">'
            "<office:body>Figures</office:body></office:document-content>",
        }
    )


HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'

# (file name, content, the type the upload declares, the type the server must send)
SAMPLES = [
    ("Wallet report.pdf", pdf_bytes(), "text/html", "application/pdf"),
    ("Take-up chart.png", png_bytes((60, 40)), "image/svg+xml", "image/png"),
    ("Workshop photo.jpg", jpeg_bytes(), "text/html", "image/jpeg"),
    ("Workshop photo 2.JPEG", jpeg_bytes(), "application/octet-stream", "image/jpeg"),
    ("Notes.txt", HTML, "text/html", "text/plain; charset=utf-8"),
    ("Icon notes.txt", SVG, "image/svg+xml", "text/plain; charset=utf-8"),
    (
        "Figures.csv",
        b'country,score\n=HYPERLINK("https://evil.example"),1\n',
        "application/javascript",
        "text/csv; charset=utf-8",
    ),
    ("Readme.md", b"# Title\n\n" + HTML, "text/html", "text/markdown; charset=utf-8"),
    (
        "Letter.docx",
        docx(["Dear colleagues,", "please find the figures attached."]),
        "text/html",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "Budget.xlsx",
        _ooxml("xl/workbook.xml"),
        "application/x-msdownload",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "Slides.pptx",
        _ooxml("ppt/presentation.xml"),
        "text/xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    (
        "Minutes.odt",
        _odf("text"),
        "text/html",
        "application/vnd.oasis.opendocument.text",
    ),
    (
        "Budget.ods",
        _odf("spreadsheet"),
        "application/xhtml+xml",
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    (
        "Slides.odp",
        _odf("presentation"),
        "text/html",
        "application/vnd.oasis.opendocument.presentation",
    ),
    (
        "Données – été 2025; size=1.txt",
        "Résumé des données 🇪🇺\n".encode(),
        "text/html; charset=utf-7",
        "text/plain; charset=utf-8",
    ),
]
INLINE = {"pdf", "png", "jpg"}


def _kind(name: str) -> str:
    extension = name.rsplit(".", 1)[1].lower()
    return {"jpeg": "jpg"}.get(extension, extension)


def _check(response, disposition: str, content_type: str, filename: str) -> list[str]:
    problems = []
    headers = response.headers
    if response.status_code != 200:
        return [f"status {response.status_code}"]
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"nosniff: {headers.get('X-Content-Type-Options')!r}")
    if headers.get("Content-Security-Policy") != SANDBOX:
        problems.append(f"CSP: {headers.get('Content-Security-Policy')!r}")
    if headers.get("Content-Type") != content_type:
        problems.append(f"Content-Type: {headers.get('Content-Type')!r}")
    if len(headers.getlist("Content-Disposition")) != 1:
        problems.append("not exactly one Content-Disposition")
    value, options = parse_options_header(headers.get("Content-Disposition", ""))
    if value != disposition:
        problems.append(f"Content-Disposition: {headers.get('Content-Disposition')!r}")
    # The name the person gave (cleaned), intact: UTF-8 where it is not ASCII.
    if options.get("filename*", options.get("filename")) != filename:
        problems.append(f"file name: {headers.get('Content-Disposition')!r}")
    if headers.get("Set-Cookie"):
        problems.append("a file answer sets a cookie")
    return problems


def _documents(before: set[int]) -> list[Document]:
    db.session.rollback()
    return list(
        db.session.scalars(
            select(Document).where(Document.id.not_in(before)).order_by(Document.id)
        )
    )


@pytest.mark.parametrize("slug", ["alpha", "bravo"])
def test_every_download_and_preview_has_the_safe_headers(world, client_as, slug):
    """P5 uploads every sample (declared as something else) into A and into B, and
    adds each again as a new version of B's or A's document; every way out answers
    with the server's own type, nosniff, the sandbox policy and the right
    disposition."""
    client = client_as("P5")
    reader = client_as("P2" if slug == "alpha" else "P3")
    before = set(db.session.scalars(select(Document.id)))
    for name, data, declared, _expected in SAMPLES:
        response = client.post(
            library_url(slug, "upload"),
            data={"files": [(io.BytesIO(data), name, declared)], "tags": ""},
        )
        assert response.status_code == 302, name
    documents = _documents(before)
    assert len(documents) == len(SAMPLES), "every sample was accepted"
    target = world.library.document_a if slug == "alpha" else world.library.document_b
    problems, answered = [], 0
    for document, (name, data, declared, expected) in zip(
        documents, SAMPLES, strict=True
    ):
        # The same file as a new version of the group's existing document.
        response = client.post(
            document_url(target, "/versions"),
            data={"file": (io.BytesIO(data), name, declared), "note": ""},
        )
        assert response.status_code == 302
        db.session.rollback()
        number = db.session.get(Document, target.id).version_count
        version = db.session.scalar(
            select(DocumentVersion).where(
                DocumentVersion.document_id == target.id,
                DocumentVersion.number == number,
            )
        )
        assert version.kind == _kind(name), name
        stored_name = version.filename
        inline = _kind(name) in INLINE
        for url, disposition in [
            (document_url(document, "/download"), "attachment"),
            (document_url(document, "/versions/1/download"), "attachment"),
            (document_url(target, f"/versions/{number}/download"), "attachment"),
            (document_url(target, "/download"), "attachment"),
            (document_url(document, "/versions/1/preview"), "inline"),
            (document_url(target, f"/versions/{number}/preview"), "inline"),
        ]:
            response = reader.get(url)
            if disposition == "inline" and not inline:
                # Anything else is never shown in the browser.
                if response.status_code != 404:
                    problems.append(f"{name} {url}: {response.status_code}, not 404")
                continue
            answered += 1
            problems += [
                f"{name} {url}: {problem}"
                for problem in _check(response, disposition, expected, stored_name)
            ]
            # The file itself (images aside: they may be re-encoded on the way in).
            same = response.data == data or _kind(name) in ("png", "jpg")
            if response.status_code == 200 and not same:
                problems.append(f"{name} {url}: not the uploaded bytes")
    assert not problems, "\n".join(problems)
    assert answered >= 4 * len(SAMPLES)


def _raw_upload(client, url: str, encoded_name: str, data: bytes):
    """A multipart upload written by hand, as curl or a script can send it: the file
    name as an RFC 5987 ``filename*`` (percent-encoded UTF-8), which may carry line
    breaks, quotes and control characters that a browser would never send."""
    boundary = "----collab-test-boundary"
    token = client.csrf_token()
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token}\r\n"
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="files"; '
            f"filename*=UTF-8''{encoded_name}\r\n"
            "Content-Type: text/html\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        url,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        csrf=False,
    )


NASTY_NAME = '..\\..\\etc/x\r\nSet-Cookie: session=evil; "q"\x00\u202e Report.txt'


def test_the_file_name_is_cleaned_before_it_reaches_a_header(world, client_as):
    """Paths, quotes, control characters and line breaks in a name never reach the
    download's headers as such: one Content-Disposition, no cookie, no path."""
    from urllib.parse import quote

    client = client_as("P2")
    before = set(db.session.scalars(select(Document.id)))
    response = _raw_upload(
        client, library_url("alpha", "upload"), quote(NASTY_NAME, safe=""), HTML
    )
    assert response.status_code == 302
    (document,) = _documents(before)
    version = db.session.scalar(
        select(DocumentVersion).where(DocumentVersion.document_id == document.id)
    )
    assert "Set-Cookie" in version.filename, "the name arrived: the test is not blind"
    assert "/" not in version.filename and "\\" not in version.filename
    assert not any(c in version.filename for c in "\r\n\x00\u202e")
    answer = client.get(document_url(document, "/download"))
    assert (
        _check(answer, "attachment", "text/plain; charset=utf-8", version.filename)
        == []
    )
    assert "session=evil" not in str(answer.headers.get("Set-Cookie"))
