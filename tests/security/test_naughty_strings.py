"""The big list of naughty strings through real forms: accepted or refused, never a
500."""

import json
from pathlib import Path

import pytest
from sqlalchemy import delete

from collab.extensions import db
from collab.groups.models import Membership

BLNS = Path("/work/shared/security-corpora/blns.json")


@pytest.fixture(scope="module")
def naughty() -> list[str]:
    if not BLNS.is_file():
        pytest.skip(f"{BLNS} is missing")
    return json.loads(BLNS.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _no_error_propagation(app, monkeypatch):
    """Report a crash as the 500 a user would see, and keep going through the list."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


def _crashes(client, strings, post) -> list[str]:
    crashes = []
    for number, value in enumerate(strings):
        status = post(number, value).status_code
        if status >= 500:
            crashes.append(f"#{number} {value!r} → {status}")
        if number % 20 == 0:
            # A browser would follow each redirect and show (consume) its message.
            with client.session_transaction() as session:
                session.pop("_flashes", None)
    return crashes


def test_join_request_message_never_crashes(world, client_as, naughty):
    client = client_as("P1")
    user_id, group_id = world.users["P1"].id, world.group_b.id

    def post(_number, value):
        response = client.post("/groups/bravo/request", data={"message": value})
        # Withdraw the request so that the next string can be sent.
        db.session.execute(
            delete(Membership).where(
                Membership.user_id == user_id, Membership.group_id == group_id
            )
        )
        db.session.commit()
        return response

    crashes = _crashes(client, naughty, post)
    assert not crashes, "\n".join(crashes)


def test_sign_in_email_never_crashes(app, client, naughty, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_IP", 10_000)

    def post(_number, value):
        return client.post("/auth/sign-in", data={"email": value, "password": "not it"})

    crashes = _crashes(client, naughty, post)
    assert not crashes, "\n".join(crashes)


def test_new_group_name_never_crashes(world, client_as, naughty):
    client = client_as("P5")

    def post(number, value):
        return client.post(
            "/admin/groups/new",
            data={
                "name": value,
                "slug": f"naughty-{number}",
                "description": value,
                "visibility": "public",
                "join_policy": "request",
            },
        )

    crashes = _crashes(client, naughty, post)
    assert not crashes, "\n".join(crashes)


def test_invitation_email_never_crashes(world, client_as, naughty):
    client = client_as("P4")

    def post(_number, value):
        return client.post(
            "/groups/alpha/invitations", data={"email": value, "role": "member"}
        )

    crashes = _crashes(client, naughty, post)
    assert not crashes, "\n".join(crashes)


def test_refused_strings_come_back_with_a_message(world, client_as):
    client = client_as("P4")
    response = client.post(
        "/groups/alpha/invitations", data={"email": "\u202eevil", "role": "member"}
    )
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
