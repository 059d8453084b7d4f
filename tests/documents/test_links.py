"""Pasting a document's address into a post: a rich link with its title and version
for this group's documents; a plain link, revealing nothing, for anything else."""

import re

from collab.core.db import utcnow
from collab.extensions import db
from tests import factories
from tests.documents import samples
from tests.documents.conftest import (
    document_url,
    make_document,
    make_version,
    text,
)

BASE = "http://collab.test"


def _opening_post(page: str) -> str:
    match = re.search(
        r'<article class="post[^"]*" id="post-\d+".*?</article>', page, re.S
    )
    assert match, "no post on the page"
    return match.group(0)


def _post(browser, group, body: str) -> str:
    """Start a thread with ``body``; returns the opening post as shown."""
    response = browser.post(
        f"/groups/{group.slug}/threads/new", data={"title": "Documents", "body": body}
    )
    assert response.status_code == 302, text(response)[:300]
    return _opening_post(text(browser.get(response.headers["Location"])))


def _links(post: str) -> dict[str, str]:
    """href → link text, for every link in the post's body."""
    body = post.split('<div class="prose">', 1)[1].split("</div>", 1)[0]
    return {
        href.replace("&amp;", "&"): re.sub(r"<[^>]+>", "", label)
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', body)
    }


def _is_plain(post: str, url: str) -> bool:
    """``url`` is shown as itself: as text, or linked with itself as the label."""
    links = _links(post)
    return (
        "📄" not in post
        and url in post
        and all(label == href for href, label in links.items())
    )


def _report(team):
    document = make_document(team.colleague, team.group, "Wallet pilot report.pdf")
    make_version(team.chair, document, "Wallet pilot report v2.pdf", samples.pdf("v2"))
    return document


def test_relative_url_of_a_group_document_becomes_a_rich_link_to_the_latest_version(
    team, login
):
    document = _report(team)
    url = document_url(document)

    post = _post(login(team.member), team.group, f"Please read {url} before Tuesday.")

    assert _links(post) == {url: "📄 Wallet pilot report (version 2)"}


def test_absolute_url_of_a_version_shows_that_version(team, login):
    document = _report(team)
    url = BASE + document_url(document, "/versions/1/download")

    post = _post(login(team.member), team.group, f"The first draft: {url}")

    assert _links(post) == {url: "📄 Wallet pilot report (version 1)"}


def test_absolute_url_of_the_document_shows_its_latest_version(team, login):
    document = _report(team)
    url = BASE + document_url(document)

    post = _post(login(team.member), team.group, f"See {url}")

    assert _links(post) == {url: "📄 Wallet pilot report (version 2)"}


def test_several_documents_in_one_post(team, login):
    report = _report(team)
    budget = make_document(team.colleague, team.group, "Budget.csv")
    first, second = document_url(report), BASE + document_url(budget)

    post = _post(login(team.member), team.group, f"- {first}\n- {second}\n")

    assert _links(post) == {
        first: "📄 Wallet pilot report (version 2)",
        second: "📄 Budget (version 1)",
    }


def test_a_title_with_markdown_and_html_characters_is_shown_literally(team, login):
    document = make_document(team.colleague, team.group, "Draft *v2* [old] <b>.pdf")

    post = _post(login(team.member), team.group, f"See {document_url(document)}")

    assert _links(post) == {
        document_url(document): "📄 Draft *v2* [old] &lt;b&gt; (version 1)"
    }
    assert "<b>" not in post and "<em>" not in post


def test_another_groups_document_stays_a_plain_link_and_its_title_stays_hidden(
    team, login
):
    secret = make_document(
        team.other_chair, team.private_group, "Tender evaluation scores.xlsx"
    )
    factories.add_member(team.private_group, team.member)
    relative = document_url(secret)
    absolute = BASE + document_url(secret, "/versions/1/download")

    post = _post(login(team.member), team.group, f"Compare {relative} and {absolute}")

    assert "Tender evaluation" not in post
    assert _is_plain(post, relative) and _is_plain(post, absolute)


def test_another_groups_document_id_under_this_groups_address_stays_plain(team, login):
    secret = make_document(
        team.other_chair, team.private_group, "Tender evaluation scores.xlsx"
    )
    url = f"/groups/{team.group.slug}/documents/{secret.id}"

    post = _post(login(team.member), team.group, f"Look at {url}")

    assert "Tender evaluation" not in post
    assert _is_plain(post, url)


def test_a_trashed_document_stays_a_plain_link(team, login):
    document = _report(team)
    document.deleted_at = utcnow()
    db.session.commit()
    url = BASE + document_url(document)

    post = _post(login(team.member), team.group, f"See {url}")

    assert "Wallet pilot report" not in post
    assert _is_plain(post, url)


def test_a_document_that_does_not_exist_stays_plain(team, login):
    url = f"/groups/{team.group.slug}/documents/999"

    post = _post(login(team.member), team.group, f"See {url}")

    assert _is_plain(post, url)


def test_a_lookalike_address_on_another_site_stays_a_plain_link(team, login):
    """Our document's title must not dress up a link that leads somewhere else."""
    document = _report(team)
    url = "https://collab-test.evil.example.com" + document_url(document)

    post = _post(login(team.member), team.group, f"Updated copy: {url}")

    assert "Wallet pilot report" not in post
    assert _is_plain(post, url)
