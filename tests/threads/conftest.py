"""Discussion fixtures: a group with one person in each role, and helpers that read
pages the way a person would (flashes, posts on the page, the reply box)."""

import html
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from collab.auth.models import User
from collab.core.permissions import Role
from collab.extensions import db
from collab.groups.models import Group
from collab.notifications.models import Notification
from collab.threads import services
from collab.threads.models import Post, Thread
from tests import factories

# The real SMTP server fixtures of the notification tests.
from tests.notifications.conftest import smtp_down, smtp_server  # noqa: F401


@dataclass
class Team:
    """A public group with one person in each role, a second group the chair also
    chairs, and people outside."""

    group: Group
    other_group: Group
    secretariat: User
    chair: User
    member: User
    observer: User
    colleague: User  # a second member, author of "someone else's" posts
    outsider: User  # signed in, in no group


@pytest.fixture
def team() -> Team:
    secretariat = factories.make_user("Sofia Secretariat", is_secretariat=True)
    chair = factories.make_user("Chiara Rossi", country="IT")
    member = factories.make_user("Kadri Tamm", country="EE")
    observer = factories.make_user("Olaf Observer", country="NO")
    colleague = factories.make_user("Jan de Vries", country="NL")
    outsider = factories.make_user("Oscar Outsider", country="CA")
    group = factories.make_group(
        "Digital Identity",
        slug="digital-identity",
        chair=chair,
        members=(member, colleague),
        observers=(observer,),
    )
    other_group = factories.make_group(
        "Digital Services", slug="digital-services", chair=chair
    )
    return Team(
        group, other_group, secretariat, chair, member, observer, colleague, outsider
    )


# --- writing through the services (setup only; tests act through pages) -------------


def start(author: User, group: Group, title: str = "EUDI wallet pilots", body=None):
    """A thread started by ``author``; returns the thread."""
    post = services.start_thread(
        author, group, title, body or f"Opening post by {author.display_name}."
    )
    db.session.commit()
    return post.thread


def write(author: User, thread: Thread, body: str | None = None) -> Post:
    post = services.reply(author, thread, body or f"A reply by {author.display_name}.")
    db.session.commit()
    return post


def bulk_posts(thread: Thread, authors: list[User], count: int) -> list[Post]:
    """``count`` replies added straight through the ORM (no notifications), for tests
    that need many posts quickly."""
    first = thread.post_count + 1
    posts = [
        Post(
            thread_id=thread.id,
            number=first + i,
            author_id=authors[i % len(authors)].id,
            body=f"Reply number {first + i}",
            body_html=f"<p>Reply number {first + i}</p>",
        )
        for i in range(count)
    ]
    db.session.add_all(posts)
    thread.post_count += count
    thread.last_poster_id = authors[(count - 1) % len(authors)].id
    db.session.commit()
    return posts


def thread_url(thread: Thread, suffix: str = "") -> str:
    return f"/groups/{thread.group.slug}/threads/{thread.id}{suffix}"


def post_url(post: Post, suffix: str) -> str:
    return thread_url(post.thread, f"/posts/{post.id}/{suffix}")


# --- reading what a person sees ----------------------------------------------------


def text(response) -> str:
    return response.get_data(as_text=True)


def flashes(page: str) -> list[str]:
    return [
        html.unescape(m)
        for m in re.findall(r'<p class="flash flash-\w+">(.*?)</p>', page, re.S)
    ]


def errors(page: str) -> list[str]:
    return [
        html.unescape(m).strip()
        for m in re.findall(r'<p class="error" id="[\w-]+">(.*?)</p>', page, re.S)
    ]


def textarea(page: str, name: str = "body") -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name!r} on the page"
    return html.unescape(match.group(1)).lstrip("\r\n")


def posts_on(page: str) -> list[int]:
    """Ids of the posts shown, in order (from their #post-<id> anchors)."""
    return [
        int(i) for i in re.findall(r'<article class="post[^"]*" id="post-(\d+)"', page)
    ]


def article(page: str, post_id: int) -> str:
    match = re.search(
        rf'<article class="post[^"]*" id="post-{post_id}".*?</article>', page, re.S
    )
    assert match, f"post {post_id} is not on the page"
    return match.group(0)


def location(response) -> str:
    """Where a redirect goes: path, query and fragment."""
    parts = urlsplit(response.headers["Location"])
    return (
        parts.path
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )


def header_count(page: str) -> int:
    """The unread count next to "Notifications" in the header (0 when absent)."""
    match = re.search(r'Notifications <span class="count">(\d+)<', page)
    return int(match.group(1)) if match else 0


# --- the database ------------------------------------------------------------------


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def notifications_of(user: User) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.id)
        )
    )


def fresh(obj):
    """The object as the database now holds it."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def set_role(group: Group, user: User, role: Role) -> None:
    factories.add_member(group, user, role)
