"""IDOR: P3 (member of B only) aims every membership, invitation and request endpoint at
private group A, with the real ids and their neighbours: always 404, nothing changes."""

import pytest
from sqlalchemy import select

from collab.extensions import db
from collab.groups.models import Invitation, Membership
from tests.security.routes import PRINCIPAL_NAMES, snapshot


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
