"""Who may do what in a group's library: the role × action table over every
documents route, kept as data, and IDOR across groups (by id, by neighbouring ids and
through another group's address) that changes nothing in the database or the store."""

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from collab.core.db import utcnow
from collab.documents.models import Document, Folder
from collab.extensions import db
from collab.groups.models import Group
from tests import factories
from tests.documents import samples
from tests.documents.conftest import (
    count,
    document_url,
    files_in,
    fresh,
    library_snapshot,
    library_url,
    make_document,
    make_folder,
    make_version,
    signed_in_redirect,
    text,
)

OK = "200"  # the page or the file is shown
DONE = "done"  # redirected, and the change is made
FORBIDDEN = "403"
HIDDEN = "404"
LOGIN = "login"

ROLES = (
    "secretariat",
    "chair",
    "member",
    "uploader",  # a member who uploaded the document
    "observer",
    "outsider",  # signed in, the group is public
    "outsider_private",  # signed in, member of another group, the group is private
    "anonymous",
)


@dataclass
class World:
    group: Group
    document: Document  # uploaded by the "uploader", one PDF version
    trashed: Document  # uploaded by the "uploader", in the trash
    folder: Folder  # empty
    pdf: bytes


def build_world(team, role: str) -> tuple[World, object]:
    if role == "outsider_private":
        team.group.visibility = "private"
        factories.add_member(team.private_group, team.outsider)
        db.session.commit()
    actor = {
        "secretariat": team.secretariat,
        "chair": team.chair,
        "member": team.member,
        "uploader": team.colleague,
        "observer": team.observer,
        "outsider": team.outsider,
        "outsider_private": team.outsider,
        "anonymous": None,
    }[role]
    pdf = samples.pdf("Wallet pilot report")
    document = make_document(team.colleague, team.group, "Wallet pilot.pdf", pdf)
    trashed = make_document(team.colleague, team.group, "Old agenda.txt", b"agenda")
    trashed.deleted_at, trashed.deleted_by_id = utcnow(), team.chair.id
    db.session.commit()
    folder = make_folder(team.chair, team.group, "Drafts")
    return World(team.group, document, fresh(trashed), folder, pdf), actor


@dataclass
class Action:
    method: str
    url: Callable[[World], str]
    data: Callable[[World], dict] = lambda w: {}
    done: Callable[[World], bool] | None = None  # for POSTs: was the change made?
    body: Callable[[World], bytes] | None = None  # for GETs of files: the bytes


def _file(name: str, data: bytes):
    return (io.BytesIO(data), name)


ACTIONS = {
    "list": Action("GET", lambda w: library_url(w.group)),
    "show": Action("GET", lambda w: document_url(w.document)),
    "show_trashed": Action("GET", lambda w: document_url(w.trashed)),
    "trash_page": Action("GET", lambda w: library_url(w.group, "trash")),
    "download": Action(
        "GET", lambda w: document_url(w.document, "/download"), body=lambda w: w.pdf
    ),
    "download_version": Action(
        "GET",
        lambda w: document_url(w.document, "/versions/1/download"),
        body=lambda w: w.pdf,
    ),
    "preview": Action(
        "GET",
        lambda w: document_url(w.document, "/versions/1/preview"),
        body=lambda w: w.pdf,
    ),
    "upload": Action(
        "POST",
        lambda w: library_url(w.group, "upload"),
        lambda w: {"files": [_file("Minutes.txt", b"Minutes of the meeting")]},
        done=lambda w: count(Document, Document.title == "Minutes") == 1,
    ),
    "create_folder": Action(
        "POST",
        lambda w: library_url(w.group, "folders"),
        lambda w: {"name": "Country submissions"},
        done=lambda w: count(Folder, Folder.name == "Country submissions") == 1,
    ),
    "edit_folder": Action(
        "POST",
        lambda w: library_url(w.group, f"folders/{w.folder.id}"),
        lambda w: {"name": "Final drafts", "parent": ""},
        done=lambda w: fresh(w.folder).name == "Final drafts",
    ),
    "delete_folder": Action(
        "POST",
        lambda w: library_url(w.group, f"folders/{w.folder.id}/delete"),
        done=lambda w: fresh(w.folder) is None,
    ),
    "add_version": Action(
        "POST",
        lambda w: document_url(w.document, "/versions"),
        lambda w: {"file": _file("Wallet pilot v2.pdf", samples.pdf("v2")), "note": ""},
        done=lambda w: fresh(w.document).version_count == 2,
    ),
    "edit": Action(
        "POST",
        lambda w: document_url(w.document, "/edit"),
        lambda w: {"title": "Pilot report (final)", "description": "", "tags": ""},
        done=lambda w: fresh(w.document).title == "Pilot report (final)",
    ),
    "delete": Action(
        "POST",
        lambda w: document_url(w.document, "/delete"),
        done=lambda w: fresh(w.document).deleted_at is not None,
    ),
    "restore": Action(
        "POST",
        lambda w: document_url(w.trashed, "/restore"),
        done=lambda w: fresh(w.trashed).deleted_at is None,
    ),
}

READS = ("list", "show", "download", "download_version", "preview")
WRITES = (
    "upload",
    "create_folder",
    "edit_folder",
    "delete_folder",
    "add_version",
    "edit",
)


def _row(reads, trash_page, show_trashed, writes, delete, restore) -> dict[str, str]:
    row = dict.fromkeys(READS, reads) | dict.fromkeys(WRITES, writes)
    return row | {
        "trash_page": trash_page,
        "show_trashed": show_trashed,
        "delete": delete,
        "restore": restore,
    }


# role → action → outcome: observers read and download only; chairs, the secretariat
# and the uploader move a document to the trash and bring it back.
EXPECTED = {
    "secretariat": _row(OK, OK, OK, DONE, DONE, DONE),
    "chair": _row(OK, OK, OK, DONE, DONE, DONE),
    "member": _row(OK, OK, HIDDEN, DONE, FORBIDDEN, FORBIDDEN),
    "uploader": _row(OK, OK, OK, DONE, DONE, DONE),
    "observer": _row(OK, FORBIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "outsider": _row(OK, FORBIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "outsider_private": _row(HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "anonymous": _row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
}


def test_the_table_covers_every_documents_route(app):
    endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("documents.")
    }
    covered = {
        "documents.index": "list",
        "documents.show": "show",
        "documents.trash": "trash_page",
        "documents.download": "download_version",
        "documents.preview": "preview",
        "documents.upload": "upload",
        "documents.create_folder": "create_folder",
        "documents.edit_folder": "edit_folder",
        "documents.delete_folder": "delete_folder",
        "documents.add_version": "add_version",
        "documents.edit": "edit",
        "documents.trash_or_restore": "restore",
    }
    assert endpoints == set(covered)
    assert set(covered.values()) <= set(ACTIONS)
    assert all(set(row) == set(ACTIONS) for row in EXPECTED.values())


def _outcome(response, action: Action, world: World) -> str:
    if signed_in_redirect(response):
        return LOGIN
    if response.status_code == 302 and action.done is not None:
        return DONE if action.done(world) else "redirected, nothing done"
    return str(response.status_code)


@pytest.mark.parametrize("action_name", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_library_permissions(team, login, client, storage_folder, role, action_name):
    world, actor = build_world(team, role)
    action = ACTIONS[action_name]
    browser = login(actor) if actor is not None else client
    before, files_before = library_snapshot(), files_in(storage_folder)

    if action.method == "GET":
        response = browser.get(action.url(world))
    else:
        response = browser.post(
            action.url(world),
            data=action.data(world),
            content_type="multipart/form-data",
        )

    outcome = _outcome(response, action, world)
    assert outcome == EXPECTED[role][action_name], text(response)[:300]
    if outcome == OK and action.body is not None:
        assert response.get_data() == action.body(world)
    if outcome != DONE:
        assert library_snapshot() == before
        assert files_in(storage_folder) == files_before


def test_observer_sees_no_upload_folder_or_trash_controls(team, login):
    world, _actor = build_world(team, "observer")
    browser = login(team.observer)

    library = text(browser.get(library_url(world.group)))
    page = text(browser.get(document_url(world.document)))

    assert "Upload documents" not in library and "New folder" not in library
    assert ">Trash</a>" not in library
    assert "Upload a new version" not in page and "Move to the trash" not in page
    assert "Download the latest version" in page


def test_member_who_did_not_upload_sees_no_trash_button(team, login):
    world, _actor = build_world(team, "member")

    page = text(login(team.member).get(document_url(world.document)))
    uploader_page = text(login(team.colleague).get(document_url(world.document)))

    assert "Upload a new version" in page and "Move to the trash" not in page
    assert "Move to the trash" in uploader_page


def test_archived_group_library_is_read_only_even_for_its_chair(team, login):
    world, _actor = build_world(team, "chair")
    team.group.is_archived = True
    db.session.commit()
    chair = login(team.chair)
    before = library_snapshot()

    upload = chair.post(
        library_url(world.group, "upload"),
        data={"files": [_file("Late.txt", b"late")]},
        content_type="multipart/form-data",
    )
    delete = chair.post(document_url(world.document, "/delete"))
    download = chair.get(document_url(world.document, "/download"))

    assert (upload.status_code, delete.status_code) == (403, 403)
    assert download.status_code == 200
    assert library_snapshot() == before


def test_removed_member_is_refused_on_the_very_next_request(team, login):
    world, _actor = build_world(team, "outsider_private")
    browser = login(team.member)
    assert browser.get(document_url(world.document, "/download")).status_code == 200

    from collab.groups.models import Membership

    db.session.execute(
        db.delete(Membership).where(
            Membership.user_id == team.member.id, Membership.group_id == team.group.id
        )
    )
    db.session.commit()

    assert browser.get(document_url(world.document, "/download")).status_code == 404
    assert browser.get(library_url(world.group)).status_code == 404


# --- IDOR -----------------------------------------------------------------------------


@dataclass
class Groups:
    a: Group  # private: the victim
    b: Group  # the attacker's own group
    a_documents: list[Document]
    a_folders: list[Folder]
    b_document: Document
    b_folder: Folder


@pytest.fixture
def groups(team) -> Groups:
    """A (private) and B hold documents and folders whose ids interleave, so that the
    neighbours of A's ids are A's or B's real objects."""
    a, b = team.private_group, team.group
    a_folder = make_folder(team.other_chair, a, "Tender evaluation")
    b_folder = make_folder(team.chair, b, "Country submissions")
    a_sub = make_folder(team.other_chair, a, "Scores", a_folder)
    a_first = make_document(
        team.other_chair, a, "Tender scores.xlsx", folder=a_folder, tags="tender"
    )
    make_version(team.other_member, a_first, "Tender scores v2.xlsx", samples.xlsx())
    b_document = make_document(team.member, b, "Wallet pilot.pdf", folder=b_folder)
    a_second = make_document(team.other_member, a, "Model clause.docx")
    a_trashed = make_document(team.other_member, a, "Old draft.txt", b"old draft")
    a_trashed.deleted_at = utcnow()
    db.session.commit()
    return Groups(
        a,
        b,
        [a_first, a_second, fresh(a_trashed)],
        [a_folder, a_sub],
        b_document,
        b_folder,
    )


def _neighbours(ids: list[int], avoid: set[int]) -> list[int]:
    near = {n for i in ids for n in (i - 1, i, i + 1) if n > 0}
    return sorted(near - avoid) + [max(ids) + 50]


def idor_attacks(g: Groups, slug: str) -> list[tuple[str, str, dict]]:
    """Every documents route aimed at A's objects (and their neighbours) through
    ``slug``."""
    doc_ids = _neighbours([d.id for d in g.a_documents], {g.b_document.id})
    folder_ids = _neighbours([f.id for f in g.a_folders], {g.b_folder.id})
    base = f"/groups/{slug}/documents"
    attacks = []
    for i in doc_ids:
        attacks += [
            ("GET", f"{base}/{i}", {}),
            ("GET", f"{base}/{i}/download", {}),
            ("GET", f"{base}/{i}/versions/1/download", {}),
            ("GET", f"{base}/{i}/versions/2/download", {}),
            ("GET", f"{base}/{i}/versions/1/preview", {}),
            ("POST", f"{base}/{i}/versions", {"file": ("x.txt", b"overwrite")}),
            ("POST", f"{base}/{i}/edit", {"title": "Pwned", "tags": "pwned"}),
            ("POST", f"{base}/{i}/delete", {}),
            ("POST", f"{base}/{i}/restore", {}),
        ]
    for i in folder_ids:
        attacks += [
            ("POST", f"{base}/folders/{i}", {"name": "Pwned", "parent": ""}),
            ("POST", f"{base}/folders/{i}/delete", {}),
            ("GET", f"{base}/?folder={i}", {}),
        ]
    return attacks


def smuggling_attacks(g: Groups) -> list[tuple[str, str, dict]]:
    """The attacker's own objects in B, pointed at A's folders."""
    base = f"/groups/{g.b.slug}/documents"
    attacks = []
    for folder in g.a_folders:
        attacks += [
            ("POST", f"{base}/upload", {"files": ("x.txt", b"x"), "folder": folder.id}),
            ("POST", f"{base}/folders", {"name": "Mine", "parent": folder.id}),
            (
                "POST",
                f"{base}/folders/{g.b_folder.id}",
                {"name": "Mine", "parent": folder.id},
            ),
            (
                "POST",
                f"{base}/{g.b_document.id}/edit",
                {"title": "Mine", "folder": folder.id},
            ),
        ]
    return attacks


def _answers(browser, attacks) -> dict[str, list[str]]:
    answers: dict[str, list[str]] = {}
    for method, url, data in attacks:
        if method == "GET":
            response = browser.get(url)
        else:
            data = {
                k: (io.BytesIO(v[1]), v[0]) if isinstance(v, tuple) else v
                for k, v in data.items()
            }
            response = browser.post(url, data=data, content_type="multipart/form-data")
        answers.setdefault(str(response.status_code), []).append(f"{method} {url}")
    return answers


@pytest.mark.parametrize("attacker", ["member", "chair"])
def test_member_of_b_naming_a_s_documents_and_folders_gets_404_and_changes_nothing(
    team, groups, login, storage_folder, attacker
):
    browser = login(getattr(team, attacker))
    before, files_before = library_snapshot(), files_in(storage_folder)
    attacks = idor_attacks(groups, groups.a.slug) + idor_attacks(groups, groups.b.slug)

    answers = _answers(browser, attacks)

    assert set(answers) == {"404"}, {k: v for k, v in answers.items() if k != "404"}
    assert library_snapshot() == before
    assert files_in(storage_folder) == files_before


def test_member_of_b_pointing_b_s_own_objects_at_a_s_folders_gets_404(
    team, groups, login, storage_folder
):
    browser = login(team.member)
    before, files_before = library_snapshot(), files_in(storage_folder)

    answers = _answers(browser, smuggling_attacks(groups))

    assert library_snapshot() == before
    assert files_in(storage_folder) == files_before
    assert set(answers) == {"404"}, {k: v for k, v in answers.items() if k != "404"}


def test_the_idor_attacks_aim_at_real_objects_of_a(groups):
    urls = [url for _m, url, _d in idor_attacks(groups, groups.a.slug)]

    for document in groups.a_documents:
        assert f"/groups/{groups.a.slug}/documents/{document.id}/download" in urls
    for folder in groups.a_folders:
        assert f"/groups/{groups.a.slug}/documents/folders/{folder.id}" in urls
    b_base = f"/groups/{groups.a.slug}/documents/{groups.b_document.id}"
    assert all(not url.startswith(b_base) for url in urls)


def test_when_a_is_public_member_of_b_may_read_it_but_every_change_is_403(
    team, groups, login, storage_folder
):
    groups.a.visibility = "public"
    db.session.commit()
    browser = login(team.member)
    before, files_before = library_snapshot(), files_in(storage_folder)
    base = f"/groups/{groups.a.slug}/documents"
    writes = [("POST", f"{base}/upload", {"files": ("x.txt", b"x")})]
    writes.append(("POST", f"{base}/folders", {"name": "Mine"}))
    for d in groups.a_documents:
        writes += [
            ("POST", f"{base}/{d.id}/versions", {"file": ("x.txt", b"overwrite")}),
            ("POST", f"{base}/{d.id}/edit", {"title": "Pwned"}),
            ("POST", f"{base}/{d.id}/delete", {}),
            ("POST", f"{base}/{d.id}/restore", {}),
        ]
    for f in groups.a_folders:
        writes += [
            ("POST", f"{base}/folders/{f.id}", {"name": "Pwned", "parent": ""}),
            ("POST", f"{base}/folders/{f.id}/delete", {}),
        ]

    answers = _answers(browser, writes)
    download = browser.get(document_url(groups.a_documents[0], "/download"))

    assert set(answers) == {"403"}, answers
    assert library_snapshot() == before
    assert files_in(storage_folder) == files_before
    assert download.status_code == 200
