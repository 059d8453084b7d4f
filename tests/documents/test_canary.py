"""A unique string planted in a private group's library (file name, title, tags,
description, folder name and the file's own text) never reaches anyone outside the
group: not the library or document pages, downloads, dashboards, notifications,
e-mails, exports or error pages; and the storage check is not reachable over HTTP."""

import io
import zipfile
from dataclasses import dataclass

import pytest

from collab.core.db import utcnow
from collab.documents import services
from collab.documents.models import Document, DocumentVersion, Folder
from collab.extensions import db
from tests.documents import samples
from tests.documents.conftest import (
    make_document,
    make_folder,
    make_version,
    text,
)

CANARY = "Zq7Canary41x"  # letters and digits only: no escaping can hide it


@dataclass
class Planted:
    documents: list[Document]
    trashed: Document
    folder: Folder
    storage_keys: list[str]


@pytest.fixture
def planted(team) -> Planted:
    group, chair = team.private_group, team.other_chair
    folder = make_folder(chair, group, f"Evaluation {CANARY}")
    named = make_document(
        chair,
        group,
        f"Tender {CANARY} scores.pdf",
        samples.pdf("Scores", [f"Secret ranking {CANARY}"]),
        folder=folder,
        tags=f"tender, {CANARY}",
        description=f"Do not share: {CANARY}",
    )
    make_version(
        team.other_member, named, f"Tender {CANARY} v2.docx", samples.docx(CANARY)
    )
    titled = make_document(
        chair, group, "Notes.txt", f"Content with {CANARY} inside".encode()
    )
    services.update_document(
        chair,
        titled,
        title=f"Notes on {CANARY}",
        description=CANARY,
        tags=CANARY,
        folder=None,
    )
    image = make_document(chair, group, f"Chart {CANARY}.png", samples.png())
    trashed = make_document(chair, group, f"Old {CANARY}.md", CANARY.encode())
    trashed.deleted_at = utcnow()
    db.session.commit()
    keys = list(db.session.scalars(db.select(DocumentVersion.storage_key)))
    return Planted([named, titled, image], trashed, folder, keys)


def _document_urls(slug: str, document_id: int) -> list[str]:
    base = f"/groups/{slug}/documents/{document_id}"
    return [
        base,
        f"{base}/download",
        f"{base}/versions/1/download",
        f"{base}/versions/2/download",
        f"{base}/versions/1/preview",
        f"{base}/versions/2/preview",
    ]


def _urls(team, planted: Planted, me) -> list[str]:
    a, b = team.private_group.slug, team.group.slug
    urls = [
        "/",
        "/groups/",
        "/notifications/",
        "/members/",
        f"/groups/{a}/",
        f"/groups/{a}/documents/upload",  # 405 page
        f"/groups/{b}/",
        f"/groups/{b}/threads/",
        "/nothing-here",
        "/storage/check",
    ]
    for slug in (a, b):
        base = f"/groups/{slug}/documents"
        urls += [
            f"{base}/",
            f"{base}/?all=1",
            f"{base}/?tag=tender",
            f"{base}/?all=1&type=pdf",
            f"{base}/?folder={planted.folder.id}",
            f"{base}/trash",
        ]
        for document in planted.documents + [planted.trashed]:
            urls += _document_urls(slug, document.id)
    urls += [f"/members/{team.other_chair.username}", "/admin/audit"]
    if me is not None:
        urls += [f"/members/{me.username}", f"/members/{me.username}/data.zip"]
    return urls


def _everything(response) -> bytes:
    """The response's bytes and download name, with any zip opened up."""
    disposition = response.headers.get("Content-Disposition", "")
    data = response.get_data() + disposition.encode()
    if response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
            data += b"".join(archive.read(name) for name in archive.namelist())
    return data


def _leaks(browser, urls) -> list[str]:
    leaks = []
    for url in urls:
        response = browser.get(url)
        if CANARY.encode() in _everything(response):
            leaks.append(f"{response.status_code} {url}")
    return leaks


@pytest.fixture(params=["anonymous", "no_groups", "member_of_another_group"])
def outsider(request, team, login, client):
    """(browser, user) of someone outside the private group."""
    if request.param == "anonymous":
        return client, None
    user = team.outsider if request.param == "no_groups" else team.member
    return login(user), user


def test_the_canary_is_really_there_for_the_group_itself(team, planted, login):
    chair = login(team.other_chair)
    named, titled, _image = planted.documents

    pages = [
        text(chair.get(f"/groups/{team.private_group.slug}/documents/?all=1")),
        text(chair.get(f"/groups/{team.private_group.slug}/documents/{named.id}")),
        chair.get(
            f"/groups/{team.private_group.slug}/documents/{titled.id}/download"
        ).get_data(as_text=True),
    ]

    assert all(CANARY in page for page in pages)
    assert CANARY in " ".join(
        db.session.scalars(db.select(DocumentVersion.extracted_text))
    )


def test_outsiders_never_see_the_canary(team, planted, outsider):
    browser, me = outsider

    assert _leaks(browser, _urls(team, planted, me)) == []


def test_outsider_pasting_the_private_documents_addresses_learns_nothing(
    team, planted, login
):
    browser = login(team.member)
    body = " ".join(
        f"http://collab.test/groups/{slug}/documents/{d.id}"
        for slug in (team.private_group.slug, team.group.slug)
        for d in planted.documents
    )

    response = browser.post(
        f"/groups/{team.group.slug}/threads/new",
        data={"title": "Links", "body": body},
    )
    thread_page = browser.get(response.headers["Location"])

    assert CANARY not in text(thread_page)


def test_no_email_or_notification_to_outsiders_carries_the_canary(
    team, planted, login, outbox
):
    chair = login(team.other_chair)
    named = planted.documents[0]
    chair.post(
        f"/groups/{team.private_group.slug}/threads/new",
        data={
            "title": "Tender scores",
            "body": f"@group please read /groups/ict-procurement/documents/{named.id}",
        },
    )
    outsiders = {team.outsider.email, team.member.email, team.observer.email}

    mails = [m for m in outbox() if m.to_addr in outsiders]

    assert all(CANARY not in f"{m.subject} {m.body_text}" for m in mails)
    for user in (team.outsider, team.member):
        page = text(login(user).get("/notifications/"))
        assert CANARY not in page


def test_the_storage_check_is_not_reachable_over_http(app, team, planted, login):
    rules = [
        (rule.rule, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if "storage" in rule.rule or "storage" in rule.endpoint
    ]
    secretariat = login(team.secretariat)

    answers = {
        url: secretariat.get(url).status_code
        for url in ("/storage/check", "/admin/storage", "/admin/storage/check")
    }

    assert rules == []
    assert set(answers.values()) == {404}


def test_storage_keys_never_appear_on_pages_even_for_the_group(team, planted, login):
    chair = login(team.other_chair)
    slug = team.private_group.slug

    pages = [text(chair.get(f"/groups/{slug}/documents/?all=1"))] + [
        text(chair.get(f"/groups/{slug}/documents/{d.id}")) for d in planted.documents
    ]

    for key in planted.storage_keys:
        name = key.rsplit("/", 1)[-1].split(".")[0]
        assert all(name not in page for page in pages)
