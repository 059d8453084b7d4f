"""Folders, uploads, versions, trash and the library listing. Flush, never commit."""

import hashlib
import re
import unicodedata
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from collab.audit import services as audit
from collab.auth.models import User
from collab.core import storage
from collab.core.db import execute_small_write, upsert, utcnow
from collab.core.errors import DomainError
from collab.documents import filetypes
from collab.documents.extract import extract_text
from collab.documents.models import (
    Document,
    DocumentTag,
    DocumentVersion,
    Folder,
    LibraryVisit,
)
from collab.extensions import db
from collab.groups.models import Group

SORTS = {
    "updated": Document.updated_at.desc(),
    "title": func.lower(Document.title),
    "type": Document.kind,
}


# --- folders -----------------------------------------------------------------------


def folders_of(group: Group) -> list[Folder]:
    return list(
        db.session.scalars(
            select(Folder)
            .where(Folder.group_id == group.id)
            .order_by(func.lower(Folder.name))
        )
    )


def folder_tree(group: Group) -> list[tuple[Folder, int]]:
    """Every folder with its depth, parents before children."""
    folders = folders_of(group)
    children: dict[int | None, list[Folder]] = {}
    for folder in folders:
        children.setdefault(folder.parent_id, []).append(folder)
    out: list[tuple[Folder, int]] = []

    def walk(parent, depth):
        for folder in children.get(parent, []):
            out.append((folder, depth))
            walk(folder.id, depth + 1)

    walk(None, 0)
    return out


def get_folder(group: Group, folder_id: int | None) -> Folder | None:
    if folder_id is None:
        return None
    return db.session.scalar(
        select(Folder).where(Folder.id == folder_id, Folder.group_id == group.id)
    )


def _clean_name(name: str) -> str:
    """Folder names are only shown, never used as paths: keep slashes, drop controls."""
    name = "".join(
        c for c in (name or "") if unicodedata.category(c) not in ("Cc", "Cf")
    )
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Give the folder a name."), field="name")
    return name[:120]


def create_folder(
    actor: User, group: Group, name: str, parent: Folder | None
) -> Folder:
    folder = Folder(
        group_id=group.id,
        name=_clean_name(name),
        parent_id=parent.id if parent else None,
    )
    db.session.add(folder)
    db.session.flush()
    audit.record(actor, "folder.created", folder, group=group)
    return folder


def rename_folder(actor: User, folder: Folder, name: str) -> None:
    folder.name = _clean_name(name)
    audit.record(actor, "folder.renamed", folder, group_id=folder.group_id)


def move_folder(actor: User, folder: Folder, parent: Folder | None) -> None:
    ancestor = parent
    while ancestor is not None:
        if ancestor.id == folder.id:
            raise DomainError(_("A folder cannot go inside itself."), field="parent")
        ancestor = (
            db.session.get(Folder, ancestor.parent_id) if ancestor.parent_id else None
        )
    folder.parent_id = parent.id if parent else None
    audit.record(actor, "folder.moved", folder)


def delete_folder(actor: User, folder: Folder) -> None:
    has_children = db.session.scalar(
        select(func.count(Folder.id)).where(Folder.parent_id == folder.id)
    )
    has_documents = db.session.scalar(
        select(func.count(Document.id)).where(Document.folder_id == folder.id)
    )
    if has_children or has_documents:
        raise DomainError(_("Only an empty folder can be deleted."))
    db.session.delete(folder)
    audit.record(actor, "folder.deleted", folder)


# --- listing -----------------------------------------------------------------------


def library(
    group: Group,
    *,
    folder: Folder | None = None,
    all_folders: bool = False,
    tag: str = "",
    kind: str = "",
    sort: str = "updated",
    trash: bool = False,
):
    query = (
        select(Document)
        .options(joinedload(Document.created_by))
        .where(Document.group_id == group.id)
    )
    query = query.where(
        Document.deleted_at.is_not(None) if trash else Document.deleted_at.is_(None)
    )
    if not all_folders and not trash:
        query = (
            query.where(Document.folder_id == (folder.id if folder else None))
            if folder
            else query.where(Document.folder_id.is_(None))
        )
    if tag:
        tagged = select(DocumentTag.document_id).where(
            func.lower(DocumentTag.tag) == tag.lower()
        )
        query = query.where(Document.id.in_(tagged))
    if kind in filetypes.KINDS:
        query = query.where(Document.kind == kind)
    return query.order_by(SORTS.get(sort, SORTS["updated"]), Document.id.desc())


def latest_versions(documents: list[Document]) -> dict[int, DocumentVersion]:
    if not documents:
        return {}
    rows = db.session.scalars(
        select(DocumentVersion)
        .options(joinedload(DocumentVersion.uploader))
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(
            DocumentVersion.document_id.in_([d.id for d in documents]),
            DocumentVersion.number == Document.version_count,
        )
    )
    return {v.document_id: v for v in rows}


def tags_of(group: Group) -> list[str]:
    return list(
        db.session.scalars(
            select(DocumentTag.tag)
            .join(Document, Document.id == DocumentTag.document_id)
            .where(Document.group_id == group.id, Document.deleted_at.is_(None))
            .distinct()
            .order_by(DocumentTag.tag)
        )
    )


def last_visit(user: User, group: Group):
    return db.session.scalar(
        select(LibraryVisit.visited_at).where(
            LibraryVisit.user_id == user.id, LibraryVisit.group_id == group.id
        )
    )


def record_visit(user: User, group: Group, last=None) -> None:
    """Remember this visit. When nothing changed since the ``last`` one, the new
    time would mark exactly the same documents new later, so nothing is written:
    reading the library stays a read."""
    now = utcnow()
    if last is not None and not db.session.scalar(
        select(
            exists().where(Document.group_id == group.id, Document.updated_at > last)
        )
    ):
        return
    statement = upsert(
        db.session,
        LibraryVisit,
        {"user_id": user.id, "group_id": group.id, "visited_at": now},
        ["user_id", "group_id"],
        {"visited_at": now},
    )
    execute_small_write(db.session, statement)


def get_document(group: Group, document_id: int) -> Document | None:
    return db.session.scalar(
        select(Document).where(
            Document.id == document_id, Document.group_id == group.id
        )
    )


def versions_of(document: Document) -> list[DocumentVersion]:
    return list(
        db.session.scalars(
            select(DocumentVersion)
            .options(joinedload(DocumentVersion.uploader))
            .where(DocumentVersion.document_id == document.id)
            .order_by(DocumentVersion.number.desc())
        )
    )


def get_version(document: Document, number: int | None) -> DocumentVersion | None:
    number = number or document.version_count
    return db.session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.document_id == document.id, DocumentVersion.number == number
        )
    )


# --- uploads -------------------------------------------------------------------------


def _store(
    actor: User, document: Document, filename: str, data: bytes, note: str
) -> DocumentVersion:
    """Check the file, write it under a generated name, then add the version row. If
    anything fails later in the transaction, the file is removed again."""
    kind = filetypes.detect(filetypes.clean_filename(filename), data)
    if not data:
        raise DomainError(
            _("“%(name)s” is empty.", name=filetypes.clean_filename(filename)),
            field="files",
        )
    if kind is None:
        raise DomainError(
            _(
                "“%(name)s” is not an allowed type, or its content does not match "
                "its extension. Allowed: PDF, Word, Excel, PowerPoint, OpenDocument, "
                "text, CSV, Markdown, PNG, JPEG.",
                name=filetypes.clean_filename(filename),
            ),
            field="files",
        )
    key = storage.new_key(f"documents/{document.group_id}", kind.extension)
    try:
        storage.storage().put(key, data)
    except Exception as error:  # noqa: BLE001 - any storage failure: clear message, no row
        current_app.logger.error("storage write failed: %s", error)
        raise DomainError(
            _("The file could not be stored. Please try again later."), field="files"
        ) from error
    storage.discard_on_rollback(db.session(), key)
    document.version_count += 1
    version = DocumentVersion(
        document_id=document.id,
        number=document.version_count,
        filename=filetypes.clean_filename(filename),
        kind=kind.extension,
        content_type=kind.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        uploader_id=actor.id,
        note=(note or "").strip()[:500],
        extracted_text=extract_text(kind.extension, data),
    )
    db.session.add(version)
    document.kind, document.updated_at = kind.extension, utcnow()
    db.session.flush()
    return version


def upload(
    actor: User,
    group: Group,
    files: list[tuple[str, bytes]],
    *,
    folder: Folder | None = None,
    tags: str = "",
    description: str = "",
) -> list[Document]:
    """One document per file, all or none."""
    if not files:
        raise DomainError(_("Choose at least one file."), field="files")
    documents = []
    for filename, data in files:
        title = filetypes.clean_filename(filename).rsplit(".", 1)[0][:200] or _(
            "Untitled"
        )
        document = Document(
            group_id=group.id,
            folder_id=folder.id if folder else None,
            title=title,
            description=(description or "").strip(),
            created_by_id=actor.id,
        )
        db.session.add(document)
        db.session.flush()
        _store(actor, document, filename, data, note="")
        set_tags(document, tags)
        audit.record(actor, "document.uploaded", document, group=group)
        documents.append(document)
    return documents


def add_version(
    actor: User, document: Document, filename: str, data: bytes, note: str
) -> DocumentVersion:
    version = _store(actor, document, filename, data, note)
    audit.record(
        actor,
        "document.version_added",
        document,
        group=document.group,
        version=version.number,
    )
    return version


def set_tags(document: Document, text: str) -> None:
    wanted, seen = [], set()
    for tag in (text or "").replace(";", ",").split(","):
        tag = tag.strip()[:60]
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            wanted.append(tag)
    existing = {t.tag: t for t in document.tags}
    document.tags = [existing.get(tag) or DocumentTag(tag=tag) for tag in wanted[:20]]


def update_document(
    actor: User,
    document: Document,
    *,
    title: str,
    description: str,
    tags: str,
    folder: Folder | None,
) -> None:
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the document a title."), field="title")
    document.title, document.description = title[:200], (description or "").strip()
    document.folder_id = folder.id if folder else None
    set_tags(document, tags)
    document.updated_at = utcnow()
    audit.record(actor, "document.updated", document, group=document.group)


# --- trash ---------------------------------------------------------------------------


def trash(actor: User, document: Document) -> None:
    document.deleted_at, document.deleted_by_id = utcnow(), actor.id
    audit.record(actor, "document.deleted", document, group=document.group)


def restore(actor: User, document: Document) -> None:
    document.deleted_at = document.deleted_by_id = None
    audit.record(actor, "document.restored", document, group=document.group)


def purge_trash(now=None) -> int:
    """Delete documents that spent longer than TRASH_DAYS in the trash: rows first,
    files once that has committed."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["TRASH_DAYS"])
    old = db.session.scalars(select(Document).where(Document.deleted_at < cutoff)).all()
    keys = [v.storage_key for d in old for v in versions_of(d)]
    for document in old:
        db.session.delete(document)
    for key in keys:
        storage.delete_after_commit(db.session(), key)
    return len(old)


def storage_report() -> tuple[list[str], list[str]]:
    """(keys of version rows whose file is missing, files no row points to)."""
    rows = set(db.session.scalars(select(DocumentVersion.storage_key)))
    from collab.members.models import Profile

    rows_photos = set(
        db.session.scalars(
            select(Profile.photo_key).where(Profile.photo_key.is_not(None))
        )
    )
    store = storage.storage()
    files = set(store.keys())
    missing = sorted(k for k in rows | rows_photos if k not in files)
    orphans = sorted(files - rows - rows_photos)
    return missing, orphans


# --- links from posts ----------------------------------------------------------------

LINK_PATH = (
    r"/groups/([a-z0-9-]+)/documents/(\d+)(?:/versions/(\d+)/download)?(?![\w/])"
)


def link_documents(source: str, group: Group) -> str:
    """Pasted links to this group's documents become rich links: title and version.
    Documents of other groups stay plain links (their titles may be private)."""

    def replace(match):
        slug, document_id, number = match.group(1), int(match.group(2)), match.group(3)
        if slug != group.slug:
            return match.group(0)
        document = get_document(group, document_id)
        if document is None or document.deleted_at is not None:
            return match.group(0)
        version = int(number) if number else document.version_count
        label = _("%(title)s (version %(n)d)", title=document.title, n=version)
        label = re.sub(r"([\\`*_\[\]<>])", r"\\\1", label)
        return f"[📄 {label}]({match.group(0)})"

    # Only our own addresses: a look-alike host must not borrow a document's title.
    base = re.escape(current_app.config["BASE_URL"].rstrip("/"))
    pattern = re.compile(rf"(?<![(\[<\w/.:-])(?:{base})?{LINK_PATH}")
    return pattern.sub(replace, source)
