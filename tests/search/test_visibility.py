"""Only what the searcher may see: a private group's content for its members and the
secretariat (results, counts, snippets), drafts for chairs and the secretariat until
they are published or circulated, nothing hidden, deleted, trashed, deactivated or
erased."""

import pytest

from collab.documents import services as documents
from collab.extensions import db
from collab.members import services as member_services
from collab.threads import services as threads
from tests import factories
from tests.search.conftest import (
    circulate,
    document,
    find,
    found,
    kinds,
    meeting,
    publish,
    record,
    reply,
    search_page,
    start,
    version,
)

# --- a private group -----------------------------------------------------------------


@pytest.fixture
def private_content(team):
    """The word "mongoosery" in every kind of the private group's content, and once
    in the public group."""
    group, chair = team.private_group, team.other_chair
    post = start(chair, group, "Mongoosery tender", "The mongoosery lot is open.")
    reply(team.other_member, post.thread, "Our mongoosery offer is ready.")
    doc = document(
        chair,
        group,
        "Mongoosery clauses.txt",
        b"Old mongoosery clause.\n",
        description="Mongoosery model clauses",
        tags="mongoosery",
    )
    version(chair, doc, "Mongoosery clauses.txt", b"New mongoosery clause.\n")
    plenary = meeting(
        chair,
        group,
        title="Mongoosery plenary",
        items=("Mongoosery lots",),
        publish=True,
    )
    record(
        chair,
        plenary,
        {plenary.items[0].id: "Mongoosery lots agreed."},
        decision="Mongoosery goes ahead.",
        action="Send the mongoosery lots",
        owner=team.other_member,
    )
    circulate(chair, plenary)
    public = start(team.chair, team.group, "Open call", "A public mongoosery note.")
    return {"public": public}


PRIVATE_KINDS = {
    "thread",
    "post",
    "document",
    "version",
    "meeting",
    "item",
    "minutes",
    "decision",
    "action",
}


@pytest.mark.parametrize("who", ["outsider", "member", "chair", "observer"])
def test_a_private_groups_content_is_not_found_by_outsiders(
    team, private_content, login, who
):
    person = getattr(team, who)
    public_only = [("post", private_content["public"].id)]
    assert kinds(find(person, "mongoosery")) == public_only
    page = search_page(login(person), "mongoosery")
    assert page.total == 1, page.heading
    assert [item.kind for item in page.items] == ["post"]
    # Nothing of the private group: not its name, not a snippet of its text.
    assert "ICT Procurement" not in page.results_html
    for word in ("tender", "offer", "clause", "lots", "plenary", "ahead"):
        assert word not in page.results_html.lower(), word
    # Naming the group in the filter changes nothing for them: it is not there.
    response = login(person).get(
        "/search", query_string={"q": "mongoosery", "group": "ict-procurement"}
    )
    assert response.status_code == 404
    refused = response.get_data(as_text=True)
    assert "ICT Procurement" not in refused and "results-heading" not in refused


@pytest.mark.parametrize("who", ["other_member", "other_chair", "secretariat"])
def test_members_of_a_private_group_and_the_secretariat_find_its_content(
    team, private_content, login, who
):
    person = getattr(team, who)
    got = {kind for kind, _ref in kinds(find(person, "mongoosery"))}
    assert got == PRIVATE_KINDS | {"post"}
    page = search_page(login(person), "mongoosery")
    # Thread, two posts, document, older version, meeting, item, minutes, decision,
    # action: ten in the group, and the public post.
    assert page.total == 11
    assert len(page.items) == 11
    assert "ICT Procurement" in page.results_html
    assert any("tender" in item.heading.lower() for item in page.items)
    scoped = search_page(login(person), "mongoosery", group="ict-procurement")
    assert scoped.total == 10
    assert all("ICT Procurement" in item.meta for item in scoped.items)


def test_a_pending_request_to_join_shows_nothing_yet(team, private_content):
    factories.add_member(team.private_group, team.outsider, status="pending")
    assert kinds(find(team.outsider, "mongoosery")) == [
        ("post", private_content["public"].id)
    ]


def test_counts_of_outsiders_do_not_include_private_matches(team, login):
    """The filter is in the query: 30 private matches and 3 public ones make a count
    of 3 and one page for an outsider, not 33 with a short page."""
    opening = start(team.other_chair, team.private_group, "Tender", "Secretive.")
    for n in range(30):
        reply(team.other_chair, opening.thread, f"Ibexian lot {n}.")
    public = start(team.chair, team.group, "Open", "Opening.")
    for n in range(3):
        reply(team.chair, public.thread, f"Ibexian note {n}.")
    assert find(team.outsider, "ibexian").total == 3
    page = search_page(login(team.outsider), "ibexian")
    assert page.total == 3 and len(page.items) == 3
    assert "Page 1 of" not in page.html
    assert find(team.other_member, "ibexian").total == 33


# --- drafts ---------------------------------------------------------------------------


def _draft_meeting(team):
    draft = meeting(team.chair, team.group, status="draft", title="Pumakin retreat")
    return "pumakin", ("meeting", draft.id), lambda: _schedule(team, draft)


def _schedule(team, draft):
    from collab.meetings import services

    services.schedule(team.chair, draft)
    db.session.commit()


def _unpublished_item(team):
    plenary = meeting(team.chair, team.group, items=("Jaguarine budget",))
    return (
        "jaguarine",
        ("item", plenary.items[0].id),
        lambda: publish(team.chair, plenary),
    )


def _draft_minutes(team):
    plenary = meeting(team.chair, team.group, items=("Budget",), publish=True)
    record(team.chair, plenary, {plenary.items[0].id: "Koalaesque figures."})
    return (
        "koalaesque",
        ("minutes", plenary.items[0].id),
        lambda: circulate(team.chair, plenary),
    )


def _decision_of_draft_minutes(team):
    plenary = meeting(team.chair, team.group, items=("Budget",), publish=True)
    decision, _action = record(
        team.chair,
        plenary,
        {plenary.items[0].id: "Figures read."},
        decision="The dingoish plan is adopted.",
    )
    return (
        "dingoish",
        ("decision", decision.id),
        lambda: circulate(team.chair, plenary),
    )


DRAFTS = {
    "draft meeting": _draft_meeting,
    "unpublished agenda item": _unpublished_item,
    "draft minutes": _draft_minutes,
    "decision of draft minutes": _decision_of_draft_minutes,
}


@pytest.mark.parametrize("draft", DRAFTS)
def test_drafts_are_found_by_chairs_and_the_secretariat_only(team, login, draft):
    word, expected, reveal = DRAFTS[draft](team)
    for person in (team.chair, team.secretariat):
        assert expected in set(kinds(find(person, word))), person.display_name
        assert search_page(login(person), word).total == 1
    for person in (team.member, team.observer, team.colleague, team.outsider):
        assert find(person, word).hits == [], person.display_name
        assert find(person, word).total == 0
        page = search_page(login(person), word)
        assert page.total == 0 and page.items == []
        assert word not in page.results_html.lower()
    reveal()
    for person in (team.member, team.observer, team.outsider, team.chair):
        assert expected in set(kinds(find(person, word))), person.display_name


def test_another_groups_chair_does_not_see_the_drafts(team):
    """Chairing the private group gives no draft of the public one."""
    word, _expected, _reveal = _draft_meeting(team)
    assert find(team.other_chair, word).hits == []


# --- removed content ------------------------------------------------------------------


def test_hidden_and_deleted_posts_are_not_found(team, login):
    opening = start(team.member, team.group, "Topic", "Opening.")
    hidden = reply(team.colleague, opening.thread, "Wolverine remarks, off topic.")
    deleted = reply(team.member, opening.thread, "Wolverine thoughts, withdrawn.")
    kept = reply(team.member, opening.thread, "Wolverine notes, kept.")
    assert len(find(team.member, "wolverine").hits) == 3
    threads.hide_post(team.chair, hidden, "Off topic.")
    threads.delete_post(team.member, deleted)
    db.session.commit()
    for person in (team.member, team.chair, team.secretariat):
        assert kinds(find(person, "wolverine")) == [("post", kept.id)]
    page = search_page(login(team.chair), "wolverine")
    assert page.total == 1
    assert "remarks" not in page.results_html and "withdrawn" not in page.results_html


def test_trashed_documents_are_not_found_and_restored_ones_are(team, login):
    doc = document(
        team.member,
        team.group,
        "Marmotish notes.txt",
        b"Marmotish text one.\n",
        tags="marmotish",
    )
    version(team.member, doc, "Marmotish notes.txt", b"Marmotish text two.\n")
    assert set(kinds(find(team.member, "marmotish"))) == {
        ("document", doc.id),
        ("version", doc.id),
    }
    documents.trash(team.chair, doc)
    db.session.commit()
    for person in (team.member, team.chair, team.secretariat):
        assert find(person, "marmotish").hits == []
        assert search_page(login(person), "marmotish").total == 0
    documents.restore(team.chair, doc)
    db.session.commit()
    assert set(kinds(find(team.member, "marmotish"))) == {
        ("document", doc.id),
        ("version", doc.id),
    }
    assert search_page(login(team.member), "marmotish").total == 2


def test_deactivated_people_are_not_found_and_reactivated_ones_are(team, login):
    """Reactivating flushes nothing before the commit: the index must still see it
    (see test_index.py)."""
    person = factories.make_user("Xanthippe Voss", organisation="Gannetworks")
    assert kinds(find(team.member, "xanthippe")) == [("person", person.id)]
    admin = login(team.secretariat)
    response = admin.post(f"/admin/people/{person.id}/deactivate")
    assert response.status_code == 302
    for word in ("xanthippe", "gannetworks"):
        assert find(team.member, word).hits == []
        assert search_page(login(team.member), word).total == 0
    assert admin.post(f"/admin/people/{person.id}/reactivate").status_code == 302
    assert kinds(find(team.member, "gannetworks")) == [("person", person.id)]


def test_erased_people_are_not_found(team, login):
    person = factories.make_user("Xanthippe Voss", organisation="Gannetworks")
    member_services.set_expertise(person, "hyraxology")
    db.session.commit()
    assert kinds(find(team.member, "hyraxology")) == [("person", person.id)]
    member_services.erase_account(team.secretariat, person)
    db.session.commit()
    for word in ("xanthippe", "gannetworks", "hyraxology", "former member"):
        assert find(team.member, word).hits == [], word
        assert find(team.secretariat, word).hits == [], word


def test_people_are_found_by_everyone_signed_in(team, login):
    person = factories.make_user("Xanthippe Voss")
    for viewer in (team.outsider, team.member, team.secretariat):
        assert kinds(find(viewer, "xanthippe")) == [("person", person.id)]
    assert found(team.outsider, "xanthippe") == {("person", person.id)}


def _edit_group(browser, group, visibility):
    response = browser.post(
        f"/admin/groups/{group.slug}/edit",
        data={
            "name": group.name,
            "description": "Works on procurement.",
            "visibility": visibility,
            "join_policy": "request",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_a_group_made_public_or_private_changes_who_finds_its_content(team, login):
    """The secretariat opens the private group, then closes it again: outsiders find
    its content while it is public, and only then."""
    private = start(
        team.other_chair, team.private_group, "Mooseish tender", "Mooseish lots."
    )
    doc = document(team.other_chair, team.private_group, "Mooseish.txt", b"Text.\n")
    expected = {("thread", private.thread_id), ("post", private.id)} | {
        ("document", doc.id)
    }
    assert find(team.outsider, "mooseish").hits == []
    admin = login(team.secretariat)
    _edit_group(admin, team.private_group, "public")
    assert set(kinds(find(team.outsider, "mooseish"))) == expected
    assert search_page(login(team.outsider), "mooseish").total == 3
    _edit_group(admin, team.private_group, "private")
    assert find(team.outsider, "mooseish").hits == []
    assert search_page(login(team.outsider), "mooseish").total == 0
    assert set(kinds(find(team.other_member, "mooseish"))) == expected
