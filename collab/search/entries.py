"""What each searchable thing puts in the index, built in bulk from plain rows (one
query per kind and batch), so a rebuild of a million posts and the incremental update
of one share the same code."""

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator

from babel import Locale
from sqlalchemy import select

from collab.core.text import plain_text
from collab.extensions import db
from collab.search.models import Audience
from collab.search.query import WORD

# The index keeps this much of one text: enough for any document people search by
# content, bounded so one upload cannot bloat the index (PostgreSQL caps a tsvector
# at 1 MB).
MAX_TEXT = 100_000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LOCALES = (Locale("en"), Locale("fr"))


def clean(text: str | None, limit: int = MAX_TEXT) -> str:
    """Text as indexed: no control characters (snippets use two of them as marks)."""
    return _CONTROL.sub(" ", text or "")[:limit]


# The scope tokens of an entry, indexed beside its text so that SQLite's full-text
# query itself keeps to what the searcher may see (and to a group or a type), instead
# of fetching matches and dropping most of them.
PUBLIC = "s0"  # everyone signed in: public groups' content, people
KIND_TOKENS = {
    "thread": "k1",
    "post": "k1",
    "document": "k2",
    "version": "k2",
    "meeting": "k3",
    "item": "k3",
    "minutes": "k3",
    "decision": "k3",
    "action": "k3",
    "person": "k4",
}


def group_token(group_id: int) -> str:
    return f"g{group_id}"


def chairs_token(group_id: int) -> str:
    return f"c{group_id}"


def scope_tokens(kind: str, audience: str, group_id: int | None, public: bool) -> str:
    tokens = [KIND_TOKENS[kind]]
    if audience == Audience.PEOPLE:
        tokens.append(PUBLIC)
    elif audience == Audience.CHAIRS:
        tokens.append(chairs_token(group_id))
    else:
        tokens.append(group_token(group_id))
        if public:
            tokens.append(PUBLIC)
    return " ".join(tokens)


def _entry(kind, ref_id, root, *, public: bool = False, **fields) -> dict:
    entry = {
        "kind": kind,
        "ref_id": ref_id,
        "root": root,
        "parent_id": None,
        "position": None,
        "group_id": None,
        "audience": Audience.GROUP,
        "author_id": None,
        "title": "",
        "body": "",
        "boost": 1.0,
    }
    entry.update(fields)
    entry["scope"] = scope_tokens(kind, entry["audience"], entry["group_id"], public)
    entry["heading"] = clean(entry["heading"], 300)
    entry["title"] = clean(entry["title"])
    entry["body"] = clean(entry["body"])
    return entry


def threads(ids: Iterable[int]) -> Iterator[dict]:
    from collab.threads.models import Thread

    rows = db.session.execute(
        select(
            Thread.id,
            Thread.group_id,
            Thread.title,
            Thread.author_id,
            Thread.last_post_at,
            _is_public(Thread.group_id),
        ).where(Thread.id.in_(list(ids)))
    )
    for row in rows:
        yield _entry(
            "thread",
            row.id,
            f"t{row.id}",
            group_id=row.group_id,
            public=row.public,
            author_id=row.author_id,
            at=row.last_post_at,
            heading=row.title,
            title=row.title,
        )


def posts(ids: Iterable[int]) -> Iterator[dict]:
    """Visible posts (not deleted, not hidden by a moderator)."""
    from collab.threads.models import Post, Thread

    rows = db.session.execute(
        select(
            Post.id,
            Post.thread_id,
            Post.number,
            Post.author_id,
            Post.body_html,
            Post.created_at,
            Thread.group_id,
            Thread.title,
            _is_public(Thread.group_id),
        )
        .join(Thread, Thread.id == Post.thread_id)
        .where(
            Post.id.in_(list(ids)), Post.deleted_at.is_(None), Post.hidden_at.is_(None)
        )
    )
    for row in rows:
        yield _entry(
            "post",
            row.id,
            f"p{row.id}",
            parent_id=row.thread_id,
            position=row.number,
            group_id=row.group_id,
            public=row.public,
            author_id=row.author_id,
            at=row.created_at,
            heading=row.title,
            body=plain_text(row.body_html),
        )


def documents(ids: Iterable[int]) -> Iterator[dict]:
    """A document (title, description, tags, file name, the latest version's text)
    and each older version's text, ranked below it. Nothing from the trash."""
    from collab.documents.models import Document, DocumentTag, DocumentVersion

    ids = list(ids)
    docs = db.session.execute(
        select(
            Document.id,
            Document.group_id,
            Document.title,
            Document.description,
            Document.created_by_id,
            Document.updated_at,
            _is_public(Document.group_id),
        ).where(Document.id.in_(ids), Document.deleted_at.is_(None))
    ).all()
    live = [d.id for d in docs]
    tags = defaultdict(list)
    for document_id, tag in db.session.execute(
        select(DocumentTag.document_id, DocumentTag.tag).where(
            DocumentTag.document_id.in_(live)
        )
    ):
        tags[document_id].append(tag)
    versions = defaultdict(list)
    for version in db.session.execute(
        select(
            DocumentVersion.document_id,
            DocumentVersion.number,
            DocumentVersion.filename,
            DocumentVersion.note,
            DocumentVersion.extracted_text,
            DocumentVersion.uploader_id,
            DocumentVersion.created_at,
        )
        .where(DocumentVersion.document_id.in_(live))
        .order_by(DocumentVersion.number.desc())
    ):
        versions[version.document_id].append(version)
    for doc in docs:
        latest, *older = versions[doc.id] or [None]
        title = " ".join([doc.title, *tags[doc.id]])
        yield _entry(
            "document",
            doc.id,
            f"d{doc.id}",
            group_id=doc.group_id,
            public=doc.public,
            author_id=doc.created_by_id,
            at=doc.updated_at,
            heading=doc.title,
            title=title,
            body="\n".join(
                [
                    doc.description,
                    _file_words(latest.filename),
                    latest.note,
                    latest.extracted_text,
                ]
                if latest
                else [doc.description]
            ),
            position=latest.number if latest else None,
        )
        for version in older:
            yield _entry(
                "version",
                doc.id,
                f"d{doc.id}",
                parent_id=doc.id,
                position=version.number,
                group_id=doc.group_id,
                public=doc.public,
                author_id=version.uploader_id,
                at=version.created_at,
                heading=doc.title,
                body="\n".join(
                    [
                        _file_words(version.filename),
                        version.note,
                        version.extracted_text,
                    ]
                ),
                boost=0.5,
            )


def _file_words(name: str) -> str:
    """A file name and its words: PostgreSQL reads "wallet-report.pdf" as one file
    token, in which "wallet" would not be found."""
    return " ".join([name, *WORD.findall(name)])


def meetings(ids: Iterable[int]) -> Iterator[dict]:
    """A meeting, its agenda items, minutes, decisions and actions, each visible to
    whom the meeting pages show it: drafts (the meeting, an unpublished agenda,
    minutes not yet circulated, decisions recorded in them) only to chairs."""
    from collab.meetings.models import (
        Action,
        AgendaItem,
        Decision,
        Meeting,
        MinutesStage,
        Status,
    )

    found = db.session.scalars(select(Meeting).where(Meeting.id.in_(list(ids)))).all()
    by_id = {m.id: m for m in found}
    items = defaultdict(list)
    for item in db.session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id.in_(by_id))
    ):
        items[item.meeting_id].append(item)
    titles = {i.id: i.title for group in items.values() for i in group}
    outcomes = defaultdict(list)
    for model, kind in ((Decision, "decision"), (Action, "action")):
        for row in db.session.scalars(select(model).where(model.meeting_id.in_(by_id))):
            outcomes[row.meeting_id].append((kind, row))
    for meeting in found:
        draft = meeting.status == Status.DRAFT
        audience = Audience.CHAIRS if draft else Audience.GROUP
        agenda_open = not draft and (
            meeting.agenda_is_published
            or meeting.minutes_stage in (MinutesStage.CIRCULATED, MinutesStage.ADOPTED)
        )
        minutes_open = not draft and meeting.minutes_stage in (
            MinutesStage.CIRCULATED,
            MinutesStage.ADOPTED,
        )
        common = {
            "group_id": meeting.group_id,
            "parent_id": meeting.id,
            "public": meeting.group.is_public,
        }
        root = f"m{meeting.id}"
        yield _entry(
            "meeting",
            meeting.id,
            root,
            group_id=meeting.group_id,
            public=meeting.group.is_public,
            audience=audience,
            author_id=meeting.created_by_id,
            at=meeting.starts_at,
            heading=meeting.title,
            title=meeting.title,
            body="\n".join([meeting.description, meeting.location]),
        )
        for item in items[meeting.id]:
            yield _entry(
                "item",
                item.id,
                root,
                **common,
                audience=Audience.GROUP if agenda_open else Audience.CHAIRS,
                author_id=item.presenter_id,
                at=meeting.starts_at,
                heading=item.title,
                title=item.title,
                body="\n".join([item.description, item.presenter_name]),
            )
            if item.minutes.strip() and meeting.minutes_stage != MinutesStage.NONE:
                yield _entry(
                    "minutes",
                    item.id,
                    root,
                    **common,
                    audience=Audience.GROUP if minutes_open else Audience.CHAIRS,
                    at=meeting.minutes_adopted_at or meeting.starts_at,
                    position=item.id,
                    heading=item.title,
                    body=item.minutes,
                )
        for kind, row in outcomes[meeting.id]:
            yield _entry(
                kind,
                row.id,
                root,
                **common,
                # Decisions show with the minutes; actions, like the action
                # register, with the meeting.
                audience=Audience.GROUP
                if (minutes_open if kind == "decision" else not draft)
                else Audience.CHAIRS,
                author_id=getattr(row, "owner_id", None),
                at=row.created_at,
                position=row.item_id,
                heading=titles.get(row.item_id, meeting.title),
                body=row.text,
            )


def people(ids: Iterable[int]) -> Iterator[dict]:
    """What the directory shows everyone signed in: name, organisation, position,
    country (in English and French) and expertise. E-mail and phone, which people
    may hide, are never indexed."""
    from collab.auth.models import User
    from collab.members.models import Expertise

    ids = list(ids)
    found = db.session.execute(
        select(
            User.id,
            User.display_name,
            User.organisation,
            User.position,
            User.country,
            User.created_at,
        ).where(User.id.in_(ids), User.is_active.is_(True), User.erased_at.is_(None))
    ).all()
    expertise = defaultdict(list)
    for user_id, tag in db.session.execute(
        select(Expertise.user_id, Expertise.tag).where(
            Expertise.user_id.in_([u.id for u in found])
        )
    ):
        expertise[user_id].append(tag)
    for user in found:
        countries = (
            {locale.territories.get(user.country, "") for locale in _LOCALES}
            if user.country
            else set()
        )
        yield _entry(
            "person",
            user.id,
            f"u{user.id}",
            audience=Audience.PEOPLE,
            at=user.created_at,
            heading=user.display_name,
            title=user.display_name,
            body="\n".join(
                [
                    user.organisation,
                    user.position,
                    *sorted(countries),
                    *expertise[user.id],
                ]
            ),
        )


def _is_public(group_id_column):
    """Whether the row's group is public, as a column named ``public``."""
    from collab.groups.models import Group, Visibility

    return (
        select(Group.visibility == Visibility.PUBLIC)
        .where(Group.id == group_id_column)
        .scalar_subquery()
        .label("public")
    )


# Root prefix → the builder of its entries.
BUILDERS = {
    "t": threads,
    "p": posts,
    "d": documents,
    "m": meetings,
    "u": people,
}
