"""The discussion pages issue a fixed number of SQL queries, whatever the number of
posts, authors, threads or pages."""

from collab.core.db import utcnow
from collab.extensions import db
from collab.threads.services import set_subscription
from tests import factories
from tests.query_count import counting_queries
from tests.threads.conftest import bulk_posts, start, thread_url, write


def queries(browser, path: str) -> int:
    assert browser.get(path).status_code == 200  # warm: session touch, read marker
    with counting_queries() as seen:
        assert browser.get(path).status_code == 200, path
    return len(seen)


def _authors(group, n: int):
    people = [factories.make_user(password=None) for _ in range(n)]
    for person in people:
        factories.add_member(group, person, commit=False)
    db.session.commit()
    return people


def _vary(posts) -> None:
    """Some edited, removed and hidden posts, as in a real thread."""
    now = utcnow()
    for index, post in enumerate(posts):
        if index % 7 == 0:
            post.edited_at = now
        if index % 11 == 0:
            post.deleted_at = now
        if index % 13 == 0:
            post.hidden_at, post.hidden_reason = now, "Off topic."
    db.session.commit()


def test_thread_page_queries_do_not_grow_with_posts_authors_or_pages(login, team):
    small = start(team.chair, team.group, "Small thread")
    _vary(bulk_posts(small, [team.member, team.colleague], 4))  # 5 posts, 3 authors
    big = start(team.chair, team.group, "Big thread")
    _vary(bulk_posts(big, _authors(team.group, 60), 499))  # 500 posts, 61 authors
    reader = login(team.member)

    baseline = queries(reader, thread_url(small))
    assert baseline > 0

    assert queries(reader, thread_url(big)) == baseline
    assert queries(reader, thread_url(big, "?page=13")) == baseline
    assert queries(reader, thread_url(big, "?page=25")) == baseline


def test_thread_list_queries_do_not_grow_with_threads_posts_or_authors(login, team):
    authors = [team.member, team.colleague]
    for title in ("First", "Second"):
        bulk_posts(start(team.chair, team.group, title), authors, 2)  # 6 posts
    busy = team.other_group
    many = _authors(busy, 60)
    factories.add_member(busy, team.member)
    threads = [start(many[i], busy, f"Topic {i}") for i in range(40)]
    for index, thread in enumerate(threads):
        bulk_posts(thread, many[index:] + many[:index], 11)  # 480 more posts
        thread.is_pinned = index % 9 == 0
        thread.is_locked = index % 5 == 0
    db.session.commit()
    reader = login(team.member)

    small = queries(reader, "/groups/digital-identity/threads/")

    assert queries(reader, "/groups/digital-services/threads/") == small
    assert queries(reader, "/groups/digital-services/threads/?page=2") == small


def test_group_home_and_dashboard_queries_do_not_grow_with_threads(login, team):
    reader = login(team.member)
    start(team.chair, team.group, "Only thread")
    home, dashboard = queries(reader, "/groups/digital-identity/"), queries(reader, "/")

    many = _authors(team.group, 30)
    for index, author in enumerate(many):
        bulk_posts(start(author, team.group, f"Topic {index}"), many, 15)

    assert queries(reader, "/groups/digital-identity/") == home
    assert queries(reader, "/") == dashboard


def test_notification_list_queries_do_not_grow_with_notifications(login, team):
    thread = start(team.member, team.group)
    bulk_posts(thread, [team.colleague], 1)
    reader = login(team.member)
    write(team.colleague, thread)
    few = queries(reader, "/notifications/")

    many = _authors(team.group, 25)
    for index, author in enumerate(many):
        other = start(author, team.group, f"Topic {index}")
        bulk_posts(other, [author], 1)
        set_subscription(team.member, other, "watch")
        db.session.commit()
        write(many[(index + 1) % len(many)], other)

    assert queries(reader, "/notifications/") == few
