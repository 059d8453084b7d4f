"""The people every member-profile test needs, a browser for each, and a storage
folder of the test's own.

Principals (SECURITY.md): P0 anonymous, P1 signed in with no groups, P2 member of
group A, P3 member of group B only, P4 chair of A, P5 secretariat, P6 deactivated
member of A still holding a cookie. "Xenia" is the person being looked at: a member of
A and chair of a private group whose name carries a canary.
"""

from dataclasses import dataclass

import pytest

from collab.auth.models import User
from collab.core.storage import LocalStorage
from collab.extensions import db
from collab.groups.models import Group
from tests import factories

CANARY = "Canary-7f3a"
CANARY_GROUP = f"{CANARY} Procurement"
CANARY_SLUG = "restricted-bids"


@pytest.fixture(autouse=True)
def storage_folder(app, tmp_path):
    """Photos go to a temporary folder, never the repository's instance/."""
    saved = app.extensions["collab_storage"]
    app.extensions["collab_storage"] = LocalStorage(str(tmp_path / "files"))
    yield tmp_path / "files"
    app.extensions["collab_storage"] = saved


@dataclass
class World:
    xenia: User  # the person whose details are looked at
    users: dict[str, User]  # "P1".."P6"
    quiet: User  # belongs to the canary group only
    group_a: Group  # public: Xenia, P2, P4 (chair), P6
    group_b: Group  # public: P3
    canary: Group  # private: Xenia (chair) and Quiet


@pytest.fixture
def world(app) -> World:
    make = factories.make_user
    xenia = make(
        "Xenia Kallas",
        email="xenia.kallas@ria.example",
        country="EE",
        timezone="Europe/Tallinn",
        organisation="Information System Authority",
    )
    users = {
        "P1": make("Pia Noone"),
        "P2": make("Paul Member"),
        "P3": make("Petra Bravo"),
        "P4": make("Priya Chair"),
        "P5": make("Sam Secretariat", is_secretariat=True),
        "P6": make("Dan Deactivated"),
    }
    quiet = make("Quentin Quiet", organisation="Procurement Office")
    group_a = factories.make_group(
        "Digital Identity",
        slug="digital-identity",
        chair=users["P4"],
        members=(xenia, users["P2"], users["P6"]),
    )
    group_b = factories.make_group(
        "Digital Services",
        slug="digital-services",
        chair=make("Bea Chair"),
        members=(users["P3"],),
    )
    canary = factories.make_group(
        CANARY_GROUP,
        slug=CANARY_SLUG,
        visibility="private",
        join_policy="invite",
        chair=xenia,
        members=(quiet,),
    )
    return World(xenia, users, quiet, group_a, group_b, canary)


@pytest.fixture
def browser(app, login, world):
    """``browser("P2")`` → a client acting as that principal; "self" is Xenia."""

    def _browser(principal: str):
        if principal == "P0":
            return app.test_client()
        if principal == "self":
            return login(world.xenia)
        user = world.users[principal]
        client = login(user)
        if principal == "P6":
            user.is_active = False
            db.session.commit()
        return client

    return _browser
