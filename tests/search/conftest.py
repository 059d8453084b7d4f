"""Search fixtures: a public and a private group with one person in each role, content
of every kind written through the services (the index follows by itself), and helpers
that search the way the app does (services) or the way a person does (GET /search and
what the results page shows).

The same modules run on SQLite (FTS5) and on PostgreSQL (tsvector) when DATABASE_URL
is set: nothing here knows which engine answers."""

import html
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from collab.auth.models import User
from collab.core.db import utcnow
from collab.documents import services as documents
from collab.extensions import db
from collab.groups.models import Group
from collab.meetings import agenda, minutes
from collab.search import index, query, services
from collab.search.models import SearchEntry
from collab.threads import services as threads
from tests import factories
from tests.meetings.conftest import make_meeting


@dataclass
class Team:
    """A public group with one person in each role, a private group next to it, and
    people outside."""

    group: Group  # public: "digital-identity"
    private_group: Group  # private: "ict-procurement", chaired by ``other_chair``
    secretariat: User
    chair: User
    member: User
    observer: User
    colleague: User  # a second member of the public group
    outsider: User  # signed in, in no group
    other_chair: User
    other_member: User  # member of the private group only


@pytest.fixture(autouse=True)
def _each_commit_ends_a_request():
    """The test's session lives through the whole test, a request's session ends with
    its commit. Whatever the index still meant to do after a commit is dropped here as
    it is at the end of a request, so a change the index missed at its commit is not
    caught up by the test's next commit (which would hide the miss)."""

    def forget(session):
        session.info.pop(index._PENDING, None)

    event.listen(Session, "after_commit", forget)
    yield
    event.remove(Session, "after_commit", forget)


@pytest.fixture
def team() -> Team:
    make = factories.make_user
    secretariat = make("Sofia Secretariat", is_secretariat=True)
    chair = make("Chiara Rossi", country="IT", timezone="Europe/Rome")
    member = make("Kadri Tamm", country="EE", timezone="Europe/Tallinn")
    observer = make("Olaf Observer", country="NO", timezone="Europe/Oslo")
    colleague = make("Jan de Vries", country="NL", timezone="Europe/Amsterdam")
    outsider = make("Oscar Outsider", country="CA", timezone="America/Toronto")
    other_chair = make("Marc Tremblay", country="CA", timezone="America/Toronto")
    other_member = make("Hye-jin Park", country="KR", timezone="Asia/Seoul")
    group = factories.make_group(
        "Digital Identity",
        slug="digital-identity",
        chair=chair,
        members=(member, colleague),
        observers=(observer,),
    )
    private_group = factories.make_group(
        "ICT Procurement",
        slug="ict-procurement",
        visibility="private",
        chair=other_chair,
        members=(other_member,),
    )
    return Team(
        group,
        private_group,
        secretariat,
        chair,
        member,
        observer,
        colleague,
        outsider,
        other_chair,
        other_member,
    )


# --- writing through the services (setup) -------------------------------------------


def start(author, group, title="EUDI wallet pilots", body=None):
    """A thread started by ``author``; returns its opening post."""
    post = threads.start_thread(author, group, title, body or "Opening post.")
    db.session.commit()
    return post


def reply(author, thread, body):
    post = threads.reply(author, thread, body)
    db.session.commit()
    return post


def document(user, group, name="Notes.txt", data=b"Some notes.\n", **details):
    (doc,) = documents.upload(user, group, [(name, data)], **details)
    db.session.commit()
    return doc


def version(user, doc, name="Notes.txt", data=b"Second draft.\n", note=""):
    added = documents.add_version(user, doc, name, data, note)
    db.session.commit()
    return added


def meeting(chair, group, **kwargs):
    """A meeting made through the services (tests/meetings' helper)."""
    return make_meeting(chair, group, **kwargs)


def record(chair, meeting_, texts: dict, decision=None, action=None, owner=None):
    """Minutes for the meeting's items (item id → text), a decision and an action on
    its first item; returns (decision, action)."""
    minutes.save(chair, meeting_, texts)
    item = meeting_.items[0]
    made = [None, None]
    if decision:
        made[0] = minutes.add_decision(chair, meeting_, item.id, decision)
    if action:
        due = (utcnow() + timedelta(days=21)).date()
        made[1] = minutes.add_action(
            chair, meeting_, item.id, action, (owner or chair).id, due
        )
    db.session.commit()
    return tuple(made)


def circulate(chair, meeting_):
    minutes.circulate(chair, meeting_, utcnow() + timedelta(days=14))
    db.session.commit()


def publish(chair, meeting_):
    agenda.publish(chair, meeting_)
    db.session.commit()


# --- searching through the services ---------------------------------------------------


def find(user, text: str, page: int = 1, **filters) -> services.Results:
    """What ``services.search`` returns for ``user`` (the call the page makes)."""
    db.session.commit()
    return services.search(user, query.parse(text), services.Filters(**filters), page)


def kinds(results) -> list[tuple[str, int]]:
    """(kind, ref_id) of each hit, in order."""
    return [(hit.kind, hit.ref_id) for hit in results.hits]


def found(user, text: str, **filters) -> set[tuple[str, int]]:
    return set(kinds(find(user, text, **filters)))


def entries() -> list[SearchEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(SearchEntry).order_by(SearchEntry.id)))


# --- what a person sees on /search ----------------------------------------------------


@dataclass
class Item:
    kind: str
    heading: str  # as read (entities decoded)
    href: str
    meta: str
    snippet: str  # the raw HTML of the snippet paragraph ("" when none)

    @property
    def marked(self) -> list[str]:
        """The words the snippet marks."""
        return [
            html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", self.snippet)
        ]


@dataclass
class Page:
    status: int
    html: str
    items: list[Item]
    heading: str  # "3 results", "1 result", "More than 1000 results", "" (no search)

    @property
    def total(self) -> int | None:
        match = re.search(r"(\d+) results?", self.heading)
        return int(match.group(1)) if match else None

    @property
    def results_html(self) -> str:
        """The results section (the page minus the search box that echoes the
        query)."""
        match = re.search(
            r'<section aria-labelledby="results-heading".*?</section>', self.html, re.S
        )
        return match.group(0) if match else ""

    def kinds(self) -> list[str]:
        return [item.kind for item in self.items]

    def headings(self) -> list[str]:
        return [item.heading for item in self.items]


def plain(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def parse(response) -> Page:
    text = response.get_data(as_text=True)
    items = []
    for kind, body in re.findall(
        r'<li class="result result-(\w+)">(.*?)</li>', text, re.S
    ):
        link = re.search(r'<h3><a href="([^"]*)">(.*?)</a></h3>', body, re.S)
        meta = re.search(r'<p class="meta">(.*?)</p>', body, re.S)
        snippet = re.search(r'<p class="snippet">(.*?)</p>', body, re.S)
        items.append(
            Item(
                kind=kind,
                heading=html.unescape(link.group(2)),
                href=html.unescape(link.group(1)),
                meta=plain(meta.group(1)) if meta else "",
                snippet=snippet.group(1) if snippet else "",
            )
        )
    heading = re.search(r'<h2 id="results-heading">(.*?)</h2>', text, re.S)
    return Page(
        response.status_code, text, items, plain(heading.group(1)) if heading else ""
    )


def search_page(browser, q: str = "", **params) -> Page:
    """GET /search as the browser's person; the page must answer 200."""
    response = browser.get("/search", query_string={"q": q, **params})
    assert response.status_code == 200, (response.status_code, q, params)
    return parse(response)
