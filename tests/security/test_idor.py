"""IDOR: P3 (member of B only) aims every membership, invitation and request endpoint at
private group A, with the real ids and their neighbours: always 404, nothing changes.
Then everyone but the person aims the self-only profile endpoints (edit, photo, data,
erasure) at P2 and the usernames around it: always refused, database and storage folder
unchanged. Then A's discussions (threads, posts, their history and moderation) through
A's address and through B's, and P2's notifications: 404, nothing changes. Then A's
library (documents, their versions and files, folders, the trash) through A's address
and through B's: 404 (or the refusal an unknown id gets), database and storage folder
unchanged."""

import re
from io import BytesIO

import pytest
from sqlalchemy import select

from collab.auth.models import User
from collab.documents.models import Document, Folder
from collab.extensions import db
from collab.groups.models import Invitation, Membership
from collab.notifications.models import Notification
from collab.threads.models import Post, Thread
from tests.factories import PASSWORD
from tests.security.routes import (
    PRINCIPAL_NAMES,
    document_form,
    document_url,
    png_bytes,
    post_form,
    profile_form,
    send,
    snapshot,
    storage_snapshot,
    thread_url,
    upload_form,
    version_form,
)


def _ids(*ids: int) -> list[int]:
    return sorted({n for i in ids for n in (i - 1, i, i + 1) if n > 0})


def a_membership_ids(world) -> list[int]:
    ids = db.session.scalars(
        select(Membership.id).where(Membership.group_id == world.group_a.id)
    ).all()
    return _ids(*ids)


def _not_in(group, model, ids: list[int]) -> list[int]:
    """Drop the ids that are ``group``'s own rows (its chair may act on those)."""
    own = set(db.session.scalars(select(model.id).where(model.group_id == group.id)))
    return [i for i in ids if i not in own]


def attacks_on(world, slug: str) -> list[tuple[str, str, dict]]:
    """(method, url, form) for every endpoint of ``slug`` that names an object of A."""
    memberships = a_membership_ids(world)
    invitations = _ids(world.invitation.id, world.invitation_p1.id)
    if slug == world.group_b.slug:
        memberships = _not_in(world.group_b, Membership, memberships)
        invitations = _not_in(world.group_b, Invitation, invitations)
    found = [("GET", f"/groups/{slug}/", {}), ("GET", f"/groups/{slug}/members", {})]
    found += [
        ("POST", f"/groups/{slug}/{verb}", {"message": "hi"})
        for verb in ("join", "request", "leave")
    ]
    found += [
        (
            "POST",
            f"/groups/{slug}/invitations",
            {"email": "x@evil.example", "role": "member"},
        ),
        (
            "POST",
            f"/groups/{slug}/members",
            {"email": "x@evil.example", "role": "chair"},
        ),
    ]
    for mid in memberships:
        found += [
            ("POST", f"/groups/{slug}/requests/{mid}/approve", {}),
            ("POST", f"/groups/{slug}/requests/{mid}/decline", {}),
            ("POST", f"/groups/{slug}/members/{mid}/role", {"role": "observer"}),
            ("POST", f"/groups/{slug}/members/{mid}/role", {"role": "chair"}),
            ("POST", f"/groups/{slug}/members/{mid}/remove", {}),
        ]
    found += [
        ("POST", f"/groups/{slug}/invitations/{iid}/revoke", {}) for iid in invitations
    ]
    return found


def _answers(client, attacks) -> list[str]:
    wrong = []
    for method, url, form in attacks:
        response = client.get(url) if method == "GET" else client.post(url, data=form)
        if response.status_code != 404:
            wrong.append(f"{method} {url} → {response.status_code}")
    return wrong


@pytest.mark.parametrize("principal", ["P1", "P3"], ids=lambda p: PRINCIPAL_NAMES[p])
def test_outsider_of_a_gets_404_for_every_object_of_a_and_changes_nothing(
    world, client_as, principal
):
    client = client_as(principal)
    before = snapshot()
    wrong = _answers(client, attacks_on(world, "alpha"))
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before


def test_chair_of_b_naming_objects_of_a_through_b_gets_404_and_changes_nothing(
    world, login
):
    """The group in the address is B, where the attacker is chair; the ids are A's."""
    client = login(world.chair_b)
    attacks = [
        attack
        for attack in attacks_on(world, "bravo")
        if "/requests/" in attack[1]
        or "/invitations/" in attack[1]
        or "/members/" in attack[1]
    ]
    before = snapshot()
    wrong = _answers(client, attacks)
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before


def test_neighbouring_ids_really_exist(world):
    """The attack list reaches beyond A's own rows into other groups' ids."""
    ids = a_membership_ids(world)
    assert min(ids) < world.extra_membership.id < max(ids)
    assert world.pending.id in ids


# --- member profiles: self-only endpoints ---------------------------------------------


def target_usernames(world, attacker: User) -> list[str]:
    """P2, the usernames numbered next to P2's, the other people of A (its chair, a
    deactivated member, an applicant) and one that does not exist; never the
    attacker's own."""
    p2 = world.users["P2"].username
    stem, number = re.fullmatch(r"(.*?)(\d+)", p2).groups()
    names = [f"{stem}{int(number) + delta}" for delta in (-2, -1, 0, 1, 2, 1000)]
    names += [
        user.username
        for user in (
            world.users["P4"],
            world.users["P6"],
            world.extra_member,
            world.applicant,
        )
    ]
    return [name for name in dict.fromkeys(names) if name != attacker.username]


def profile_attacks(username: str) -> list[tuple[str, str, dict]]:
    base = f"/members/{username}"
    return [
        ("GET", f"{base}/edit", {}),
        (
            "POST",
            f"{base}/edit",
            profile_form("Hijacked Name", bio="pwned", website="https://evil.example"),
        ),
        ("POST", f"{base}/photo", {"photo": (BytesIO(png_bytes()), "x.png")}),
        ("POST", f"{base}/photo/remove", {}),
        ("GET", f"{base}/data.zip", {}),
        ("GET", f"{base}/erase", {}),
        # The attacker's own password, which is right for the attacker.
        ("POST", f"{base}/erase", {"password": PASSWORD}),
    ]


@pytest.mark.parametrize(
    "principal", ["P1", "P3", "P4"], ids=lambda p: PRINCIPAL_NAMES[p]
)
def test_nobody_edits_erases_or_downloads_another_persons_profile(
    world, client_as, storage_root, principal
):
    attacker = world.users[principal]
    usernames = target_usernames(world, attacker)
    assert world.users["P2"].username in usernames
    client = client_as(principal)
    before, files_before = snapshot(), storage_snapshot(storage_root)
    assert files_before, "P2's photo should be in the storage folder"
    wrong = []
    for username in usernames:
        for method, url, form in profile_attacks(username):
            response = (
                client.get(url) if method == "GET" else client.post(url, data=form)
            )
            if response.status_code not in (403, 404):
                wrong.append(f"{method} {url} → {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before
    assert storage_snapshot(storage_root) == files_before
    p2 = db.session.get(User, world.users["P2"].id)
    assert p2.erased_at is None and p2.profile.photo_key


def test_profile_neighbours_really_exist(world):
    """The username list reaches real accounts besides P2 (P1's, other people's)."""
    names = target_usernames(world, world.users["P3"])
    existing = set(db.session.scalars(select(User.username)))
    assert len(existing & set(names)) >= 5
    assert set(names) - existing, "one name should be unknown (→ 404)"


# --- discussions: threads, posts and notifications of A -------------------------------


def _discussion_ids(world):
    """A's thread and post ids with their neighbours, and B's own (which P3 may use)."""
    talk = world.talk
    a_threads = _ids(talk.thread_a.id, talk.locked_a.id)
    locked_opening = db.session.scalar(
        select(Post.id).where(Post.thread_id == talk.locked_a.id)
    )
    a_posts = _ids(*talk.post_ids_of_a(), locked_opening)
    b_threads = set(
        db.session.scalars(select(Thread.id).where(Thread.group_id == world.group_b.id))
    )
    b_posts = set(
        db.session.scalars(
            select(Post.id).join(Thread).where(Thread.group_id == world.group_b.id)
        )
    )
    return a_threads, a_posts, b_threads, b_posts


def thread_attacks(slug: str, thread_id: int) -> list[tuple[str, str, dict]]:
    base = f"/groups/{slug}/threads/{thread_id}"
    found = [
        ("GET", base, {}),
        ("GET", f"{base}?page=2", {}),
        ("GET", f"{base}/unread", {}),
        ("POST", f"{base}/reply", post_form("Let me in on this.")),
        ("POST", f"{base}/reply", post_form("Preview it.", preview="y")),
        ("POST", f"{base}/subscription", {"level": "watch"}),
        ("GET", f"{base}/move", {}),
        ("POST", f"{base}/move", {"group": "bravo"}),
        ("POST", f"{base}/move", {"group": "open-data"}),
    ]
    found += [
        ("POST", f"{base}/{action}", {})
        for action in ("pin", "unpin", "lock", "unlock")
    ]
    return found


def post_attacks(base: str) -> list[tuple[str, str, dict]]:
    """``base``: /groups/<slug>/threads/<thread id>/posts/<post id>."""
    return [
        ("GET", f"{base}/edit", {}),
        ("POST", f"{base}/edit", {"body": "Hijacked text."}),
        ("POST", f"{base}/edit", {"body": "Hijacked text.", "preview": "y"}),
        ("GET", f"{base}/history", {}),
        ("POST", f"{base}/delete", {}),
        ("GET", f"{base}/hide", {}),
        ("POST", f"{base}/hide", {"reason": "Hidden by an outsider."}),
    ]


def discussion_attacks(world) -> list[tuple[str, str, dict]]:
    """Everything aimed at A's discussions: through A's address, and through B's (where
    P3 is a member) with A's thread ids, or B's thread ids with A's post ids."""
    a_threads, a_posts, b_threads, b_posts = _discussion_ids(world)
    thread_b = world.talk.thread_b.id
    found = [
        ("GET", "/groups/alpha/threads/", {}),
        ("GET", "/groups/alpha/threads/?page=2", {}),
        ("GET", "/groups/alpha/threads/new", {}),
        ("POST", "/groups/alpha/threads/new", post_form("Hello?", title="Outsider")),
    ]
    for tid in a_threads:
        found += thread_attacks("alpha", tid)
        if tid not in b_threads:
            found += thread_attacks("bravo", tid)
        for pid in a_posts:
            found += post_attacks(f"/groups/alpha/threads/{tid}/posts/{pid}")
            if tid not in b_threads and pid not in b_posts:
                found += post_attacks(f"/groups/bravo/threads/{tid}/posts/{pid}")
    for pid in a_posts:
        if pid not in b_posts:
            found += post_attacks(f"/groups/bravo/threads/{thread_b}/posts/{pid}")
    return found


def test_discussion_attack_list_reaches_real_objects(world):
    """Real ids of A, and neighbours that are B's (or nobody's)."""
    a_threads, a_posts, b_threads, b_posts = _discussion_ids(world)
    talk = world.talk
    assert {talk.thread_a.id, talk.locked_a.id} <= set(a_threads)
    assert set(talk.post_ids_of_a()) <= set(a_posts)
    assert set(a_threads) & b_threads, "a neighbouring thread id should be B's"
    assert set(a_posts) & b_posts, "a neighbouring post id should be B's"


MADE_UP = 999_999


def _made_up(url: str) -> str:
    """The same address with every id replaced by one that exists nowhere."""
    return re.sub(r"/(threads|posts)/\d+", rf"/\1/{MADE_UP}", url)


def _discussion_answers(client, attacks) -> list[str]:
    """Through A's address: 404. Through B's: 404, or the refusal a made-up id gets
    (a member of B who is not its chair is refused moderation before any lookup), so
    the answer never tells whether A's id exists."""
    wrong = []
    for method, url, form in attacks:
        response = client.get(url) if method == "GET" else client.post(url, data=form)
        status = response.status_code
        if url.startswith("/groups/alpha/"):
            expected = 404
        else:
            control = _made_up(url)
            expected = (
                client.get(control)
                if method == "GET"
                else client.post(control, data=form)
            ).status_code
            assert expected in (403, 404), f"{method} {control} → {expected}"
        if status != expected:
            wrong.append(f"{method} {url} → {status}, expected {expected}")
    return wrong


@pytest.mark.parametrize("principal", ["P1", "P3"], ids=lambda p: PRINCIPAL_NAMES[p])
def test_outsider_of_a_gets_404_for_every_discussion_of_a_and_changes_nothing(
    world, client_as, principal
):
    client = client_as(principal)
    attacks = discussion_attacks(world)
    before = snapshot()
    wrong = _discussion_answers(client, attacks)
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before
    if principal == "P3":
        # B's thread page through B's address is P3's; A's thread id there is 404.
        assert client.get(thread_url(world.talk.thread_b)).status_code == 200
        assert (
            client.get(thread_url(world.talk.thread_a, slug="bravo")).status_code == 404
        )


def test_chair_of_b_moderating_a_through_b_gets_404_and_changes_nothing(world, login):
    """B's chair may moderate in B: naming A's threads and posts there is still 404."""
    client = login(world.chair_b)
    attacks = [
        attack
        for attack in discussion_attacks(world)
        if attack[1].startswith("/groups/bravo/")
    ]
    assert len(attacks) > 50
    before = snapshot()
    wrong = _answers(client, attacks)
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before


def test_chair_of_a_cannot_move_a_thread_into_a_group_they_do_not_chair(
    world, client_as
):
    client = client_as("P4")
    before = snapshot()
    for target in ("bravo", "open-data", str(world.group_b.id), "alpha"):
        response = client.post(
            thread_url(world.talk.thread_a, "/move"), data={"group": target}
        )
        assert response.status_code == 400, target
    assert snapshot() == before


def _notification_ids(world, principal) -> list[int]:
    """P2's notifications and the ids around them, but none of ``principal``'s own."""
    owner = world.users["P2"].id
    rows = db.session.execute(select(Notification.id, Notification.user_id)).all()
    mine = {nid for nid, uid in rows if uid == world.users[principal].id}
    ids = _ids(*(nid for nid, uid in rows if uid == owner), max(n for n, _u in rows))
    return [i for i in ids if i not in mine]


@pytest.mark.parametrize(
    "principal", ["P1", "P3", "P4", "P5"], ids=lambda p: PRINCIPAL_NAMES[p]
)
def test_nobody_opens_another_persons_notification(world, client_as, principal):
    """Opening marks read and redirects to the post: someone else's (even a
    notification about a group the opener can read) is 404 and stays unread."""
    ids = _notification_ids(world, principal)
    assert world.talk.notification_p2.id in ids
    client = client_as(principal)
    before = snapshot()
    wrong = [
        f"/notifications/{nid} → {response.status_code}"
        for nid in ids
        if (response := client.get(f"/notifications/{nid}")).status_code != 404
    ]
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before


def test_opening_ones_own_notification_does_work(world, client_as):
    """The control: P3 opens P3's own notification and lands on B's post."""
    client = client_as("P3")
    response = client.get(f"/notifications/{world.talk.notification_p3.id}")
    assert response.status_code == 302
    assert f"#post-{world.talk.reply_b_chair.id}" in response.headers["Location"]


# --- documents: A's library, documents, versions and folders --------------------------


def _library_ids(world):
    """A's document and folder ids with their neighbours, and B's own (P3 may use
    those through B's address)."""
    a_documents, a_folders = world.library.ids_of_a()
    b_documents = set(
        db.session.scalars(
            select(Document.id).where(Document.group_id == world.group_b.id)
        )
    )
    b_folders = set(
        db.session.scalars(select(Folder.id).where(Folder.group_id == world.group_b.id))
    )
    return _ids(*a_documents), _ids(*a_folders), b_documents, b_folders


# (method, url, form factory): a fresh form (and upload stream) for every request.
Attack = tuple[str, str, object]


def _no_form() -> dict:
    return {}


def document_attacks(slug: str, document_id: int) -> list[Attack]:
    """Every action on one document: its page, files, versions, details, trash."""
    base = f"/groups/{slug}/documents/{document_id}"
    found = [("GET", base, _no_form), ("GET", f"{base}/download", _no_form)]
    for number in (0, 1, 2, 3):
        found += [
            ("GET", f"{base}/versions/{number}/download", _no_form),
            ("GET", f"{base}/versions/{number}/preview", _no_form),
        ]
    found += [
        ("POST", f"{base}/versions", lambda: version_form(note="Overwritten.")),
        ("POST", f"{base}/edit", lambda: document_form("Hijacked")),
        ("POST", f"{base}/delete", _no_form),
        ("POST", f"{base}/restore", _no_form),
    ]
    return found


def folder_attacks(slug: str, folder_id: int) -> list[Attack]:
    """Every action that names one folder, in the address or in the form."""
    base = f"/groups/{slug}/documents"
    return [
        ("GET", f"{base}/?folder={folder_id}", _no_form),
        ("GET", f"{base}/?folder={folder_id}&all=1&sort=title", _no_form),
        ("POST", f"{base}/upload", lambda: upload_form(folder=str(folder_id))),
        ("POST", f"{base}/folders", lambda: {"name": "Mine", "parent": str(folder_id)}),
        ("POST", f"{base}/folders/{folder_id}", lambda: {"name": "Hijacked"}),
        (
            "POST",
            f"{base}/folders/{folder_id}",
            lambda: {"name": "Hijacked", "parent": str(folder_id)},
        ),
        ("POST", f"{base}/folders/{folder_id}/delete", _no_form),
    ]


def library_attacks(world) -> list[Attack]:
    """Everything aimed at A's library: through A's address (with A's ids and their
    neighbours), and through B's (where P3 is a member) with the ids of A's documents
    and folders in the address, or in the folder fields of B's own forms."""
    a_documents, a_folders, b_documents, b_folders = _library_ids(world)
    library = world.library
    found = [
        ("GET", "/groups/alpha/documents/", _no_form),
        ("GET", "/groups/alpha/documents/?all=1&tag=wallet", _no_form),
        ("GET", "/groups/alpha/documents/trash", _no_form),
        ("POST", "/groups/alpha/documents/upload", upload_form),
        ("POST", "/groups/alpha/documents/folders", lambda: {"name": "Mine"}),
    ]
    for document_id in a_documents:
        found += document_attacks("alpha", document_id)
        if document_id not in b_documents:
            found += document_attacks("bravo", document_id)
    for folder_id in a_folders:
        found += folder_attacks("alpha", folder_id)
        if folder_id not in b_folders:
            found += folder_attacks("bravo", folder_id)
            # B's own document and folder, moved into A's folder.
            found += [
                (
                    "POST",
                    document_url(library.document_b, "/edit"),
                    lambda f=folder_id: document_form(folder=str(f)),
                ),
                (
                    "POST",
                    f"/groups/bravo/documents/folders/{library.folder_b.id}",
                    lambda f=folder_id: {"name": "Registries", "parent": str(f)},
                ),
            ]
    return found


def test_library_attack_list_reaches_real_objects(world):
    """Real ids of A (a live and a trashed document), and neighbours that are B's."""
    a_documents, a_folders, b_documents, b_folders = _library_ids(world)
    library = world.library
    assert {library.document_a.id, library.trashed_a.id} <= set(a_documents)
    assert {library.folder_a.id, library.empty_folder_a.id} <= set(a_folders)
    assert set(a_documents) & b_documents, "a neighbouring document id should be B's"
    assert set(a_folders) & b_folders, "a neighbouring folder id should be B's"
    assert library.document_a.version_count == 2


def _made_up_library(url: str) -> str:
    """The same request with every id of A replaced by one that exists nowhere."""
    url = re.sub(r"/documents/(\d+)", f"/documents/{MADE_UP}", url)
    url = re.sub(r"/folders/(\d+)", f"/folders/{MADE_UP}", url)
    return re.sub(r"folder=\d+", f"folder={MADE_UP}", url)


def _made_up_form(form: dict) -> dict:
    return {
        key: str(MADE_UP) if key in ("folder", "parent") and value else value
        for key, value in form.items()
    }


def _library_answers(client, attacks: list[Attack], world) -> list[str]:
    """Through A's address: 404. Through B's: 403 or 404, exactly as for an id that
    exists nowhere (so the answer never tells whether A's id exists); B's own forms
    naming A's folder are refused as a made-up folder is."""
    own_b = (
        document_url(world.library.document_b, "/edit"),
        f"/groups/bravo/documents/folders/{world.library.folder_b.id}",
    )
    wrong = []
    for method, url, form in attacks:
        response = send(client, method, url, form())
        status = response.status_code
        if url.startswith("/groups/alpha/"):
            expected = 404
        else:
            control_url = url if url in own_b else _made_up_library(url)
            expected = send(
                client, method, control_url, _made_up_form(form())
            ).status_code
            if url not in own_b:
                assert expected in (403, 404), f"{method} {control_url} → {expected}"
        if status != expected or status >= 500:
            wrong.append(f"{method} {url} → {status}, expected {expected}")
    return wrong


@pytest.mark.parametrize("principal", ["P1", "P3"], ids=lambda p: PRINCIPAL_NAMES[p])
def test_outsider_of_a_gets_404_for_every_document_of_a_and_changes_nothing(
    world, client_as, storage_root, principal
):
    client = client_as(principal)
    attacks = library_attacks(world)
    assert len(attacks) > 80
    before, files_before = snapshot(), storage_snapshot(storage_root)
    wrong = _library_answers(client, attacks, world)
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before
    assert storage_snapshot(storage_root) == files_before
    if principal == "P3":
        # The controls: B's document is P3's to read, and to edit through B.
        library = world.library
        assert client.get(document_url(library.document_b)).status_code == 200
        download = client.get(document_url(library.document_b, "/versions/1/download"))
        assert download.status_code == 200 and b"Base registries" in download.data
        edited = client.post(
            document_url(library.document_b, "/edit"),
            data=document_form("Base registries (2025)"),
        )
        assert edited.status_code == 302
        db.session.rollback()
        assert db.session.get(Document, library.document_b.id).title.endswith("2025)")


def test_chair_of_b_naming_documents_of_a_through_b_gets_404_and_changes_nothing(
    world, login, storage_root
):
    """B's chair may trash, restore and reorganise in B: A's ids there are still 404."""
    client = login(world.chair_b)
    own_b = (
        document_url(world.library.document_b, "/edit"),
        f"/groups/bravo/documents/folders/{world.library.folder_b.id}",
    )
    attacks = [
        attack
        for attack in library_attacks(world)
        if attack[1].startswith("/groups/bravo/") and attack[1] not in own_b
    ]
    assert len(attacks) > 30
    before, files_before = snapshot(), storage_snapshot(storage_root)
    wrong = [
        f"{method} {url} → {response.status_code}"
        for method, url, form in attacks
        if (response := send(client, method, url, form())).status_code != 404
    ]
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before
    assert storage_snapshot(storage_root) == files_before
