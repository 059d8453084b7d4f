"""Library rules the P0–P6 matrix cannot show: observers read but never write, and the
trash belongs to the chairs, the secretariat and each document's uploader."""

import pytest

from collab.core.permissions import Role
from tests import factories
from tests.security.routes import (
    ROUTES,
    document_url,
    send,
    snapshot,
    storage_snapshot,
)
from tests.security.test_route_matrix import MATRIX

READS = {
    "documents.index",
    "documents.show",
    "documents.download",
    "documents.preview",
}


@pytest.mark.parametrize("group", ["A", "B"])
def test_observer_reads_the_library_but_changes_nothing(
    world, login, storage_root, group
):
    """Every documents route the matrix lists for the group: an observer of it reads
    what members read, and is refused (403) everything else, with nothing changed."""
    observer = factories.make_user("Olga Observer")
    factories.add_member(
        world.group_a if group == "A" else world.group_b, observer, Role.OBSERVER
    )
    client = login(observer)
    cases = [
        (endpoint, method, target)
        for endpoint, method, target in MATRIX
        if endpoint.startswith("documents.") and target.startswith(group)
    ]
    before, files_before = snapshot(), storage_snapshot(storage_root)
    wrong = []
    for endpoint, method, target in cases:
        url, data = ROUTES[(endpoint, target)](world)
        status = send(client, method, url, data).status_code
        member = MATRIX[(endpoint, method, target)]["P2" if group == "A" else "P3"]
        if endpoint in READS and member == "allow":
            expected = 200
        elif endpoint in READS:
            expected = member  # what a member gets: a trashed file is 404 for all
        else:
            expected = 404 if target == "A-trashed" and method == "GET" else 403
        if status != expected:
            wrong.append(f"{method} {url} ({endpoint}, {target}) → {status}")
    assert not wrong, "\n".join(wrong)
    after = snapshot()
    # Reading the library remembers the visit ("new since your last visit"): nothing
    # else may change.
    after.pop("library_visits"), before.pop("library_visits")
    assert after == before
    assert storage_snapshot(storage_root) == files_before


def test_uploader_trashes_and_restores_their_own_document_and_no_other_member_can(
    world, client_as, login
):
    """P2 uploaded A's document: P2 trashes it, sees it (in the trash and on its
    page), and brings it back. Ed, another member, neither opens nor restores it;
    nobody downloads it while it is in the trash."""
    document = world.library.document_a
    p2, ed = client_as("P2"), login(world.extra_member)
    assert p2.post(document_url(document, "/delete")).status_code == 302
    assert document.title in p2.get("/groups/alpha/documents/trash").text
    assert ed.get(document_url(document)).status_code == 404
    assert ed.post(document_url(document, "/restore")).status_code == 403
    for client in (p2, ed, client_as("P4"), client_as("P5")):
        assert client.get(document_url(document, "/download")).status_code == 404
        preview = client.get(document_url(document, "/versions/2/preview"))
        assert preview.status_code == 404
    assert p2.get(document_url(document)).status_code == 200
    assert p2.post(document_url(document, "/restore")).status_code == 302
    assert ed.get(document_url(document)).status_code == 200
    assert ed.post(document_url(document, "/delete")).status_code == 403
