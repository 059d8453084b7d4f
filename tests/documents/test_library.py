"""The library as members use it: nested folders, uploads of one or several files
(all or nothing), listing, filters and sorting, "new" marks, versions with their
hashes, downloads, the trash and its purge, and `flask storage check`."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from sqlalchemy import select

from collab.core.db import utcnow
from collab.core.storage import LocalStorage
from collab.documents.models import Document, DocumentTag, DocumentVersion, Folder
from collab.extensions import db
from tests.documents import samples
from tests.documents.conftest import (
    add_version,
    cli,
    count,
    document_url,
    files_in,
    flashes,
    follow,
    fresh,
    library_url,
    location,
    make_document,
    make_folder,
    make_version,
    only_document,
    row_of,
    sha256,
    text,
    titles_on,
    upload,
    version_rows,
    versions,
)


def _folder(name: str) -> Folder:
    db.session.expire_all()
    return db.session.scalars(select(Folder).where(Folder.name == name)).one()


def _tree(page: str) -> list[tuple[int, str]]:
    """The folder tree on a library page: (depth, name) in order."""
    return [
        (int(depth), name)
        for depth, name in re.findall(
            r'<li class="depth-(\d)"><a href="[^"]+"[^>]*>([^<]+)</a>', page
        )
    ]


# --- folders --------------------------------------------------------------------------


def test_member_creates_nested_folders_and_sees_them_as_a_tree(team, login):
    browser = login(team.member)

    created = browser.post(
        library_url(team.group, "folders"), data={"name": "Country submissions"}
    )
    parent = _folder("Country submissions")
    inner = browser.post(
        library_url(team.group, "folders"),
        data={"name": "Estonia", "parent": str(parent.id)},
    )
    page = follow(browser, inner)

    assert location(created) == library_url(team.group, f"?folder={parent.id}")
    assert _folder("Estonia").parent_id == parent.id
    assert "<h1>Documents: Estonia</h1>" in page
    assert _tree(page) == [(0, "Country submissions"), (1, "Estonia")]


def test_folder_without_a_name_is_refused(team, login):
    browser = login(team.member)

    page = follow(browser, browser.post(library_url(team.group, "folders"), data={}))

    assert "Give the folder a name." in flashes(page)
    assert count(Folder) == 0


def test_member_renames_a_folder(team, login):
    folder = make_folder(team.chair, team.group, "Drafts")
    browser = login(team.member)

    response = browser.post(
        library_url(team.group, f"folders/{folder.id}"),
        data={"name": "Final drafts", "parent": ""},
    )

    assert "Folder saved." in flashes(follow(browser, response))
    assert fresh(folder).name == "Final drafts"


def test_member_moves_a_folder_inside_another(team, login):
    reports = make_folder(team.chair, team.group, "Reports")
    estonia = make_folder(team.chair, team.group, "Estonia")
    browser = login(team.member)

    response = browser.post(
        library_url(team.group, f"folders/{estonia.id}"),
        data={"name": "Estonia", "parent": str(reports.id)},
    )

    assert _tree(follow(browser, response)) == [(0, "Reports"), (1, "Estonia")]
    assert fresh(estonia).parent_id == reports.id


def test_moving_a_folder_into_itself_is_refused(team, login):
    folder = make_folder(team.chair, team.group, "Reports")
    browser = login(team.member)

    response = browser.post(
        library_url(team.group, f"folders/{folder.id}"),
        data={"name": "Renamed", "parent": str(folder.id)},
    )

    assert re.search(r'class="flash flash-error"', follow(browser, response))
    assert (fresh(folder).name, fresh(folder).parent_id) == ("Reports", None)


@pytest.mark.parametrize("depth", [1, 2])
def test_moving_a_folder_into_one_of_its_descendants_is_refused(team, login, depth):
    top = make_folder(team.chair, team.group, "Reports")
    child = make_folder(team.chair, team.group, "2026", top)
    grandchild = make_folder(team.chair, team.group, "Q1", child)
    target = child if depth == 1 else grandchild
    browser = login(team.member)

    response = browser.post(
        library_url(team.group, f"folders/{top.id}"),
        data={"name": "Renamed reports", "parent": str(target.id)},
    )

    assert "A folder cannot go inside itself." in flashes(follow(browser, response))
    assert (fresh(top).name, fresh(top).parent_id) == ("Reports", None)
    assert fresh(child).parent_id == top.id


def test_an_empty_folder_is_deleted(team, login):
    parent = make_folder(team.chair, team.group, "Reports")
    folder = make_folder(team.chair, team.group, "Old", parent)
    browser = login(team.member)

    response = browser.post(library_url(team.group, f"folders/{folder.id}/delete"))

    assert location(response) == library_url(team.group, f"?folder={parent.id}")
    assert "Folder deleted." in flashes(follow(browser, response))
    assert fresh(folder) is None


@pytest.mark.parametrize("content", ["document", "subfolder"])
def test_a_folder_that_is_not_empty_is_not_deleted(team, login, content):
    folder = make_folder(team.chair, team.group, "Reports")
    if content == "document":
        make_document(team.colleague, team.group, "Budget.csv", folder=folder)
    else:
        make_folder(team.chair, team.group, "2026", folder)
    browser = login(team.member)

    response = browser.post(library_url(team.group, f"folders/{folder.id}/delete"))

    assert "Only an empty folder can be deleted." in flashes(follow(browser, response))
    assert fresh(folder) is not None


# --- uploads --------------------------------------------------------------------------


def test_member_uploads_one_file(team, login, storage_folder):
    data = samples.pdf("Wallet pilot report", ["12,400 participants"])
    browser = login(team.member)

    response = upload(browser, team.group, ("Wallet pilot report.pdf", data))
    page = follow(browser, response)

    assert "1 document(s) uploaded." in flashes(page)
    assert titles_on(page) == ["Wallet pilot report"]
    document = only_document()
    (version,) = versions(document)
    assert (document.kind, document.created_by_id) == ("pdf", team.member.id)
    assert (version.number, version.size, version.sha256) == (
        1,
        len(data),
        sha256(data),
    )
    assert list(files_in(storage_folder).values()) == [data]


def test_member_uploads_several_files_at_once_into_a_folder_with_tags(
    team, login, storage_folder
):
    folder = make_folder(team.chair, team.group, "Country submissions")
    files = [
        ("Estonia.pdf", samples.pdf("Estonia")),
        ("Korea.docx", samples.docx("Korea")),
        ("Take-up.csv", b"country,take-up\nEE,71\n"),
    ]
    browser = login(team.member)

    response = upload(
        browser, team.group, *files, folder=str(folder.id), tags="pilot, 2026"
    )
    page = follow(browser, response)

    assert "3 document(s) uploaded." in flashes(page)
    assert sorted(titles_on(page)) == ["Estonia", "Korea", "Take-up"]
    db.session.expire_all()
    documents = db.session.scalars(select(Document)).all()
    assert {d.folder_id for d in documents} == {folder.id}
    assert all([t.tag for t in d.tags] == ["2026", "pilot"] for d in documents)
    assert sorted(files_in(storage_folder).values()) == sorted(d for _n, d in files)


@pytest.mark.parametrize("bad_position", [0, 1, 2])
def test_one_bad_file_in_a_batch_stores_nothing(
    team, login, storage_folder, bad_position
):
    files = [("Estonia.pdf", samples.pdf()), ("Korea.docx", samples.docx())]
    files.insert(bad_position, ("setup.pdf", samples.EXE))
    browser = login(team.member)

    page = follow(browser, upload(browser, team.group, *files))

    assert any("“setup.pdf” is not an allowed type" in f for f in flashes(page))
    assert count(Document) == count(DocumentVersion) == count(DocumentTag) == 0
    assert files_in(storage_folder) == {}


def test_upload_without_a_file_asks_for_one(team, login):
    browser = login(team.member)

    page = follow(browser, upload(browser, team.group))

    assert "Choose at least one file." in flashes(page)
    assert count(Document) == 0


# --- listing, filters, sorting --------------------------------------------------------


@pytest.fixture
def shelf(team):
    """Documents at the top level and in nested folders, with tags and types, changed
    at known times (oldest first: Charter, agenda, Budget, Estonia)."""
    reports = make_folder(team.chair, team.group, "Reports")
    estonia_folder = make_folder(team.chair, team.group, "Estonia", reports)
    charter = make_document(team.chair, team.group, "Charter.pdf", tags="governance")
    agenda = make_document(team.member, team.group, "agenda.txt", tags="Meeting")
    budget = make_document(
        team.colleague, team.group, "Budget.csv", folder=reports, tags="meeting, money"
    )
    estonia = make_document(
        team.colleague, team.group, "Estonia.docx", folder=estonia_folder
    )
    now = utcnow()
    for days, document in enumerate([estonia, budget, agenda, charter]):
        document.updated_at = now - timedelta(days=days + 1)
    db.session.commit()
    return {"reports": reports, "estonia": estonia_folder}


def test_each_folder_lists_only_its_own_documents(team, login, shelf):
    browser = login(team.member)

    top = text(browser.get(library_url(team.group)))
    reports = text(
        browser.get(library_url(team.group, f"?folder={shelf['reports'].id}"))
    )
    estonia = text(
        browser.get(library_url(team.group, f"?folder={shelf['estonia'].id}"))
    )

    assert titles_on(top) == ["agenda", "Charter"]
    assert titles_on(reports) == ["Budget"]
    assert titles_on(estonia) == ["Estonia"]


def test_all_documents_lists_every_folder(team, login, shelf):
    page = text(login(team.member).get(library_url(team.group, "?all=1")))

    assert titles_on(page) == ["Estonia", "Budget", "agenda", "Charter"]
    assert "4 documents" in page


def test_filter_by_tag_finds_documents_in_any_folder_ignoring_case(team, login, shelf):
    page = text(login(team.member).get(library_url(team.group, "?tag=meeting")))

    assert titles_on(page) == ["Budget", "agenda"]


@pytest.mark.parametrize(
    "kind, titles", [("pdf", ["Charter"]), ("docx", ["Estonia"]), ("png", [])]
)
def test_filter_by_type(team, login, shelf, kind, titles):
    page = text(login(team.member).get(library_url(team.group, f"?type={kind}")))

    assert titles_on(page) == titles


@pytest.mark.parametrize(
    "sort, titles",
    [
        ("title", ["agenda", "Budget", "Charter", "Estonia"]),
        ("type", ["Budget", "Estonia", "Charter", "agenda"]),  # csv docx pdf txt
        ("updated", ["Estonia", "Budget", "agenda", "Charter"]),
    ],
)
def test_sort_the_whole_library(team, login, shelf, sort, titles):
    page = text(login(team.member).get(library_url(team.group, f"?all=1&sort={sort}")))

    assert titles_on(page) == titles


def test_library_rows_show_type_size_latest_version_and_tags(team, login):
    data = b"country,take-up\nEE,71\n"
    make_document(team.colleague, team.group, "Budget.csv", data, tags="money")

    row = row_of(text(login(team.member).get(library_url(team.group))), "Budget")

    assert ">CSV<" in row and f">{len(data)} B<" in row
    assert "v1 by Jan de Vries" in row and ">money</a>" in row


def _new_marks(page: str) -> list[str]:
    return [
        title
        for title in titles_on(page)
        if 'class="badge badge-new"' in row_of(page, title)
    ]


def test_documents_changed_since_my_last_visit_are_marked_new_until_i_look_again(
    team, login
):
    old = make_document(team.colleague, team.group, "Charter.pdf")
    browser = login(team.member)
    first_visit = text(browser.get(library_url(team.group, "?all=1")))
    make_document(team.colleague, team.group, "Budget.csv")

    second_visit = text(browser.get(library_url(team.group, "?all=1")))
    third_visit = text(browser.get(library_url(team.group, "?all=1")))
    make_version(team.chair, old, "Charter v2.pdf", samples.pdf("v2"))
    fourth_visit = text(browser.get(library_url(team.group, "?all=1")))

    assert _new_marks(first_visit) == []
    assert _new_marks(second_visit) == ["Budget"]
    assert _new_marks(third_visit) == []
    assert _new_marks(fourth_visit) == ["Charter"]


def test_new_marks_are_per_person(team, login):
    chair = login(team.chair)
    member = login(team.member)
    chair.get(library_url(team.group))
    member.get(library_url(team.group))
    make_document(team.colleague, team.group, "Budget.csv")
    member.get(library_url(team.group))

    assert _new_marks(text(chair.get(library_url(team.group)))) == ["Budget"]
    assert _new_marks(text(member.get(library_url(team.group)))) == []


# --- versions and downloads -----------------------------------------------------------


def test_versions_list_number_uploader_date_size_and_sha256(team, login):
    first = b"Minutes of the first meeting.\n"
    second = "Minutes of the first meeting, corrected – v2.\n".encode()
    upload(login(team.member), team.group, ("Minutes.txt", first))
    document = only_document()
    chair = login(team.chair)

    response = add_version(chair, document, "Minutes v2.txt", second, "Dates corrected")
    page = follow(chair, response)

    v1, v2 = versions(document)
    paris = ZoneInfo(team.chair.timezone)
    when = {
        v.number: " ".join(
            format_datetime(v.created_at, "short", tzinfo=paris, locale="en").split()
        )
        for v in (v1, v2)
    }
    assert version_rows(page) == [
        {
            "Version": "2 Dates corrected",
            "File": "Minutes v2.txt",
            "Uploaded by": "Chiara Rossi",
            "Date": when[2],
            "Size": f"{len(second)} B",
            "SHA-256": sha256(second),
        },
        {
            "Version": "1",
            "File": "Minutes.txt",
            "Uploaded by": "Kadri Tamm",
            "Date": when[1],
            "Size": f"{len(first)} B",
            "SHA-256": sha256(first),
        },
    ]
    assert (v1.sha256, v2.sha256) == (sha256(first), sha256(second))
    assert "Version 2 uploaded." in flashes(page)


def test_download_latest_and_every_version_byte_identical(team, login):
    contents = [samples.pdf("v1"), samples.pdf("v2", ["longer"]), samples.pdf("v3")]
    document = make_document(team.member, team.group, "Report.pdf", contents[0])
    for data in contents[1:]:
        make_version(team.colleague, document, "Report.pdf", data)
    browser = login(team.observer)

    latest = browser.get(document_url(document, "/download"))
    each = [
        browser.get(document_url(document, f"/versions/{n}/download")).get_data()
        for n in (1, 2, 3)
    ]

    assert latest.get_data() == contents[2]
    assert each == contents
    assert (
        browser.get(document_url(document, "/versions/4/download")).status_code == 404
    )


def test_a_new_version_may_change_the_type_and_old_versions_keep_theirs(team, login):
    document = make_document(team.member, team.group, "Budget.csv", b"a,b\n1,2\n")
    browser = login(team.member)

    add_version(browser, document, "Budget.xlsx", samples.xlsx("a", "b"))
    old = browser.get(document_url(document, "/versions/1/download"))
    new = browser.get(document_url(document, "/download"))

    assert fresh(document).kind == "xlsx"
    assert old.headers["Content-Type"].startswith("text/csv")
    assert new.headers["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_bad_new_version_is_refused_and_stores_nothing(team, login, storage_folder):
    document = make_document(team.member, team.group, "Report.pdf")
    files_before = files_in(storage_folder)
    browser = login(team.member)

    page = follow(browser, add_version(browser, document, "Report.pdf", samples.HTML))

    assert any("“Report.pdf” is not an allowed type" in f for f in flashes(page))
    assert fresh(document).version_count == 1 and len(versions(document)) == 1
    assert files_in(storage_folder) == files_before


def test_member_edits_title_description_tags_and_folder(team, login):
    folder = make_folder(team.chair, team.group, "Reports")
    document = make_document(team.colleague, team.group, "draft.pdf", tags="old")
    browser = login(team.member)

    response = browser.post(
        document_url(document, "/edit"),
        data={
            "title": "Wallet pilot report",
            "description": "Final version for the E-Leaders session.",
            "tags": "pilot, EE, pilot",
            "folder": str(folder.id),
        },
    )
    page = follow(browser, response)

    assert "Document saved." in flashes(page)
    assert "<h1>Wallet pilot report</h1>" in page
    assert "Final version for the E-Leaders session." in page
    document = fresh(document)
    assert [t.tag for t in document.tags] == ["EE", "pilot"]
    assert document.folder_id == folder.id


# --- trash ----------------------------------------------------------------------------


def test_trash_hides_a_document_and_restore_brings_it_back(team, login):
    document = make_document(team.colleague, team.group, "Budget.csv")
    uploader = login(team.colleague)
    member = login(team.member)

    trashed = uploader.post(document_url(document, "/delete"))
    listing = follow(uploader, trashed)
    trash_page = text(uploader.get(library_url(team.group, "trash")))
    own_view = text(uploader.get(document_url(document)))
    member_download = member.get(document_url(document, "/download"))
    member_view = member.get(document_url(document))
    restored = uploader.post(document_url(document, "/restore"))
    after = follow(uploader, restored)

    assert "“Budget” is in the trash for 30 days." in flashes(listing)
    assert titles_on(listing) == []
    assert ">Budget</a>" in trash_page and ">Restore</button>" in trash_page
    assert "This document is in the trash." in own_view
    assert (member_download.status_code, member_view.status_code) == (404, 404)
    assert "“Budget” is restored." in flashes(after)
    assert titles_on(text(member.get(library_url(team.group)))) == ["Budget"]
    assert member.get(document_url(document, "/download")).status_code == 200


def test_trashed_documents_leave_the_tag_list(team, login):
    document = make_document(team.colleague, team.group, "Budget.csv", tags="money")
    page = text(login(team.member).get(library_url(team.group)))
    assert "<option>money</option>" in page

    login(team.chair).post(document_url(document, "/delete"))

    page = text(login(team.member).get(library_url(team.group)))
    assert "<option>money</option>" not in page


def _trash(document: Document, days_ago: float) -> None:
    document.deleted_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()


def test_purge_trash_after_30_days_deletes_rows_then_files(app, team, storage_folder):
    old = make_document(team.colleague, team.group, "Old.pdf", tags="x")
    make_version(team.colleague, old, "Old v2.pdf", samples.pdf("v2"))
    kept = make_document(team.colleague, team.group, "Kept.pdf")
    _trash(old, 31)
    kept_files = {v.storage_key for v in versions(kept)}
    observed = []

    class Watching(LocalStorage):
        def delete(self, key):
            with db.engine.connect() as conn:
                row = conn.execute(
                    select(DocumentVersion.id).where(DocumentVersion.storage_key == key)
                ).first()
            observed.append((key, row is None))
            super().delete(key)

    app.extensions["collab_storage"] = Watching(str(storage_folder))

    result = cli(app, "documents", "purge-trash")

    assert result.exit_code == 0, result.output
    assert "1 document(s) purged" in result.output
    assert fresh(old) is None
    assert count(DocumentVersion, DocumentVersion.document_id == old.id) == 0
    assert count(DocumentTag, DocumentTag.document_id == old.id) == 0
    assert len(observed) == 2 and all(gone for _key, gone in observed)
    assert set(files_in(storage_folder)) == kept_files
    assert fresh(kept) is not None


def test_purge_trash_keeps_documents_trashed_less_than_30_days_ago(
    app, team, storage_folder
):
    document = make_document(team.colleague, team.group, "Recent.pdf")
    _trash(document, 29.9)
    files_before = files_in(storage_folder)

    result = cli(app, "documents", "purge-trash")

    assert "0 document(s) purged" in result.output
    assert fresh(document) is not None
    assert files_in(storage_folder) == files_before


def test_a_trashed_document_can_be_restored_until_it_is_purged(app, team, login):
    document = make_document(team.colleague, team.group, "Budget.csv")
    _trash(document, 29)
    cli(app, "documents", "purge-trash")

    response = login(team.chair).post(document_url(document, "/restore"))

    assert response.status_code == 302
    assert fresh(document).deleted_at is None


# --- flask storage check --------------------------------------------------------------


def test_storage_check_on_a_healthy_store_reports_nothing(app, team):
    make_document(team.colleague, team.group, "Budget.csv")

    result = cli(app, "storage", "check")

    assert result.exit_code == 0
    assert "0 row(s) without file, 0 file(s) without row" in result.output


def test_storage_check_reports_rows_without_files_and_files_without_rows(
    app, team, storage_folder
):
    lost = make_document(team.colleague, team.group, "Lost.pdf")
    make_document(team.colleague, team.group, "Fine.pdf")
    (lost_version,) = versions(lost)
    (storage_folder / lost_version.storage_key).unlink()
    # Group ids differ between databases (PostgreSQL never reuses them).
    stray = storage_folder / "documents" / str(team.group.id) / "0123456789abcdef.pdf"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"%PDF-1.4 stray")
    before = files_in(storage_folder)

    result = cli(app, "storage", "check")

    assert result.exit_code == 1
    assert f"row without file: {lost_version.storage_key}" in result.output
    assert (
        f"file without row: documents/{team.group.id}/0123456789abcdef.pdf"
        in result.output
    )
    assert "1 row(s) without file, 1 file(s) without row" in result.output
    assert files_in(storage_folder) == before
    assert count(DocumentVersion) == 2


def test_storage_check_with_only_stray_files_exits_0_and_deletes_nothing(
    app, storage_folder
):
    stray = storage_folder / "documents" / "9" / "fedcba9876543210.txt"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"stray")

    result = cli(app, "storage", "check")

    assert result.exit_code == 0
    assert "file without row: documents/9/fedcba9876543210.txt" in result.output
    assert stray.read_bytes() == b"stray"


@pytest.mark.parametrize("name", ["Budget 2025/26", "Q1\\Q2 reports"])
def test_a_folder_name_with_a_slash_is_kept_as_typed(team, login, name):
    browser = login(team.member)

    follow(
        browser, browser.post(library_url(team.group, "folders"), data={"name": name})
    )

    db.session.expire_all()
    assert [f.name for f in db.session.scalars(select(Folder))] == [name]


def test_renaming_a_folder_keeps_a_slash_in_its_name(team, login):
    folder = make_folder(team.chair, team.group, "Budget")
    browser = login(team.member)

    browser.post(
        library_url(team.group, f"folders/{folder.id}"),
        data={"name": "Budget 2025/26", "parent": ""},
    )

    assert fresh(folder).name == "Budget 2025/26"


def test_a_document_needs_a_title(team, login):
    document = make_document(team.colleague, team.group, "Budget.csv")
    browser = login(team.member)

    response = browser.post(document_url(document, "/edit"), data={"title": "  "})

    assert "Give the document a title." in flashes(follow(browser, response))
    assert fresh(document).title == "Budget"
