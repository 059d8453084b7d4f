"""The directory: search, filters, paging and order; the group member page shares it;
its query count does not grow with the people listed."""

import random
import re

import pytest
from sqlalchemy import event

from collab.extensions import db
from collab.members import services as member_services
from tests import factories
from tests.members.helpers import listed_names, select_options, set_profile, text_of


@pytest.fixture
def people():
    """A small directory; returns the people by first name."""
    make = factories.make_user
    found = {
        "kadri": make(
            "Kadri Tamm",
            country="EE",
            organisation="Information System Authority",
            timezone="Europe/Tallinn",
        ),
        "park": make(
            "Park Min-jun",
            country="KR",
            organisation="Ministry of the Interior and Safety",
            timezone="Asia/Seoul",
        ),
        "laura": make(
            "Laura García",
            country="ES",
            organisation="Secretariat-General for Digital Administration",
        ),
        "mikko": make(
            "Mikko Virtanen",
            country="FI",
            organisation="Digital and Population Data Services Agency",
        ),
        "ingrid": make("Ingrid Larsen", country="DK", organisation="Styrelsen for It"),
    }
    set_profile(found["kadri"], expertise=("eID", "Identity Wallets"))
    set_profile(found["park"], expertise=("mobile ID", "verifiable credentials"))
    set_profile(found["laura"], expertise=("eIDAS",))
    set_profile(found["mikko"], expertise=("X-Road", "data exchange"))
    return found


@pytest.fixture
def viewer(login):
    user = factories.make_user("Vera Viewer", country="FR", organisation="OECD")
    return user, login(user)


def names(client, url, **args) -> list[str]:
    response = client.get(url, query_string=args)
    assert response.status_code == 200
    return listed_names(text_of(response))


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("kadri", ["Kadri Tamm"]),
        ("TAMM", ["Kadri Tamm"]),
        ("min-JUN", ["Park Min-jun"]),
        ("garcía", ["Laura García"]),
        ("information system", ["Kadri Tamm"]),
        ("MINISTRY", ["Park Min-jun"]),
        ("digital", ["Laura García", "Mikko Virtanen"]),
        ("wallets", ["Kadri Tamm"]),
        ("X-ROAD", ["Mikko Virtanen"]),
        ("eid", ["Kadri Tamm", "Laura García"]),
        ("kadri wallets", ["Kadri Tamm"]),
        ("kadri x-road", []),
    ],
)
def test_search_by_name_organisation_or_expertise_ignores_case(
    people, viewer, q, expected
):
    _, client = viewer
    assert names(client, "/members/", q=q) == expected


@pytest.mark.parametrize(
    ("name", "q"),
    [
        ("Émile Durand", "émile"),
        ("Øyvind Berg", "øyvind"),
        ("Zoë Brønsted-Ñúñez", "ÑÚÑEZ"),
        ("Ömer Yılmaz", "ömer"),
    ],
    ids=["E-acute", "O-stroke", "N-tilde-upper-query", "O-umlaut"],
)
def test_search_ignores_case_of_accented_letters_too(viewer, name, q):
    _, client = viewer
    factories.make_user(name)
    assert names(client, "/members/", q=q) == [name]


def test_search_shows_what_was_searched_and_says_when_nobody_matches(people, viewer):
    _, client = viewer
    page = text_of(client.get("/members/?q=nobody-like-this"))
    assert 'value="nobody-like-this"' in page
    assert "Nobody matches these filters." in page
    assert "0 people" in page


def test_filter_by_country(people, viewer):
    _, client = viewer
    factories.make_user("Kristjan Kask", country="EE")
    assert names(client, "/members/", country="EE") == ["Kadri Tamm", "Kristjan Kask"]
    assert names(client, "/members/", country="ee") == ["Kadri Tamm", "Kristjan Kask"]
    assert names(client, "/members/", country="EE", q="kask") == ["Kristjan Kask"]
    page = text_of(client.get("/members/?country=EE"))
    assert '<option value="EE" selected>Estonia</option>' in page


def test_group_filter_offers_only_groups_the_viewer_may_see(people, viewer):
    me, client = viewer
    mine = factories.make_group("Mine Private", slug="mine", visibility="private")
    factories.add_member(mine, me)
    factories.make_group("Open Public", slug="open-public")
    factories.make_group("Their Private", slug="theirs", visibility="private")
    factories.make_group("Old Public", slug="old-public", archived=True)
    offered = select_options(text_of(client.get("/members/")), "group")
    assert offered == ["", "mine", "open-public"]


def test_filter_by_group_and_role(people, viewer):
    me, client = viewer
    identity = factories.make_group(
        "Digital Identity",
        slug="identity",
        chair=people["kadri"],
        members=(people["laura"], people["ingrid"]),
        observers=(people["park"],),
    )
    factories.make_group("Digital Services", slug="services", chair=people["mikko"])
    factories.add_member(identity, people["mikko"], status="pending")
    assert names(client, "/members/", group="identity") == [
        "Ingrid Larsen",
        "Kadri Tamm",
        "Laura García",
        "Park Min-jun",
    ]
    assert names(client, "/members/", group="identity", role="chair") == ["Kadri Tamm"]
    assert names(client, "/members/", group="identity", role="observer") == [
        "Park Min-jun"
    ]
    assert names(client, "/members/", role="chair") == ["Kadri Tamm", "Mikko Virtanen"]
    assert names(client, "/members/", group="identity", q="garcía") == ["Laura García"]
    # An unknown role is ignored rather than listing nobody.
    assert len(names(client, "/members/", role="admin")) == 6


def test_private_group_filter_works_for_its_members(people, login):
    closed = factories.make_group(
        "Closed", slug="closed", visibility="private", members=(people["park"],)
    )
    factories.add_member(closed, people["kadri"], role=factories.Role.CHAIR)
    client = login(people["park"])
    assert names(client, "/members/", group="closed") == ["Kadri Tamm", "Park Min-jun"]


def test_directory_is_sorted_by_name(viewer):
    _, client = viewer
    wanted = [
        "Aroha Ngata",
        "Emily Clarke",
        "Ingrid Larsen",
        "Jan de Vries",
        "Marc Tremblay",
        "Sarah Thompson",
        "Tanaka Yuki",
        "Vera Viewer",
        "Yuki Abe",
    ]
    shuffled = [n for n in wanted if n != "Vera Viewer"]
    random.Random(7).shuffle(shuffled)
    for name in shuffled:
        factories.make_user(name)
    assert names(client, "/members/") == wanted


def test_accented_and_lowercase_initials_sort_among_the_others(viewer):
    """Readers expect Émile between Anna and Zoltan, as in any printed list."""
    _, client = viewer
    for name in ("Zoltan Kiss", "Émile Durand", "anna bell", "Óscar Ruiz", "Bram Smit"):
        factories.make_user(name)
    assert names(client, "/members/") == [
        "anna bell",
        "Bram Smit",
        "Émile Durand",
        "Óscar Ruiz",
        "Vera Viewer",
        "Zoltan Kiss",
    ]


def test_pagination_shows_25_people_per_page(viewer):
    _, client = viewer
    for n in range(30):
        factories.make_user(f"Member {n:02d}", country="EE")
    first = text_of(client.get("/members/"))
    second = text_of(client.get("/members/?page=2"))
    page1, page2 = listed_names(first), listed_names(second)
    assert len(page1) == 25 and len(page2) == 6
    assert page1 + page2 == sorted(page1 + page2)
    assert "31 people" in first and "31 people" in second
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert 'href="/members/?page=2" rel="next"' in first
    assert 'rel="prev"' in second
    assert listed_names(text_of(client.get("/members/?page=3"))) == []


def test_pagination_keeps_the_filters(viewer):
    _, client = viewer
    for n in range(27):
        factories.make_user(f"Estonian {n:02d}", country="EE")
    factories.make_user("Someone Else", country="FI")
    page = text_of(client.get("/members/?country=EE"))
    assert "27 people" in page
    next_link = re.search(r'href="([^"]+)" rel="next"', page).group(1)
    assert "country=EE" in next_link and "page=2" in next_link
    second = listed_names(text_of(client.get(next_link.replace("&amp;", "&"))))
    assert second == ["Estonian 25", "Estonian 26"]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999", "99999999999999999999"])
@pytest.mark.parametrize("url", ["/members/", "/groups/identity/members"])
def test_odd_page_numbers_are_not_a_server_error(identity, people, login, url, page):
    response = login(people["kadri"]).get(url, query_string={"page": page})
    assert response.status_code in (200, 404)


def test_deactivated_and_erased_people_are_not_listed(people, viewer, login):
    _, client = viewer
    gone = factories.make_user("Dora Deactivated", country="EE")
    gone.is_active = False
    erased = factories.make_user("Erwin Erased", country="EE")
    member_services.erase_account(erased, erased)
    db.session.commit()
    page = text_of(client.get("/members/"))
    listed = listed_names(page)
    assert "Dora Deactivated" not in listed and "Erwin Erased" not in listed
    assert "Former member" not in listed
    assert "Dora Deactivated" not in page and "Former member" not in page
    assert names(client, "/members/", country="EE") == ["Kadri Tamm"]
    assert names(client, "/members/", q="Former") == []


def test_deactivated_and_erased_members_are_not_on_the_group_page(people, login):
    group = factories.make_group(chair=people["kadri"], members=(people["park"],))
    gone = factories.make_user("Dora Deactivated")
    factories.add_member(group, gone)
    gone.is_active = False
    db.session.commit()
    page = text_of(login(people["kadri"]).get(f"/groups/{group.slug}/members"))
    assert listed_names(page) == ["Kadri Tamm", "Park Min-jun"]


# --- a group's member page uses the same listing ---------------------------------


@pytest.fixture
def identity(people):
    return factories.make_group(
        "Digital Identity",
        slug="identity",
        chair=people["kadri"],
        members=(people["laura"], people["mikko"]),
        observers=(people["park"],),
    )


def test_group_member_page_lists_members_with_role_and_expertise(
    people, identity, login
):
    page = text_of(login(people["laura"]).get("/groups/identity/members"))
    assert listed_names(page) == [
        "Kadri Tamm",
        "Laura García",
        "Mikko Virtanen",
        "Park Min-jun",
    ]
    assert "4 members" in page
    assert '<table class="stack people-table">' in page
    for shown in ("Estonia", "Identity Wallets", "Chair", "Observer", "X-Road"):
        assert shown in page
    assert "Ingrid Larsen" not in page


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"q": "virtanen"}, ["Mikko Virtanen"]),
        ({"q": "WALLETS"}, ["Kadri Tamm"]),
        ({"country": "KR"}, ["Park Min-jun"]),
        ({"role": "chair"}, ["Kadri Tamm"]),
        ({"role": "member"}, ["Laura García", "Mikko Virtanen"]),
        ({"role": "member", "q": "digital"}, ["Laura García", "Mikko Virtanen"]),
        ({"role": "observer", "country": "EE"}, []),
    ],
)
def test_group_member_page_has_the_directory_filters(
    people, identity, login, args, expected
):
    client = login(people["laura"])
    assert names(client, "/groups/identity/members", **args) == expected


def test_group_member_page_of_an_archived_group_still_lists_its_members(
    people, identity, login
):
    identity.is_archived = True
    db.session.commit()
    response = login(people["laura"]).get("/groups/identity/members")
    assert response.status_code == 200
    assert listed_names(text_of(response)) == [
        "Kadri Tamm",
        "Laura García",
        "Mikko Virtanen",
        "Park Min-jun",
    ]


def test_secretariat_sees_members_of_a_private_group_it_is_not_in(people, login):
    factories.make_group(
        "Closed", slug="closed", visibility="private", members=(people["park"],)
    )
    secretariat = factories.make_user("Sam Secretariat", is_secretariat=True)
    client = login(secretariat)
    assert names(client, "/groups/closed/members") == ["Park Min-jun"]
    assert names(client, "/members/", group="closed") == ["Park Min-jun"]


# --- the number of queries does not grow with the people listed ------------------


def _queries_for(client, url: str) -> int:
    seen = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def _add_people(group, n: int) -> None:
    for i in range(n):
        user = factories.make_user(f"Extra {i:02d}", country="EE")
        set_profile(user, expertise=("eID", f"topic {i}"), languages=("et",))
        factories.add_member(group, user)


@pytest.mark.parametrize(
    "url", ["/members/", "/members/?group=identity&role=member&country=EE"]
)
def test_directory_query_count_does_not_grow_with_people_listed(
    people, identity, login, url
):
    client = login(people["kadri"])
    _add_people(identity, 2)
    few = _queries_for(client, url)
    _add_people(identity, 20)
    page = text_of(client.get(url))
    assert len(listed_names(page)) >= 20
    assert _queries_for(client, url) == few
