"""My account and organisation sign-in: another person's session or sign-in at a
provider is 404 (like an id that exists nowhere), for everyone, the secretariat too,
and nothing changes; one's own does work. An unknown provider is 404 and starts
nothing."""

import pytest

from tests.security.routes import PRINCIPAL_NAMES, snapshot

MADE_UP = 999_999


def _end(session_id: int) -> str:
    return f"/account/sessions/{session_id}/end"


def _unlink(identity_id: int) -> str:
    return f"/auth/sso/identities/{identity_id}/unlink"


@pytest.mark.parametrize(
    "principal", ["P1", "P3", "P4", "P5"], ids=lambda p: PRINCIPAL_NAMES[p]
)
def test_nobody_ends_another_persons_session_or_unlinks_their_sign_in(
    world, client_as, principal
):
    accounts = world.accounts
    client = client_as(principal)
    before = snapshot()
    wrong = []
    for url in (
        _end(accounts.other_session_p2.id),
        _end(MADE_UP),
        _unlink(accounts.identity_p2.id),
        _unlink(MADE_UP),
    ):
        response = client.post(url)
        if response.status_code != 404:
            wrong.append(f"POST {url} → {response.status_code}")
    if principal != "P3":
        response = client.post(_unlink(accounts.identity_p3.id))
        if response.status_code != 404:
            wrong.append(f"POST unlink P3's → {response.status_code}")
    assert snapshot() == before
    assert not wrong, "\n".join(wrong)


def test_p2_cannot_unlink_p3s_sign_in(world, client_as):
    accounts = world.accounts
    client = client_as("P2")
    before = snapshot()
    assert client.post(_unlink(accounts.identity_p3.id)).status_code == 404
    assert snapshot() == before


def test_ones_own_session_and_sign_in_do_work(world, client_as):
    """The control: P2 ends P2's other session and unlinks P2's sign-in."""
    accounts = world.accounts
    client = client_as("P2")
    before = snapshot()
    assert client.post(_end(accounts.other_session_p2.id)).status_code == 302
    assert client.post(_unlink(accounts.identity_p2.id)).status_code == 302
    after = snapshot()
    assert after["user_sessions"] != before["user_sessions"]
    assert len(after["user_identities"]) == len(before["user_identities"]) - 1
    assert client.get("/account/security").status_code == 200, "still signed in"


@pytest.mark.parametrize("principal", ["P0", "P2"], ids=lambda p: PRINCIPAL_NAMES[p])
def test_unknown_provider_is_404_and_starts_nothing(world, client_as, principal):
    world.sso  # noqa: B018 - a provider is configured: "unknown" is still unknown
    client = client_as(principal)
    before = snapshot()
    assert client.post("/auth/sso/unknown/start").status_code == 404
    response = client.get("/auth/sso/unknown/callback?state=x&code=y")
    assert response.status_code == 404
    assert snapshot() == before
    with client.session_transaction() as session:
        assert "sso_state" not in session
