"""Who may use the secretariat console: every /admin/ endpoint × every kind of person.

Anonymous visitors are sent to sign in, signed-in people who are not secretariat get
403 (even a chair, even for their own group), a deactivated secretariat still holding a
cookie is sent to sign in, and the secretariat gets the page or the action.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from collab.auth import services as auth_services
from collab.auth.models import User, UserSession
from collab.extensions import db
from collab.groups.models import Group, Membership
from collab.notifications.models import OutboxEmail
from tests import factories
from tests.admin.pages import count, fresh

GOOD_CSV = (
    "email,name,country,organisation,position,group,role\n"
    "new.person@gov.example,New Person,PT,AMA,Director,{slug},member\n"
)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # with {slug} and {user_id} placeholders
    data: dict | None  # form sent with a POST
    allowed_status: int  # what the secretariat gets

    def __str__(self):
        return f"{self.method} {self.path}"


ENDPOINTS = [
    Endpoint("GET", "/admin/", None, 200),
    Endpoint("GET", "/admin/groups/new", None, 200),
    Endpoint(
        "POST",
        "/admin/groups/new",
        {
            "name": "Cloud Policy",
            "slug": "cloud-policy",
            "description": "",
            "visibility": "public",
            "join_policy": "request",
        },
        302,
    ),
    Endpoint("GET", "/admin/groups/{slug}/edit", None, 200),
    Endpoint(
        "POST",
        "/admin/groups/{slug}/edit",
        {
            "name": "Renamed",
            "slug": "{slug}",
            "description": "New remit",
            "visibility": "private",
            "join_policy": "invite",
        },
        302,
    ),
    Endpoint("POST", "/admin/groups/{slug}/archive", {}, 302),
    Endpoint("POST", "/admin/groups/{slug}/unarchive", {}, 302),
    Endpoint("GET", "/admin/people", None, 200),
    Endpoint("POST", "/admin/people/{user_id}/deactivate", {}, 302),
    Endpoint("POST", "/admin/people/{user_id}/reactivate", {}, 302),
    Endpoint("POST", "/admin/people/{user_id}/end-sessions", {}, 302),
    Endpoint("POST", "/admin/people/{user_id}/reset-2fa", {}, 302),
    Endpoint("GET", "/admin/import", None, 200),
    Endpoint("POST", "/admin/import", {"text": GOOD_CSV}, 200),
    Endpoint("POST", "/admin/import/apply", {"text": GOOD_CSV}, 302),
    Endpoint("GET", "/admin/memberships.csv", None, 200),
    Endpoint("GET", "/admin/audit", None, 200),
]

PRINCIPALS = [
    "anonymous",
    "outsider",
    "member",
    "chair",
    "deactivated_secretariat",
    "secretariat",
]
EXPECTED = {
    "anonymous": "sign-in",
    "outsider": 403,
    "member": 403,
    "chair": 403,
    "deactivated_secretariat": "sign-in",
    "secretariat": "allowed",
}


@dataclass
class World:
    group: Group
    target: User
    clients: dict


@pytest.fixture
def world(app, login):
    chair = factories.make_user("Chiara Chair")
    member = factories.make_user("Mihai Member")
    outsider = factories.make_user("Olga Outsider")
    target = factories.make_user("Tomas Target")
    group = factories.make_group(
        "Digital Identity",
        slug="digital-identity",
        chair=chair,
        members=(member, target),
    )
    secretariat = factories.make_user("Sofia Secretariat", is_secretariat=True)
    former = factories.make_user("Fred Former", is_secretariat=True)
    clients = {
        "anonymous": app.test_client(),
        "outsider": login(outsider),
        "member": login(member),
        "chair": login(chair),
        "deactivated_secretariat": login(former),
        "secretariat": login(secretariat),
    }
    auth_services.set_active(former, False, actor=secretariat)
    db.session.commit()
    return World(group=group, target=target, clients=clients)


def _fill(value, world: World):
    if isinstance(value, str):
        return value.format(slug=world.group.slug, user_id=world.target.id)
    return value


def _send(client, endpoint: Endpoint, world: World):
    path = _fill(endpoint.path, world)
    if endpoint.method == "GET":
        return client.get(path)
    data = {key: _fill(value, world) for key, value in endpoint.data.items()}
    return client.post(path, data=data)


def _snapshot(world: World) -> tuple:
    """What a forbidden request must leave exactly as it was."""
    group, target = fresh(world.group), fresh(world.target)
    return (
        count(User),
        count(Group),
        count(Membership),
        count(OutboxEmail),
        group.name,
        group.slug,
        group.visibility,
        group.is_archived,
        target.is_active,
        _live_sessions(target),
    )


def _live_sessions(user: User) -> int:
    return count(
        UserSession, UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_console_endpoint_by_principal(world, endpoint, principal):
    client = world.clients[principal]
    before = _snapshot(world)

    response = _send(client, endpoint, world)

    expected = EXPECTED[principal]
    if expected == "sign-in":
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/auth/sign-in"
        assert _snapshot(world) == before
    elif expected == 403:
        assert response.status_code == 403
        assert _snapshot(world) == before
    else:
        assert response.status_code == endpoint.allowed_status, response.get_data(
            as_text=True
        )
        if response.status_code == 302:
            assert urlsplit(response.headers["Location"]).path != "/auth/sign-in"


def test_chair_cannot_edit_their_own_group_through_the_console(world):
    response = world.clients["chair"].post(
        f"/admin/groups/{world.group.slug}/edit",
        data={
            "name": "Taken over",
            "slug": world.group.slug,
            "visibility": "public",
            "join_policy": "open",
        },
    )

    assert response.status_code == 403
    assert fresh(world.group).name == "Digital Identity"


def test_console_link_is_shown_to_the_secretariat_only(world):
    assert 'href="/admin/"' in world.clients["secretariat"].get("/").get_data(
        as_text=True
    )
    assert 'href="/admin/"' not in world.clients["chair"].get("/").get_data(
        as_text=True
    )


def test_every_console_route_and_method_is_in_the_table(app):
    """A new /admin/ route (or a new action of an existing one) must be added above."""
    adapter = app.url_map.bind("collab.test")
    covered = set()
    for endpoint in ENDPOINTS:
        path = endpoint.path.format(slug="some-group", user_id=1)
        name, args = adapter.match(path, method=endpoint.method)
        covered.add((name, endpoint.method, args.get("action")))

    required = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        actions = [None]
        converter = rule._converters.get("action")
        if converter is not None:
            actions = sorted(converter.items)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for action in actions:
                required.add((rule.endpoint, method, action))

    assert required - covered == set()
