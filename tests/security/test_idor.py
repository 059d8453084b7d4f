"""IDOR: P3 (member of B only) aims every membership, invitation and request endpoint at
private group A, with the real ids and their neighbours: always 404, nothing changes.
Then everyone but the person aims the self-only profile endpoints (edit, photo, data,
erasure) at P2 and the usernames around it: always refused, database and storage folder
unchanged. Then A's discussions (threads, posts, their history and moderation) through
A's address and through B's, and P2's notifications: 404, nothing changes. Then A's
library (documents, their versions and files, folders, the trash) through A's address
and through B's: 404 (or the refusal an unknown id gets), database and storage folder
unchanged. Then meetings: the ids of one group's meetings, agenda items, attachments,
decisions and actions used under the other group's address (or under one's own meeting
there) are 404 even for its chairs and the secretariat, and ids of the other group in
form fields (documents, owners, presenters, minute takers, attendance, order) are
refused; nothing changes."""

import re
from io import BytesIO

import pytest
from sqlalchemy import select

from collab.auth.models import User
from collab.documents.models import Document, Folder
from collab.extensions import db
from collab.groups.models import Invitation, Membership
from collab.meetings.models import (
    Action,
    AgendaDocument,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
)
from collab.notifications.models import Notification
from collab.threads.models import Post, Thread
from tests.factories import PASSWORD
from tests.security.routes import (
    PRINCIPAL_NAMES,
    document_form,
    document_url,
    item_form,
    meeting_form,
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


# --- meetings: meetings, agenda items, attachments, decisions, actions ----------------

WEEK = "2099-06-30"


def _side(world, group: str) -> dict:
    """A group's meeting objects by name (a draft meeting and its item too)."""
    m = world.meetings
    if group == "A":
        return {
            "slug": "alpha",
            "meetings": [m.meeting_a, m.draft_a, m.unpublished_a, m.past_a],
            "meeting": m.meeting_a,
            "item": m.item_a,
            "items": [i for x in m.meetings_of_a() for i in x.items],
            "attachment": m.attachment_a,
            "decision": m.decision_a,
            "action": m.action_a,
            "member": world.users["P2"],
            "document": world.library.document_a,
        }
    return {
        "slug": "bravo",
        "meetings": [m.meeting_b, m.draft_b],
        "meeting": m.meeting_b,
        "item": m.item_b,
        "items": [i for x in (m.meeting_b, m.draft_b) for i in x.items],
        "attachment": m.attachment_b,
        "decision": m.decision_b,
        "action": m.action_b,
        "member": world.users["P3"],
        "document": world.library.document_b,
    }


def meeting_attacks(slug: str, meeting_id: int) -> list[Attack]:
    """Every route that names only the meeting."""
    base = f"/groups/{slug}/meetings/{meeting_id}"
    return [
        ("GET", base, _no_form),
        ("GET", f"/groups/{slug}/meetings/{meeting_id}.ics", _no_form),
        ("GET", f"{base}/edit", _no_form),
        ("POST", f"{base}/edit", lambda: meeting_form("Hijacked")),
        ("POST", f"{base}/schedule", _no_form),
        ("POST", f"{base}/held", _no_form),
        ("GET", f"{base}/cancel", _no_form),
        ("POST", f"{base}/cancel", lambda: {"reason": "Hijacked."}),
        ("POST", f"{base}/rsvp", lambda: {"answer": "no", "comment": "Hijacked"}),
        ("GET", f"{base}/responses", _no_form),
        ("GET", f"{base}/attendance", _no_form),
        ("POST", f"{base}/attendance", _no_form),
        ("GET", f"{base}/agenda/new", _no_form),
        ("POST", f"{base}/agenda/new", lambda: item_form("Hijacked")),
        ("POST", f"{base}/agenda/order", lambda: {"order": ""}),
        ("POST", f"{base}/agenda/review", _no_form),
        ("POST", f"{base}/agenda/publish", _no_form),
        ("GET", f"{base}/minutes", _no_form),
        ("POST", f"{base}/minutes", lambda: {"note": "Hijacked"}),
        ("POST", f"{base}/minutes/taker", lambda: {"user": "0"}),
        ("POST", f"{base}/minutes/circulate", lambda: {"deadline": WEEK}),
        ("POST", f"{base}/minutes/adopt", _no_form),
        ("POST", f"{base}/minutes/comments", lambda: {"body": "Hijacked"}),
        ("GET", f"{base}/minutes/history", _no_form),
    ]


def item_attacks(slug: str, meeting_id: int, item_id: int) -> list[Attack]:
    """Every route that names an agenda item (of ``meeting_id``, or not)."""
    base = f"/groups/{slug}/meetings/{meeting_id}/agenda/{item_id}"
    return [
        ("GET", f"{base}/edit", _no_form),
        ("POST", f"{base}/edit", lambda: item_form("Hijacked")),
        ("POST", f"{base}/delete", _no_form),
        ("POST", f"{base}/move", lambda: {"direction": "up"}),
        ("POST", f"{base}/move", lambda: {"direction": "down"}),
        ("GET", f"{base}/documents", _no_form),
        ("POST", f"{base}/documents", lambda: {"document": "0"}),
        ("POST", f"{base}/decisions", lambda: {"text": "Hijacked"}),
        (
            "POST",
            f"{base}/actions",
            lambda: {"text": "Hijacked", "owner": "0", "due_on": WEEK},
        ),
    ]


def outcome_attacks(slug, meeting_id, item_id, attachment_id, decision_id, action_id):
    """Routes that name an attachment, a decision or an action."""
    base = f"/groups/{slug}/meetings/{meeting_id}"
    return [
        ("POST", f"{base}/agenda/{item_id}/documents/{attachment_id}/delete", _no_form),
        ("POST", f"{base}/decisions/{decision_id}/delete", _no_form),
        (
            "POST",
            f"/groups/{slug}/actions/{action_id}/status",
            lambda: {"status": "done"},
        ),
        (
            "POST",
            f"/groups/{slug}/actions/{action_id}/status",
            lambda: {"status": "dropped"},
        ),
    ]


def cross_group_attacks(world, home: str, other: str) -> list[Attack]:
    """``other``'s ids under ``home``'s address: its meetings on their own, its items,
    attachments and decisions under those meetings and under ``home``'s own meeting,
    and its actions."""
    mine, theirs = _side(world, home), _side(world, other)
    slug, own = mine["slug"], mine["meeting"].id
    found = []
    for meeting in theirs["meetings"]:
        found += meeting_attacks(slug, meeting.id)
        for item in meeting.items:
            found += item_attacks(slug, meeting.id, item.id)
    for item in theirs["items"]:
        found += item_attacks(slug, own, item.id)
    attachment, decision = theirs["attachment"].id, theirs["decision"].id
    action = theirs["action"].id
    for meeting_id, item_id in (
        (theirs["meeting"].id, theirs["item"].id),
        (own, theirs["item"].id),
        (own, mine["item"].id),
    ):
        found += outcome_attacks(
            slug, meeting_id, item_id, attachment, decision, action
        )
    return found


def test_meeting_attack_list_reaches_real_objects(world):
    """A's and B's meetings, items, attachments, decisions and actions are made in
    turn: each id of A has one of B's as a neighbour."""
    m = world.meetings
    assert m.meeting_b.id == m.meeting_a.id + 1
    assert abs(m.item_a.id - m.item_b.id) == 1
    assert abs(m.attachment_a.id - m.attachment_b.id) == 1
    assert abs(m.decision_a.id - m.decision_b.id) == 1
    assert abs(m.action_a.id - m.action_b.id) == 1
    assert len(cross_group_attacks(world, "A", "B")) > 80


def _all_404(client, attacks: list[Attack]) -> list[str]:
    return [
        f"{method} {url} → {response.status_code}"
        for method, url, form in attacks
        if (response := send(client, method, url, form())).status_code != 404
    ]


# (home group, the other group, who attacks): the chairs of the home group and the
# secretariat pass every role check there, so only the ids can stop them.
CROSS_ATTACKERS = [("A", "B", "P4"), ("A", "B", "P5"), ("B", "A", "chair_b")]
CROSS_ATTACKERS += [("B", "A", "P5")]


@pytest.mark.parametrize(
    ("home", "other", "attacker"),
    CROSS_ATTACKERS,
    ids=[f"{o}-ids-under-{h}-by-{a}" for h, o, a in CROSS_ATTACKERS],
)
def test_meeting_ids_of_one_group_under_the_other_are_404_and_change_nothing(
    world, client_as, login, storage_root, home, other, attacker
):
    client = login(world.chair_b) if attacker == "chair_b" else client_as(attacker)
    attacks = cross_group_attacks(world, home, other)
    before, files_before = snapshot(), storage_snapshot(storage_root)
    wrong = _all_404(client, attacks)
    assert snapshot() == before
    assert storage_snapshot(storage_root) == files_before
    assert not wrong, "\n".join(wrong)


def _made_up_meeting(url: str, world, home: str) -> str:
    """The same address with every id of the other group replaced by one that exists
    nowhere (the home group's own meeting and items stay)."""
    mine = _side(world, home)
    own = {
        "meetings": {mine["meeting"].id},
        "agenda": {item.id for item in mine["meeting"].items},
    }

    def swap(match):
        kind, number = match.group(1), int(match.group(2))
        keep = number in own.get(kind, set())
        return match.group(0) if keep else f"/{kind}/{MADE_UP}{match.group(3) or ''}"

    return re.sub(
        r"/(meetings|agenda|documents|decisions|actions)/(\d+)(\.ics)?", swap, url
    )


@pytest.mark.parametrize(
    "principal", ["P1", "P2", "P3"], ids=lambda p: PRINCIPAL_NAMES[p]
)
def test_members_naming_the_other_groups_meetings_learn_nothing(
    world, client_as, principal
):
    """P2 (member of A) with B's ids under A's address, P3 (member of B) with A's
    ids under B's, P1 (no group) with A's under B's: each answer is the one an id that
    exists nowhere gets (404, or 403 where the role is refused first)."""
    home, other = ("A", "B") if principal == "P2" else ("B", "A")
    client = client_as(principal)
    attacks = cross_group_attacks(world, home, other)
    before = snapshot()
    wrong = []
    for method, url, form in attacks:
        status = send(client, method, url, form()).status_code
        control_url = _made_up_meeting(url, world, home)
        control = send(client, method, control_url, form()).status_code
        assert control in (403, 404), f"{method} {control_url} → {control}"
        if status != control:
            wrong.append(f"{method} {url} → {status}, made-up id → {control}")
    assert snapshot() == before
    assert not wrong, "\n".join(wrong)


def _changed_tables(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def foreign_field_attacks(world, home: str, other: str) -> list[tuple[str, dict]]:
    """Forms on ``home``'s own meeting that name ``other``'s rows in their fields."""
    mine, theirs = _side(world, home), _side(world, other)
    meeting, item = mine["meeting"], mine["item"]
    base = f"/groups/{mine['slug']}/meetings/{meeting.id}"
    outsider = str(theirs["member"].id)
    item_base = f"{base}/agenda/{item.id}"
    trashed = world.library.trashed_a.id
    return [
        (
            f"{item_base}/documents",
            {"document": str(theirs["document"].id), "pin": "y"},
        ),
        (f"{item_base}/documents", {"document": str(trashed)}),
        (f"{item_base}/edit", item_form("Pilot results", presenter_id=outsider)),
        (f"{base}/agenda/new", item_form("Outsider talk", presenter_id=outsider)),
        (
            f"{item_base}/actions",
            {"text": "Outsider's task", "owner": outsider, "due_on": WEEK},
        ),
        (f"{base}/minutes/taker", {"user": outsider}),
        (
            f"{base}/minutes",
            {f"minutes-{theirs['item'].id}": "Hijacked minutes", "note": ""},
        ),
        (
            f"{base}/agenda/order",
            {"order": ",".join(str(i.id) for i in [*meeting.items, theirs["item"]])},
        ),
        (
            f"{base}/agenda/order",
            {"order": f"{theirs['item'].id}," + str(meeting.items[-1].id)},
        ),
        (f"{base}/attendance", {f"presence-{outsider}": "present"}),
    ]


FIELD_ATTACKERS = [("A", "B", "P4"), ("A", "B", "P5"), ("B", "A", "P5")]


@pytest.mark.parametrize(
    ("home", "other", "attacker"),
    FIELD_ATTACKERS,
    ids=[f"{o}-rows-in-{h}-forms-by-{a}" for h, o, a in FIELD_ATTACKERS],
)
def test_other_groups_rows_in_meeting_forms_are_refused_and_change_nothing(
    world, client_as, home, other, attacker
):
    """A document, an owner, a presenter, a minute taker, an item or an attendee of
    the other group in the forms of one's own meeting: refused (a form error or a
    message), and none of it lands; only the audit log may note an attempt."""
    client = client_as(attacker)
    attacks = foreign_field_attacks(world, home, other)
    theirs = _side(world, other)
    before = snapshot()
    wrong = []
    for url, form in attacks:
        response = client.post(url, data=form)
        if response.status_code not in (302, 303, 400):
            wrong.append(f"POST {url} → {response.status_code}")
    assert not wrong, "\n".join(wrong)
    changed = _changed_tables(before, snapshot()) - {"audit_events"}
    assert not changed, f"changed: {sorted(changed)}"
    db.session.rollback()
    outsider = theirs["member"].id
    mine = _side(world, home)["meeting"]
    assert not db.session.scalars(
        select(Attendance).where(
            Attendance.meeting_id == mine.id, Attendance.user_id == outsider
        )
    ).all()
    assert db.session.get(Meeting, mine.id).minute_taker_id != outsider


def test_meeting_forms_do_accept_the_groups_own_rows(world, client_as):
    """The control: the same forms with A's own document, member and items work."""
    m = world.meetings
    client = client_as("P4")
    p2 = str(world.users["P2"].id)
    base = f"/groups/alpha/meetings/{m.meeting_a.id}"
    item2 = f"{base}/agenda/{m.item_a2.id}"
    steps = [
        (f"{item2}/documents", {"document": str(world.library.document_a.id)}),
        (f"{item2}/edit", item_form("Any other business", presenter_id=p2)),
        (f"{item2}/actions", {"text": "Own task", "owner": p2, "due_on": WEEK}),
        (f"{base}/minutes/taker", {"user": p2}),
        (f"{base}/agenda/order", {"order": f"{m.item_a2.id},{m.item_a.id}"}),
        (f"{base}/attendance", {f"presence-{p2}": "present"}),
    ]
    for url, form in steps:
        assert client.post(url, data=form).status_code == 302, url
    db.session.rollback()
    meeting = db.session.get(Meeting, m.meeting_a.id)
    assert meeting.minute_taker_id == world.users["P2"].id
    assert [i.id for i in meeting.items] == [m.item_a2.id, m.item_a.id]
    item = db.session.get(AgendaItem, m.item_a2.id)
    assert item.presenter_id == world.users["P2"].id
    assert [a.document_id for a in item.documents] == [world.library.document_a.id]
    assert db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id)
    ).all()
    assert (
        len(db.session.scalars(select(Action).where(Action.item_id == item.id)).all())
        == 1
    )
    assert db.session.scalars(select(AgendaDocument)).all()
    assert db.session.scalars(select(Decision)).all()
