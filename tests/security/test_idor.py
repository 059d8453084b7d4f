"""IDOR: P3 (member of B only) aims every membership, invitation and request endpoint at
private group A, with the real ids and their neighbours: always 404, nothing changes.
Then everyone but the person aims the self-only profile endpoints (edit, photo, data,
erasure) at P2 and the usernames around it: always refused, database and storage folder
unchanged."""

import re
from io import BytesIO

import pytest
from sqlalchemy import select

from collab.auth.models import User
from collab.extensions import db
from collab.groups.models import Invitation, Membership
from tests.factories import PASSWORD
from tests.security.routes import (
    PRINCIPAL_NAMES,
    png_bytes,
    profile_form,
    snapshot,
    storage_snapshot,
)


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


# --- member profiles: self-only endpoints ---------------------------------------------


def target_usernames(world, attacker: User) -> list[str]:
    """P2, the usernames numbered next to P2's, the other people of A (its chair, a
    deactivated member, an applicant) and one that does not exist; never the
    attacker's own."""
    p2 = world.users["P2"].username
    stem, number = re.fullmatch(r"(.*?)(\d+)", p2).groups()
    names = [f"{stem}{int(number) + delta}" for delta in (-2, -1, 0, 1, 2, 1000)]
    names += [
        user.username
        for user in (
            world.users["P4"],
            world.users["P6"],
            world.extra_member,
            world.applicant,
        )
    ]
    return [name for name in dict.fromkeys(names) if name != attacker.username]


def profile_attacks(username: str) -> list[tuple[str, str, dict]]:
    base = f"/members/{username}"
    return [
        ("GET", f"{base}/edit", {}),
        (
            "POST",
            f"{base}/edit",
            profile_form("Hijacked Name", bio="pwned", website="https://evil.example"),
        ),
        ("POST", f"{base}/photo", {"photo": (BytesIO(png_bytes()), "x.png")}),
        ("POST", f"{base}/photo/remove", {}),
        ("GET", f"{base}/data.zip", {}),
        ("GET", f"{base}/erase", {}),
        # The attacker's own password, which is right for the attacker.
        ("POST", f"{base}/erase", {"password": PASSWORD}),
    ]


@pytest.mark.parametrize(
    "principal", ["P1", "P3", "P4"], ids=lambda p: PRINCIPAL_NAMES[p]
)
def test_nobody_edits_erases_or_downloads_another_persons_profile(
    world, client_as, storage_root, principal
):
    attacker = world.users[principal]
    usernames = target_usernames(world, attacker)
    assert world.users["P2"].username in usernames
    client = client_as(principal)
    before, files_before = snapshot(), storage_snapshot(storage_root)
    assert files_before, "P2's photo should be in the storage folder"
    wrong = []
    for username in usernames:
        for method, url, form in profile_attacks(username):
            response = (
                client.get(url) if method == "GET" else client.post(url, data=form)
            )
            if response.status_code not in (403, 404):
                wrong.append(f"{method} {url} → {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before
    assert storage_snapshot(storage_root) == files_before
    p2 = db.session.get(User, world.users["P2"].id)
    assert p2.erased_at is None and p2.profile.photo_key


def test_profile_neighbours_really_exist(world):
    """The username list reaches real accounts besides P2 (P1's, other people's)."""
    names = target_usernames(world, world.users["P3"])
    existing = set(db.session.scalars(select(User.username)))
    assert len(existing & set(names)) >= 5
    assert set(names) - existing, "one name should be unknown (→ 404)"
