"""Every kind of content is found by its words, ranked by relevance (recent activity
breaking ties); people's public fields are searchable, their e-mail and phone are
not."""

from datetime import timedelta

import pytest

from collab.core.db import utcnow
from collab.extensions import db
from collab.members import services as member_services
from tests import factories
from tests.search.conftest import (
    circulate,
    document,
    find,
    kinds,
    meeting,
    record,
    reply,
    search_page,
    start,
    version,
)

# --- relevance ----------------------------------------------------------------------


def test_a_title_match_ranks_above_a_body_match(team):
    in_body = start(
        team.member,
        team.group,
        "Budget questions",
        "We spent the morning on interoperability and little else.",
    )
    in_title = start(team.chair, team.group, "Interoperability roadmap", "Plans.")
    order = kinds(find(team.member, "interoperability"))
    assert order == [("thread", in_title.thread_id), ("post", in_body.id)]


def test_the_latest_version_ranks_above_older_versions(team):
    old = document(team.member, team.group, "Registry study.txt", b"Zebrafish data.\n")
    version(team.member, old, "Registry study.txt", b"Nothing about fish now.\n")
    new = document(team.chair, team.group, "Other study.txt", b"Cats and dogs.\n")
    version(team.chair, new, "Other study.txt", b"Zebrafish data, revised.\n")
    both = document(team.chair, team.group, "Third study.txt", b"Zebrafish one.\n")
    version(team.chair, both, "Third study.txt", b"Zebrafish two.\n")
    order = kinds(find(team.member, "zebrafish"))
    assert set(order) == {
        ("version", old.id),
        ("document", new.id),
        ("document", both.id),
        ("version", both.id),
    }
    # Every latest version above every older one.
    latest = [i for i, (kind, _ref) in enumerate(order) if kind == "document"]
    older = [i for i, (kind, _ref) in enumerate(order) if kind == "version"]
    assert max(latest) < min(older), order


@pytest.mark.parametrize("newer_first", [True, False])
def test_recent_activity_breaks_a_tie(team, newer_first):
    first = start(team.member, team.group, "Topic one", "Lighthouse keepers meet.")
    second = start(team.member, team.group, "Topic two", "Lighthouse keepers meet.")
    older, newer = (first, second) if newer_first else (second, first)
    older.created_at = utcnow() - timedelta(days=30)
    newer.created_at = utcnow() - timedelta(days=1)
    db.session.commit()
    assert kinds(find(team.member, "lighthouse keepers")) == [
        ("post", newer.id),
        ("post", older.id),
    ]


# --- every kind of content ------------------------------------------------------------


@pytest.fixture
def corpus(team):
    """One unique word in each searchable place (kind, and the id it names)."""
    post = start(team.member, team.group, "Quokkaland thread", "Opening words.")
    answer = reply(team.colleague, post.thread, "A reply about narwhalite stocks.")
    doc = document(
        team.member,
        team.group,
        "Axolotlreport.txt",
        b"First draft: wombatish figures.\n",
        description="All about capybarine matters.",
        tags="pangolinic, wallet",
    )
    version(team.chair, doc, "Axolotlreport.txt", b"Second draft: flamingoid.\n")
    plenary = meeting(
        team.chair,
        team.group,
        title="Ocelotine plenary",
        description="The yearly gathering.",
        items=("Tapirish state of play",),
        publish=True,
    )
    decision, action = record(
        team.chair,
        plenary,
        {plenary.items[0].id: "Okapian figures were read out."},
        decision="The lemurish survey goes ahead.",
        action="Send the gharialine report",
        owner=team.member,
    )
    circulate(team.chair, plenary)
    person = factories.make_user(
        "Zorander Quist",
        email="secretmailbox@gov.example",
        country="DE",
        organisation="Bureau Kestrelworks",
    )
    member_services.set_expertise(person, "ferrofluidics, wallets")
    member_services.profile_of(person).phone = "+33 6 9753 1864"
    db.session.commit()
    item = plenary.items[0]
    return {
        "thread title": ("quokkaland", ("thread", post.thread_id)),
        "post body": ("narwhalite", ("post", answer.id)),
        "document title": ("axolotlreport", ("document", doc.id)),
        "document description": ("capybarine", ("document", doc.id)),
        "document tag": ("pangolinic", ("document", doc.id)),
        "latest version text": ("flamingoid", ("document", doc.id)),
        "older version text": ("wombatish", ("version", doc.id)),
        "meeting": ("ocelotine", ("meeting", plenary.id)),
        "agenda item": ("tapirish", ("item", item.id)),
        "minutes": ("okapian", ("minutes", item.id)),
        "decision": ("lemurish", ("decision", decision.id)),
        "action": ("gharialine", ("action", action.id)),
        "person name": ("zorander", ("person", person.id)),
        "person organisation": ("kestrelworks", ("person", person.id)),
        "person country (English)": ("germany", ("person", person.id)),
        "person country (French)": ("allemagne", ("person", person.id)),
        "person expertise": ("ferrofluidics", ("person", person.id)),
    }


CONTENT = [
    "thread title",
    "post body",
    "document title",
    "document description",
    "document tag",
    "latest version text",
    "older version text",
    "meeting",
    "agenda item",
    "minutes",
    "decision",
    "action",
    "person name",
    "person organisation",
    "person country (English)",
    "person country (French)",
    "person expertise",
]


IN_TEXT = {
    "post body",
    "document description",
    "latest version text",
    "older version text",
    "minutes",
    "decision",
    "action",
    "person organisation",
    "person country (English)",
    "person country (French)",
    "person expertise",
}
TITLE_ONLY = {"thread title", "document tag", "meeting", "agenda item", "person name"}


@pytest.mark.parametrize("where", CONTENT)
def test_every_kind_of_content_is_found(team, corpus, login, where):
    word, expected = corpus[where]
    # The older version's entry names the file too: a document title is found twice.
    also = {("version", expected[1])} if where == "document title" else set()
    assert set(kinds(find(team.member, word))) == {expected} | also, (where, word)
    page = search_page(login(team.member), word)
    assert page.total == 1 + len(also) and len(page.items) == 1 + len(also)
    assert page.items[0].kind == expected[0]
    if where in IN_TEXT:
        # Matched in the text: the snippet shows and marks the word.
        assert [m.lower() for m in page.items[0].marked] == [word], page.items[0]
    elif where in TITLE_ONLY:
        # Matched in the title, which is the heading: no snippet.
        assert page.items[0].snippet == ""


def test_results_lead_to_what_they_found(team, corpus, login):
    browser = login(team.member)
    for where in CONTENT:
        word, (kind, _ref) = corpus[where]
        item = search_page(browser, word).items[0]
        assert item.kind == kind
        response = browser.get(item.href.split("#")[0])
        assert response.status_code == 200, (where, item.href)


@pytest.mark.parametrize(
    "text", ["secretmailbox", "secretmailbox@gov.example", "97531864", "9753"]
)
def test_a_persons_email_and_phone_are_not_searched(team, corpus, login, text):
    assert find(team.member, text).hits == []
    assert search_page(login(team.member), text).total == 0
