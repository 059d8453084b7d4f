"""The search index's rows; the engine-specific text index is built on them (ddl)."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from collab.extensions import db
from collab.search import ddl


class Audience:
    """Who may see an entry: readers of its group, its chairs (drafts), or every
    signed-in person (people's public profile fields)."""

    GROUP = "group"
    CHAIRS = "chairs"
    PEOPLE = "people"


class SearchEntry(db.Model):
    __tablename__ = "search_entries"
    __table_args__ = (
        Index("ix_search_entries_root", "root"),
        Index("ix_search_entries_group", "group_id", "audience"),
        Index("ix_search_entries_author", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    ref_id: Mapped[int]
    # The unit reindexed together: "t12" a thread, "p5" a post, "d3" a document and
    # its versions, "m7" a meeting and everything recorded in it, "u9" a person.
    root: Mapped[str] = mapped_column(String(24))
    # The thread of a post, the meeting of an item, the document of a version.
    parent_id: Mapped[int | None]
    # A post's number in its thread, a version's number, the agenda item of
    # minutes, a decision or an action.
    position: Mapped[int | None]
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE")
    )
    audience: Mapped[str] = mapped_column(String(8))
    author_id: Mapped[int | None]
    at: Mapped[datetime]
    heading: Mapped[str] = mapped_column(String(300))
    # Who may see it, its group and its type as words (entries.scope_tokens): the
    # SQLite index filters on them inside the full-text query.
    scope: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # Older document versions rank below the latest one.
    boost: Mapped[float] = mapped_column(Float, default=1.0)


ddl.install(SearchEntry.__table__)
