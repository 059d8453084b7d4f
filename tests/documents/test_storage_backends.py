"""The same tests against both file stores: the local folder and an S3-compatible
object store (moto's server on 127.0.0.1): the store's primitives, a whole library
journey through the app, missing files, a store that refuses writes, and
`flask storage check`."""

import uuid
from datetime import timedelta

import pytest

from collab.core.storage import LocalStorage, S3Storage
from collab.documents.models import Document, DocumentVersion
from collab.extensions import db
from tests.documents import samples
from tests.documents.conftest import (
    add_version,
    cli,
    count,
    document_url,
    flashes,
    follow,
    fresh,
    library_url,
    only_document,
    upload,
    versions,
)


@pytest.fixture(scope="session")
def s3_endpoint():
    """A real S3-compatible server on 127.0.0.1, one per test process."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_credentials(monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "collab-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "collab-test-secret")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-creds"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


@pytest.fixture(params=["local", "s3"])
def make_store(request, tmp_path):
    """``make_store(place="files")`` → a store of the backend under test; two calls
    with the same place are two servers sharing the same files."""
    if request.param == "local":
        return lambda place="files": LocalStorage(str(tmp_path / "stores" / place))

    import boto3

    endpoint = request.getfixturevalue("s3_endpoint")
    request.getfixturevalue("s3_credentials")
    bucket = f"collab-{uuid.uuid4().hex[:16]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    return lambda place="files": S3Storage(f"s3://{bucket}/{place}", endpoint=endpoint)


@pytest.fixture
def store(make_store):
    return make_store()


@pytest.fixture
def app_store(app, store, monkeypatch):
    """The store under test, installed as the app's file store."""
    monkeypatch.setitem(app.extensions, "collab_storage", store)
    return store


# --- the interface --------------------------------------------------------------------


def test_put_read_exists_delete(store):
    key = "documents/1/0a1b2c3d4e5f.pdf"
    data = samples.pdf("Stored")

    assert not store.exists(key)
    store.put(key, data)
    assert store.exists(key)
    assert store.read(key) == data
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting what is gone is not an error


def test_put_replaces_the_whole_object(store):
    key = "documents/1/replace.txt"
    store.put(key, b"a much longer first content")

    store.put(key, b"short")

    assert store.read(key) == b"short"


def test_keys_lists_everything_and_filters_by_prefix(store):
    keys = {
        "documents/1/a.pdf",
        "documents/1/b.txt",
        "documents/22/c.png",
        "photos/d.jpg",
    }
    for key in keys:
        store.put(key, key.encode())

    assert set(store.keys()) == keys
    assert set(store.keys("documents/")) == keys - {"photos/d.jpg"}
    assert set(store.keys("documents/1/")) == {"documents/1/a.pdf", "documents/1/b.txt"}
    assert list(store.keys("minutes/")) == []


def test_two_servers_with_the_same_settings_share_files(make_store):
    first, second = make_store(), make_store()

    first.put("documents/3/shared.txt", b"written by server one")

    assert second.read("documents/3/shared.txt") == b"written by server one"
    assert set(second.keys()) == {"documents/3/shared.txt"}


def test_stores_in_different_places_do_not_see_each_other(make_store):
    mine, theirs = make_store("collab"), make_store("other-app")

    theirs.put("documents/1/theirs.txt", b"not ours")

    assert list(mine.keys()) == []
    assert not mine.exists("documents/1/theirs.txt")


@pytest.mark.parametrize(
    "key",
    [
        "../outside.txt",
        "documents/../../outside.txt",
        "/etc/passwd.txt",
        "Documents/1/Upper.txt",
        "documents/1/no-extension",
        "documents/1/space name.txt",
        "",
    ],
)
def test_keys_that_could_escape_or_collide_are_refused(store, key):
    for operation in (
        lambda: store.put(key, b"x"),
        lambda: store.read(key),
        lambda: store.exists(key),
        lambda: store.delete(key),
    ):
        with pytest.raises(ValueError):
            operation()
    assert list(store.keys()) == []


# --- through the app ------------------------------------------------------------------


def test_upload_download_new_version_trash_and_purge(app, app_store, team, login):
    v1 = samples.pdf("Wallet pilot report", ["draft"])
    v2 = samples.pdf("Wallet pilot report", ["final", "with annex"])
    member, chair = login(team.member), login(team.chair)

    page = follow(member, upload(member, team.group, ("Wallet pilot.pdf", v1)))
    document = only_document()
    latest_v1 = member.get(document_url(document, "/download")).get_data()
    follow(member, add_version(member, document, "Wallet pilot final.pdf", v2))
    keys = [v.storage_key for v in versions(document)]
    downloads = [
        member.get(document_url(document, f"/versions/{n}/download")).get_data()
        for n in (1, 2)
    ]
    latest = member.get(document_url(document, "/download")).get_data()
    stored_before_purge = set(app_store.keys())
    chair.post(document_url(document, "/delete"))
    trashed_download = member.get(document_url(document, "/download")).status_code
    fresh(document).deleted_at -= timedelta(days=31)
    db.session.commit()
    purge = cli(app, "documents", "purge-trash")
    check = cli(app, "storage", "check")

    assert "1 document(s) uploaded." in flashes(page)
    assert latest_v1 == v1
    assert downloads == [v1, v2] and latest == v2
    assert stored_before_purge == set(keys)
    assert trashed_download == 404
    assert "1 document(s) purged" in purge.output
    assert count(Document) == count(DocumentVersion) == 0
    assert list(app_store.keys()) == []
    assert check.exit_code == 0
    assert "0 row(s) without file, 0 file(s) without row" in check.output


def test_one_bad_file_in_a_batch_leaves_nothing_in_the_store(app_store, team, login):
    browser = login(team.member)

    page = follow(
        browser,
        upload(
            browser,
            team.group,
            ("Good.pdf", samples.pdf()),
            ("Good.docx", samples.docx()),
            ("Bad.pdf", samples.EXE),
        ),
    )

    assert any("“Bad.pdf” is not an allowed type" in f for f in flashes(page))
    assert count(Document) == 0
    assert list(app_store.keys()) == []


def test_a_missing_file_gives_404_not_an_error(app_store, team, login):
    browser = login(team.member)
    upload(browser, team.group, ("Report.pdf", samples.pdf()))
    document = only_document()
    (version,) = versions(document)
    app_store.delete(version.storage_key)

    download = browser.get(document_url(document, "/download"))
    preview = browser.get(document_url(document, "/versions/1/preview"))

    assert (download.status_code, preview.status_code) == (404, 404)


@pytest.fixture(params=["local", "s3"])
def broken_store(request, app, monkeypatch, tmp_path):
    """A store that refuses every write: a local root that is a file, or a bucket
    that does not exist."""
    if request.param == "local":
        (tmp_path / "not-a-folder").write_bytes(b"")
        store = LocalStorage(str(tmp_path / "not-a-folder"))
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        request.getfixturevalue("s3_credentials")
        store = S3Storage(f"s3://missing-{uuid.uuid4().hex[:12]}/x", endpoint=endpoint)
    monkeypatch.setitem(app.extensions, "collab_storage", store)
    return store


def test_a_store_that_refuses_writes_gives_a_clear_message_and_no_row(
    broken_store, team, login
):
    browser = login(team.member)

    page = follow(browser, upload(browser, team.group, ("Report.pdf", samples.pdf())))

    assert "The file could not be stored. Please try again later." in flashes(page)
    assert count(Document) == count(DocumentVersion) == 0


def test_storage_check_reports_rows_without_files_and_files_without_rows(
    app, app_store, team, login
):
    browser = login(team.member)
    upload(browser, team.group, ("Lost.pdf", samples.pdf()), ("Fine.txt", b"fine"))
    lost = db.session.scalars(
        db.select(DocumentVersion).where(DocumentVersion.filename == "Lost.pdf")
    ).one()
    app_store.delete(lost.storage_key)
    app_store.put("documents/1/stray0123456789.pdf", b"%PDF-1.4 stray")
    keys_before = set(app_store.keys())

    result = cli(app, "storage", "check")

    assert result.exit_code == 1
    assert f"row without file: {lost.storage_key}" in result.output
    assert "file without row: documents/1/stray0123456789.pdf" in result.output
    assert "1 row(s) without file, 1 file(s) without row" in result.output
    assert set(app_store.keys()) == keys_before
    assert count(DocumentVersion) == 2


def test_library_page_works_on_either_store(app_store, team, login):
    browser = login(team.member)
    upload(browser, team.group, ("Chart.png", samples.png()))

    page = browser.get(library_url(team.group)).get_data(as_text=True)
    preview = browser.get(document_url(only_document(), "/versions/1/preview"))

    assert ">Chart</a>" in page
    assert preview.get_data() == samples.png()
