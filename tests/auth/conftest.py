"""Fixtures for the SSO and account-security tests: a real OpenID provider (npm's
oidc-provider, tests/oidc) with test people, collab's provider list, the second-factor
rules switched on."""

import pytest

from collab.auth import oidc
from collab.core.urls import absolute_url
from tests.auth.helpers import AGENCY_SECRET
from tests.oidc.server import Provider

# Logins at the provider → the claims it gives. Any other login gets
# {"sub": login, "email": login, "email_verified": true, "name": login}.
ACCOUNTS = {
    "kadri": {
        "email": "kadri.tamm@gov.example",
        "email_verified": True,
        "name": "Kadri Tamm",
    },
    "mixed-case": {
        "email": "  Mixed.Case@Gov.Example ",
        "email_verified": True,
        "name": "Mixed Case",
    },
    "unverified": {
        "email": "kadri.tamm@gov.example",
        "email_verified": False,
        "name": "Not Really Kadri",
    },
    "unverified-open": {
        "email": "newcomer@open.example",
        "email_verified": False,
        "name": "Unverified Newcomer",
    },
    "no-email": {"name": "Nameless"},
    "invitee": {
        "email": "ines.invitee@gov.example",
        "email_verified": True,
        "name": "Ines Invitee",
    },
    "stranger": {
        "email": "stranger@elsewhere.example",
        "email_verified": True,
        "name": "Sam Stranger",
    },
    "newcomer": {
        "email": "newcomer@open.example",
        "email_verified": True,
        "name": "Nina Newcomer",
    },
}


def agency_client(app, *names: str, client_id: str = "collab") -> dict:
    """The provider's registration of collab: exactly the redirect URIs collab sends
    (BASE_URL + /auth/sso/<name>/callback)."""
    with app.app_context():
        uris = [absolute_url("sso.callback", provider_name=n) for n in names]
    return {
        "client_id": client_id,
        "client_secret": AGENCY_SECRET,
        "redirect_uris": uris,
    }


def agency_entry(issuer: str, name: str = "agency", **extra) -> dict:
    return {
        "name": name,
        "title": "Agency ID",
        "issuer": issuer,
        "client_id": "collab",
        "client_secret": AGENCY_SECRET,
        **extra,
    }


@pytest.fixture(scope="module")
def op(app):
    """One real provider per test module (starting Node takes a moment)."""
    with Provider(
        clients=[agency_client(app, "agency", "agency2")], accounts=ACCOUNTS
    ) as provider:
        yield provider


@pytest.fixture
def oidc_providers(app):
    """``oidc_providers(entry, ...)`` sets collab's provider list for this test."""
    saved = app.config.get("OIDC_PROVIDERS")

    def _set(*entries):
        app.config["OIDC_PROVIDERS"] = list(entries)

    yield _set
    app.config["OIDC_PROVIDERS"] = saved


@pytest.fixture
def agency(op, oidc_providers):
    """collab configured with the real provider as "agency" (Agency ID)."""
    oidc_providers(agency_entry(op.issuer))
    return op


@pytest.fixture(autouse=True)
def _fresh_oidc_caches(monkeypatch):
    """Discovery and key caches are per process: start each test without them, so a
    provider of an earlier test on the same port cannot leak into this one."""
    monkeypatch.setattr(oidc, "_metadata_cache", {})
    monkeypatch.setattr(oidc, "_jwks_cache", {})


@pytest.fixture
def config(app):
    """``config(KEY=value)`` for this test only."""
    saved = {}

    def _set(**values):
        for key, value in values.items():
            saved.setdefault(key, app.config.get(key))
            app.config[key] = value

    yield _set
    app.config.update(saved)


@pytest.fixture
def require_2fa(config):
    config(REQUIRE_2FA_FOR_SECRETARIAT=True)
