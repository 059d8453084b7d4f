"""Document-library fixtures: a group with one person in each role, sample files,
and helpers that act the way a person does (upload through the page, read flashes,
download) and look at what the database and the file store now hold."""

import hashlib
import html
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, inspect, select

from collab.auth.models import User
from collab.documents import services
from collab.documents.models import Document, DocumentTag, DocumentVersion, Folder
from collab.extensions import db
from collab.groups.models import Group
from tests import factories
from tests.documents import samples


@dataclass
class Team:
    """A public group with one person in each role, a private group next to it, and
    people outside."""

    group: Group  # public: "digital-identity"
    private_group: Group  # private: "ict-procurement", chaired by ``other_chair``
    secretariat: User
    chair: User
    member: User
    observer: User
    colleague: User  # a second member: uploads "someone else's" documents
    outsider: User  # signed in, in no group
    other_chair: User
    other_member: User  # member of the private group only


@pytest.fixture
def team() -> Team:
    secretariat = factories.make_user("Sofia Secretariat", is_secretariat=True)
    chair = factories.make_user("Chiara Rossi", country="IT")
    member = factories.make_user("Kadri Tamm", country="EE")
    observer = factories.make_user("Olaf Observer", country="NO")
    colleague = factories.make_user("Jan de Vries", country="NL")
    outsider = factories.make_user("Oscar Outsider", country="CA")
    other_chair = factories.make_user("Marc Tremblay", country="CA")
    other_member = factories.make_user("Hye-jin Park", country="KR")
    group = factories.make_group(
        "Digital Identity",
        slug="digital-identity",
        chair=chair,
        members=(member, colleague),
        observers=(observer,),
    )
    private_group = factories.make_group(
        "ICT Procurement",
        slug="ict-procurement",
        visibility="private",
        chair=other_chair,
        members=(other_member,),
    )
    return Team(
        group,
        private_group,
        secretariat,
        chair,
        member,
        observer,
        colleague,
        outsider,
        other_chair,
        other_member,
    )


# --- acting through the pages ---------------------------------------------------------


def library_url(group: Group, suffix: str = "") -> str:
    return f"/groups/{group.slug}/documents/{suffix}"


def document_url(document: Document, suffix: str = "") -> str:
    return f"/groups/{document.group.slug}/documents/{document.id}{suffix}"


def upload(browser, group: Group, *files, **fields):
    """POST the upload form with ``files`` as (name, bytes) or (name, bytes, type)."""
    parts = []
    for item in files:
        name, data, *content_type = item
        parts.append((io.BytesIO(data), name, *content_type))
    return browser.post(
        library_url(group, "upload"),
        data={"files": parts, **fields},
        content_type="multipart/form-data",
    )


def add_version(browser, document: Document, name: str, data: bytes, note: str = ""):
    return browser.post(
        document_url(document, "/versions"),
        data={"file": (io.BytesIO(data), name), "note": note},
        content_type="multipart/form-data",
    )


def text(response) -> str:
    return response.get_data(as_text=True)


def flashes(page: str) -> list[str]:
    return [
        html.unescape(m)
        for m in re.findall(r'<p class="flash flash-\w+">(.*?)</p>', page, re.S)
    ]


def follow(browser, response) -> str:
    """The page a redirect leads to, as text (its flashes included)."""
    assert response.status_code == 302, (response.status_code, text(response)[:500])
    return text(browser.get(location(response)))


def location(response) -> str:
    parts = urlsplit(response.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def titles_on(page: str) -> list[str]:
    """Document titles in the library table, in order."""
    return [
        html.unescape(t)
        for t in re.findall(r'<td data-label="Title"><a href="[^"]+">([^<]*)</a>', page)
    ]


def row_of(page: str, title: str) -> str:
    for row in re.findall(r"<tr>.*?</tr>", page, re.S):
        if f">{html.escape(title, quote=False)}</a>" in row:
            return row
    raise AssertionError(f"no row for {title!r}")


def signed_in_redirect(response) -> bool:
    return response.status_code == 302 and urlsplit(
        response.headers["Location"]
    ).path.startswith("/auth/sign-in")


# --- setting up through the services (setup only; tests act through pages) ------------


def make_document(
    user: User,
    group: Group,
    name: str = "Wallet pilot report.pdf",
    data: bytes | None = None,
    *,
    folder: Folder | None = None,
    tags: str = "",
    description: str = "",
) -> Document:
    if data is None:
        data = samples.sample(name)
    (document,) = services.upload(
        user, group, [(name, data)], folder=folder, tags=tags, description=description
    )
    db.session.commit()
    return document


def make_version(user: User, document: Document, name: str, data: bytes, note=""):
    version = services.add_version(user, document, name, data, note)
    db.session.commit()
    return version


def make_folder(user: User, group: Group, name: str, parent: Folder | None = None):
    folder = services.create_folder(user, group, name, parent)
    db.session.commit()
    return folder


# --- what the database and the file store hold ----------------------------------------


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def fresh(obj):
    """The object as the database now holds it (None once deleted)."""
    model, (ident,) = type(obj), inspect(obj).identity
    db.session.expire_all()
    return db.session.get(model, ident)


def versions(document: Document) -> list[DocumentVersion]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document.id)
            .order_by(DocumentVersion.number)
        )
    )


def only_document() -> Document:
    db.session.expire_all()
    return db.session.scalars(select(Document)).one()


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file under the local store (temporary files included), by relative
    path."""
    out = {}
    if not folder.exists():
        return out
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            out[path.relative_to(folder).as_posix()] = path.read_bytes()
    return out


def library_snapshot() -> dict:
    """Every library row, column by column, to compare before and after an attack."""
    db.session.expire_all()
    snapshot = {}
    for model in (Folder, Document, DocumentVersion, DocumentTag):
        rows = db.session.scalars(select(model).order_by(model.id)).all()
        snapshot[model.__tablename__] = [
            {c.key: getattr(row, c.key) for c in model.__table__.columns}
            for row in rows
        ]
    return snapshot


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cli(app, *args):
    """Run a ``flask`` command the way cron would (after the test's own writes have
    committed); returns the click result."""
    db.session.commit()
    result = app.test_cli_runner().invoke(args=list(args))
    db.session.expire_all()
    return result


def version_rows(page: str) -> list[dict[str, str]]:
    """The versions table of a document page: one dict per row, by column label."""
    section = page.split('id="versions-heading"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>", 1)[1], re.S):
        cells = re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row, re.S)
        rows.append({label: plain(cell) for label, cell in cells})
    return rows


def plain(fragment: str) -> str:
    """An HTML fragment as the text a person reads."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
