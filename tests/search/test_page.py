"""GET /search as a person uses it: filters (group, type, author, dates in the
viewer's time zone), pages, the group's own search, escaped snippets, and a fixed
number of queries whatever the number of results."""

from datetime import UTC, datetime

import pytest

from collab.extensions import db
from collab.threads.models import Post
from tests import factories
from tests.query_count import counting_queries
from tests.search.conftest import (
    document,
    find,
    kinds,
    meeting,
    reply,
    search_page,
    start,
)


def test_signing_in_is_required(client):
    response = client.get("/search?q=wallet")
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]


def test_the_header_has_the_search_box(team, login):
    page = login(team.member).get("/").get_data(as_text=True)
    assert 'action="/search"' in page and 'id="site-search-q" name="q"' in page


def test_an_empty_search_shows_the_form_and_no_results(team, login):
    page = search_page(login(team.member), "")
    assert page.items == [] and page.heading == ""
    assert 'id="search-q"' in page.html


# --- filters --------------------------------------------------------------------------


@pytest.fixture
def spread(team):
    """ "Gazelline" in a thread, a document, a meeting and a person, in both groups,
    by different authors."""
    opening = start(team.member, team.group, "Gazelline plans", "Opening.")
    answer = reply(team.colleague, opening.thread, "Gazelline answer.")
    doc = document(team.chair, team.group, "Gazelline.txt", b"Gazelline text.\n")
    plenary = meeting(team.chair, team.group, title="Gazelline plenary")
    private = start(team.other_chair, team.private_group, "Gazelline tender", "Lots.")
    person = factories.make_user("Gazelline Smith")
    return {
        "thread": ("thread", opening.thread_id),
        "answer": ("post", answer.id),
        "document": ("document", doc.id),
        "meeting": ("meeting", plenary.id),
        "private": ("thread", private.thread_id),
        "person": ("person", person.id),
    }


def _kinds_on(page) -> list[str]:
    return sorted(page.kinds())


def test_everything_the_person_may_see(team, spread, login):
    page = search_page(login(team.other_member), "gazelline")
    assert _kinds_on(page) == sorted(
        ["thread", "post", "document", "meeting", "thread", "person"]
    )
    assert page.total == 6


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        ("discussions", ["post", "thread"]),
        ("documents", ["document"]),
        ("meetings", ["meeting"]),
        ("people", ["person"]),
    ],
)
def test_the_type_filter(team, spread, login, type_, expected):
    page = search_page(login(team.member), "gazelline", type=type_)
    assert _kinds_on(page) == expected
    assert page.total == len(expected)
    assert f'<option value="{type_}" selected>' in page.html


def test_an_unknown_type_shows_everything_with_a_word(team, spread, login):
    page = search_page(login(team.member), "gazelline", type="spreadsheets")
    assert page.total == 5
    assert "Unknown type of result" in page.html


def test_the_group_filter(team, spread, login):
    page = search_page(login(team.member), "gazelline", group="digital-identity")
    assert _kinds_on(page) == ["document", "meeting", "post", "thread"]
    assert all("Digital Identity" in item.meta for item in page.items)
    assert "Search in Digital Identity" in page.html
    private = search_page(
        login(team.other_member), "gazelline", group="ict-procurement"
    )
    assert private.headings() == ["Gazelline tender"]


def test_the_group_filter_lists_the_searchers_groups(team, spread, login):
    page = search_page(login(team.member), "gazelline")
    assert 'value="digital-identity"' in page.html
    assert 'value="ict-procurement"' not in page.html
    page = search_page(login(team.other_member), "gazelline")
    assert 'value="ict-procurement"' in page.html


@pytest.mark.parametrize("slug", ["ict-procurement", "no-such-group"])
def test_searching_a_group_one_cannot_see_is_404(team, spread, login, slug):
    response = login(team.member).get(
        "/search", query_string={"q": "gazelline", "group": slug}
    )
    assert response.status_code == 404
    assert "Gazelline tender" not in response.get_data(as_text=True)


def test_the_groups_own_search_box_searches_the_group(team, spread, login):
    browser = login(team.member)
    home = browser.get("/groups/digital-identity/").get_data(as_text=True)
    form = home.split('class="group-search"', 1)[1].split("</form>", 1)[0]
    assert 'name="group" value="digital-identity"' in form
    assert 'name="q"' in form
    page = search_page(browser, "gazelline", group="digital-identity")
    assert "Gazelline Smith" not in page.headings()


def test_the_private_groups_page_has_no_search_box_for_outsiders(team, login):
    response = login(team.member).get("/groups/ict-procurement/")
    assert response.status_code == 404
    assert "group-search" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "author", ["Jan de Vries", "jan de vries", "JAN DE VRIES", "{username}"]
)
def test_the_author_filter(team, spread, login, author):
    author = author.format(username=team.colleague.username)
    page = search_page(login(team.member), "gazelline", author=author)
    assert page.kinds() == ["post"]
    assert "Jan de Vries" in page.items[0].meta


def test_an_unknown_author_says_so(team, spread, login):
    page = search_page(login(team.member), "gazelline", author="Nobody Atall")
    assert page.items == [] and page.total == 0
    assert "No one is called" in page.html and "Nobody Atall" in page.html


def _post_at(team, when: datetime) -> Post:
    opening = start(team.member, team.group, "Dated", "Opening.")
    post = reply(team.member, opening.thread, "Antelopine news.")
    post.created_at = when
    db.session.commit()
    return post


@pytest.mark.parametrize(
    ("zone", "since", "until", "found_it"),
    [
        # 10 January, 03:00 UTC is 9 January, 22:00 in Toronto.
        ("America/Toronto", "2026-01-09", "2026-01-09", True),
        ("America/Toronto", "2026-01-10", "", False),
        ("America/Toronto", "", "2026-01-09", True),
        ("America/Toronto", "2026-01-10", "2026-01-10", False),
        # ... and 10 January, 12:00 in Auckland, 03:00 in UTC.
        ("Pacific/Auckland", "2026-01-10", "2026-01-10", True),
        ("Pacific/Auckland", "", "2026-01-09", False),
        ("UTC", "2026-01-10", "2026-01-10", True),
        ("UTC", "2026-01-09", "2026-01-09", False),
        ("UTC", "2026-01-11", "", False),
        ("UTC", "", "2026-01-10", True),
    ],
)
def test_dates_are_days_in_the_viewers_time_zone(
    team, login, zone, since, until, found_it
):
    post = _post_at(team, datetime(2026, 1, 10, 3, 0, tzinfo=UTC))
    viewer = factories.make_user("Viewer", timezone=zone)
    factories.add_member(team.group, viewer)
    page = search_page(login(viewer), "antelopine", since=since, until=until)
    assert (page.total == 1) is found_it, (zone, since, until, page.heading)
    expected = [f"#post-{post.id}"] if found_it else []
    assert [item.href[item.href.index("#") :] for item in page.items] == expected


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "31/01/2026", "2026"])
def test_a_bad_date_is_explained(team, login, value):
    _post_at(team, datetime(2026, 1, 10, 3, 0, tzinfo=UTC))
    page = search_page(login(team.member), "antelopine", since=value)
    assert "give a date like" in page.html
    assert page.total == 1, "the search runs without that date"


# --- pages ----------------------------------------------------------------------------


def test_page_two_shows_the_next_results(team, login):
    opening = start(team.member, team.group, "Many", "Opening.")
    ids = {
        reply(team.member, opening.thread, f"Bisonic note {n}.").id for n in range(25)
    }
    browser = login(team.member)
    first = search_page(browser, "bisonic")
    second = search_page(browser, "bisonic", page=2)
    assert first.total == second.total == 25
    assert len(first.items) == 20 and len(second.items) == 5
    assert "Page 1 of 2" in first.html and "Page 2 of 2" in second.html
    assert 'rel="next"' in first.html and 'rel="prev"' not in first.html
    assert 'rel="prev"' in second.html and 'rel="next"' not in second.html
    assert '<ol class="results" start="21">' in second.html
    hrefs = [i.href for i in first.items] + [i.href for i in second.items]
    assert len(set(hrefs)) == 25
    shown = {int(h.rsplit("#post-", 1)[1]) for h in hrefs}
    assert shown == ids
    # The same pages as the service gives.
    assert {r for _k, r in kinds(find(team.member, "bisonic", page=2))} == {
        int(i.href.rsplit("#post-", 1)[1]) for i in second.items
    }


def test_results_that_tie_are_each_shown_on_exactly_one_page(team, login):
    """45 posts with the same words written at the same moment rank the same: pages
    1, 2 and 3 still show each of them once (the order needs a last tie-breaker, or
    the database may order ties differently for each page's LIMIT/OFFSET)."""
    from collab.core.db import utcnow

    opening = start(team.member, team.group, "Ties", "Opening.")
    posts = [reply(team.member, opening.thread, "Caribouish note.") for _ in range(45)]
    moment = utcnow()
    for post in posts:
        post.created_at = moment
    db.session.commit()
    seen = []
    for page in (1, 2, 3):
        seen += kinds(find(team.member, "caribouish", page=page))
    assert len(seen) == 45
    assert sorted(seen) == sorted(("post", p.id) for p in posts)


def test_a_page_past_the_end_is_empty_and_says_the_count(team, login):
    opening = start(team.member, team.group, "Few", "Opening.")
    reply(team.member, opening.thread, "Bisonic note.")
    page = search_page(login(team.member), "bisonic", page=7)
    assert page.total == 1 and page.items == []


@pytest.mark.parametrize("value", ["0", "-3", "abc", "99999999999999999999", "1.5"])
def test_odd_page_numbers_are_harmless(team, login, value):
    opening = start(team.member, team.group, "Few", "Opening.")
    reply(team.member, opening.thread, "Bisonic note.")
    response = login(team.member).get(f"/search?q=bisonic&page={value}")
    assert response.status_code == 200


# --- snippets -------------------------------------------------------------------------


def _tags(fragment: str) -> set[str]:
    import re

    return set(re.findall(r"<\s*(/?[a-zA-Z][\w-]*)", fragment))


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script> zanzibarite <b>bold</b>",
        "`<img src=x onerror=alert(1)>` zanzibarite <i>it</i>",
        "zanzibarite &lt;b&gt;entity&lt;/b&gt; &amp;lt;script&amp;gt;",
        "zanzibarite \"quotes\" and 'apostrophes' & ampersands",
        "zanzibarite <mark>fake</mark> </p><p>",
    ],
)
def test_snippets_escape_user_html_and_only_mark_the_match(team, login, body):
    opening = start(team.member, team.group, "Escapes", "Opening.")
    reply(team.member, opening.thread, body)
    [item] = search_page(login(team.member), "zanzibarite").items
    assert item.marked == ["zanzibarite"]
    assert _tags(item.snippet) == {"mark", "/mark"}, item.snippet
    assert "<script" not in item.snippet and "<b>" not in item.snippet


def test_a_post_cannot_inject_marks_with_control_characters(team, login):
    opening = start(team.member, team.group, "Marks", "Opening.")
    reply(
        team.member,
        opening.thread,
        "innocent \x02injected\x03 quetzalite &#2;entity&#3; \u0002unicode\u0003",
    )
    [item] = search_page(login(team.member), "quetzalite").items
    assert item.marked == ["quetzalite"]
    assert "<mark>injected</mark>" not in item.snippet
    assert "\x02" not in item.snippet and "\x03" not in item.snippet


def test_a_thread_title_with_html_is_escaped_in_the_heading(team, login):
    start(team.member, team.group, "<img src=x onerror=alert(1)> Gnuish", "Body.")
    page = search_page(login(team.member), "gnuish")
    assert page.headings() == ["<img src=x onerror=alert(1)> Gnuish"]
    assert "<img src=x" not in page.results_html
    assert "&lt;img src=x onerror=alert(1)&gt; Gnuish" in page.results_html


# --- queries --------------------------------------------------------------------------


def queries(browser, **params) -> int:
    assert browser.get("/search", query_string=params).status_code == 200  # warm
    with counting_queries() as seen:
        assert browser.get("/search", query_string=params).status_code == 200
    return len(seen)


def _content(team, word: str, n: int) -> None:
    """``n`` matches of every kind, by many authors, in both groups."""
    authors = [factories.make_user(f"{word} author {i}") for i in range(n)]
    for person in authors:
        factories.add_member(team.group, person, commit=False)
    db.session.commit()
    for i in range(n):
        author = authors[i]
        group = team.group if i % 3 else team.private_group
        if group is team.private_group:
            factories.add_member(group, author)
        opening = start(author, group, f"{word} thread {i}", f"{word} opening {i}.")
        reply(author, opening.thread, f"{word} reply {i}.")
        if i % 4 == 0:
            document(author, group, f"{word} {i}.txt", f"{word} text {i}.\n".encode())
        if i % 5 == 0:
            meeting(
                team.chair if group is team.group else team.other_chair,
                group,
                title=f"{word} plenary {i}",
                items=(f"{word} item {i}",),
                publish=True,
            )


def test_the_number_of_queries_does_not_grow_with_the_results(team, login):
    _content(team, "Aardvarkish", 1)  # a few matches
    _content(team, "Zebuesque", 14)  # many: more than a page, of every kind
    for who in (team.member, team.secretariat):
        browser = login(who)
        few = queries(browser, q="aardvarkish")
        assert 0 < find(who, "aardvarkish").total < 10
        assert find(who, "zebuesque").total > 40
        assert queries(browser, q="zebuesque") == few
        assert queries(browser, q="zebuesque", page=2) == few
        assert queries(browser, q="zebuesque", type="discussions") == few


def test_no_search_costs_no_search_queries(team, login):
    browser = login(team.member)
    empty = queries(browser, q="")
    assert queries(browser, q="nothingmatchesthis") <= empty + 2
