"""Canary through the member pages: private group A's name and a membership of A carry
a unique string, which must appear 0 times in anything P0, P1 or P3 can fetch from the
directory, profiles, photos, contact exports, their own data download and error pages.
And the directory's filters must not tell outsiders who belongs to A, or who chairs it.
"""

import io
import re
import zipfile

import pytest

from collab.core.permissions import Role
from collab.extensions import db
from collab.members import services as member_services
from tests import factories
from tests.security.routes import CANARY, PRINCIPAL_NAMES, png_bytes, profile_form


@pytest.fixture
def bridge(world):
    """Bruno chairs private A and is a plain member of public B, with a photo and every
    contact detail visible; his A membership (and Ed's) carries the canary too."""
    bruno = factories.make_user("Bruno Bridge", country="EE")
    factories.add_member(world.group_a, bruno, Role.CHAIR)
    membership_b = factories.add_member(world.group_b, bruno, Role.MEMBER)
    membership_a = member_services.roles_in(world.group_a, [bruno])[bruno.id]
    membership_a.message = f"Joined for the {CANARY} programme"
    world.extra_membership.message = f"{CANARY} pilot lead"
    form = profile_form("Bruno Bridge", email_visibility="everyone")
    form.update(phone_visibility="everyone", expertise="eID, wallets, Bridge")
    fields = {k: v for k, v in form.items() if k != "languages"}
    member_services.update_profile(bruno, bruno, languages=["et", "en"], **fields)
    member_services.set_photo(bruno, bruno, png_bytes())
    db.session.commit()
    assert membership_b.status == "active"
    return bruno


def _texts(response) -> list[str]:
    """What a reader gets out of a response: the body, every file of a ZIP, a vCard
    with its folded lines joined."""
    raw = response.get_data()
    texts = [raw.decode("utf-8", "replace")]
    if response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            texts += [
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
            ]
    if response.mimetype == "text/vcard":
        texts.append(re.sub(r"\r?\n[ \t]", "", texts[0]))
    return texts


def fetchable(world, bridge, principal: str) -> list[str]:
    """Every new address the principal might try, successful or not."""
    people = [
        world.users["P2"],
        world.users["P4"],
        world.users["P6"],
        world.extra_member,
        world.applicant,
        bridge,
    ]
    urls = [
        "/members/",
        "/members/?group=alpha",
        "/members/?group=alpha&role=chair",
        "/members/?group=alpha&role=chair&q=Bridge",
        "/members/?group=alpha&role=member&q=Identity",
        "/members/?q=Digital+Identity",
        "/members/?role=chair",
        "/members/?q=eID&country=EE",
        "/members/no-such-person",
        "/members/no-such-person/photo",
        "/groups/bravo/members",
        "/groups/bravo/members?role=chair",
    ]
    for person in people:
        base = f"/members/{person.username}"
        urls += [base, f"{base}/photo", f"{base}/edit", f"{base}/data.zip"]
        urls += [f"{base}/erase"]
    for group in ("alpha", "bravo"):
        urls += [f"/groups/{group}/members.{kind}" for kind in ("csv", "vcf")]
    if principal != "P0":
        urls.append(f"/members/{world.users[principal].username}/data.zip")
        urls.append(f"/members/{world.users[principal].username}/edit")
    return urls


@pytest.mark.parametrize(
    "principal", ["P0", "P1", "P3"], ids=lambda p: PRINCIPAL_NAMES[p]
)
def test_canary_never_reaches_outsiders_of_a_through_member_pages(
    world, bridge, client_as, principal
):
    client = client_as(principal)
    leaks, crashes, answered = [], [], set()
    for url in fetchable(world, bridge, principal):
        response = client.get(url)
        if response.status_code >= 500:
            crashes.append(f"{url} → {response.status_code}")
        answered.add(response.status_code)
        if any(CANARY in text for text in _texts(response)):
            leaks.append(f"{url} ({response.status_code})")
    assert not crashes, crashes
    assert not leaks, f"{PRINCIPAL_NAMES[principal]} can read A's canary: {leaks}"
    if principal == "P3":
        # The list covered pages, files, 403 and 404 pages alike, and B's exports do
        # list Bruno (with his contact details, which he shows to everyone).
        assert {200, 403, 404} <= answered
        for kind in ("csv", "vcf"):
            export = client.get(f"/groups/bravo/members.{kind}").get_data(as_text=True)
            assert "Bruno Bridge" in export and bridge.email in export


def test_canary_test_can_see_a_leak(world, bridge, client_as):
    """A member of A does see it where it belongs: the test is not blind."""
    client = client_as("P2")
    profile = client.get(f"/members/{bridge.username}")
    assert CANARY in profile.get_data(as_text=True)
    client = client_as("P4")
    data = client.get(f"/members/{world.users['P4'].username}/data.zip")
    assert any(CANARY in text for text in _texts(data))


def _listed(client, query: str) -> list[str]:
    page = client.get(f"/members/?{query}")
    assert page.status_code == 200
    return re.findall(r'href="/members/([^"/?]+)"', page.get_data(as_text=True))


@pytest.mark.parametrize("principal", ["P1", "P3"], ids=lambda p: PRINCIPAL_NAMES[p])
def test_directory_filters_do_not_reveal_who_is_in_a(
    world, bridge, client_as, principal
):
    """Naming A in the filter answers exactly as naming a group that does not exist,
    and "chairs" lists only chairs of groups the viewer can see."""
    client = client_as(principal)
    for extra in ("", "&role=chair", "&role=member", "&q=Bridge", "&q=Paul"):
        assert _listed(client, f"group=alpha{extra}") == _listed(
            client, f"group=no-such-group{extra}"
        ), extra
    chairs = _listed(client, "role=chair")
    assert world.chair_b.username in chairs
    assert world.users["P4"].username not in chairs, "P4 chairs only private A"
    assert bridge.username not in chairs, "Bruno chairs A, and is a member of B"
    members_of_b_chairs = client.get("/groups/bravo/members?role=chair")
    assert bridge.display_name not in members_of_b_chairs.get_data(as_text=True)


def test_directory_filters_do_work_for_members_of_a(world, bridge, client_as):
    """The same filters, for a member of A: the listing differs, so the comparison
    above can fail."""
    client = client_as("P2")
    chairs = _listed(client, "group=alpha&role=chair")
    assert {world.users["P4"].username, bridge.username} <= set(chairs)
    assert world.chair_b.username not in chairs
    assert chairs != _listed(client, "group=no-such-group&role=chair")
