"""Writing, reading and moderating discussions. Flush, never commit."""

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from collab.audit import services as audit
from collab.auth.models import User
from collab.core.db import execute_small_write, upsert, utcnow
from collab.core.errors import DomainError
from collab.core.permissions import can_view_group
from collab.core.text import render_markdown
from collab.documents.services import link_documents
from collab.extensions import db
from collab.groups.models import Group, Membership
from collab.notifications import activity as notifications
from collab.notifications.models import Notification
from collab.threads import mentions
from collab.threads.models import (
    MAX_BODY,
    Level,
    Mention,
    Post,
    PostRevision,
    ReadMarker,
    Subscription,
    Thread,
)
from collab.threads.permissions import can_mention_group

PAGE_SIZE = 20


# --- reading -----------------------------------------------------------------------


def threads_in(group: Group):
    """Pinned first, then by last activity."""
    return (
        select(Thread)
        .options(joinedload(Thread.last_poster), joinedload(Thread.author))
        .where(Thread.group_id == group.id)
        .order_by(Thread.is_pinned.desc(), Thread.last_post_at.desc(), Thread.id.desc())
    )


def read_numbers(user: User, thread_ids: list[int]) -> dict[int, int]:
    if not thread_ids:
        return {}
    rows = db.session.execute(
        select(ReadMarker.thread_id, ReadMarker.last_read_number).where(
            ReadMarker.user_id == user.id, ReadMarker.thread_id.in_(thread_ids)
        )
    )
    return dict(rows.all())


def get_thread(group: Group, thread_id: int) -> Thread | None:
    return db.session.scalar(
        select(Thread).where(Thread.id == thread_id, Thread.group_id == group.id)
    )


def get_post(thread: Thread, post_id: int) -> Post | None:
    return db.session.scalar(
        select(Post)
        .options(joinedload(Post.author))
        .where(Post.id == post_id, Post.thread_id == thread.id)
    )


def posts_page(thread: Thread, page: int) -> list[Post]:
    first = (page - 1) * PAGE_SIZE + 1
    return list(
        db.session.scalars(
            select(Post)
            .options(joinedload(Post.author).selectinload(User.profile))
            .where(
                Post.thread_id == thread.id,
                Post.number >= first,
                Post.number < first + PAGE_SIZE,
            )
            .order_by(Post.number)
        )
    )


def page_count(thread: Thread) -> int:
    return max(1, (thread.post_count + PAGE_SIZE - 1) // PAGE_SIZE)


def page_of(number: int) -> int:
    return (max(number, 1) - 1) // PAGE_SIZE + 1


def revisions(post: Post) -> list[PostRevision]:
    return list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.id)
        )
    )


def subscription_level(user: User, thread: Thread) -> str:
    level = db.session.scalar(
        select(Subscription.level).where(
            Subscription.user_id == user.id, Subscription.thread_id == thread.id
        )
    )
    return level or Level.NORMAL


def latest_threads(group: Group, limit: int = 5) -> list[Thread]:
    return list(db.session.scalars(threads_in(group).limit(limit)))


def unread_threads(user: User, limit: int = 10) -> list[tuple[Thread, int]]:
    """Threads with posts I have not read, in my groups, newest activity first."""
    mine = select(Membership.group_id).where(
        Membership.user_id == user.id, Membership.status == "active"
    )
    read = func.coalesce(ReadMarker.last_read_number, 0)
    rows = db.session.execute(
        select(Thread, read)
        .options(joinedload(Thread.group), joinedload(Thread.last_poster))
        .outerjoin(
            ReadMarker,
            (ReadMarker.thread_id == Thread.id) & (ReadMarker.user_id == user.id),
        )
        .where(Thread.group_id.in_(mine), Thread.post_count > read)
        .order_by(Thread.last_post_at.desc())
        .limit(limit)
    )
    return [(thread, thread.post_count - number) for thread, number in rows]


# --- writing -----------------------------------------------------------------------


def _check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write something first."), field="body")
    if len(body) > MAX_BODY:
        raise DomainError(
            _("A post can have at most 100,000 characters."), field="body"
        )
    return body


def _readers(group: Group) -> list[User]:
    """People who can read the group and may be named by display name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.group_id == group.id,
                Membership.status == "active",
                User.is_active.is_(True),
            )
        )
    )


def render(body: str, group: Group) -> tuple[str, list[User], bool]:
    """(sanitised HTML with mention links, mentioned users who can read the group,
    whether @group was used)."""
    found, group_mention = mentions.find(body, _readers(group))
    visible = [(text, user) for text, user in found if can_view_group(user, group)]
    return (
        render_markdown(mentions.link(link_documents(body, group), visible)),
        [u for _t, u in visible],
        group_mention,
    )


def preview(body: str, group: Group) -> str:
    return render(_check_body(body), group)[0]


def start_thread(
    actor: User, group: Group, title: str, body: str, form_token: str | None = None
) -> Post:
    existing = _already_sent(actor, form_token)
    if existing is not None:
        return existing
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the thread a title."), field="title")
    body = _check_body(body)
    thread = Thread(
        group_id=group.id,
        title=title[:200],
        author_id=actor.id,
        last_poster_id=actor.id,
        post_count=0,
    )
    db.session.add(thread)
    db.session.flush()
    return _add_post(actor, thread, body, form_token, new_thread=True)


def reply(
    actor: User, thread: Thread, body: str, form_token: str | None = None
) -> Post:
    existing = _already_sent(actor, form_token)
    if existing is not None:
        return existing
    body = _check_body(body)
    # Serialise replies to one thread so numbers and counters stay exact.
    db.session.refresh(thread, with_for_update=True)
    existing = _already_sent(actor, form_token)  # a twin request may have won the lock
    if existing is not None:
        return existing
    return _add_post(actor, thread, body, form_token, new_thread=False)


def _already_sent(actor: User, form_token: str | None) -> Post | None:
    if not form_token:
        return None
    return db.session.scalar(
        select(Post).where(Post.author_id == actor.id, Post.form_token == form_token)
    )


def _add_post(actor, thread, body, form_token, *, new_thread: bool) -> Post:
    group = thread.group
    html, mentioned, group_mention = render(body, group)
    group_mention = group_mention and can_mention_group(actor, group)
    now = utcnow()
    thread.post_count += 1
    post = Post(
        thread_id=thread.id,
        number=thread.post_count,
        author_id=actor.id,
        body=body,
        body_html=html,
        form_token=form_token,
        created_at=now,
    )
    thread.last_post_at, thread.last_poster_id = now, actor.id
    db.session.add(post)
    db.session.flush()
    for user in mentioned:
        db.session.add(Mention(post_id=post.id, user_id=user.id))
        _ensure_watching(user, thread)
    _ensure_watching(actor, thread)
    mark_read(actor, thread, post.number, own_transaction=False)
    notifications.notify_post(
        post, new_thread=new_thread, mentioned=mentioned, group_mention=group_mention
    )
    return post


def _ensure_watching(user: User, thread: Thread) -> None:
    """Posting or being mentioned starts watching, unless the thread is muted."""
    existing = db.session.scalar(
        select(Subscription).where(
            Subscription.user_id == user.id, Subscription.thread_id == thread.id
        )
    )
    if existing is None:
        db.session.add(
            Subscription(user_id=user.id, thread_id=thread.id, level=Level.WATCH)
        )
        db.session.flush()
    elif existing.level == Level.NORMAL:
        existing.level = Level.WATCH


def set_subscription(user: User, thread: Thread, level: str) -> None:
    if level not in set(Level):
        raise DomainError(_("Choose watch, normal or mute."))
    existing = db.session.scalar(
        select(Subscription).where(
            Subscription.user_id == user.id, Subscription.thread_id == thread.id
        )
    )
    if existing is None:
        db.session.add(Subscription(user_id=user.id, thread_id=thread.id, level=level))
    else:
        existing.level = level


def edit_post(actor: User, post: Post, body: str) -> None:
    body = _check_body(body)
    if body == post.body:
        return
    db.session.add(
        PostRevision(
            post_id=post.id,
            body=post.body,
            body_html=post.body_html,
            written_at=post.edited_at or post.created_at,
            editor_id=actor.id,
        )
    )
    old = {
        m
        for m in db.session.scalars(
            select(Mention.user_id).where(Mention.post_id == post.id)
        )
    }
    html, mentioned, _group = render(body, post.thread.group)
    post.body, post.body_html, post.edited_at = body, html, utcnow()
    new = [user for user in mentioned if user.id not in old]
    for user in new:
        db.session.add(Mention(post_id=post.id, user_id=user.id))
        _ensure_watching(user, post.thread)
    if new:
        notifications.notify_post(
            post,
            new_thread=False,
            mentioned=new,
            group_mention=False,
            mentions_only=True,
        )


def delete_post(actor: User, post: Post) -> None:
    post.deleted_at = utcnow()
    audit.record(
        actor, "post.deleted", post, group=post.thread.group, thread=post.thread_id
    )


def hide_post(actor: User, post: Post, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the post is hidden."), field="reason")
    post.hidden_at, post.hidden_by_id, post.hidden_reason = (
        utcnow(),
        actor.id,
        reason[:500],
    )
    audit.record(
        actor, "post.hidden", post, group=post.thread.group, reason=reason[:500]
    )


def set_flag(actor: User, thread: Thread, flag: str, value: bool) -> None:
    setattr(thread, f"is_{flag}", value)
    action = {
        ("pinned", True): "pinned",
        ("pinned", False): "unpinned",
        ("locked", True): "locked",
        ("locked", False): "unlocked",
    }[(flag, value)]
    audit.record(actor, f"thread.{action}", thread, group=thread.group)


def move_thread(actor: User, thread: Thread, target: Group) -> None:
    if target.id == thread.group_id:
        raise DomainError(_("The thread is already in that group."), field="group")
    source = thread.group
    thread.group_id = target.id
    thread.group = target
    db.session.execute(
        update(Notification)
        .where(Notification.thread_id == thread.id)
        .values(group_id=target.id)
    )
    # Stored HTML was rendered for the old group (rich links to its documents,
    # mention links of its members): render it again for the new readers.
    for post in db.session.scalars(select(Post).where(Post.thread_id == thread.id)):
        post.body_html = render(post.body, target)[0]
    audit.record(actor, "thread.moved", thread, group=target, source=source.slug)


def mark_read(
    user: User, thread: Thread, number: int, *, own_transaction: bool = True
) -> None:
    """Remember the highest post number read (never going backwards)."""
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    highest = (func.max if sqlite else func.greatest)(
        ReadMarker.last_read_number, number
    )
    statement = upsert(
        db.session,
        ReadMarker,
        {"user_id": user.id, "thread_id": thread.id, "last_read_number": number},
        ["user_id", "thread_id"],
        {"last_read_number": highest},
    )
    if own_transaction:
        execute_small_write(db.session, statement)
    else:
        db.session.execute(statement)


def first_unread(user: User, thread: Thread) -> int:
    read = read_numbers(user, [thread.id]).get(thread.id, 0)
    return min(read + 1, max(thread.post_count, 1))


def posts_by(user: User) -> list[Post]:
    return list(
        db.session.scalars(
            select(Post)
            .options(joinedload(Post.thread))
            .where(Post.author_id == user.id)
            .order_by(Post.id)
        )
    )
