"""The big list of naughty strings through real forms: accepted or refused, never a
500."""

import json
from collections import Counter
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from collab.documents.models import Document
from collab.extensions import db
from collab.groups.models import Membership
from collab.threads.models import Post
from tests.security.routes import (
    browser_filename,
    document_form,
    document_url,
    library_url,
    post_form,
    post_url,
    profile_form,
    thread_url,
)

BLNS = Path("/work/shared/security-corpora/blns.json")


@pytest.fixture(scope="module")
def naughty() -> list[str]:
    if not BLNS.is_file():
        pytest.skip(f"{BLNS} is missing")
    return json.loads(BLNS.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _no_error_propagation(app, monkeypatch):
    """Report a crash as the 500 a user would see, and keep going through the list."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


def _crashes(client, strings, post) -> list[str]:
    crashes = []
    for number, value in enumerate(strings):
        status = post(number, value).status_code
        if status >= 500:
            crashes.append(f"#{number} {value!r} → {status}")
        if number % 20 == 0:
            # A browser would follow each redirect and show (consume) its message.
            with client.session_transaction() as session:
                session.pop("_flashes", None)
    return crashes


def test_join_request_message_never_crashes(world, client_as, naughty):
    client = client_as("P1")
    user_id, group_id = world.users["P1"].id, world.group_b.id

    def post(_number, value):
        response = client.post("/groups/bravo/request", data={"message": value})
        # Withdraw the request so that the next string can be sent.
        db.session.execute(
            delete(Membership).where(
                Membership.user_id == user_id, Membership.group_id == group_id
            )
        )
        db.session.commit()
        return response

    crashes = _crashes(client, naughty, post)
    assert not crashes, "\n".join(crashes)


def test_sign_in_email_never_crashes(app, client, naughty, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_IP", 10_000)

    def post(_number, value):
        return client.post("/auth/sign-in", data={"email": value, "password": "not it"})

    crashes = _crashes(client, naughty, post)
    assert not crashes, "\n".join(crashes)


def test_new_group_name_never_crashes(world, client_as, naughty):
    client = client_as("P5")

    def post(number, value):
        return client.post(
            "/admin/groups/new",
            data={
                "name": value,
                "slug": f"naughty-{number}",
                "description": value,
                "visibility": "public",
                "join_policy": "request",
            },
        )

    crashes = _crashes(client, naughty, post)
    assert not crashes, "\n".join(crashes)


def test_invitation_email_never_crashes(world, client_as, naughty):
    client = client_as("P4")

    def post(_number, value):
        return client.post(
            "/groups/alpha/invitations", data={"email": value, "role": "member"}
        )

    crashes = _crashes(client, naughty, post)
    assert not crashes, "\n".join(crashes)


def test_refused_strings_come_back_with_a_message(world, client_as):
    client = client_as("P4")
    response = client.post(
        "/groups/alpha/invitations", data={"email": "\u202eevil", "role": "member"}
    )
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)


# --- member profiles and the directory ------------------------------------------------

PROFILE_TEXT_FIELDS = (
    "display_name",
    "organisation",
    "bio",
    "expertise",
    "website",
    "phone",
)
CHUNKS = 3


def _first_crash_or_last(responses):
    return next((r for r in responses if r.status_code >= 500), responses[-1])


@pytest.mark.parametrize("chunk", range(CHUNKS), ids=lambda c: f"part-{c + 1}")
def test_profile_form_never_crashes(world, client_as, naughty, chunk):
    """Each string goes in every text field at once (each validator sees it, and a
    refused form shows it back), then in the combination most likely to be saved;
    whatever was saved is shown on the profile, the directory and A's member list."""
    client = client_as("P2")
    username = world.users["P2"].username
    edit, profile = f"/members/{username}/edit", f"/members/{username}"
    strings = naughty[chunk::CHUNKS]

    def post(number, value):
        everywhere = profile_form(**dict.fromkeys(PROFILE_TEXT_FIELDS, value))
        sent = [client.post(edit, data=everywhere)]
        storable = profile_form(
            display_name=value[:120] if value.strip() else "Nameless",
            organisation=value[:200],
            bio=value,
            expertise=value,
            website=f"https://example.org/{value}"[:300],
            phone=value[:40],
        )
        sent.append(client.post(edit, data=storable))
        if sent[-1].status_code == 400:  # e.g. an area of expertise over 60 characters
            storable["expertise"] = "eID"
            sent.append(client.post(edit, data=storable))
        sent.append(client.get(profile))
        if number % 10 == 0:
            sent += [client.get("/members/"), client.get("/groups/alpha/members")]
        return _first_crash_or_last(sent)

    crashes = _crashes(client, strings, post)
    assert not crashes, "\n".join(crashes)


def test_directory_search_never_crashes(world, client_as, naughty):
    client = client_as("P3")
    crashes = []
    for number, value in enumerate(naughty):
        # Every filter at once; B's member list shares the code, so every other string.
        for url in ("/members/", "/groups/bravo/members")[: 1 + number % 2]:
            query = {"q": value, "country": value, "group": value, "role": value}
            response = client.get(url, query_string=query)
            if response.status_code >= 500:
                crashes.append(f"#{number} {value!r} {url} → {response.status_code}")
    assert not crashes, "\n".join(crashes)


# --- discussions: titles, bodies and hide reasons -------------------------------------


@pytest.mark.parametrize("chunk", range(CHUNKS), ids=lambda c: f"part-{c + 1}")
def test_discussion_forms_never_crash(world, client_as, naughty, chunk):
    """Each string as a thread's title and opening post (refused → again under a
    harmless title, so the body is still tried), as the reason a chair hides that post,
    then the thread page that shows title and reason; every few strings the lists,
    dashboard and notifications that show the titles too."""
    chair = client_as("P4")
    strings = naughty[chunk::CHUNKS]
    answers = Counter()

    def post(number, value):
        sent = [
            chair.post("/groups/alpha/threads/new", data=post_form(value, title=value))
        ]
        answers["thread", sent[-1].status_code] += 1
        if sent[-1].status_code != 302:
            sent.append(
                chair.post(
                    "/groups/alpha/threads/new",
                    data=post_form(f"{number}: {value}", title=f"Naughty {number}"),
                )
            )
        if sent[-1].status_code == 302:
            thread = sent[-1].headers["Location"].split("?")[0].rstrip("/")
            opening = db.session.scalar(
                select(Post.id).where(Post.thread_id == int(thread.rsplit("/", 1)[1]))
            )
            hide = f"{thread}/posts/{opening}/hide"
            sent.append(chair.post(hide, data={"reason": value}))
            answers["hide", sent[-1].status_code] += 1
            sent.append(chair.get(thread))
        if number % 10 == 0:
            sent += [
                chair.get("/groups/alpha/threads/"),
                chair.get("/groups/alpha/"),
                chair.get("/"),
            ]
        return _first_crash_or_last(sent)

    crashes = _crashes(chair, strings, post)
    assert not crashes, "\n".join(crashes)
    # Most strings were stored (the test exercises the pages, not only the refusals).
    assert answers["thread", 302] > len(strings) * 0.8, answers
    assert answers["hide", 302] > len(strings) * 0.8, answers


def test_reply_and_edit_bodies_never_crash(world, client_as, naughty):
    """Replies (and the edit of one's own reply) share the body checks with new
    threads, but not the view: every string once through each."""
    client = client_as("P2")
    talk = world.talk
    reply, edit = (
        thread_url(talk.thread_a, "/reply"),
        post_url(talk.reply_a_p2, "edit"),
    )

    answers = Counter()

    def post(number, value):
        form = post_form(value, preview="y") if number % 2 else post_form(value)
        sent = [client.post(reply, data=form)]
        sent.append(client.post(edit, data={"body": value}))
        answers["edit", sent[-1].status_code] += 1
        return _first_crash_or_last(sent)

    strings = naughty[::2]
    crashes = _crashes(client, strings, post)
    assert not crashes, "\n".join(crashes)
    assert answers["edit", 302] > len(strings) * 0.8, answers


# --- documents: file names, titles, descriptions, tags and folder names ---------------

UPLOAD_BATCH = 25  # files per upload: the form takes several at once


def _pages_crash(client, urls) -> list[str]:
    return [
        f"GET {url} → {response.status_code}"
        for url in urls
        if (response := client.get(url)).status_code >= 500
    ]


def test_uploaded_file_names_never_crash(world, client_as, naughty):
    """Every string as a file name (a batch of files per upload; a batch that crashes
    is sent again one by one to name the string), then the library listing every
    stored name and some of their document pages and downloads."""
    client = client_as("P2")
    url = library_url("alpha", "upload")
    before = set(db.session.scalars(select(Document.id)))

    def files(values, offset):
        return [
            (
                BytesIO(f"File {offset + n}.\n".encode()),
                browser_filename(f"{value}.txt"),
                "text/plain",
            )
            for n, value in enumerate(values)
        ]

    def count() -> int:
        db.session.rollback()
        return db.session.scalar(select(func.count(Document.id)))

    crashes, refused = [], []
    for start in range(0, len(naughty), UPLOAD_BATCH):
        batch = naughty[start : start + UPLOAD_BATCH]
        documents = count()
        response = client.post(url, data={"files": files(batch, start), "tags": ""})
        if response.status_code >= 500 or count() == documents:
            # A crash, or one refused name (all or none): one by one, to name it and
            # to store the others.
            for number, value in enumerate(batch, start):
                documents = count()
                single = client.post(url, data={"files": files([value], number)})
                if single.status_code >= 500:
                    crashes.append(f"#{number} {value!r} → {single.status_code}")
                elif count() == documents:
                    refused.append(value)
        with client.session_transaction() as session:
            session.pop("_flashes", None)
    db.session.rollback()
    stored = db.session.scalars(
        select(Document.id).where(Document.id.not_in(before)).order_by(Document.id)
    ).all()
    assert len(refused) < 20 and len(stored) == len(naughty) - len(refused), refused
    urls = [library_url("alpha", f"?all=1&sort=title&page={n}") for n in range(1, 12)]
    for document_id in stored[::10]:
        base = f"/groups/alpha/documents/{document_id}"
        urls += [base, f"{base}/download", f"{base}/versions/1/download"]
    crashes += _pages_crash(client, urls)
    assert not crashes, "\n".join(crashes)


@pytest.mark.parametrize("chunk", range(CHUNKS), ids=lambda c: f"part-{c + 1}")
def test_document_details_and_folder_names_never_crash(
    world, client_as, naughty, chunk
):
    """Each string as a document's title, description and tags at once, and as a
    folder's new name (every fifth also as a new folder); every few strings the
    library, the document page and the trash that show them."""
    client = client_as("P4")
    library = world.library
    document = document_url(library.document_a)
    strings = naughty[chunk::CHUNKS]
    answers = Counter()

    def post(number, value):
        sent = [
            client.post(
                f"{document}/edit",
                data=document_form(
                    value,
                    description=value,
                    tags=value,
                    folder=str(library.folder_a.id),
                ),
            )
        ]
        db.session.rollback()
        saved = db.session.get(Document, library.document_a.id).title == value.strip()
        answers["details saved", saved] += 1
        sent.append(
            client.post(
                library_url("alpha", f"folders/{library.empty_folder_a.id}"),
                data={"name": value, "parent": str(library.folder_a.id)},
            )
        )
        if number % 5 == 0:
            sent.append(
                client.post(
                    library_url("alpha", "folders"), data={"name": value, "parent": ""}
                )
            )
        if number % 10 == 0:
            sent += [
                client.get(document),
                client.get(library_url("alpha", "?all=1")),
                client.get(library_url("alpha", f"?folder={library.folder_a.id}")),
                client.get(library_url("alpha", "trash")),
            ]
        return _first_crash_or_last(sent)

    crashes = _crashes(client, strings, post)
    assert not crashes, "\n".join(crashes)
    # Most strings were saved: the pages did show them.
    assert answers["details saved", True] > len(strings) * 0.8, answers


# --- search ---------------------------------------------------------------------------


def test_search_never_crashes(world, client_as, naughty):
    """Each string as the query (everywhere and inside A), and as every filter at
    once beside a real query; never a 500, never an engine's error on the page."""
    client = client_as("P2")
    crashes = []
    for number, value in enumerate(naughty):
        for query in (
            {"q": value},
            {"q": value, "group": "alpha"},
            {"q": "wallet", "type": value, "since": value, "until": value},
            {"q": "wallet", "author": value, "page": value},
            {"q": "wallet", "group": value},
        ):
            response = client.get("/search", query_string=query)
            page = response.get_data(as_text=True)
            if response.status_code >= 500:
                crashes.append(f"#{number} {value!r} {query} → {response.status_code}")
            elif any(e in page for e in ("OperationalError", "fts5", "tsquery")):
                crashes.append(f"#{number} {value!r} {query}: an engine error shown")
    assert not crashes, "\n".join(crashes)
