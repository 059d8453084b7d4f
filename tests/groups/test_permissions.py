"""The group rules, role by role, as a table."""

import pytest

from collab.core.permissions import Role, can_view_group, role_in
from collab.groups import permissions as rules
from tests import factories

ROLES = ["secretariat", "chair", "member", "observer", "outsider"]


@pytest.fixture
def people():
    users = {
        role: factories.make_user(role.title(), is_secretariat=role == "secretariat")
        for role in ROLES
    }
    return users


def make(people, **options):
    return factories.make_group(
        chair=people["chair"],
        members=(people["member"],),
        observers=(people["observer"],),
        **options,
    )


def membership(group, user):
    from collab.groups.services import get_membership_of

    return get_membership_of(user, group)


VIEW_PRIVATE = {
    "secretariat": True,
    "chair": True,
    "member": True,
    "observer": True,
    "outsider": False,
}
MANAGE = {
    "secretariat": True,
    "chair": True,
    "member": False,
    "observer": False,
    "outsider": False,
}
INVITE_CHAIR = {
    "secretariat": True,
    "chair": False,
    "member": False,
    "observer": False,
    "outsider": False,
}


@pytest.mark.parametrize("role", ROLES)
def test_view_private_group(people, role):
    group = make(people, visibility="private")
    assert can_view_group(people[role], group) is VIEW_PRIVATE[role]


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_views_a_public_group(people, role):
    assert can_view_group(people[role], make(people)) is True


@pytest.mark.parametrize("role", ROLES)
def test_manage_members(people, role):
    assert rules.can_manage_members(people[role], make(people)) is MANAGE[role]


@pytest.mark.parametrize("role", ROLES)
def test_nobody_manages_an_archived_group(people, role):
    assert rules.can_manage_members(people[role], make(people, archived=True)) is False


@pytest.mark.parametrize("role", ROLES)
def test_invite_members_and_chairs(people, role):
    group = make(people)
    assert rules.can_invite(people[role], group, Role.MEMBER) is MANAGE[role]
    assert rules.can_invite(people[role], group, Role.CHAIR) is INVITE_CHAIR[role]


def test_chair_changes_members_but_not_other_chairs(people):
    group = make(people)
    co_chair = factories.make_user("Co-chair")
    factories.add_member(group, co_chair, Role.CHAIR)
    assert rules.can_change_membership(
        people["chair"], membership(group, people["member"])
    )
    assert rules.can_change_membership(
        people["chair"], membership(group, people["observer"])
    )
    assert not rules.can_change_membership(people["chair"], membership(group, co_chair))
    assert rules.can_change_membership(
        people["secretariat"], membership(group, co_chair)
    )
    assert not rules.can_change_membership(
        people["member"], membership(group, people["observer"])
    )


@pytest.mark.parametrize(
    ("policy", "visibility", "join", "ask"),
    [
        ("open", "public", True, False),
        ("request", "public", False, True),
        ("invite", "public", False, False),
        ("open", "private", False, False),
    ],
)
def test_outsider_joins_or_requests_by_policy(people, policy, visibility, join, ask):
    group = make(people, join_policy=policy, visibility=visibility)
    assert rules.can_join(people["outsider"], group) is join
    assert rules.can_request_to_join(people["outsider"], group) is ask
    assert not rules.can_join(people["member"], group)
    assert not rules.can_request_to_join(people["member"], group)


def test_secretariat_acts_as_chair_everywhere(people):
    group = make(people, visibility="private")
    assert role_in(people["secretariat"], group) == Role.CHAIR
    assert role_in(people["outsider"], group) is None


def test_pending_request_gives_no_role(people):
    group = make(people)
    factories.add_member(group, people["outsider"], status="pending")
    assert role_in(people["outsider"], group) is None
    assert rules.can_leave(people["outsider"], group)
