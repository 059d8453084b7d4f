"""Folders, documents, their immutable versions, tags and library visits."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collab.auth.models import User
from collab.core.db import TimestampMixin, utcnow
from collab.extensions import db
from collab.groups.models import Group


class Folder(TimestampMixin, db.Model):
    __tablename__ = "folders"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("folders.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))


class Document(TimestampMixin, db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        # A folder's page, newest first, without sorting the group's documents.
        Index("ix_documents_library", "group_id", "folder_id", "updated_at"),
        # "Changed since my last visit" across the library.
        Index("ix_documents_group_updated", "group_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    folder_id: Mapped[int | None] = mapped_column(
        ForeignKey("folders.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # The latest version's kind ("pdf", "docx", …), kept here for filtering.
    kind: Mapped[str] = mapped_column(String(8), default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # In the trash since: restorable for 30 days, then purged with its files.
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    version_count: Mapped[int] = mapped_column(default=0)

    group: Mapped[Group] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    tags = relationship(
        "DocumentTag",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="DocumentTag.tag",
    )


class DocumentVersion(db.Model):
    """One uploaded file. Never changed once written: a change is a new version."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    # Cleaned for display and the download's name; never used as a storage path.
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(220), unique=True)
    uploader_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(String(500), default="")
    extracted_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploader: Mapped[User | None] = relationship()


class DocumentTag(db.Model):
    __tablename__ = "document_tags"
    __table_args__ = (UniqueConstraint("document_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    tag: Mapped[str] = mapped_column(String(60), index=True)


class LibraryVisit(db.Model):
    """When someone last opened a group's library: later documents are "new"."""

    __tablename__ = "library_visits"
    __table_args__ = (UniqueConstraint("user_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    visited_at: Mapped[datetime] = mapped_column(default=utcnow)
