"""Who sees a person's e-mail and phone, and private memberships never shown to
outsiders (the canary)."""

import csv
import io
import zipfile

import pytest
import vobject

from tests import factories
from tests.members.conftest import CANARY, CANARY_SLUG
from tests.members.helpers import listed_names, select_options, set_profile, text_of

EMAIL = "xenia.kallas@ria.example"
PHONE = "+372 5555 0101"
PHONE_DIGITS = "5555 0101"

# Who may see Xenia's contact details, per her setting. "self" is Xenia; P2 shares
# group A with her, P4 chairs it; P3 is in group B only; P1 is in no group.
SEES = {
    "secretariat": {"self", "P5"},
    "groups": {"self", "P2", "P4", "P5"},
    "everyone": {"self", "P2", "P4", "P3", "P1", "P5"},
}
VIEWERS = ["self", "P2", "P4", "P3", "P1", "P5", "P0", "P6"]
MATRIX = [(setting, viewer) for setting in SEES for viewer in VIEWERS]
IDS = [f"{setting}-{viewer}" for setting, viewer in MATRIX]
# Group A (public) exports: its members and chair, and the secretariat.
EXPORT_STATUS = {
    "self": 200,
    "P2": 200,
    "P4": 200,
    "P5": 200,
    "P3": 403,
    "P1": 403,
    "P0": 302,
    "P6": 302,
}


def _xenia_chooses(world, setting, phone_setting=None):
    set_profile(
        world.xenia,
        phone=PHONE,
        email_visibility=setting,
        phone_visibility=phone_setting or setting,
    )


@pytest.mark.parametrize(("setting", "viewer"), MATRIX, ids=IDS)
def test_profile_page_shows_email_and_phone_only_to_whom_the_person_chose(
    world, browser, setting, viewer
):
    _xenia_chooses(world, setting)
    response = browser(viewer).get(f"/members/{world.xenia.username}")
    page = text_of(response)
    expected = viewer in SEES[setting]
    if viewer in ("P0", "P6"):
        assert response.status_code == 302
        assert "/auth/sign-in" in response.headers["Location"]
    else:
        assert response.status_code == 200
        assert "Xenia Kallas" in page
    assert (EMAIL in page) is expected
    assert (PHONE in page) is expected


@pytest.mark.parametrize(("setting", "viewer"), MATRIX, ids=IDS)
def test_directory_never_shows_email_or_phone_beyond_the_persons_choice(
    world, browser, setting, viewer
):
    _xenia_chooses(world, setting)
    response = browser(viewer).get("/members/?q=Xenia")
    page = text_of(response)
    if viewer in ("P0", "P6"):
        assert response.status_code == 302
    else:
        assert listed_names(page) == ["Xenia Kallas"]
    if viewer not in SEES[setting]:
        assert EMAIL not in page
        assert PHONE_DIGITS not in page


def _csv_row_of_xenia(body: str) -> dict:
    rows = list(csv.DictReader(io.StringIO(body)))
    [row] = [r for r in rows if r["name"] == "Xenia Kallas"]
    return row


@pytest.mark.parametrize(("setting", "viewer"), MATRIX, ids=IDS)
def test_group_csv_export_applies_the_persons_choice(world, browser, setting, viewer):
    _xenia_chooses(world, setting)
    response = browser(viewer).get(f"/groups/{world.group_a.slug}/members.csv")
    assert response.status_code == EXPORT_STATUS[viewer]
    body = text_of(response)
    if response.status_code != 200:
        assert EMAIL not in body and PHONE_DIGITS not in body
        return
    row = _csv_row_of_xenia(body)
    expected = viewer in SEES[setting]
    assert (row["email"] == EMAIL) is expected
    assert (PHONE_DIGITS in row["phone"]) is expected
    assert (EMAIL in body) is expected and (PHONE_DIGITS in body) is expected


@pytest.mark.parametrize(("setting", "viewer"), MATRIX, ids=IDS)
def test_group_vcard_export_applies_the_persons_choice(world, browser, setting, viewer):
    _xenia_chooses(world, setting)
    response = browser(viewer).get(f"/groups/{world.group_a.slug}/members.vcf")
    assert response.status_code == EXPORT_STATUS[viewer]
    body = text_of(response)
    if response.status_code != 200:
        assert EMAIL not in body and PHONE_DIGITS not in body
        return
    [card] = [c for c in vobject.readComponents(body) if c.fn.value == "Xenia Kallas"]
    expected = viewer in SEES[setting]
    assert ("email" in card.contents) is expected
    assert ("tel" in card.contents) is expected
    if expected:
        assert card.email.value == EMAIL and card.tel.value == PHONE
    assert (EMAIL in body) is expected and (PHONE_DIGITS in body) is expected


def test_email_and_phone_settings_are_independent(world, browser):
    _xenia_chooses(world, "everyone", phone_setting="secretariat")
    page = text_of(browser("P1").get(f"/members/{world.xenia.username}"))
    assert EMAIL in page and PHONE not in page


def test_without_a_profile_email_is_shown_to_group_members_only(world, browser):
    assert world.xenia.profile is None
    co_member = text_of(browser("P2").get(f"/members/{world.xenia.username}"))
    stranger = text_of(browser("P3").get(f"/members/{world.xenia.username}"))
    assert EMAIL in co_member
    assert EMAIL not in stranger


def test_a_pending_request_does_not_make_someone_a_co_member(world, browser):
    _xenia_chooses(world, "groups")
    factories.add_member(world.group_a, world.users["P3"], status="pending")
    page = text_of(browser("P3").get(f"/members/{world.xenia.username}"))
    assert EMAIL not in page and PHONE not in page


# --- private memberships: the canary ----------------------------------------------


def _reachable_pages(world, me) -> list[str]:
    """Everything an outsider can fetch that might mention Xenia or her groups."""
    x, q, a = world.xenia.username, world.quiet.username, world.group_a.slug
    return [
        "/",
        "/groups/",
        "/members/",
        f"/members/{x}",
        f"/members/{q}",
        "/members/?q=Procurement",
        "/members/?role=chair",
        f"/groups/{a}/",
        f"/groups/{a}/members",
        f"/groups/{a}/members?role=chair",
        f"/groups/{a}/members.csv",
        f"/groups/{a}/members.vcf",
        "/groups/digital-services/members",
        "/groups/digital-services/members.csv",
        "/groups/digital-services/members.vcf",
        "/members/?q=Xenia",
        f"/members/{me.username}",
        f"/members/{me.username}/edit",
        f"/members/{me.username}/data.zip",
        f"/groups/{CANARY_SLUG}/",
        f"/groups/{CANARY_SLUG}/members",
        f"/groups/{CANARY_SLUG}/members.csv",
        f"/groups/{CANARY_SLUG}/members.vcf",
    ]


@pytest.mark.parametrize("outsider", ["P1", "P3"])
def test_private_group_name_appears_nowhere_an_outsider_can_look(
    world, browser, outsider
):
    _xenia_chooses(world, "everyone")
    client = browser(outsider)
    me = world.users[outsider]
    pages = _reachable_pages(world, me) + [
        f"/members/?group={CANARY_SLUG}",
        f"/members/?group={CANARY_SLUG}&role=chair",
    ]
    leaks = {}
    for url in pages:
        response = client.get(url)
        body = response.get_data()
        if url.endswith("data.zip") and response.status_code == 200:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                body = b"".join(archive.read(n) for n in archive.namelist())
        text = body.decode("utf-8", "replace").lower()
        found = text.count(CANARY.lower())
        if CANARY_SLUG not in url:
            found += text.count(CANARY_SLUG)
        if found:
            leaks[url] = found
    assert leaks == {}
    for url in (f"/groups/{CANARY_SLUG}/", f"/groups/{CANARY_SLUG}/members.csv"):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("outsider", ["P1", "P3"])
def test_outsider_cannot_filter_the_directory_by_a_private_group(
    world, browser, outsider
):
    client = browser(outsider)
    everyone = listed_names(text_of(client.get("/members/")))
    by_canary = text_of(client.get(f"/members/?group={CANARY_SLUG}"))
    assert CANARY_SLUG not in select_options(by_canary, "group")
    assert listed_names(by_canary) == everyone
    assert "Quentin Quiet" in everyone and "Pia Noone" in everyone

    chairs = listed_names(text_of(client.get("/members/?role=chair")))
    canary_chairs = listed_names(
        text_of(client.get(f"/members/?group={CANARY_SLUG}&role=chair"))
    )
    assert canary_chairs == chairs
    # Xenia chairs only the private group: an outsider must not learn she is a chair.
    assert "Xenia Kallas" not in canary_chairs
    assert "Priya Chair" in canary_chairs


@pytest.mark.parametrize("insider", ["self", "P5"])
def test_canary_is_seen_by_those_allowed_to_see_it(world, browser, insider):
    """The control for the canary tests: the search would find a leak."""
    client = browser(insider)
    assert CANARY in text_of(client.get(f"/members/{world.xenia.username}"))
    page = text_of(client.get(f"/members/?group={CANARY_SLUG}&role=chair"))
    assert CANARY_SLUG in select_options(page, "group")
    assert listed_names(page) == ["Xenia Kallas"]


def test_profile_lists_public_groups_to_outsiders_but_not_private_ones(world, browser):
    page = text_of(browser("P3").get(f"/members/{world.xenia.username}"))
    assert "Digital Identity" in page
    assert CANARY not in page


# --- search matches only what the viewer may see ------------------------------------


@pytest.mark.parametrize("viewer", ["P1", "P2", "P5", "self"])
@pytest.mark.parametrize("term", [EMAIL, "xenia.kallas", "ria.example", PHONE_DIGITS])
def test_directory_search_does_not_match_email_or_phone(world, browser, viewer, term):
    _xenia_chooses(world, "everyone")
    page = text_of(browser(viewer).get("/members/", query_string={"q": term}))
    assert listed_names(page) == []
    assert "Nobody matches these filters." in page


@pytest.mark.parametrize("viewer", ["P1", "P3"])
def test_directory_search_does_not_match_private_group_names(world, browser, viewer):
    page = text_of(browser(viewer).get("/members/", query_string={"q": CANARY}))
    assert listed_names(page) == []
