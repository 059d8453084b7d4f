"""Writing in discussions: threads and replies, markdown, preview without JavaScript,
quoting, editing with history, removal, limits, double submits, pages and unread."""

import re

from collab.extensions import db
from collab.threads.models import Post, PostRevision, Thread
from tests.threads.conftest import (
    article,
    bulk_posts,
    count,
    errors,
    flashes,
    fresh,
    location,
    post_url,
    posts_on,
    start,
    text,
    textarea,
    thread_url,
    write,
)

MARKDOWN = """Our numbers:

| channel | share |
|---|---|
| NFC chip read | 71 % |

```python
print("wallet")
```

- first
- second

1. one
2. two

> Quoted from the minutes.

See https://www.mois.go.kr/eng/ and [the profile](https://example.org/profile).

<script>alert("x")</script>"""


def _new_thread(
    browser, title="EUDI wallet pilots", body="What did you learn?", **extra
):
    return browser.post(
        "/groups/digital-identity/threads/new",
        data={"title": title, "body": body, **extra},
    )


def _only_thread() -> Thread:
    db.session.expire_all()
    return db.session.scalars(db.select(Thread)).one()


def _posts(thread) -> list[Post]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(Post).where(Post.thread_id == thread.id).order_by(Post.number)
        )
    )


# --- starting and replying -----------------------------------------------------------


def test_member_starts_a_thread_and_lands_on_it(login, team):
    browser = login(team.member)

    response = _new_thread(browser)

    thread = _only_thread()
    assert response.status_code == 302
    assert location(response) == thread_url(thread)
    page = text(browser.get(location(response)))
    assert flashes(page) == ["Thread started."]
    assert "<h1>EUDI wallet pilots</h1>" in page
    assert "What did you learn?" in page
    listing = text(browser.get("/groups/digital-identity/threads/"))
    assert "EUDI wallet pilots" in listing


def test_reply_appears_at_its_anchor_after_the_opening_post(login, team):
    thread = start(team.chair, team.group)
    browser = login(team.member)

    response = browser.post(thread_url(thread, "/reply"), data={"body": "Our view."})

    opening, reply = _posts(thread)
    assert location(response) == thread_url(thread, f"?page=1#post-{reply.id}")
    page = text(browser.get(thread_url(thread)))
    assert posts_on(page) == [opening.id, reply.id]
    assert "Our view." in article(page, reply.id)
    assert fresh(thread).post_count == 2


def test_markdown_is_rendered_safely_and_stored_as_source_and_html(login, team):
    browser = login(team.member)
    _new_thread(browser, body=MARKDOWN)

    thread = _only_thread()
    [post] = _posts(thread)
    page = article(text(browser.get(thread_url(thread))), post.id)

    assert post.body == MARKDOWN
    assert post.body_html in page
    assert "<table>" in page and "<th>channel</th>" in page
    assert "<td>NFC chip read</td>" in page
    assert "<pre><code" in page and "print(&quot;wallet&quot;)" in page
    assert "<ul>\n<li>first</li>" in page and "<ol>\n<li>one</li>" in page
    assert "<blockquote>\n<p>Quoted from the minutes.</p>\n</blockquote>" in page
    assert (
        '<a href="https://www.mois.go.kr/eng/" rel="nofollow noopener noreferrer ugc">'
        in page
    )
    assert (
        '<a href="https://example.org/profile" rel="nofollow noopener noreferrer ugc">'
        "the profile</a>" in page
    )
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_pages_show_the_html_stored_on_write(login, team):
    thread = start(team.member, team.group, body="**bold**")
    [post] = _posts(thread)
    post.body_html = "<p>stored rendering</p>"
    db.session.commit()

    page = text(login(team.member).get(thread_url(thread)))

    assert "stored rendering" in page


# --- preview without JavaScript ------------------------------------------------------


def test_preview_of_a_new_thread_shows_rendering_keeps_the_text_creates_nothing(
    login, team
):
    browser = login(team.member)

    response = _new_thread(browser, body="Some **bold** idea", preview="Preview")

    page = text(response)
    assert response.status_code == 200
    assert re.search(
        r'<section class="preview".*<strong>bold</strong>.*</section>', page, re.S
    )
    assert textarea(page) == "Some **bold** idea"
    assert 'value="EUDI wallet pilots"' in page
    assert count(Thread) == 0 and count(Post) == 0


def test_preview_of_a_reply_keeps_the_text_and_posts_nothing(login, team):
    thread = start(team.chair, team.group)
    browser = login(team.member)

    response = browser.post(
        thread_url(thread, "/reply"),
        data={"body": "| a | b |\n|---|---|\n| 1 | 2 |", "preview": "Preview"},
    )

    page = text(response)
    assert response.status_code == 200
    assert '<section class="preview"' in page and "<td>1</td>" in page
    assert textarea(page) == "| a | b |\n|---|---|\n| 1 | 2 |"
    assert fresh(thread).post_count == 1


def test_preview_of_an_edit_changes_nothing(login, team):
    thread = start(team.chair, team.group)
    post = write(team.member, thread, "First text.")
    browser = login(team.member)

    response = browser.post(
        post_url(post, "edit"), data={"body": "_Second_ text.", "preview": "Preview"}
    )

    page = text(response)
    assert response.status_code == 200
    assert "<em>Second</em>" in page and textarea(page) == "_Second_ text."
    assert fresh(post).body == "First text." and count(PostRevision) == 0


# --- quoting ------------------------------------------------------------------------


def test_quote_prefills_the_reply_with_the_quoted_post(login, team):
    thread = start(team.chair, team.group)
    quoted = write(team.colleague, thread, "Line one.\nLine two.")
    browser = login(team.member)

    page = text(browser.get(thread_url(thread, f"?quote={quoted.id}")))

    assert textarea(page) == "Jan de Vries:\n> Line one.\n> Line two.\n\n"
    assert f"quote={quoted.id}" in article(page, quoted.id)


def test_quote_of_a_removed_post_or_of_another_thread_prefills_nothing(login, team):
    thread = start(team.chair, team.group)
    removed = write(team.colleague, thread, "Removed words.")
    removed.deleted_at = removed.created_at
    other = start(team.chair, team.group, "Other thread")
    elsewhere = write(team.colleague, other, "Words elsewhere.")
    browser = login(team.member)

    for quote in (removed.id, elsewhere.id, 999999):
        page = text(browser.get(thread_url(thread, f"?quote={quote}")))
        assert textarea(page) == ""


# --- editing and removing ------------------------------------------------------------


def test_edit_keeps_every_revision_shows_edited_and_the_history(login, team):
    thread = start(team.chair, team.group)
    post = write(team.member, thread, "Version one.")
    browser = login(team.member)

    first = browser.post(post_url(post, "edit"), data={"body": "Version two."})
    browser.post(post_url(post, "edit"), data={"body": "Version **three**."})

    assert location(first) == thread_url(thread, f"?page=1#post-{post.id}")
    page = text(browser.get(location(first)))
    assert "Your post is updated." in flashes(page)
    mine = article(page, post.id)
    assert "Version <strong>three</strong>." in mine
    assert f'<a href="{post_url(post, "history")}">edited</a>' in mine
    revisions = db.select(PostRevision).order_by(PostRevision.id)
    assert [r.body for r in db.session.scalars(revisions)] == [
        "Version one.",
        "Version two.",
    ]
    # The history is there for everyone who reads the group, newest first.
    history = text(login(team.observer).get(post_url(post, "history")))
    assert "Edit history" in history
    positions = [
        history.index(s)
        for s in ("Version <strong>three</strong>.", "Version two.", "Version one.")
    ]
    assert positions == sorted(positions)


def test_saving_an_unchanged_post_adds_no_revision(login, team):
    thread = start(team.chair, team.group)
    post = write(team.member, thread, "Same.")

    login(team.member).post(post_url(post, "edit"), data={"body": "Same."})

    assert count(PostRevision) == 0
    assert fresh(post).edited_at is None


def test_removed_post_leaves_a_note_and_its_text_is_gone(login, team):
    thread = start(team.chair, team.group)
    post = write(team.member, thread, "Regrettable words.")
    browser = login(team.member)

    response = browser.post(post_url(post, "delete"))

    page = text(browser.get(location(response)))
    assert "Your post is removed." in flashes(page)
    note = article(page, post.id)
    assert "Post removed by its author." in note
    assert "Regrettable words." not in page
    assert browser.get(post_url(post, "history")).status_code == 404
    assert fresh(thread).post_count == 2  # numbering and anchors stay


def test_hidden_post_shows_the_reason_instead_of_the_text(login, team):
    thread = start(team.chair, team.group)
    post = write(team.member, thread, "Someone's phone number.")
    chair = login(team.chair)

    form = text(chair.get(post_url(post, "hide")))
    response = chair.post(post_url(post, "hide"), data={"reason": "Personal data."})

    assert "Someone&#39;s phone number." in form or "Someone's phone number." in form
    assert response.status_code == 302
    page = text(login(team.observer).get(thread_url(thread)))
    assert "Post hidden by a moderator: Personal data." in article(page, post.id)
    assert "phone number" not in page
    assert login(team.member).get(post_url(post, "history")).status_code == 404
    quoted = text(login(team.member).get(thread_url(thread, f"?quote={post.id}")))
    assert textarea(quoted) == ""


def test_hiding_without_a_reason_is_refused(login, team):
    thread = start(team.chair, team.group)
    post = write(team.member, thread, "Text.")

    response = login(team.chair).post(post_url(post, "hide"), data={"reason": "  "})

    assert response.status_code == 400
    assert errors(text(response))
    assert fresh(post).hidden_at is None


# --- limits and double submits -------------------------------------------------------


def _names_the_limit(message: str) -> bool:
    return bool(re.search(r"100[,.\u202f\u00a0 ]?000", message))


def test_post_of_exactly_100000_characters_is_accepted(login, team):
    thread = start(team.chair, team.group)

    response = login(team.member).post(
        thread_url(thread, "/reply"), data={"body": "a" * 100_000}
    )

    assert response.status_code == 302
    assert len(_posts(thread)[-1].body) == 100_000


def test_reply_over_100000_characters_is_refused_with_the_limit_named(login, team):
    thread = start(team.chair, team.group)

    response = login(team.member).post(
        thread_url(thread, "/reply"), data={"body": "a" * 100_001}
    )

    assert response.status_code == 400
    [message] = errors(text(response))
    assert _names_the_limit(message), message
    assert fresh(thread).post_count == 1 and count(Post) == 1


def test_thread_or_edit_over_100000_characters_is_refused(login, team):
    thread = start(team.chair, team.group)
    post = write(team.member, thread, "Short.")
    browser = login(team.member)

    started = _new_thread(browser, title="Too long", body="b" * 100_001)
    edited = browser.post(post_url(post, "edit"), data={"body": "c" * 100_001})

    for response in (started, edited):
        assert response.status_code == 400
        assert any(_names_the_limit(m) for m in errors(text(response)))
    assert count(Thread) == 1
    assert fresh(post).body == "Short." and count(PostRevision) == 0


def test_empty_posts_are_refused_with_a_message_and_nothing_is_saved(login, team):
    thread = start(team.chair, team.group)
    post = write(team.member, thread, "Keep me.")
    browser = login(team.member)

    responses = [
        browser.post(thread_url(thread, "/reply"), data={"body": ""}),
        browser.post(thread_url(thread, "/reply"), data={"body": "  \r\n\t "}),
        _new_thread(browser, title="Empty", body="   "),
        browser.post(post_url(post, "edit"), data={"body": " \n "}),
    ]

    for response in responses:
        page = text(response)
        assert response.status_code == 400
        assert 'id="body-error"' in page and errors(page)
    assert count(Thread) == 1 and fresh(thread).post_count == 2
    assert fresh(post).body == "Keep me."


def test_thread_without_a_title_is_refused(login, team):
    response = _new_thread(login(team.member), title="  ", body="Body.")

    assert response.status_code == 400
    assert 'id="title-error"' in text(response)
    assert count(Thread) == 0


def test_same_reply_form_sent_twice_makes_one_post(login, team):
    thread = start(team.chair, team.group)
    browser = login(team.member)
    data = {"body": "Sent twice.", "form_token": "reply-form-1"}

    first = browser.post(thread_url(thread, "/reply"), data=data)
    second = browser.post(thread_url(thread, "/reply"), data=data)

    assert first.status_code == second.status_code == 302
    assert location(first) == location(second)
    assert [p.body for p in _posts(thread)].count("Sent twice.") == 1
    assert fresh(thread).post_count == 2


def test_same_new_thread_form_sent_twice_makes_one_thread(login, team):
    browser = login(team.member)

    first = _new_thread(browser, form_token="thread-form-1")
    second = _new_thread(browser, form_token="thread-form-1")

    assert location(first) == location(second)
    assert count(Thread) == 1 and count(Post) == 1


def test_each_rendered_form_carries_a_fresh_token(login, team):
    thread = start(team.chair, team.group)
    browser = login(team.member)

    tokens = {
        re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)
        for page in (text(browser.get(thread_url(thread))) for _ in range(2))
    }

    assert len(tokens) == 2


# --- pages, anchors and unread -------------------------------------------------------


def test_twenty_posts_per_page_with_stable_anchors(login, team):
    thread = start(team.chair, team.group)
    bulk_posts(thread, [team.member, team.colleague], 44)  # 45 posts
    posts = _posts(thread)
    browser = login(team.observer)

    pages = [text(browser.get(thread_url(thread, f"?page={n}"))) for n in (1, 2, 3)]

    assert [posts_on(p) for p in pages] == [
        [p.id for p in posts[0:20]],
        [p.id for p in posts[20:40]],
        [p.id for p in posts[40:45]],
    ]
    assert thread_url(thread, "?page=3") in pages[0]
    # Removing a post on page 1 moves nothing: every anchor stays on its page.
    posts[3].deleted_at = posts[3].created_at
    db.session.commit()
    again = text(browser.get(thread_url(thread, "?page=2")))
    assert posts_on(again) == [p.id for p in posts[20:40]]


def test_reply_on_a_long_thread_redirects_to_its_page_and_anchor(login, team):
    thread = start(team.chair, team.group)
    bulk_posts(thread, [team.colleague], 44)
    browser = login(team.member)

    response = browser.post(thread_url(thread, "/reply"), data={"body": "Number 46."})

    post = _posts(thread)[-1]
    assert post.number == 46
    assert location(response) == thread_url(thread, f"?page=3#post-{post.id}")
    assert post.id in posts_on(text(browser.get(location(response))))


def test_page_numbers_out_of_range_show_the_nearest_page(login, team):
    thread = start(team.chair, team.group)
    bulk_posts(thread, [team.colleague], 24)
    posts = _posts(thread)
    browser = login(team.member)

    assert posts_on(text(browser.get(thread_url(thread, "?page=99")))) == [
        p.id for p in posts[20:]
    ]
    assert posts_on(text(browser.get(thread_url(thread, "?page=-3"))))[0] == posts[0].id


def test_jump_to_first_unread_goes_to_the_right_page_and_anchor(login, team):
    thread = start(team.chair, team.group)
    bulk_posts(thread, [team.colleague], 29)  # 30 posts
    posts = _posts(thread)
    browser = login(team.member)

    never_read = browser.get(thread_url(thread, "/unread"))
    browser.get(thread_url(thread, "?page=1"))  # reads posts 1-20
    after_page_one = browser.get(thread_url(thread, "/unread"))
    browser.get(thread_url(thread, "?page=2"))  # reads everything
    newest = write(team.colleague, thread, "Post 31.")
    after_new_post = browser.get(thread_url(thread, "/unread"))

    assert location(never_read) == thread_url(thread, f"?page=1#post-{posts[0].id}")
    assert location(after_page_one) == thread_url(
        thread, f"?page=2#post-{posts[20].id}"
    )
    assert location(after_new_post) == thread_url(thread, f"?page=2#post-{newest.id}")
    landing = text(browser.get(location(after_page_one)))
    assert posts[20].id in posts_on(landing)
    assert "Jump to first unread" in landing


def test_unread_counts_on_the_thread_list_and_the_dashboard(login, team):
    thread = start(team.chair, team.group, "Once-only principle")
    bulk_posts(thread, [team.colleague], 24)  # 25 posts
    browser = login(team.member)
    browser.get(thread_url(thread))  # reads posts 1-20

    listing = text(browser.get("/groups/digital-identity/threads/"))
    dashboard = text(browser.get("/"))

    unread_link = thread_url(thread, "/unread")
    assert re.search(rf'href="{unread_link}">5 unread</a>', listing)
    assert "24 replies" in listing
    assert "Once-only principle" in dashboard
    assert re.search(r"Digital Identity · 5 unread", dashboard)
    browser.get(thread_url(thread, "?page=2"))
    assert "unread</a>" not in text(browser.get("/groups/digital-identity/threads/"))
    assert "You are up to date." in text(browser.get("/"))


def test_dashboard_leaves_out_groups_i_am_not_in(login, team):
    start(team.chair, team.other_group, "Not for the member")

    dashboard = text(login(team.member).get("/"))

    assert "Not for the member" not in dashboard
    assert "You are up to date." in dashboard


def test_thread_list_puts_pinned_first_then_latest_activity(login, team):
    old = start(team.chair, team.group, "Old but pinned")
    quiet = start(team.chair, team.group, "Quiet thread")
    start(team.chair, team.group, "Busy thread")
    write(team.member, quiet, "Reviving it.")  # now the latest activity
    chair = login(team.chair)
    chair.post(thread_url(old, "/pin"))

    listing = text(login(team.member).get("/groups/digital-identity/threads/"))

    titles = re.findall(
        r'<a href="/groups/digital-identity/threads/\d+">([^<]+)</a>', listing
    )
    assert titles == ["Old but pinned", "Quiet thread", "Busy thread"]
    assert "Pinned" in listing
    assert "last post by Kadri Tamm" in listing


def test_group_home_shows_the_latest_threads(login, team):
    for n in range(6):
        start(team.chair, team.group, f"Topic {n}")

    home = text(login(team.observer).get("/groups/digital-identity/"))

    assert "Latest discussions" in home
    for n in range(1, 6):
        assert f"Topic {n}</a>" in home
    assert "Topic 0</a>" not in home
    assert 'href="/groups/digital-identity/threads/">All discussions</a>' in home


def test_moved_thread_appears_in_the_new_group_and_not_the_old(login, team):
    thread = start(team.member, team.group, "Belongs elsewhere")
    chair = login(team.chair)

    response = chair.post(
        thread_url(thread, "/move"), data={"group": "digital-services"}
    )

    assert location(response) == f"/groups/digital-services/threads/{thread.id}"
    page = text(chair.get(location(response)))
    assert "Thread moved to Digital Services." in flashes(page)
    new_list = text(chair.get("/groups/digital-services/threads/"))
    old_list = text(chair.get("/groups/digital-identity/threads/"))
    assert "Belongs elsewhere" in new_list
    assert "Belongs elsewhere" not in old_list
    assert "Belongs elsewhere" not in text(chair.get("/groups/digital-identity/"))
    assert chair.get(f"/groups/digital-identity/threads/{thread.id}").status_code == 404


def test_lock_and_pin_are_shown_and_can_be_undone(login, team):
    thread = start(team.member, team.group)
    chair = login(team.chair)

    chair.post(thread_url(thread, "/lock"))
    chair.post(thread_url(thread, "/pin"))
    locked_page = text(chair.get(thread_url(thread)))
    chair.post(thread_url(thread, "/unlock"))
    chair.post(thread_url(thread, "/unpin"))

    assert "Thread pinned." in flashes(locked_page)
    assert '<span class="badge">Locked</span>' in locked_page
    assert '<span class="badge">Pinned</span>' in locked_page
    thread = fresh(thread)
    assert not thread.is_locked and not thread.is_pinned
    reply = login(team.member).post(thread_url(thread, "/reply"), data={"body": "Open"})
    assert reply.status_code == 302 and fresh(thread).post_count == 2


def test_thread_title_is_shown_as_text_not_markup(login, team):
    browser = login(team.member)
    _new_thread(browser, title='<img src=x onerror="alert(1)">Wallets')

    thread = _only_thread()
    page = text(browser.get(thread_url(thread)))

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;Wallets" in page or (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Wallets" in page
    )
