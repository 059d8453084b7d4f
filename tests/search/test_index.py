"""The index follows the content in the transaction that changes it (edits, moves,
renames; nothing of a rolled-back change), and `flask search reindex` rebuilds exactly
what incremental indexing built."""

import pytest
from sqlalchemy import select

from collab.extensions import db
from collab.meetings import agenda
from collab.members import services as member_services
from collab.search.models import SearchEntry
from collab.threads import services as threads
from collab.threads.models import Post, Thread
from tests import factories
from tests.search.conftest import (
    circulate,
    document,
    entries,
    find,
    kinds,
    meeting,
    record,
    reply,
    search_page,
    start,
    version,
)

# --- incremental ----------------------------------------------------------------------


def test_an_edited_post_is_found_by_its_new_words_only(team, login):
    opening = start(team.member, team.group, "Topic", "Opening.")
    post = reply(team.member, opening.thread, "The budget is tapirlike.")
    threads.edit_post(team.member, post, "The budget is walruslike.")
    db.session.commit()
    assert find(team.member, "tapirlike").hits == []
    assert kinds(find(team.member, "walruslike")) == [("post", post.id)]
    browser = login(team.member)
    assert search_page(browser, "tapirlike").total == 0
    assert search_page(browser, "walruslike").total == 1


def test_an_edit_through_the_page_is_indexed(team, login):
    opening = start(team.member, team.group, "Topic", "Opening.")
    post = reply(team.member, opening.thread, "The budget is tapirlike.")
    browser = login(team.member)
    url = f"/groups/{team.group.slug}/threads/{opening.thread_id}/posts/{post.id}/edit"
    assert browser.post(url, data={"body": "Now walruslike."}).status_code == 302
    assert search_page(browser, "tapirlike").total == 0
    assert search_page(browser, "walruslike").total == 1


def test_posts_of_a_moved_thread_follow_the_new_groups_visibility(team, login):
    opening = start(team.member, team.group, "Seahorsian plan", "Seahorsian start.")
    answer = reply(team.colleague, opening.thread, "Seahorsian reply.")
    everything = {
        ("thread", opening.thread_id),
        ("post", opening.id),
        ("post", answer.id),
    }
    assert set(kinds(find(team.outsider, "seahorsian"))) == everything
    threads.move_thread(team.secretariat, opening.thread, team.private_group)
    db.session.commit()
    for person in (team.outsider, team.member, team.chair):
        assert find(person, "seahorsian").hits == [], person.display_name
        assert search_page(login(person), "seahorsian").total == 0
    for person in (team.other_member, team.secretariat):
        assert set(kinds(find(person, "seahorsian"))) == everything
    page = search_page(login(team.other_member), "seahorsian")
    assert all("ICT Procurement" in item.meta for item in page.items)
    assert all(item.href.startswith("/groups/ict-procurement/") for item in page.items)
    scoped = {e.group_id for e in entries() if e.kind in ("thread", "post")}
    assert scoped == {team.private_group.id}


def test_a_moved_thread_through_the_page(team, login):
    opening = start(team.member, team.group, "Seahorsian plan", "Seahorsian start.")
    url = f"/groups/{team.group.slug}/threads/{opening.thread_id}/move"
    response = login(team.secretariat).post(url, data={"group": "ict-procurement"})
    assert response.status_code == 302
    assert find(team.member, "seahorsian").hits == []
    assert len(find(team.other_member, "seahorsian").hits) == 2


def test_a_renamed_thread_is_found_by_its_new_title(team, login):
    """Its posts carry the new title as their heading too. The title change is
    flushed by the commit itself, not before."""
    opening = start(team.member, team.group, "Belugaish plans", "Opening words.")
    thread = db.session.get(Thread, opening.thread_id)
    thread.title = "Orcaish plans"
    db.session.commit()
    assert find(team.member, "belugaish").hits == []
    assert kinds(find(team.member, "orcaish")) == [("thread", thread.id)]
    page = search_page(login(team.member), "opening words")
    assert page.headings() == ["Orcaish plans"]


def test_a_renamed_thread_after_a_flush(team, login):
    """The same rename with a query in between (which flushes): indexed."""
    opening = start(team.member, team.group, "Belugaish plans", "Opening words.")
    thread = db.session.get(Thread, opening.thread_id)
    thread.title = "Orcaish plans"
    db.session.scalar(select(Post.id).limit(1))  # autoflush
    db.session.commit()
    assert find(team.member, "belugaish").hits == []
    assert kinds(find(team.member, "orcaish")) == [("thread", thread.id)]
    assert search_page(login(team.member), "opening words").headings() == [
        "Orcaish plans"
    ]


def test_a_change_committed_without_a_flush_is_indexed(team):
    """Every change is indexed at commit, whether or not something flushed it first
    (index._apply must flush before it looks for pending roots)."""
    person = factories.make_user("Xanthippe Voss")
    person.organisation = "Puffinworks"
    db.session.commit()
    assert kinds(find(team.member, "puffinworks")) == [("person", person.id)]


def test_an_edited_document_and_profile_are_indexed(team):
    doc = document(team.member, team.group, "Notes.txt", b"Plain.\n", tags="alpha")
    from collab.documents import services as documents

    documents.update_document(
        team.member,
        doc,
        title="Condorish notes",
        description="About the heronic pilot.",
        tags="ibisian",
        folder=None,
    )
    db.session.commit()
    for word in ("condorish", "heronic", "ibisian"):
        assert kinds(find(team.member, word)) == [("document", doc.id)], word
    assert find(team.member, "alpha").hits == []
    member_services.set_expertise(team.colleague, "stoatistics")
    db.session.commit()
    assert kinds(find(team.member, "stoatistics")) == [("person", team.colleague.id)]


def test_a_rolled_back_change_leaves_the_index_as_it_was(team):
    opening = start(team.member, team.group, "Topic", "Opening.")
    post = reply(team.member, opening.thread, "The budget is tapirlike.")
    threads.edit_post(team.member, post, "The budget is walruslike.")
    threads.start_thread(team.member, team.group, "Yakish thread", "Yakish body.")
    db.session.flush()
    db.session.rollback()
    assert kinds(find(team.member, "tapirlike")) == [("post", post.id)]
    assert find(team.member, "walruslike").hits == []
    assert find(team.member, "yakish").hits == []
    # The next, unrelated commit does not apply the forgotten change either.
    start(team.member, team.group, "Another", "Another body.")
    assert find(team.member, "walruslike").hits == []
    assert kinds(find(team.member, "tapirlike")) == [("post", post.id)]


def test_a_failed_request_leaves_the_index_as_it_was(app, team, login, monkeypatch):
    """A view that fails after the service wrote: the request's transaction rolls
    back, and the index with it."""
    opening = start(team.member, team.group, "Topic", "Opening.")
    post = reply(team.member, opening.thread, "The budget is tapirlike.")
    from collab.threads import services as thread_services

    def boom(*args, **kwargs):
        db.session.flush()  # the edit and its index changes are already sent
        raise RuntimeError("the mail queue is down")

    monkeypatch.setattr(thread_services.notifications, "notify_post", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    browser = login(team.member)
    url = f"/groups/{team.group.slug}/threads/{opening.thread_id}/reply"
    response = browser.post(url, data={"body": "Walruslike answer."})
    assert response.status_code == 500
    assert find(team.member, "walruslike").hits == []
    assert kinds(find(team.member, "tapirlike")) == [("post", post.id)]


# --- a rebuild ------------------------------------------------------------------------


@pytest.fixture
def history(team, login):
    """Content with a history: edited, moved, hidden, deleted, trashed, restored,
    versioned, published, circulated, deactivated, erased."""
    opening = start(team.member, team.group, "Wallet pilots", "Who is in?")
    edited = reply(team.colleague, opening.thread, "We join.")
    threads.edit_post(team.colleague, edited, "We join, with two ministries.")
    hidden = reply(team.member, opening.thread, "Off topic remark.")
    threads.hide_post(team.chair, hidden, "Off topic.")
    deleted = reply(team.member, opening.thread, "Withdrawn remark.")
    threads.delete_post(team.member, deleted)
    moved = start(team.chair, team.group, "Procurement", "Tender lots.")
    threads.move_thread(team.secretariat, moved.thread, team.private_group)
    db.session.commit()
    from collab.documents import services as documents

    doc = document(team.member, team.group, "Report.txt", b"One.\n", tags="x, y")
    version(team.chair, doc, "Report v2.txt", b"Two.\n", note="Figures.")
    version(team.chair, doc, "Report v3.txt", b"Three.\n")
    trashed = document(team.member, team.group, "Old.txt", b"Gone.\n")
    documents.trash(team.chair, trashed)
    restored = document(team.member, team.private_group, "Back.txt", b"Back.\n")
    documents.trash(team.other_chair, restored)
    documents.restore(team.other_chair, restored)
    db.session.commit()
    plenary = meeting(team.chair, team.group, items=("Pilots", "Budget"), publish=True)
    record(
        team.chair,
        plenary,
        {item.id: f"Minutes of {item.title}." for item in plenary.items},
        decision="Go ahead.",
        action="Send figures",
        owner=team.member,
    )
    circulate(team.chair, plenary)
    draft = meeting(team.chair, team.group, status="draft", items=("Secret",))
    unpublished = meeting(team.chair, team.group, items=("Hidden item",))
    agenda.add_item(team.chair, plenary, {"title": "Late item", "duration_minutes": 5})
    db.session.commit()
    gone = factories.make_user("Gone Person", organisation="Nowhere")
    member_services.erase_account(team.secretariat, gone)
    away = factories.make_user("Away Person")
    admin = login(team.secretariat)
    assert admin.post(f"/admin/people/{away.id}/deactivate").status_code == 302
    member_services.set_expertise(team.member, "wallets, eID")
    db.session.commit()
    return draft, unpublished


COLUMNS = ("kind", "ref_id", "audience", "group_id", "title", "body")
EVERY_COLUMN = (
    *COLUMNS,
    "root",
    "parent_id",
    "position",
    "author_id",
    "at",
    "heading",
    "boost",
)


def _rows(columns) -> set[tuple]:
    db.session.expire_all()
    wanted = [getattr(SearchEntry, name) for name in columns]
    return set(db.session.execute(select(*wanted)).all())


def _reindex(app):
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    db.session.expire_all()
    assert result.exit_code == 0, result.output
    return result


def test_reindex_gives_exactly_what_incremental_indexing_built(app, team, history):
    ids = {name: getattr(team, name).id for name in ("member", "secretariat")}
    incremental = _rows(COLUMNS)
    complete = _rows(EVERY_COLUMN)
    assert incremental, "the content was indexed as it was written"
    result = _reindex(app)
    assert "Search index rebuilt" in result.output
    rebuilt = _rows(COLUMNS)
    assert rebuilt - incremental == set(), "only after a rebuild"
    assert incremental - rebuilt == set(), "only before a rebuild"
    assert _rows(EVERY_COLUMN) == complete
    assert len(rebuilt) == len(entries())
    del ids


def test_reindex_gives_the_same_search_results(app, team, history):
    people = [team.member, team.outsider, team.chair, team.secretariat]
    ids = [p.id for p in people]
    words = ["wallet", "ministries", "figures", "minutes", "report", "person", "item"]
    # Sets: results that tie (same rank, same time) have no defined order (see
    # test_page.py for what that does to pages).
    before = {
        (i, word): set(kinds(find(person, word)))
        for i, person in zip(ids, people, strict=True)
        for word in words
    }
    _reindex(app)
    from collab.auth.models import User

    after = {
        (i, word): set(kinds(find(db.session.get(User, i), word)))
        for i in ids
        for word in words
    }
    assert after == before


def test_reindex_if_empty_leaves_a_built_index_alone(app, team):
    start(team.member, team.group, "Wallet pilots", "Who is in?")
    before = _rows(COLUMNS)
    result = app.test_cli_runner().invoke(args=["search", "reindex", "--if-empty"])
    assert result.exit_code == 0 and "already built" in result.output
    assert _rows(COLUMNS) == before
    db.session.execute(db.delete(SearchEntry))
    db.session.commit()
    assert find(team.member, "wallet").hits == []
    result = app.test_cli_runner().invoke(args=["search", "reindex", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert _rows(COLUMNS) == before
