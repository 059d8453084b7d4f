"""Demo library: every demo group has real-looking documents (PDF, Word, Markdown,
CSV, PNG) with extracted text and files that exist, and loading twice adds nothing."""

import hashlib

from sqlalchemy import func, select

from collab.demo import data
from collab.documents.models import Document, DocumentTag, DocumentVersion, Folder
from collab.extensions import db
from collab.groups.models import Group
from tests.documents.conftest import cli, files_in, text


def _load(app) -> str:
    result = cli(app, "demo", "load")
    assert result.exit_code == 0, result.output
    return result.output


def _counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Document, DocumentVersion, DocumentTag, Folder)
    }


def _sign_in(app, email: str):
    browser = app.test_client()
    response = browser.post(
        "/auth/sign-in", data={"email": email, "password": data.PASSWORD}
    )
    assert response.status_code == 302
    return browser


def test_each_demo_group_has_documents_with_text_and_files(app, storage_folder):
    _load(app)
    stored = files_in(storage_folder)

    kinds = set()
    for group in db.session.scalars(select(Group)):
        versions = db.session.scalars(
            select(DocumentVersion)
            .join(Document, Document.id == DocumentVersion.document_id)
            .where(Document.group_id == group.id)
        ).all()
        assert versions, group.slug
        assert any(v.extracted_text for v in versions), group.slug
        for version in versions:
            assert hashlib.sha256(stored[version.storage_key]).hexdigest() == (
                version.sha256
            )
            assert version.size == len(stored[version.storage_key])
            kinds.add(version.kind)

    assert {"pdf", "docx", "md", "csv", "png"} <= kinds


def test_demo_documents_have_readable_text(app):
    _load(app)

    texts = {
        v.filename: v.extracted_text
        for v in db.session.scalars(select(DocumentVersion))
    }

    assert "12,400 participants" in texts["Estonia - eID wallet pilot report.pdf"]
    assert "NFC chip read 71%" in texts["Korea - mobile ID overview.docx"]
    assert "Terms of reference 2026-2027" in texts["Terms of reference 2026-2027.md"]
    assert "GB,Service Standard,14,120" in texts["Service standard comparison.csv"]
    assert texts["Take-up by channel.png"] == ""


def test_loading_the_demo_twice_adds_no_documents_and_no_files(app, storage_folder):
    _load(app)
    first, files = _counts(), files_in(storage_folder)

    _load(app)

    assert _counts() == first
    assert files_in(storage_folder) == files
    assert first["Document"] >= 6 and first["Folder"] >= 2


def test_the_demo_store_is_consistent(app):
    _load(app)

    result = cli(app, "storage", "check")

    assert result.exit_code == 0, result.output
    assert "0 row(s) without file, 0 file(s) without row" in result.output


def test_a_demo_member_finds_and_downloads_the_groups_documents(app):
    _load(app)
    browser = _sign_in(app, "member@example.org")
    report = db.session.scalars(
        select(Document).where(Document.title.like("Estonia%"))
    ).one()

    library = text(browser.get("/groups/digital-identity/documents/?all=1"))
    download = browser.get(f"/groups/digital-identity/documents/{report.id}/download")

    assert "Estonia - eID wallet pilot report" in library
    assert "Korea - mobile ID overview" in library
    assert download.status_code == 200
    assert download.get_data().startswith(b"%PDF-")


def test_the_private_demo_groups_documents_stay_private(app):
    _load(app)
    outsider = _sign_in(app, "outsider@example.org")
    clause = db.session.scalars(
        select(Document).where(Document.title.like("Open source clause%"))
    ).one()

    page = outsider.get(f"/groups/ict-procurement/documents/{clause.id}")
    download = outsider.get(f"/groups/ict-procurement/documents/{clause.id}/download")

    assert (page.status_code, download.status_code) == (404, 404)
    assert "Open source clause" not in text(outsider.get("/"))
