"""The world the security tests run in, and a client for each principal P0–P6.

Group A is private (P2 member, P4 chair, a pending request, two invitations), group B is
public and takes requests (P3 member), a third group is open to anyone who joins. P2
has a profile photo; each test has a storage folder of its own.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

from collab.auth.models import User
from collab.auth.services import issue_password_token
from collab.core.permissions import Role
from collab.core.storage import LocalStorage
from collab.extensions import db
from collab.groups import services as group_services
from collab.groups.models import Group, Invitation, Membership
from collab.members import services as member_services
from collab.notifications.models import OutboxEmail
from tests import factories
from tests.security.routes import CANARY, png_bytes


@dataclass
class World:
    users: dict[str, User]  # "P1".."P6"
    group_a: Group
    group_b: Group
    group_open: Group
    chair_b: User
    extra_member: User  # a plain member of A: the target of role changes and removals
    extra_membership: Membership
    applicant: User  # has a pending request to join A
    pending: Membership
    outsider: User  # in no group; target of secretariat actions and password links
    invitation: Invitation  # to A, for an address without an account
    invitation_token: str
    invitation_p1: Invitation  # to A, for P1's address
    invitation_p1_token: str
    reset_token: str
    setup_token: str


def _invite(actor, group, email) -> tuple[Invitation, str]:
    invitation = group_services.invite(actor, group, email, Role.MEMBER)
    db.session.commit()
    body = db.session.scalars(
        select(OutboxEmail.body_text).where(OutboxEmail.to_addr == email)
    ).all()[-1]
    return invitation, re.search(r"/auth/invitations/([\w-]+)", body).group(1)


@pytest.fixture(autouse=True)
def storage_root(app, tmp_path, monkeypatch) -> Path:
    """A storage folder per test: uploads never land in instance/, and a test can
    compare the folder before and after."""
    root = tmp_path / "storage"
    root.mkdir()
    monkeypatch.setitem(app.extensions, "collab_storage", LocalStorage(str(root)))
    return root


@pytest.fixture
def world(app, storage_root) -> World:
    make = factories.make_user
    users = {
        "P1": make("Pia Noone"),
        "P2": make("Paul Member"),
        "P3": make("Petra Bravo"),
        "P4": make("Priya Chair"),
        "P5": make("Sam Secretariat", is_secretariat=True),
        "P6": make("Dan Deactivated"),
    }
    chair_b, extra = make("Bea Chair"), make("Ed Extra")
    applicant, outsider = make("Ada Applicant"), make("Otto Outsider")
    group_a = factories.make_group(
        f"Digital Identity {CANARY}",
        slug="alpha",
        visibility="private",
        chair=users["P4"],
        members=(users["P2"], extra, users["P6"]),
    )
    group_b = factories.make_group(
        "Digital Services", slug="bravo", chair=chair_b, members=(users["P3"],)
    )
    group_open = factories.make_group(
        "Open Data", slug="open-data", join_policy="open", chair=chair_b
    )
    pending = factories.add_member(group_a, applicant, Role.MEMBER, status="pending")
    pending.message = "I run the national eID programme."
    db.session.commit()
    extra_membership = db.session.scalar(
        select(Membership).where(
            Membership.user_id == extra.id, Membership.group_id == group_a.id
        )
    )
    invitation, token = _invite(users["P4"], group_a, "newcomer@gov.example")
    invitation_p1, token_p1 = _invite(users["P4"], group_a, users["P1"].email)
    reset = issue_password_token(outsider, "reset", current_app.config["RESET_TTL"])
    setup = issue_password_token(outsider, "setup", current_app.config["SETUP_TTL"])
    member_services.set_photo(users["P2"], users["P2"], png_bytes())
    db.session.commit()
    return World(
        users=users,
        group_a=group_a,
        group_b=group_b,
        group_open=group_open,
        chair_b=chair_b,
        extra_member=extra,
        extra_membership=extra_membership,
        applicant=applicant,
        pending=pending,
        outsider=outsider,
        invitation=invitation,
        invitation_token=token,
        invitation_p1=invitation_p1,
        invitation_p1_token=token_p1,
        reset_token=reset,
        setup_token=setup,
    )


@pytest.fixture
def client_as(app, login, world):
    """``client_as("P4")`` → a client acting as that principal."""

    def _client_as(principal: str):
        if principal == "P0":
            return app.test_client()
        user = world.users[principal]
        client = login(user)
        if principal == "P6":
            # Deactivated behind the app's back: the session row is still valid.
            user.is_active = False
            db.session.commit()
        return client

    return _client_as
