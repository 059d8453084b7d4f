"""Extra form fields naming privileged columns change nothing: forms bind only their
own fields, and services decide the rest."""

import hashlib
from io import BytesIO

from sqlalchemy import select

from collab.auth.models import User
from collab.core.text import render_markdown
from collab.documents.models import Document, DocumentVersion, Folder
from collab.extensions import db
from collab.groups.models import Group, Membership
from collab.notifications.models import EmailPreference
from collab.threads.models import Post, PostRevision, Subscription, Thread
from tests.factories import PASSWORD
from tests.security.routes import (
    NEW_PASSWORD,
    document_form,
    document_url,
    pdf_bytes,
    png_bytes,
    post_form,
    post_url,
    profile_form,
    snapshot,
    thread_url,
    upload_form,
    version_form,
)


def extras(world) -> dict[str, str]:
    """Every privileged column an attacker might name, with the value they would
    want."""
    return {
        "is_secretariat": "y",
        "role": "chair",
        "group_id": str(world.group_b.id),
        "user_id": str(world.users["P5"].id),
        "is_active": "y",
        "status": "active",
        "id": "1",
        "is_archived": "y",
        "visibility": "public",
        "slug": "hijacked",
        "email": "attacker@evil.example",
        "locale": "fr",
        "password_hash": "x",
        "accepted_by_id": str(world.users["P5"].id),
        "invited_by_id": "1",
    }


def membership(user, group) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.group_id == group.id
        )
    )


def test_accepting_an_invitation_as_newcomer_ignores_extra_fields(world, client):
    form = {
        "display_name": "Nora Newcomer",
        "country": "FR",
        "organisation": "DINUM",
        "position": "Architect",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    response = client.post(
        f"/auth/invitations/{world.invitation_token}", data={**extras(world), **form}
    )
    assert response.status_code == 302
    db.session.rollback()
    newcomer = db.session.scalar(
        select(User).where(User.email == "newcomer@gov.example")
    )
    assert newcomer is not None
    assert not newcomer.is_secretariat and newcomer.is_active
    assert newcomer.locale is None
    joined = db.session.scalars(
        select(Membership).where(Membership.user_id == newcomer.id)
    ).all()
    assert [(m.group_id, m.role, m.status) for m in joined] == [
        (world.group_a.id, "member", "active")
    ]
    assert (
        db.session.scalar(select(User).where(User.email == "attacker@evil.example"))
        is None
    )


def test_accepting_an_invitation_as_existing_account_ignores_extra_fields(
    world, client_as
):
    p1 = world.users["P1"]
    client = client_as("P1")
    before = snapshot()
    response = client.post(
        f"/auth/invitations/{world.invitation_p1_token}", data=extras(world)
    )
    assert response.status_code == 302
    after = snapshot()
    db.session.rollback()
    assert after["users"] == before["users"]
    assert (
        membership(p1, world.group_a).role,
        membership(p1, world.group_a).status,
    ) == ("member", "active")
    assert membership(p1, world.group_b) is None
    assert after["groups"] == before["groups"]


def test_join_request_ignores_extra_fields(world, client_as):
    p1 = world.users["P1"]
    client = client_as("P1")
    before = snapshot()
    response = client.post(
        "/groups/bravo/request",
        data={
            **extras(world),
            "group_id": str(world.group_a.id),
            "message": "Please let me in.",
        },
    )
    assert response.status_code == 302
    after = snapshot()
    db.session.rollback()
    request = membership(p1, world.group_b)
    assert (request.role, request.status) == ("member", "pending")
    assert membership(p1, world.group_a) is None
    assert membership(world.users["P5"], world.group_b) is None
    assert after["users"] == before["users"] and after["groups"] == before["groups"]
    added = set(after["memberships"]) - set(before["memberships"])
    assert len(added) == 1 and set(before["memberships"]) <= set(after["memberships"])


def test_group_edit_ignores_extra_fields(world, client_as):
    client = client_as("P5")
    before = snapshot()
    form = {
        "name": "Digital Identity (renamed)",
        "description": "New remit.",
        "visibility": "private",
        "join_policy": "request",
    }
    response = client.post("/admin/groups/alpha/edit", data={**extras(world), **form})
    assert response.status_code == 302
    after = snapshot()
    db.session.rollback()
    group = db.session.get(Group, world.group_a.id)
    assert (group.slug, group.name, group.visibility, group.is_archived) == (
        "alpha",
        "Digital Identity (renamed)",
        "private",
        False,
    )
    assert db.session.scalar(select(Group).where(Group.slug == "hijacked")) is None
    assert after["memberships"] == before["memberships"]
    assert after["users"] == before["users"]
    assert after["invitations"] == before["invitations"]


def test_group_edit_cannot_change_the_address(world, client_as):
    client = client_as("P5")
    client.post(
        "/admin/groups/alpha/edit",
        data={
            "name": "Digital Identity",
            "slug": "bravo",
            "visibility": "private",
            "join_policy": "request",
        },
    )
    db.session.rollback()
    assert db.session.get(Group, world.group_a.id).slug == "alpha"
    assert db.session.get(Group, world.group_b.id).slug == "bravo"


def test_language_switch_changes_only_the_language(world, client_as):
    p1 = world.users["P1"]
    client = client_as("P1")
    before = snapshot()
    response = client.post(
        "/language", data={**extras(world), "locale": "fr", "next": "/"}
    )
    assert response.status_code == 302
    after = snapshot()
    db.session.rollback()
    user = db.session.get(User, p1.id)
    assert user.locale == "fr"
    assert (user.is_secretariat, user.is_active, user.email) == (False, True, p1.email)
    others = [row for row in after["users"] if row[0] != p1.id]
    assert others == [row for row in before["users"] if row[0] != p1.id]
    for table in ("memberships", "groups", "invitations"):
        assert after[table] == before[table]


def test_language_switch_rejects_an_unknown_language(world, client_as):
    client = client_as("P1")
    client.post("/language", data={"locale": "xx-evil", "next": "/"})
    db.session.rollback()
    assert db.session.get(User, world.users["P1"].id).locale is None


def test_chair_cannot_invite_a_chair_by_posting_role_chair(world, client_as):
    client = client_as("P4")
    before = snapshot()
    response = client.post(
        "/groups/alpha/invitations", data={"email": "boss@gov.example", "role": "chair"}
    )
    assert response.status_code in (400, 403)
    assert snapshot()["invitations"] == before["invitations"]


def test_chair_cannot_promote_a_member_to_chair(world, client_as):
    client = client_as("P4")
    url = f"/groups/alpha/members/{world.extra_membership.id}/role"
    response = client.post(url, data={"role": "chair"})
    assert response.status_code in (400, 403)
    db.session.rollback()
    assert db.session.get(Membership, world.extra_membership.id).role == "member"


# --- member profiles ------------------------------------------------------------------


def profile_extras(world) -> dict[str, str]:
    """Account columns a person might try to set through their own profile form."""
    return {
        **extras(world),
        "is_secretariat": "y",
        "is_active": "n",
        "email": "attacker@evil.example",
        "username": "hijacked",
        "user_id": str(world.users["P4"].id),
        "erased_at": "2020-01-01T00:00:00",
        "photo_key": "photos/0123456789abcdef0123456789abcdef.jpg",
        "password_hash": "x",
        "bio_html": "<script>alert(1)</script>",
        "updated_at": "2000-01-01",
        "created_at": "2000-01-01",
    }


def _user_row(user_id: int) -> User:
    db.session.rollback()
    return db.session.get(User, user_id)


def test_profile_edit_ignores_extra_fields(world, client_as):
    p2 = world.users["P2"]
    email, username, photo_key = p2.email, p2.username, p2.profile.photo_key
    password_hash = p2.password_hash
    client = client_as("P2")
    before = snapshot()
    form = profile_form("Paul Renamed", bio="Plain *bio*.")
    response = client.post(
        f"/members/{username}/edit", data={**profile_extras(world), **form}
    )
    assert response.status_code == 302
    after = snapshot()
    user = _user_row(p2.id)
    assert (user.display_name, user.organisation) == ("Paul Renamed", "DINUM")
    assert (user.email, user.username) == (email, username)
    assert (user.is_secretariat, user.is_active, user.erased_at) == (False, True, None)
    assert user.profile.photo_key == photo_key
    assert user.profile.bio_html.strip() == "<p>Plain <em>bio</em>.</p>"
    assert user.password_hash == password_hash
    # Only P2's own rows changed: nobody else's account, profile or expertise.
    for table in ("users", "profiles", "expertise"):
        others = [row for row in after[table] if _owner(table, row) != p2.id]
        assert others == [r for r in before[table] if _owner(table, r) != p2.id]
    for table in ("memberships", "groups", "invitations", "user_sessions"):
        assert after[table] == before[table], table


def _owner(table: str, row: tuple) -> int:
    """The user a snapshot row belongs to (the id column comes first in users and
    profiles; expertise is (id, user_id, tag))."""
    return row[1] if table == "expertise" else row[0]


def test_photo_upload_ignores_extra_fields(world, client_as, storage_root):
    p2 = world.users["P2"]
    old_key = p2.profile.photo_key
    client = client_as("P2")
    response = client.post(
        f"/members/{p2.username}/photo",
        data={
            **profile_extras(world),
            "key": "../../etc/passwd",
            "photo": (BytesIO(png_bytes()), "../../evil.php"),
        },
    )
    assert response.status_code == 302
    user = _user_row(p2.id)
    assert user.profile.photo_key.startswith("photos/")
    assert user.profile.photo_key != old_key
    assert (user.email, user.is_secretariat, user.is_active) == (p2.email, False, True)
    files = sorted(p.relative_to(storage_root) for p in storage_root.rglob("*.*"))
    photos = [str(f) for f in files if not str(f).startswith("documents/")]
    assert photos == [user.profile.photo_key]
    assert _user_row(world.users["P4"].id).profile is None


def test_erasing_ones_own_account_cannot_be_aimed_at_someone_else(world, client_as):
    p2, p4 = world.users["P2"], world.users["P4"]
    client = client_as("P2")
    response = client.post(
        f"/members/{p2.username}/erase",
        data={
            **profile_extras(world),
            "username": p4.username,
            "user_id": str(p4.id),
            "id": str(p4.id),
            "password": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert _user_row(p2.id).erased_at is not None
    p4_now = _user_row(p4.id)
    assert (p4_now.erased_at, p4_now.is_active, p4_now.email) == (
        None,
        True,
        p4.email,
    )
    assert membership(p4, world.group_a).role == "chair"


# --- discussions ----------------------------------------------------------------------


def discussion_extras(world) -> dict[str, str]:
    """Columns of threads, posts, subscriptions and notifications an attacker might
    name, aimed at someone else's things."""
    talk, p5 = world.talk, world.users["P5"]
    return {
        **extras(world),
        "author_id": str(p5.id),
        "thread_id": str(talk.thread_b.id),
        "post_id": str(talk.opening_a.id),
        "group_id": str(world.group_b.id),
        "number": "1",
        "is_pinned": "y",
        "is_locked": "y",
        "hidden_at": "2020-01-01 00:00:00",
        "hidden_by_id": str(p5.id),
        "hidden_reason": "pwned",
        "deleted_at": "2020-01-01 00:00:00",
        "edited_at": "2020-01-01 00:00:00",
        "created_at": "2000-01-01 00:00:00",
        "post_count": "999",
        "last_poster_id": str(p5.id),
        "last_post_at": "2999-01-01 00:00:00",
        "body_html": "<script>alert(1)</script>",
        "level": "mute",
        "kind": "mention",
        "in_digest": "y",
        "read_at": "2020-01-01 00:00:00",
    }


def _rows(state, table: str) -> dict[int, tuple]:
    return {row[0]: row for row in state[table]}


def _changed(before, after, table: str) -> tuple[set[int], set[int]]:
    """(ids added, ids changed) in ``table``; nothing may disappear."""
    old, new = _rows(before, table), _rows(after, table)
    assert set(old) <= set(new), f"rows of {table} disappeared"
    return set(new) - set(old), {i for i in old if old[i] != new[i]}


UNTOUCHED_BY_WRITING = (
    "users",
    "groups",
    "memberships",
    "invitations",
    "email_preferences",
    "post_revisions",
)


def test_new_thread_ignores_extra_fields(world, client_as):
    p2 = world.users["P2"]
    client = client_as("P2")
    before = snapshot()
    body = "Shall we compare **notes**?"
    response = client.post(
        "/groups/alpha/threads/new",
        data={**discussion_extras(world), **post_form(body, title="Testing plan")},
    )
    assert response.status_code == 302
    after = snapshot()
    new_threads, changed_threads = _changed(before, after, "threads")
    new_posts, changed_posts = _changed(before, after, "posts")
    assert len(new_threads) == 1 and not changed_threads
    assert len(new_posts) == 1 and not changed_posts
    db.session.rollback()
    thread = db.session.get(Thread, new_threads.pop())
    post = db.session.get(Post, new_posts.pop())
    assert (thread.group_id, thread.author_id, thread.last_poster_id) == (
        world.group_a.id,
        p2.id,
        p2.id,
    )
    assert (thread.is_pinned, thread.is_locked, thread.post_count) == (False, False, 1)
    assert thread.last_post_at.year != 2999
    assert (post.thread_id, post.number, post.author_id) == (thread.id, 1, p2.id)
    assert (post.hidden_at, post.hidden_by_id, post.hidden_reason) == (None, None, "")
    assert (post.deleted_at, post.edited_at) == (None, None)
    assert post.created_at.year != 2000
    assert post.body_html == render_markdown(body)
    # P2 now watches the thread, as any author does; nobody else's rows moved.
    new_subscriptions, changed = _changed(before, after, "subscriptions")
    assert not changed
    assert [
        (s.user_id, s.thread_id, s.level)
        for s in map(lambda i: db.session.get(Subscription, i), new_subscriptions)
    ] == [(p2.id, thread.id, "watch")]
    for table in UNTOUCHED_BY_WRITING:
        assert after[table] == before[table], table


def test_reply_ignores_extra_fields(world, client_as):
    p2, talk = world.users["P2"], world.talk
    client = client_as("P2")
    before = snapshot()
    response = client.post(
        thread_url(talk.thread_a, "/reply"),
        data={**discussion_extras(world), **post_form("Agreed.")},
    )
    assert response.status_code == 302
    after = snapshot()
    new_posts, changed_posts = _changed(before, after, "posts")
    assert len(new_posts) == 1 and not changed_posts
    db.session.rollback()
    post = db.session.get(Post, new_posts.pop())
    assert (post.thread_id, post.number, post.author_id) == (talk.thread_a.id, 4, p2.id)
    assert (post.hidden_at, post.deleted_at, post.edited_at) == (None, None, None)
    assert post.body_html == render_markdown("Agreed.")
    # Only thread A's counters moved; B's thread and A's locked one are as they were.
    _new, changed_threads = _changed(before, after, "threads")
    assert changed_threads == {talk.thread_a.id}
    thread = db.session.get(Thread, talk.thread_a.id)
    assert (thread.group_id, thread.is_pinned, thread.is_locked) == (
        world.group_a.id,
        False,
        False,
    )
    assert (thread.post_count, thread.last_poster_id) == (4, p2.id)
    assert not any(_changed(before, after, "subscriptions"))
    for table in UNTOUCHED_BY_WRITING:
        assert after[table] == before[table], table


def test_edit_ignores_extra_fields(world, client_as):
    p2, talk = world.users["P2"], world.talk
    post_id = talk.reply_a_p2.id
    client = client_as("P2")
    before = snapshot()
    response = client.post(
        post_url(talk.reply_a_p2, "edit"),
        data={**discussion_extras(world), "body": "We join, with three ministries."},
    )
    assert response.status_code == 302
    after = snapshot()
    assert _changed(before, after, "posts") == (set(), {post_id})
    new_revisions, changed_revisions = _changed(before, after, "post_revisions")
    assert len(new_revisions) == 1 and not changed_revisions
    db.session.rollback()
    post = db.session.get(Post, post_id)
    assert (post.thread_id, post.number, post.author_id) == (talk.thread_a.id, 2, p2.id)
    assert (post.hidden_at, post.hidden_by_id, post.deleted_at) == (None, None, None)
    assert post.edited_at.year != 2020 and post.created_at.year != 2000
    assert post.body_html == render_markdown("We join, with three ministries.")
    revision = db.session.get(PostRevision, new_revisions.pop())
    assert (revision.post_id, revision.editor_id) == (post_id, p2.id)
    for table in ("threads", "subscriptions", "notifications", *UNTOUCHED_BY_WRITING):
        if table != "post_revisions":
            assert after[table] == before[table], table


def test_hide_ignores_extra_fields(world, client_as):
    """P4 hides P2's reply: the form cannot pick another post, moderator or time."""
    talk = world.talk
    client = client_as("P4")
    before = snapshot()
    response = client.post(
        post_url(talk.reply_a_p2, "hide"),
        data={**discussion_extras(world), "reason": "Off topic."},
    )
    assert response.status_code == 302
    after = snapshot()
    assert _changed(before, after, "posts") == (set(), {talk.reply_a_p2.id})
    db.session.rollback()
    post = db.session.get(Post, talk.reply_a_p2.id)
    assert (post.hidden_by_id, post.hidden_reason) == (
        world.users["P4"].id,
        "Off topic.",
    )
    assert post.hidden_at.year != 2020 and post.deleted_at is None
    assert after["threads"] == before["threads"]


def test_email_settings_change_only_ones_own(world, client_as):
    """Settings for a group one cannot see, or naming another person, are ignored."""
    p3 = world.users["P3"]
    client = client_as("P3")
    before = snapshot()
    response = client.post(
        "/notifications/settings",
        data={
            **discussion_extras(world),
            "user_id": str(world.users["P2"].id),
            "mode-default": "digest",
            f"mode-{world.group_a.id}": "off",
            f"watch-{world.group_a.id}": "on",
            f"mode-{world.group_b.id}": "off",
        },
    )
    assert response.status_code == 302
    after = snapshot()
    db.session.rollback()
    rows = db.session.scalars(select(EmailPreference)).all()
    assert sorted((r.user_id, r.group_id or 0, r.mode) for r in rows) == sorted(
        [(p3.id, 0, "digest"), (p3.id, world.group_b.id, "off")]
    )
    for table in ("users", "memberships", "subscriptions", "notifications", "groups"):
        assert after[table] == before[table], table


# --- documents ------------------------------------------------------------------------


def document_extras(world) -> dict[str, str]:
    """Columns of documents, versions and folders an attacker might name: another
    group, another uploader, a file of their choosing, a faked checksum or count, the
    trash, another kind."""
    library, p5 = world.library, world.users["P5"]
    return {
        **extras(world),
        "group_id": str(world.group_b.id),
        "created_by_id": str(p5.id),
        "uploader_id": str(p5.id),
        "storage_key": f"documents/{world.group_b.id}/{'0' * 32}.pdf",
        "sha256": "0" * 64,
        "size": "1",
        "version_count": "99",
        "number": "99",
        "deleted_at": "2020-01-01 00:00:00",
        "deleted_by_id": str(p5.id),
        "kind": "pdf",
        "content_type": "text/html",
        "filename": "../../evil.html",
        "extracted_text": "<script>alert(1)</script>",
        "document_id": str(library.document_b.id),
        "folder_id": str(library.folder_b.id),
        "parent_id": str(library.folder_b.id),
        "updated_at": "2000-01-01 00:00:00",
        "created_at": "2000-01-01 00:00:00",
        "id": str(library.document_b.id),
    }


UNTOUCHED_BY_DOCUMENTS = ("users", "groups", "memberships", "threads", "posts")


def _files(storage_root) -> set[str]:
    return {
        str(path.relative_to(storage_root))
        for path in storage_root.rglob("*")
        if path.is_file()
    }


def test_upload_ignores_extra_fields(world, client_as, storage_root):
    p2, library = world.users["P2"], world.library
    client = client_as("P2")
    before, files_before = snapshot(), _files(storage_root)
    form = upload_form(
        "Survey results.txt",
        b"Twelve answers so far.\n",
        "text/html",
        folder=str(library.folder_a.id),
        tags="survey",
    )
    response = client.post(
        "/groups/alpha/documents/upload", data={**document_extras(world), **form}
    )
    assert response.status_code == 302
    after = snapshot()
    new_documents, changed_documents = _changed(before, after, "documents")
    new_versions, changed_versions = _changed(before, after, "document_versions")
    assert len(new_documents) == 1 and not changed_documents
    assert len(new_versions) == 1 and not changed_versions
    assert _changed(before, after, "folders") == (set(), set())
    db.session.rollback()
    document = db.session.get(Document, new_documents.pop())
    version = db.session.get(DocumentVersion, new_versions.pop())
    assert (document.group_id, document.folder_id, document.created_by_id) == (
        world.group_a.id,
        library.folder_a.id,
        p2.id,
    )
    assert (document.version_count, document.deleted_at, document.kind) == (
        1,
        None,
        "txt",
    )
    assert document.deleted_by_id is None and document.created_at.year != 2000
    assert [t.tag for t in document.tags] == ["survey"]
    assert (version.document_id, version.number, version.uploader_id) == (
        document.id,
        1,
        p2.id,
    )
    data = b"Twelve answers so far.\n"
    assert (version.sha256, version.size) == (hashlib.sha256(data).hexdigest(), 23)
    assert version.filename == "Survey results.txt"
    assert version.content_type == "text/plain; charset=utf-8"
    assert version.extracted_text == data.decode().strip()
    assert version.storage_key.startswith(f"documents/{world.group_a.id}/")
    assert _files(storage_root) - files_before == {version.storage_key}
    assert files_before <= _files(storage_root)
    for table in UNTOUCHED_BY_DOCUMENTS:
        assert after[table] == before[table], table


def test_new_version_ignores_extra_fields(world, client_as, storage_root):
    """P4 adds a version to A's document: it cannot pick the number, the file, the
    checksum, the uploader, nor another document (B's)."""
    p4, library = world.users["P4"], world.library
    document_id = library.document_a.id
    client = client_as("P4")
    before, files_before = snapshot(), _files(storage_root)
    data = pdf_bytes("Wallet pilot report", "Version three.")
    response = client.post(
        document_url(library.document_a, "/versions"),
        data={**document_extras(world), **version_form("Report v3.pdf", data)},
    )
    assert response.status_code == 302
    after = snapshot()
    new_versions, changed_versions = _changed(before, after, "document_versions")
    assert len(new_versions) == 1 and not changed_versions
    assert _changed(before, after, "documents")[1] == {document_id}
    db.session.rollback()
    version = db.session.get(DocumentVersion, new_versions.pop())
    document = db.session.get(Document, document_id)
    assert (version.document_id, version.number, version.uploader_id) == (
        document_id,
        3,
        p4.id,
    )
    assert (version.sha256, version.size) == (
        hashlib.sha256(data).hexdigest(),
        len(data),
    )
    assert (version.kind, version.content_type) == ("pdf", "application/pdf")
    assert version.note == "Figures for Q3 added."
    assert "<script>" not in version.extracted_text
    assert version.storage_key.startswith(f"documents/{world.group_a.id}/")
    assert _files(storage_root) - files_before == {version.storage_key}
    assert (document.group_id, document.created_by_id) == (
        world.group_a.id,
        world.users["P2"].id,
    )
    assert (document.version_count, document.deleted_at, document.kind) == (
        3,
        None,
        "pdf",
    )
    assert document.folder_id == library.folder_a.id
    for table in ("folders", "document_tags", *UNTOUCHED_BY_DOCUMENTS):
        assert after[table] == before[table], table


def test_document_edit_ignores_extra_fields(world, client_as, storage_root):
    """Only the title, description, tags and folder (one of the group's) change."""
    library = world.library
    document_id = library.document_a.id
    client = client_as("P2")
    before, files_before = snapshot(), _files(storage_root)
    form = document_form(
        "Wallet pilot report (final)", folder=str(library.empty_folder_a.id)
    )
    response = client.post(
        document_url(library.document_a, "/edit"),
        data={**document_extras(world), **form},
    )
    assert response.status_code == 302
    after = snapshot()
    assert _changed(before, after, "documents") == (set(), {document_id})
    db.session.rollback()
    document = db.session.get(Document, document_id)
    assert (document.title, document.folder_id) == (
        "Wallet pilot report (final)",
        library.empty_folder_a.id,
    )
    assert (document.group_id, document.created_by_id, document.version_count) == (
        world.group_a.id,
        world.users["P2"].id,
        2,
    )
    assert (document.deleted_at, document.deleted_by_id, document.kind) == (
        None,
        None,
        "pdf",
    )
    assert sorted(t.tag for t in document.tags) == ["pilot", "wallet"]
    assert after["document_versions"] == before["document_versions"]
    assert _files(storage_root) == files_before
    for table in ("folders", *UNTOUCHED_BY_DOCUMENTS):
        assert after[table] == before[table], table


def test_folder_forms_ignore_extra_fields(world, client_as):
    """A new folder lands in the group of the address, inside the parent the form
    names (one of the group's), whatever group_id or parent_id say."""
    library = world.library
    client = client_as("P2")
    before = snapshot()
    response = client.post(
        "/groups/alpha/documents/folders",
        data={**document_extras(world), "name": "Minutes", "parent": ""},
    )
    assert response.status_code == 302
    response = client.post(
        f"/groups/alpha/documents/folders/{library.empty_folder_a.id}",
        data={**document_extras(world), "name": "Old drafts", "parent": ""},
    )
    assert response.status_code == 302
    after = snapshot()
    new_folders, changed_folders = _changed(before, after, "folders")
    assert len(new_folders) == 1 and changed_folders == {library.empty_folder_a.id}
    db.session.rollback()
    folder = db.session.get(Folder, new_folders.pop())
    assert (folder.group_id, folder.parent_id, folder.name) == (
        world.group_a.id,
        None,
        "Minutes",
    )
    moved = db.session.get(Folder, library.empty_folder_a.id)
    assert (moved.group_id, moved.parent_id, moved.name) == (
        world.group_a.id,
        None,
        "Old drafts",
    )
    for table in ("documents", "document_versions", *UNTOUCHED_BY_DOCUMENTS):
        assert after[table] == before[table], table
