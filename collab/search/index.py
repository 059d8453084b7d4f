"""Keeping the index current: whatever a service changes in a session (a post written,
a document trashed, minutes circulated, a profile edited) is reindexed in the same
transaction, just before it commits, by one session hook. No service has to remember
to call the index, and a rolled-back change leaves the index as it was.

``rebuild`` recomputes the whole index (``flask search reindex``)."""

from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy import delete, event, insert, inspect, select, text
from sqlalchemy.orm import Session

from collab.extensions import db
from collab.search import ddl, entries
from collab.search.models import SearchEntry

_PENDING = "search_roots"
BATCH = 1000


def _roots_of(obj) -> set[str]:
    """The index roots a changed object belongs to."""
    from collab.auth.models import User
    from collab.documents.models import Document, DocumentTag, DocumentVersion
    from collab.meetings.models import Action, AgendaItem, Decision, Meeting
    from collab.members.models import Expertise
    from collab.threads.models import Post, Thread

    if isinstance(obj, Post):
        return {f"p{obj.id}"}
    if isinstance(obj, Thread):
        return {f"t{obj.id}"}
    if isinstance(obj, Document):
        return {f"d{obj.id}"}
    if isinstance(obj, DocumentVersion | DocumentTag):
        return {f"d{obj.document_id}"}
    if isinstance(obj, Meeting):
        return {f"m{obj.id}"}
    if isinstance(obj, AgendaItem | Decision | Action):
        return {f"m{obj.meeting_id}"}
    if isinstance(obj, User):
        return {f"u{obj.id}"}
    if isinstance(obj, Expertise):
        return {f"u{obj.user_id}"}
    return set()


def _changed(obj, *names) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _collect(session: Session, _flush_context) -> None:
    """after_flush: ids are known, and new/dirty/deleted still list what changed."""
    from collab.groups.models import Group
    from collab.threads.models import Thread

    pending = session.info.setdefault(_PENDING, set())
    for obj in session.new | session.deleted:
        pending |= _roots_of(obj)
    for obj in session.dirty:
        if not session.is_modified(obj, include_collections=False):
            continue
        pending |= _roots_of(obj)
        if isinstance(obj, Thread) and _changed(obj, "title", "group_id"):
            # Its posts carry the thread's group and title.
            pending.add(f"T{obj.id}")
        if isinstance(obj, Group) and _changed(obj, "visibility"):
            # Every entry of the group says whether it is public.
            pending.add(f"G{obj.id}")


def _apply(session: Session) -> None:
    """before_commit: bring the entries of every changed root up to date."""
    session.flush()
    if not session.info.get(_PENDING):
        return
    pending = session.info.pop(_PENDING, set())
    if pending:
        reindex(pending, session)


def _forget(session: Session, *_args) -> None:
    session.info.pop(_PENDING, None)


def reindex(roots: Iterable[str], session: Session | None = None) -> None:
    """Replace the entries of ``roots`` ("p12", "d3", …) by freshly built ones.
    "T<id>" stands for every post of a thread, "G<id>" for everything in a group."""
    session = session or db.session()
    by_kind = defaultdict(set)
    for root in roots:
        if root[0] in "TG":
            for kind, ids in _expand(session, root[0], int(root[1:])):
                by_kind[kind].update(ids)
        else:
            by_kind[root[0]].add(int(root[1:]))
    for kind, ids in by_kind.items():
        ids = sorted(ids)
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            session.execute(
                delete(SearchEntry).where(
                    SearchEntry.root.in_([f"{kind}{i}" for i in chunk])
                )
            )
            _insert(session, entries.BUILDERS[kind](chunk))


def _expand(session: Session, what: str, key: int):
    from collab.documents.models import Document
    from collab.meetings.models import Meeting
    from collab.threads.models import Post, Thread

    if what == "T":
        yield "p", session.scalars(select(Post.id).where(Post.thread_id == key))
        return
    threads = select(Thread.id).where(Thread.group_id == key)
    yield "t", session.scalars(threads)
    yield "p", session.scalars(select(Post.id).where(Post.thread_id.in_(threads)))
    yield "d", session.scalars(select(Document.id).where(Document.group_id == key))
    yield "m", session.scalars(select(Meeting.id).where(Meeting.group_id == key))


def _insert(session: Session, rows) -> int:
    rows = list(rows)
    if rows:
        session.execute(insert(SearchEntry), rows)
    return len(rows)


def has_entries() -> bool:
    return db.session.scalar(select(SearchEntry.id).limit(1)) is not None


def rebuild(progress: Callable[[str, int], None] | None = None) -> int:
    """Empty the index and build it again from the content, kind by kind, committing
    per batch so that collab keeps serving (searches find less until it ends).

    On SQLite the text index is not fed row by row: its triggers are set aside while
    the entries are written, then FTS5 builds the whole index in one pass and the
    triggers come back, both in one transaction, so no change made meanwhile is
    missed. (Ten times faster for a million posts.)"""
    from collab.auth.models import User
    from collab.documents.models import Document
    from collab.meetings.models import Meeting
    from collab.threads.models import Post, Thread

    session = db.session()
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        for statement in ddl.SQLITE_DROP_TRIGGERS:
            session.execute(text(statement))
        session.execute(text(ddl.SQLITE_EMPTY))
    session.execute(delete(SearchEntry))
    session.commit()
    total = 0
    # Posts first: for a very common word the most recently indexed matches are
    # ranked (services.RECENT), and the fewer, richer entries should be among them.
    for kind, model in (
        ("p", Post),
        ("u", User),
        ("t", Thread),
        ("d", Document),
        ("m", Meeting),
    ):
        last = 0
        while True:
            ids = session.scalars(
                select(model.id).where(model.id > last).order_by(model.id).limit(BATCH)
            ).all()
            if not ids:
                break
            count = _insert(session, entries.BUILDERS[kind](ids))
            session.commit()
            session.expunge_all()
            total += count
            last = ids[-1]
            if progress:
                progress(kind, len(ids))
    if sqlite:
        session.execute(text(ddl.SQLITE_REBUILD))
        for statement in ddl.SQLITE_CREATE[1:]:
            session.execute(text(statement))
        session.commit()
    return total


def install() -> None:
    """Hook every session of the app (once per process)."""
    if not event.contains(Session, "after_flush", _collect):
        event.listen(Session, "after_flush", _collect)
        event.listen(Session, "before_commit", _apply)
        event.listen(Session, "after_rollback", _forget)
