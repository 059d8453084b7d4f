"""Query-count budgets: each main page runs a fixed number of SQL statements, whatever
the size of the data it shows, and no more than its budget below.

Every test measures a page on a small world (about 3 of everything) and on a larger
one (about 30 threads, posts, documents, versions, folders, revisions, slots, people,
groups or results, by several authors in several countries) and asserts that

* the larger world costs exactly as many statements as the small one (an N+1 fails
  here, with the statements that were added in the message), and
* the count is at most the page's budget in ``BUDGETS``, set to the count
  measured (a new query anywhere on the page fails here: raise the budget in the
  same change, on purpose; lower it when a query goes away).

Statements are counted the way the other query tests count them
(``tests.query_count.counting_queries``: every statement the engine sends),
on the second of two identical GETs, so one-off writes of a first visit (session
touch, read markers) are out of the measure. Budgets are per engine: SQLite also
counts the BEGIN statements the app sends itself.

Covered elsewhere, not repeated here:

* thread page, thread list, notifications list, group home and dashboard as threads
  grow: ``tests/threads/test_queries.py``;
* group home and members page as members grow: ``tests/groups/test_views.py``;
* meeting page (agenda, attached documents, RSVPs, attendance, minutes, decisions,
  actions, comments), responses and attendance pages, meetings list, action
  register, calendar feeds, dashboard and calendar as meetings grow:
  ``tests/meetings/test_queries.py``;
* directory: ``tests/members/test_directory.py``.

This module adds: the dashboard as groups and waiting polls grow, the groups index,
the document library (top level, inside a folder, all folders), the document page,
the minutes history, the time poll page (open, and closed with its results), the
polls list, a profile page, and search results.
"""

import re
from collections import Counter
from datetime import timedelta

import pytest

from collab.core.db import utcnow
from collab.core.permissions import Role
from collab.documents import services as documents
from collab.extensions import db
from collab.meetings import minutes
from collab.threads import services as threads
from tests import factories
from tests.meetings.conftest import clear_outbox, make_meeting, meeting_url
from tests.members.helpers import set_profile
from tests.polls.conftest import DST_WEEK, answer, close, forget_mail, make_poll
from tests.query_count import counting_queries

# Statements per page and engine, as measured: (SQLite, PostgreSQL). SQLite counts
# one more per transaction, the BEGIN that collab.core.db sends itself; the library
# has two transactions (it records the visit, an upsert, and commits).
BUDGETS = {
    "dashboard": (9, 8),
    "groups index": (5, 4),
    "groups index (secretariat)": (5, 4),
    "library": (16, 14),
    "library folder": (18, 16),
    "library all": (16, 14),
    "document": (10, 9),
    "document (reader)": (10, 9),
    "minutes history (chair)": (9, 8),
    "minutes history (member)": (9, 8),
    "poll (participant)": (10, 9),
    "poll (chair)": (10, 9),
    "poll closed (chair)": (10, 9),
    "polls list": (7, 6),
    "profile": (8, 7),
    "search": (8, 7),
    "search page 2": (8, 7),
}

COUNTRIES = ("EE", "FR", "KR", "NZ", "CA", "BR", "")
ZONES = ("Europe/Tallinn", "Europe/Paris", "Asia/Seoul", "Pacific/Auckland")


# --- measuring ------------------------------------------------------------------------


def statements(browser, path: str, *shows: str) -> list[str]:
    """The SQL statements of one GET of ``path`` (after a first, warming GET). The
    page must show each of ``shows``: proof that the data measured is on it."""
    assert browser.get(path).status_code == 200, path
    with counting_queries() as seen:
        response = browser.get(path)
    assert response.status_code == 200, path
    page = response.get_data(as_text=True)
    for text in shows:
        assert text in page, f"{path} does not show {text!r}"
    return list(seen)


def _shape(sql: str) -> str:
    """A statement without the length of its IN lists."""
    return re.sub(r" IN \([^()]*\)", " IN (…)", sql)[:300]


def _difference(small: list[str], large: list[str]) -> str:
    few, many = Counter(map(_shape, small)), Counter(map(_shape, large))
    lines = [f"+{n} × {sql}" for sql, n in (many - few).items()]
    lines += [f"-{n} × {sql}" for sql, n in (few - many).items()]
    return "\n".join(lines[:8])


def budget(page: str) -> int:
    on_sqlite, on_postgresql = BUDGETS[page]
    return on_sqlite if db.engine.dialect.name == "sqlite" else on_postgresql


def check(page: str, small: list[str], large: list[str]) -> None:
    """Same count on both worlds, and within the page's budget."""
    assert len(large) == len(small), (
        f"{page}: {len(small)} statements on the small world, {len(large)} on the "
        f"large one (+ more on the large one, - more on the small one):\n"
        + _difference(small, large)
    )
    assert len(large) <= budget(page), (
        f"{page}: {len(large)} statements, over its budget of {budget(page)}:\n"
        + "\n".join(sql[:200] for sql in large)
    )


# --- building worlds ------------------------------------------------------------------


def people(n: int, prefix: str = "Delegate") -> list:
    return [
        factories.make_user(
            f"{prefix} {i:02}",
            password=None,
            country=COUNTRIES[i % len(COUNTRIES)],
            timezone=ZONES[i % len(ZONES)],
        )
        for i in range(n)
    ]


def join(group, users, role: Role = Role.MEMBER) -> None:
    for user in users:
        factories.add_member(group, user, role, commit=False)
    db.session.commit()


@pytest.fixture
def chair():
    return factories.make_user("Chiara Rossi", country="IT", timezone="Europe/Rome")


@pytest.fixture
def member():
    return factories.make_user("Kadri Tamm", country="EE", timezone="Europe/Tallinn")


def _groups(n: int, chair, member, tag: str) -> None:
    """``n`` groups of every kind: the member's (active, pending, observer), other
    public ones, private and archived ones."""
    for i in range(n):
        kind = i % 5
        group = factories.make_group(
            f"{tag} group {i:02}",
            slug=f"{tag}-{i}",
            chair=chair,
            visibility="private" if kind == 3 else "public",
            archived=kind == 4 and i % 2 == 0,
        )
        if kind == 0:
            factories.add_member(group, member)
        elif kind == 1:
            factories.add_member(group, member, status="pending")
        elif kind == 2:
            factories.add_member(group, member, Role.OBSERVER)


def _waiting_polls(n: int, chair, member, tag: str) -> None:
    """``n`` open polls the member has not answered, each in a group of its own."""
    for i in range(n):
        group = factories.make_group(f"{tag} poll group {i:02}", chair=chair)
        factories.add_member(group, member)
        make_poll(chair, group, title=f"{tag} poll {i}", people=[chair, member])


# --- dashboard and groups index -------------------------------------------------------


def test_dashboard_does_not_grow_with_groups_or_waiting_polls(login, chair, member):
    reader = login(member)
    _groups(3, chair, member, "few")
    _waiting_polls(3, chair, member, "few")
    small = statements(reader, "/")

    _groups(30, chair, member, "many")
    _waiting_polls(30, chair, member, "many")
    check(
        "dashboard",
        small,
        statements(reader, "/", "many group 00", "many group 29", "poll group"),
    )


def test_groups_index_does_not_grow_with_groups(login, chair, member):
    secretariat = factories.make_user("Sofia Secretariat", is_secretariat=True)
    reader, staff = login(member), login(secretariat)
    _groups(3, chair, member, "few")
    small = statements(reader, "/groups/")
    small_staff = statements(staff, "/groups/")

    _groups(30, chair, member, "many")
    check(
        "groups index",
        small,
        statements(reader, "/groups/", "many group 00", "many group 29"),
    )
    check(
        "groups index (secretariat)",
        small_staff,
        statements(staff, "/groups/", "many group 03", "many group 29"),
    )


# --- documents ------------------------------------------------------------------------


def _library(chair, member, slug: str, n: int):
    """A group whose library holds ``n`` documents at the top level, ``n`` in a
    folder, nested folders, tags and several versions. Those who upload later
    versions uploaded no document, so their rows are not already loaded with the
    documents' creators (which would hide a per-row load of the uploader)."""
    group = factories.make_group(
        slug.title(), slug=slug, chair=chair, members=(member,)
    )
    uploaders = people(max(3, n // 5), f"Uploader {slug}")
    revisers = people(max(2, n // 5), f"Reviser {slug}")
    join(group, [*uploaders, *revisers])
    everyone = [chair, member, *uploaders]
    parent = None
    folders = []
    for i in range(n):
        parent = documents.create_folder(
            everyone[i % len(everyone)],
            group,
            f"Folder {i:02}",
            parent if i % 3 else None,
        )
        folders.append(parent)
    db.session.commit()
    target = folders[0]
    for where in (None, target):
        for i in range(n):
            author = everyone[i % len(everyone)]
            [document] = documents.upload(
                author,
                group,
                [(f"Paper {i:02}.txt", f"Paper {i}\n".encode())],
                folder=where,
                tags=", ".join(f"tag{t}" for t in range(i % 4)),
                description=f"Paper number {i}",
            )
            for v in range(i % 3):
                documents.add_version(
                    revisers[(i + v) % len(revisers)],
                    document,
                    f"Paper {i:02}.txt",
                    f"Paper {i} v{v + 2}\n".encode(),
                    f"Revision {v + 2}",
                )
    db.session.commit()
    return group, target


def test_library_does_not_grow_with_documents_versions_or_folders(login, chair, member):
    small_group, small_folder = _library(chair, member, "small-library", 3)
    big_group, big_folder = _library(chair, member, "big-library", 30)
    reader = login(member)

    for page, suffix, shows in (
        ("library", "", ("Paper 29", "Folder 29", "tag2")),
        ("library folder", "?folder={folder}", ("Paper 29", "Folder 29")),
        ("library all", "?all=1", ('rel="next"',)),
    ):
        small = statements(
            reader,
            f"/groups/{small_group.slug}/documents/"
            + suffix.format(folder=small_folder.id),
        )
        large = statements(
            reader,
            f"/groups/{big_group.slug}/documents/"
            + suffix.format(folder=big_folder.id),
            *shows,
        )
        check(page, small, large)


def _document_with_versions(chair, member, group, n: int, folder=None):
    uploaders = people(max(3, n // 5), f"Author {group.slug} {n}")
    join(group, uploaders)
    everyone = [chair, member, *uploaders]
    [document] = documents.upload(
        chair,
        group,
        [(f"Report {n}.txt", b"First draft\n")],
        folder=folder,
        tags=", ".join(f"topic{t}" for t in range(n)),
        description="The report",
    )
    for v in range(n - 1):
        documents.add_version(
            everyone[v % len(everyone)],
            document,
            f"Report {n} v{v + 2}.txt",
            f"Draft {v + 2}\n".encode(),
            f"Changes {v + 2}",
        )
    db.session.commit()
    return document


def test_document_page_does_not_grow_with_versions_uploaders_or_folders(
    login, chair, member
):
    observer = factories.make_user("Olaf Observer", country="NO")
    small_group = factories.make_group(
        "Small", slug="small", chair=chair, members=(member,), observers=(observer,)
    )
    big_group = factories.make_group(
        "Big", slug="big", chair=chair, members=(member,), observers=(observer,)
    )
    # Both documents sit in a folder (the top level spares one query), nested 3 and 30
    # deep.
    parents = {}
    for group, depth in ((small_group, 3), (big_group, 30)):
        parent = None
        for i in range(depth):
            parent = documents.create_folder(chair, group, f"Folder {i}", parent)
        parents[group.slug] = parent
    db.session.commit()
    small = _document_with_versions(chair, member, small_group, 3, parents["small"])
    big = _document_with_versions(chair, member, big_group, 30, parents["big"])

    for page, who in (("document", chair), ("document (reader)", observer)):
        browser = login(who)
        check(
            page,
            statements(browser, f"/groups/small/documents/{small.id}"),
            statements(
                browser,
                f"/groups/big/documents/{big.id}",
                "Report 30 v30.txt",
                "topic19",
                "Folder 29",
            ),
        )


# --- minutes history ------------------------------------------------------------------


def _minuted_meeting(chair, member, slug: str, n: int):
    """A held meeting with ``n`` items whose minutes were saved ``n`` times by
    several writers, then circulated."""
    group = factories.make_group(
        slug.title(), slug=slug, chair=chair, members=(member,)
    )
    writers = people(max(2, n // 5), f"Writer {slug}")
    join(group, writers, Role.CHAIR)
    everyone = [chair, *writers]
    meeting = make_meeting(
        chair,
        group,
        title="Plenary",
        day=(utcnow() - timedelta(days=2)).date(),
        items=[(f"Item {i}", 10) for i in range(n)],
        publish=True,
    )
    for r in range(n):
        minutes.save(
            everyone[r % len(everyone)],
            meeting,
            {item.id: f"Minutes of item {item.id}, take {r}" for item in meeting.items},
            note="",
        )
    minutes.circulate(chair, meeting, utcnow() + timedelta(days=7))
    minutes.save(chair, meeting, {meeting.items[0].id: "Circulated and amended"})
    db.session.commit()
    clear_outbox()
    return meeting


def test_minutes_history_does_not_grow_with_revisions_items_or_writers(
    login, chair, member
):
    small = _minuted_meeting(chair, member, "small", 3)
    big = _minuted_meeting(chair, member, "big", 30)

    for page, who in (
        ("minutes history (chair)", chair),
        ("minutes history (member)", member),
    ):
        browser = login(who)
        check(
            page,
            statements(browser, meeting_url(small, "/minutes/history")),
            statements(
                browser, meeting_url(big, "/minutes/history"), "Revision 32", "Item 29"
            ),
        )


# --- time polls -----------------------------------------------------------------------


def _poll(chair, member, slug: str, days: int, clocks: str, n: int):
    """A poll on ``days`` days × ``clocks`` whose ``n`` participants (in several
    countries and time zones) have answered, except one in four."""
    group = factories.make_group(
        slug.title(), slug=slug, chair=chair, members=(member,)
    )
    others = people(n, f"Voter {slug}")
    join(group, others)
    poll = make_poll(
        chair,
        group,
        days=tuple(DST_WEEK + timedelta(days=d) for d in range(days)),
        clocks=clocks,
        people=[chair, member, *others],
        title=f"{slug} poll",
    )
    for i, person in enumerate(others):
        if i % 4 == 3:
            continue
        answer(
            person,
            poll,
            [("yes", "maybe", "no", None)[(i + s) % 4] for s in range(len(poll.slots))],
            f"Comment {i}" if i % 2 else "",
        )
    answer(member, poll, ["yes"] * len(poll.slots))
    forget_mail()
    return poll


def test_poll_page_and_results_do_not_grow_with_slots_or_participants(
    login, chair, member
):
    small = _poll(chair, member, "small", 1, "09:00, 14:00, 16:00", 3)
    big = _poll(chair, member, "big", 5, "08:00, 10:00, 12:00, 14:00, 16:00, 18:00", 30)
    assert len(big.slots) == 30

    def url(poll):
        return f"/groups/{poll.group.slug}/polls/{poll.id}"

    for page, who in (("poll (participant)", member), ("poll (chair)", chair)):
        browser = login(who)
        check(
            page,
            statements(browser, url(small)),
            statements(browser, url(big), "Voter big 29", "Comment 29"),
        )

    browser = login(chair)
    close(small)
    close(big)
    check(
        "poll closed (chair)",
        statements(browser, url(small)),
        statements(browser, url(big), "Voter big 29", "best"),
    )


def test_polls_list_does_not_grow_with_polls(login, chair, member):
    few = factories.make_group("Few", slug="few", chair=chair, members=(member,))
    many = factories.make_group("Many", slug="many", chair=chair, members=(member,))
    voters = people(6, "Voter")
    join(few, voters)
    join(many, voters)
    for group, n in ((few, 3), (many, 30)):
        for i in range(n):
            poll = make_poll(
                chair, group, title=f"Poll {i}", people=[chair, member, *voters]
            )
            if i % 3 == 0:
                answer(voters[i % len(voters)], poll, ["yes"] * len(poll.slots))
            if i % 4 == 1:
                close(poll)
    forget_mail()
    reader = login(member)
    check(
        "polls list",
        statements(reader, "/groups/few/polls/"),
        statements(reader, "/groups/many/polls/", 'rel="next"'),
    )


# --- a profile ------------------------------------------------------------------------


def test_profile_does_not_grow_with_groups_or_expertise(login, chair, member):
    few = factories.make_user("Few Groups", country="FR")
    many = factories.make_user("Many Groups", country="KR")
    set_profile(
        few, bio="I work on **eID**.", languages=("fr", "en"), expertise=("eID",)
    )
    set_profile(
        many,
        bio="I work on **wallets**.",
        languages=("ko", "en", "fr", "de"),
        expertise=tuple(f"topic {i}" for i in range(30)),
    )
    for person, n in ((few, 3), (many, 30)):
        for i in range(n):
            group = factories.make_group(
                f"{person.display_name} {i:02}",
                chair=chair,
                visibility="private" if i % 3 == 2 else "public",
            )
            factories.add_member(group, person, (Role.MEMBER, Role.OBSERVER)[i % 2])
            if i % 2:
                factories.add_member(group, member)
    reader = login(member)
    check(
        "profile",
        statements(reader, f"/members/{few.username}"),
        statements(reader, f"/members/{many.username}", "topic 29", "Many Groups 29"),
    )


# --- search ---------------------------------------------------------------------------


def _searchable(chair, member, slug: str, n: int, visibility: str = "public"):
    """``n`` of every kind that mentions "wallet": threads with replies, documents
    with versions, meetings with agenda items, decisions and actions, people."""
    group = factories.make_group(
        f"{slug.title()} wallets",
        slug=slug,
        chair=chair,
        members=(member,),
        visibility=visibility,
    )
    authors = people(max(3, n // 3), f"Wallet expert {slug}")
    join(group, authors)
    everyone = [chair, member, *authors]
    for i in range(n):
        author = everyone[i % len(everyone)]
        post = threads.start_thread(
            author, group, f"Wallet topic {i}", f"About the wallet, part {i}."
        )
        threads.reply(
            everyone[(i + 1) % len(everyone)], post.thread, f"A wallet reply {i}."
        )
        [document] = documents.upload(
            author, group, [(f"Wallet paper {i}.txt", f"wallet notes {i}\n".encode())]
        )
        documents.add_version(
            everyone[(i + 2) % len(everyone)],
            document,
            f"Wallet paper {i}.txt",
            f"wallet notes {i}, revised\n".encode(),
            "revised",
        )
    db.session.commit()
    for i in range(max(1, n // 3)):
        meeting = make_meeting(
            chair,
            group,
            title=f"Wallet meeting {i}",
            items=[f"Wallet pilots {i}", "Any other business"],
            publish=True,
        )
        item = meeting.items[0]
        minutes.add_decision(chair, meeting, item.id, f"Wallet decision {i}")
        minutes.add_action(
            chair,
            meeting,
            item.id,
            f"Wallet action {i}",
            everyone[i % len(everyone)].id,
            utcnow().date() + timedelta(days=i),
        )
    db.session.commit()
    for person in authors:
        set_profile(person, expertise=("wallet",))
    clear_outbox()
    return group


def test_search_results_do_not_grow_with_matches(login, chair, member):
    _searchable(chair, member, "few", 3)
    reader = login(member)
    small = statements(reader, "/search?q=wallet")

    _searchable(chair, member, "many", 30)
    _searchable(chair, member, "closed", 10, visibility="private")
    large = statements(reader, "/search?q=wallet", 'rel="next"', "Closed wallets")
    check("search", small, large)
    check(
        "search page 2",
        small,
        statements(reader, "/search?q=wallet&page=2", 'rel="prev"', 'rel="next"'),
    )
