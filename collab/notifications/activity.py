"""Who hears about a post, in the app and by e-mail (now, in the digest, or never)."""

from itertools import groupby

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload

from collab.auth.models import User
from collab.core.db import utcnow
from collab.core.permissions import is_secretariat
from collab.core.urls import absolute_url
from collab.extensions import db
from collab.groups.models import Group, Membership, Visibility
from collab.notifications.models import EmailPreference, Notification
from collab.notifications.services import queue_email

MODES = ("immediate", "digest", "off")
# The strongest reason wins when someone qualifies several times.
PRIORITY = {"mention": 4, "group_mention": 3, "reply": 2, "new_thread": 1}


# --- preferences --------------------------------------------------------------------


def preferences(user: User) -> dict[int | None, EmailPreference]:
    rows = db.session.scalars(
        select(EmailPreference).where(EmailPreference.user_id == user.id)
    )
    return {row.group_id: row for row in rows}


def _preferences_of(
    user_ids: list[int],
) -> dict[int, dict[int | None, EmailPreference]]:
    """Everyone's preference rows in one query, by person then group."""
    out: dict[int, dict[int | None, EmailPreference]] = {}
    rows = db.session.scalars(
        select(EmailPreference).where(EmailPreference.user_id.in_(user_ids))
    )
    for row in rows:
        out.setdefault(row.user_id, {})[row.group_id] = row
    return out


def email_mode(prefs: dict, group_id: int) -> str:
    """The group's own mode, else the person's default, else immediately."""
    for key in (group_id, None):
        row = prefs.get(key)
        if row is not None and row.mode:
            return row.mode
    return "immediate"


def set_preference(
    user: User, group_id: int | None, mode: str, watch_new_threads: bool
) -> None:
    """Save a mode; for a group, "" means "as my default" (the row then only keeps the
    new-threads tick, and goes when there is nothing left to keep)."""
    if mode not in MODES and not (group_id is not None and mode == ""):
        raise ValueError(mode)
    row = db.session.scalar(
        select(EmailPreference).where(
            EmailPreference.user_id == user.id,
            EmailPreference.group_id.is_(None)
            if group_id is None
            else EmailPreference.group_id == group_id,
        )
    )
    if group_id is not None and mode == "" and not watch_new_threads:
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        row = EmailPreference(user_id=user.id, group_id=group_id)
        db.session.add(row)
    row.mode, row.watch_new_threads = mode, watch_new_threads


# --- fan-out -----------------------------------------------------------------------


def notify_post(
    post,
    *,
    new_thread: bool,
    mentioned: list[User],
    group_mention: bool,
    mentions_only: bool = False,
) -> list[Notification]:
    """Create in-app notifications for everyone who should hear about ``post``, and
    queue or defer their e-mails. Nobody who cannot read the group hears anything."""
    from collab.threads.models import Level, Subscription

    thread = post.thread
    group = thread.group
    reasons: dict[int, str] = {}

    def add(user_id: int, kind: str) -> None:
        if PRIORITY[kind] > PRIORITY.get(reasons.get(user_id, ""), 0):
            reasons[user_id] = kind

    for user in mentioned:
        add(user.id, "mention")
    subscriptions = db.session.execute(
        select(Subscription.user_id, Subscription.level).where(
            Subscription.thread_id == thread.id
        )
    ).all()
    # Muted means nothing at all, mentions included (the unsubscribe link promises it).
    muted = {uid for uid, level in subscriptions if level == Level.MUTE}
    if not mentions_only:
        for user_id, level in subscriptions:
            if level == Level.WATCH:
                add(user_id, "reply")
        members = _active_member_ids(group)
        if group_mention:
            for user_id in members:
                add(user_id, "group_mention")
        if new_thread:
            for user_id in _watching_new_threads(group):
                add(user_id, "new_thread")
    reasons.pop(post.author_id, None)
    for user_id in muted:
        reasons.pop(user_id, None)
    if not reasons:
        return []
    people = db.session.scalars(
        select(User).where(
            User.id.in_(reasons), User.is_active.is_(True), User.erased_at.is_(None)
        )
    ).all()
    allowed = _can_read(group, people)
    prefs = _preferences_of([u.id for u in people])
    created = []
    for user in people:
        if user.id not in allowed:
            continue
        notification = Notification(
            user_id=user.id,
            kind=reasons[user.id],
            group_id=group.id,
            thread_id=thread.id,
            post_id=post.id,
            actor_id=post.author_id,
        )
        db.session.add(notification)
        mode = email_mode(prefs.get(user.id, {}), group.id)
        if mode == "immediate":
            _queue_post_email(user, post, reasons[user.id])
        elif mode == "digest":
            notification.in_digest = True
        created.append(notification)
    return created


def notify_people(
    people: list[User], group: Group, kind: str, subject: str, path: str, actor=None
) -> None:
    """In-app notifications about something other than a post (a poll, a meeting):
    ``subject`` names it, ``path`` is the page it opens."""
    for user in people:
        db.session.add(
            Notification(
                user_id=user.id,
                kind=kind,
                group_id=group.id,
                subject=subject[:300],
                path=path,
                actor_id=getattr(actor, "id", None),
            )
        )


def _active_member_ids(group: Group) -> set[int]:
    return set(
        db.session.scalars(
            select(Membership.user_id).where(
                Membership.group_id == group.id, Membership.status == "active"
            )
        )
    )


def _watching_new_threads(group: Group) -> set[int]:
    """Members who tick "every new thread" by default or for this group, and readers
    of a public group who tick it for that group (visibility is checked later)."""
    members = _active_member_ids(group)
    rows = db.session.execute(
        select(
            EmailPreference.user_id,
            EmailPreference.group_id,
            EmailPreference.watch_new_threads,
        ).where(
            or_(
                EmailPreference.group_id == group.id, EmailPreference.group_id.is_(None)
            )
        )
    ).all()
    specific = {uid: watch for uid, gid, watch in rows if gid == group.id}
    default = {uid: watch for uid, gid, watch in rows if gid is None}
    chosen = {uid for uid in members if specific.get(uid, default.get(uid, False))}
    return chosen | {uid for uid, watch in specific.items() if watch}


def _can_read(group: Group, people: list[User]) -> set[int]:
    if group.visibility == Visibility.PUBLIC:
        return {u.id for u in people}
    members = _active_member_ids(group)
    return {u.id for u in people if u.id in members or is_secretariat(u)}


# --- e-mail ---------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_token(user_id: int, thread_id: int | None) -> str:
    return _serializer().dumps({"u": user_id, "t": thread_id})


def read_unsubscribe_token(token: str) -> dict | None:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and "u" in data else None


def _domain() -> str:
    sender = current_app.config["MAIL_FROM"]
    return sender.rpartition("@")[2].strip("> ") or "collab.localhost"


def _queue_post_email(user: User, post, kind: str) -> None:
    thread, group = post.thread, post.thread.group
    domain = _domain()
    unsubscribe = absolute_url(
        "notifications.unsubscribe", token=unsubscribe_token(user.id, thread.id)
    )
    email = queue_email(
        user.email,
        "post",
        user.locale,
        user=user,
        post=post,
        thread=thread,
        group=group,
        kind=kind,
        link=post_url(post),
        unsubscribe=unsubscribe,
        settings=absolute_url("notifications.settings"),
    )
    root = f"<thread-{thread.id}@{domain}>"
    email.headers = {
        "Message-ID": f"<post-{post.id}-to-{user.id}@{domain}>",
        "In-Reply-To": root,
        "References": root,
        "List-Id": f"{group.name} <{group.slug}.{domain}>",
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def post_url(post, external: bool = True) -> str:
    from collab.threads.services import page_of

    values = {
        "slug": post.thread.group.slug,
        "thread_id": post.thread_id,
        "page": page_of(post.number),
        "_anchor": f"post-{post.id}",
    }
    if external:
        return absolute_url("threads.show", **values)
    from flask import url_for

    return url_for("threads.show", **values)


# --- in-app list ----------------------------------------------------------------------


def _visible(user: User):
    """Notifications about groups the person can still read (removal takes effect at
    once, even for old notifications)."""
    query = select(Notification).where(Notification.user_id == user.id)
    if not is_secretariat(user):
        mine = select(Membership.group_id).where(
            Membership.user_id == user.id, Membership.status == "active"
        )
        public = select(Group.id).where(Group.visibility == Visibility.PUBLIC)
        query = query.where(
            or_(Notification.group_id.in_(mine), Notification.group_id.in_(public))
        )
    return query


def unread_count(user: User) -> int:
    query = _visible(user).where(Notification.read_at.is_(None))
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def listing(user: User):
    from collab.threads.models import Post, Thread

    return (
        _visible(user)
        .options(
            joinedload(Notification.post)
            .joinedload(Post.thread)
            .joinedload(Thread.group),
            joinedload(Notification.group),
            joinedload(Notification.actor),
        )
        .order_by(Notification.id.desc())
    )


def get_for(user: User, notification_id: int) -> Notification | None:
    return db.session.scalar(_visible(user).where(Notification.id == notification_id))


def mark_read(user: User, notification: Notification | None = None) -> None:
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification is not None:
        query = query.where(Notification.id == notification.id)
    db.session.execute(query.values(read_at=utcnow()))


# --- digest ---------------------------------------------------------------------------


def send_digests() -> int:
    """One e-mail per person with everything waiting for the digest, grouped by group
    and thread; nobody gets an empty digest. Returns how many were queued."""
    from collab.threads.models import Post, Thread

    waiting = db.session.scalars(
        select(Notification)
        .options(
            joinedload(Notification.post)
            .joinedload(Post.thread)
            .joinedload(Thread.group),
            joinedload(Notification.actor),
            joinedload(Notification.user),
        )
        .where(Notification.in_digest.is_(True), Notification.digested_at.is_(None))
        .order_by(
            Notification.user_id,
            Notification.group_id,
            Notification.thread_id,
            Notification.id,
        )
    ).all()
    sent = 0
    now = utcnow()
    for _user_id, items in groupby(waiting, key=lambda n: n.user_id):
        items = list(items)
        user = items[0].user
        readable = (
            {n.id for n in db.session.scalars(_visible(user))}
            if user.is_active
            else set()
        )
        keep = [n for n in items if n.id in readable and n.post.is_visible]
        for notification in items:
            notification.digested_at = now
        if not keep:
            continue
        groups = []
        for _gid, by_group in groupby(keep, key=lambda n: n.group_id):
            by_group = list(by_group)
            groups.append((by_group[0].post.thread.group, _by_thread(by_group)))
        unsubscribe = absolute_url(
            "notifications.unsubscribe", token=unsubscribe_token(user.id, None)
        )
        email = queue_email(
            user.email,
            "digest",
            user.locale,
            user=user,
            groups=groups,
            count=len(keep),
            unsubscribe=unsubscribe,
            settings=absolute_url("notifications.settings"),
            post_url=post_url,
        )
        email.headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        sent += 1
    return sent


def _by_thread(notifications: list[Notification]):
    return [
        (items[0].post.thread, items)
        for items in (
            list(g) for _t, g in groupby(notifications, key=lambda n: n.thread_id)
        )
    ]


def unsubscribe(data: dict) -> str:
    """Apply a one-click unsubscribe: mute the thread, or turn e-mail off altogether."""
    from collab.threads.models import Level, Subscription

    user = db.session.get(User, data["u"])
    if user is None:
        return "gone"
    if data.get("t"):
        row = db.session.scalar(
            select(Subscription).where(
                Subscription.user_id == user.id, Subscription.thread_id == data["t"]
            )
        )
        if row is None:
            db.session.add(
                Subscription(user_id=user.id, thread_id=data["t"], level=Level.MUTE)
            )
        else:
            row.level = Level.MUTE
        return "thread"
    set_preference(user, None, "off", False)
    db.session.execute(
        update(EmailPreference)
        .where(EmailPreference.user_id == user.id)
        .values(mode="off")
    )
    return "all"
