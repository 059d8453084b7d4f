"""OpenID Connect sign-in against a real provider: the authorization-code flow with
PKCE, and everything that must fail cleanly (state, nonce, issuer, audience, expiry,
a provider that is down) — a clear message, no session, an audit record."""

import base64
import hashlib
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from collab.auth import oidc
from collab.auth.models import SsoState, UserIdentity
from collab.core.db import utcnow
from collab.extensions import db
from tests import factories
from tests.auth.conftest import ACCOUNTS, agency_client, agency_entry
from tests.auth.helpers import (
    FAKE_CLIENT_ID,
    FAKE_SECRET,
    FakeIssuer,
    audit_actions,
    audit_events,
    authorize_params,
    enrol,
    is_signed_in,
    live_sessions,
    rsa_key,
    session_cookie,
    sso_at_provider,
    sso_sign_in,
    start_sso,
    text,
)
from tests.oidc.server import Provider

UNTRUSTED = "The identity from the sign-in service could not be trusted."
NOT_VALID = "This sign-in link is not valid any more. Please start again."


def kadri():
    return factories.make_user("Kadri Tamm", email=ACCOUNTS["kadri"]["email"])


def assert_refused(client, response, message, status=400):
    """A clear page, no session for anyone, an audit record of the failure."""
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    assert message in text(response)
    assert not is_signed_in(client)
    assert live_sessions() == []
    with client.session_transaction() as session:
        assert "sid" not in session and "_user_id" not in session
    failures = audit_events("auth.sso_failed")
    assert failures, audit_actions()
    return failures[-1]


# --- the happy path -------------------------------------------------------------------


def test_sign_in_page_offers_each_provider(client, agency):
    page = text(client.get("/auth/sign-in"))
    assert "Sign in with Agency ID" in page


def test_full_flow_signs_in_and_lands_on_the_dashboard(client, app, agency):
    user = kadri()
    response = sso_sign_in(client, app, "kadri")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Welcome, Kadri Tamm" in text(client.get("/"))
    [row] = live_sessions(user)
    assert row.ip == "127.0.0.1"
    actions = audit_actions()
    assert "auth.sso_sign_in" in actions and "auth.sign_in" in actions
    event = audit_events("auth.sso_sign_in")[0]
    assert (event.actor_id, event.target_id, event.ip) == (
        user.id,
        user.id,
        "127.0.0.1",
    )
    assert event.detail == {"provider": "agency"}


def test_sign_in_follows_next_on_our_site_only(app, agency):
    kadri()
    first = sso_sign_in(app.test_client(), app, "kadri", next="/groups/")
    assert first.headers["Location"] == "/groups/"
    second = sso_sign_in(app.test_client(), app, "kadri", next="https://evil.example/")
    assert second.headers["Location"] == "/"


def test_sign_in_page_passes_next_to_the_provider_button(client, agency):
    page = client.get("/auth/sign-in?next=/groups/").get_data(as_text=True)
    assert 'name="next" value="/groups/"' in page


def test_authorization_request_uses_pkce_s256_state_nonce_and_our_redirect(
    client, app, agency
):
    url = start_sso(client)
    assert url.startswith(agency.issuer + "/")
    params = authorize_params(url)
    assert params["response_type"] == "code"
    assert params["client_id"] == "collab"
    assert params["redirect_uri"] == "http://collab.test/auth/sso/agency/callback"
    assert set(params["scope"].split()) >= {"openid", "email"}
    assert params["code_challenge_method"] == "S256"
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    [flow] = db.session.scalars(select(SsoState)).all()
    digest = hashlib.sha256(flow.code_verifier.encode()).digest()
    assert (
        params["code_challenge"]
        == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    )
    assert flow.nonce == params["nonce"]
    # Only a hash of the state is stored, and the cookie holds nothing else of it.
    assert flow.state_hash != params["state"]
    with client.session_transaction() as session:
        assert session["sso_state"] == params["state"]


def test_cookie_holds_no_personal_data_after_sso_sign_in(client, app, agency):
    kadri()
    sso_sign_in(client, app, "kadri")
    with client.session_transaction() as session:
        stored = repr(dict(session))
    assert "kadri" not in stored.lower() and "gov.example" not in stored
    assert "sso_state" not in stored


def test_sso_sign_in_rotates_the_session(client, app, agency):
    kadri()
    client.get("/auth/sign-in")
    with client.session_transaction() as session:
        session["sid"] = "planted-by-attacker"
    sso_sign_in(client, app, "kadri")
    with client.session_transaction() as session:
        assert session["sid"] != "planted-by-attacker"


def test_enrolled_person_is_not_asked_for_a_code_after_sso(client, app, agency):
    user = kadri()
    enrol(user)
    response = sso_sign_in(client, app, "kadri")
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_second_provider_with_another_name_works_too(client, app, op, oidc_providers):
    user = kadri()
    oidc_providers(agency_entry(op.issuer), agency_entry(op.issuer, name="agency2"))
    response = sso_sign_in(client, app, "kadri", provider="agency2")
    assert response.headers["Location"] == "/"
    assert [r.user_id for r in live_sessions()] == [user.id]


# --- routes themselves ----------------------------------------------------------------


def test_start_needs_a_csrf_token_and_a_known_provider(client, agency):
    assert client.post("/auth/sso/agency/start", csrf=False).status_code == 400
    assert client.post("/auth/sso/nowhere/start").status_code == 404
    assert client.get("/auth/sso/agency/start").status_code == 405
    assert client.get("/auth/sso/nowhere/callback?state=x&code=y").status_code == 404
    assert db.session.scalar(select(func.count(SsoState.id))) == 0


# --- state ----------------------------------------------------------------------------


def test_tampered_state_is_refused(client, app, agency):
    kadri()
    path = sso_at_provider(client, app, "kadri")
    state = authorize_params(path)["state"]
    tampered = path.replace(f"state={state}", f"state={state[:-2]}xy")
    event = assert_refused(client, client.get(tampered), NOT_VALID)
    assert event.detail["provider"] == "agency"


def test_callback_without_state_is_refused(client, app, agency):
    kadri()
    path = sso_at_provider(client, app, "kadri")
    code = authorize_params(path)["code"]
    response = client.get("/auth/sso/agency/callback?" + urlencode({"code": code}))
    assert_refused(client, response, NOT_VALID)


def test_replayed_callback_is_refused(client, app, agency):
    kadri()
    path = sso_at_provider(client, app, "kadri")
    with client.session_transaction() as session:
        slot = session["sso_state"]
    assert client.get(path).status_code == 302
    assert db.session.scalar(select(func.count(SsoState.id))) == 0
    # The same browser, signed out, with its state slot put back: the state is
    # spent in the database, not only in the cookie.
    client.post("/auth/sign-out")
    with client.session_transaction() as session:
        session["sso_state"] = slot
    response = client.get(path)
    assert response.status_code == 400
    assert NOT_VALID in text(response)
    assert not is_signed_in(client)
    assert audit_events("auth.sso_failed")


def test_replay_in_the_same_browser_without_the_slot_is_refused(client, app, agency):
    kadri()
    path = sso_at_provider(client, app, "kadri")
    assert client.get(path).status_code == 302
    client.post("/auth/sign-out")
    assert_refused(client, client.get(path), NOT_VALID)


def test_callback_in_another_browser_is_refused(app, agency):
    kadri()
    victim = app.test_client()
    path = sso_at_provider(victim, app, "kadri")
    other = app.test_client()
    assert_refused(other, other.get(path), NOT_VALID)


def test_a_failed_exchange_still_spends_the_state(client, app, agency):
    """Once the callback is opened the state is gone, whatever happens next."""
    kadri()
    path = sso_at_provider(client, app, "kadri")
    with client.session_transaction() as session:
        slot = session["sso_state"]
    flow = db.session.scalar(select(SsoState))
    flow.nonce = "not-the-nonce-sent"
    db.session.commit()
    assert client.get(path).status_code == 400
    with client.session_transaction() as session:
        session["sso_state"] = slot
    assert_refused(client, client.get(path), NOT_VALID)


def test_expired_state_is_refused(client, app, agency):
    kadri()
    path = sso_at_provider(client, app, "kadri")
    flow = db.session.scalar(select(SsoState))
    flow.created_at = utcnow() - oidc.STATE_LIFETIME - timedelta(seconds=5)
    db.session.commit()
    assert_refused(
        client, client.get(path), "This sign-in took too long. Please start again."
    )


def test_state_of_one_provider_is_refused_at_another(client, app, op, oidc_providers):
    kadri()
    oidc_providers(agency_entry(op.issuer), agency_entry(op.issuer, name="agency2"))
    path = sso_at_provider(client, app, "kadri", provider="agency")
    wrong = path.replace("/auth/sso/agency/", "/auth/sso/agency2/")
    assert_refused(client, client.get(wrong), NOT_VALID)


def test_only_the_latest_start_of_a_browser_can_finish(client, app, agency):
    kadri()
    first = start_sso(client)
    path = sso_at_provider(client, app, "kadri")
    assert authorize_params(first)["state"] != authorize_params(path)["state"]
    stale = path.replace(
        authorize_params(path)["state"], authorize_params(first)["state"]
    )
    assert client.get(stale).status_code == 400
    assert not is_signed_in(client)


def test_abandoned_starts_do_not_grow_the_cookie(app, agency):
    """Fifty abandoned sign-ins leave a cookie the size of one."""
    one, many = app.test_client(), app.test_client()
    start_sso(one)
    after_one = session_cookie(one)
    responses = [many.post("/auth/sso/agency/start") for _ in range(50)]
    assert {r.status_code for r in responses} == {302}
    after_fifty = session_cookie(many)
    assert after_one and after_fifty
    assert len(after_fifty) <= len(after_one) + 8
    set_cookie = [r.headers.get("Set-Cookie", "") for r in responses]
    assert max(map(len, set_cookie)) <= len(set_cookie[0]) + 8
    assert len(after_fifty) < 400


def test_old_abandoned_states_are_pruned_from_the_database(client, agency):
    start_sso(client)
    db.session.scalar(select(SsoState)).created_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    start_sso(client)
    assert db.session.scalar(select(func.count(SsoState.id))) == 1


# --- the provider's answer ------------------------------------------------------------


def test_refusal_at_the_provider_is_a_clear_message(client, agency):
    url = start_sso(client)
    state = authorize_params(url)["state"]
    response = client.get(
        "/auth/sso/agency/callback?"
        + urlencode({"error": "access_denied", "state": state})
    )
    assert_refused(
        client, response, "The sign-in was cancelled or refused at Agency ID."
    )


def test_wrong_nonce_is_refused(client, app, agency):
    kadri()
    path = sso_at_provider(client, app, "kadri")
    flow = db.session.scalar(select(SsoState))
    flow.nonce = "a-nonce-this-provider-never-saw"
    db.session.commit()
    assert_refused(client, client.get(path), UNTRUSTED)


def test_wrong_pkce_verifier_is_refused_by_the_provider(client, app, agency):
    kadri()
    path = sso_at_provider(client, app, "kadri")
    flow = db.session.scalar(select(SsoState))
    flow.code_verifier = "x" * 64
    db.session.commit()
    assert_refused(
        client,
        client.get(path),
        "The sign-in service refused this sign-in. Please start again.",
    )


def test_expired_id_token_is_refused(client, app, oidc_providers, monkeypatch):
    """The provider issues one-second ID tokens; collab checks them two minutes later
    (beyond its 60 s leeway for clock skew)."""
    with Provider(
        clients=[agency_client(app, "agency")], accounts=ACCOUNTS, id_token_ttl=1
    ) as short:
        oidc_providers(agency_entry(short.issuer))
        kadri()
        path = sso_at_provider(client, app, "kadri")
        import joserfc._rfc7519.claims as joserfc_claims

        monkeypatch.setattr(
            joserfc_claims, "_generate_now", lambda: int(time.time()) + 120
        )
        event = assert_refused(client, client.get(path), UNTRUSTED)
    assert event.detail["reason"] == UNTRUSTED


def test_id_token_for_another_client_is_refused_by_the_provider(
    client, app, op, oidc_providers
):
    """collab starts as client A, then (reconfigured) redeems the code as client B:
    the provider refuses, and so does collab."""
    kadri()
    oidc_providers(agency_entry(op.issuer))
    path = sso_at_provider(client, app, "kadri")
    oidc_providers(agency_entry(op.issuer, client_id="someone-else"))
    assert_refused(
        client,
        client.get(path),
        "The sign-in service refused this sign-in. Please start again.",
    )


def test_provider_down_at_start_is_a_clear_message(client, app, oidc_providers):
    with Provider(clients=[agency_client(app, "agency")], accounts=ACCOUNTS) as down:
        oidc_providers(agency_entry(down.issuer))
        down.stop()
        response = client.post("/auth/sso/agency/start")
    assert response.status_code == 502
    assert "The sign-in service is not answering" in text(response)
    assert audit_events("auth.sso_failed")
    assert not is_signed_in(client)


def test_provider_down_at_the_callback_is_a_clear_message(client, app, oidc_providers):
    kadri()
    with Provider(clients=[agency_client(app, "agency")], accounts=ACCOUNTS) as down:
        oidc_providers(agency_entry(down.issuer))
        path = sso_at_provider(client, app, "kadri")
        down.stop()
        response = client.get(path)
    assert_refused(client, response, "The sign-in service is not answering")


# --- crafted tokens through the whole callback ----------------------------------------


@pytest.fixture
def fake(oidc_providers):
    with FakeIssuer() as issuer:
        oidc_providers(issuer.entry())
        yield issuer


def _fake_start(client):
    params = authorize_params(start_sso(client, "fake"))
    return params


def _fake_callback(client, params):
    return client.get(
        "/auth/sso/fake/callback?"
        + urlencode({"code": "code-from-fake", "state": params["state"]})
    )


def test_crafted_valid_token_signs_in_and_sends_the_pkce_verifier(client, fake):
    user = factories.make_user(email="fake.person@gov.example")
    params = _fake_start(client)
    fake.next_id_token = fake.sign(fake.claims(params["nonce"]))
    response = _fake_callback(client, params)
    assert response.headers["Location"] == "/"
    assert [s.user_id for s in live_sessions()] == [user.id]
    [request] = fake.token_requests
    verifier = request["form"]["code_verifier"]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert (
        base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        == (params["code_challenge"])
    )
    assert request["form"]["redirect_uri"] == (
        "http://collab.test/auth/sso/fake/callback"
    )
    expected = base64.b64encode(f"{FAKE_CLIENT_ID}:{FAKE_SECRET}".encode()).decode()
    assert request["authorization"] == f"Basic {expected}"


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"aud": "another-client"}, id="other-audience"),
        pytest.param({"aud": ["another-client", "third"]}, id="other-audiences"),
        pytest.param({"iss": "http://127.0.0.1:1"}, id="other-issuer"),
        pytest.param({"nonce": "replayed-nonce"}, id="wrong-nonce"),
        pytest.param({"nonce": None}, id="no-nonce"),
        pytest.param({"exp": int(time.time()) - 3600}, id="expired"),
        pytest.param({"sub": None}, id="no-subject"),
    ],
)
def test_untrusted_crafted_tokens_end_in_a_clear_message(client, fake, overrides):
    factories.make_user(email="fake.person@gov.example")
    params = _fake_start(client)
    fake.next_id_token = fake.sign(fake.claims(params["nonce"], **overrides))
    event = assert_refused(client, _fake_callback(client, params), UNTRUSTED)
    # The token never reaches the audit log.
    assert fake.next_id_token not in str(event.detail)


def test_token_signed_by_another_key_is_refused(client, fake):
    factories.make_user(email="fake.person@gov.example")
    params = _fake_start(client)
    fake.next_id_token = fake.sign(
        fake.claims(params["nonce"]), key=rsa_key("attacker-key")
    )
    assert_refused(client, _fake_callback(client, params), UNTRUSTED)


def test_unsigned_token_is_refused(client, fake):
    factories.make_user(email="fake.person@gov.example")
    params = _fake_start(client)
    signed = fake.sign(fake.claims(params["nonce"]))
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    fake.next_id_token = header + "." + signed.split(".")[1] + "."
    assert_refused(client, _fake_callback(client, params), UNTRUSTED)


def test_token_endpoint_without_an_id_token_is_a_clear_message(client, fake):
    params = _fake_start(client)
    fake.next_id_token = None
    assert_refused(
        client, _fake_callback(client, params), "The sign-in service gave no identity."
    )


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"id_token": None}, id="null"),
        pytest.param({"id_token": 12345}, id="number"),
        pytest.param({"id_token": {"sub": "kadri"}}, id="object"),
        pytest.param(["not", "an", "object"], id="list"),
    ],
)
def test_token_response_with_a_malformed_id_token_is_a_clear_message(
    client, fake, body
):
    """A provider answering nonsense is the provider's fault: a clear page, not a
    server error."""
    params = _fake_start(client)
    fake.token_body = body
    response = _fake_callback(client, params)
    assert response.status_code == 400, response.status_code
    assert not is_signed_in(client)
    assert audit_events("auth.sso_failed")


def test_token_endpoint_error_is_a_clear_message(client, fake):
    params = _fake_start(client)
    fake.token_status = 400
    assert_refused(
        client,
        _fake_callback(client, params),
        "The sign-in service refused this sign-in. Please start again.",
    )


def test_discovery_claiming_another_issuer_is_refused(client, oidc_providers):
    with FakeIssuer(claimed_issuer="https://login.evil.example") as wrong:
        oidc_providers(wrong.entry())
        response = client.post("/auth/sso/fake/start")
    assert response.status_code == 502
    assert "The sign-in service is misconfigured." in text(response)
    assert audit_events("auth.sso_failed")
    assert db.session.scalar(select(func.count(SsoState.id))) == 0


def test_issuer_ending_with_a_slash_is_compared_exactly(client, oidc_providers):
    """Some providers' issuer ends with "/" (Auth0: https://tenant.auth0.com/); the
    ID token's iss is then exactly that string (OpenID Connect Core 3.1.3.7 #2)."""
    with FakeIssuer() as slashed:
        slashed.claimed_issuer = slashed.issuer + "/"
        oidc_providers(slashed.entry(issuer=slashed.issuer + "/"))
        user = factories.make_user(email="fake.person@gov.example")
        params = _fake_start(client)
        slashed.next_id_token = slashed.sign(
            slashed.claims(params["nonce"], iss=slashed.issuer + "/")
        )
        response = _fake_callback(client, params)
        assert response.status_code == 302, text(response)[:300]
    assert [s.user_id for s in live_sessions()] == [user.id]


def test_same_subject_at_another_issuer_is_not_the_same_person(client, fake):
    """Identities are bound to (issuer, subject): "kadri" at another issuer is
    somebody else."""
    owner = kadri()
    db.session.add(
        UserIdentity(
            user_id=owner.id,
            provider="agency",
            issuer="http://127.0.0.1:9",
            subject="kadri",
        )
    )
    db.session.commit()
    params = _fake_start(client)
    fake.next_id_token = fake.sign(
        fake.claims(params["nonce"], sub="kadri", email="stranger@elsewhere.example")
    )
    response = _fake_callback(client, params)
    assert response.status_code == 403
    assert not is_signed_in(client)


# --- check_id_token on its own --------------------------------------------------------


@pytest.fixture
def fake_provider(fake):
    return oidc.provider("fake")


def test_check_id_token_accepts_a_good_token(fake, fake_provider):
    claims = oidc.check_id_token(fake_provider, fake.sign(fake.claims("n-1")), "n-1")
    assert claims["sub"] == "fake-subject-1"


def test_check_id_token_accepts_several_audiences_with_our_azp(fake, fake_provider):
    token = fake.sign(
        fake.claims("n-1", aud=[FAKE_CLIENT_ID, "other"], azp=FAKE_CLIENT_ID)
    )
    assert oidc.check_id_token(fake_provider, token, "n-1")["azp"] == FAKE_CLIENT_ID


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"iss": "https://other.example"}, id="iss"),
        pytest.param({"iss": None}, id="no-iss"),
        pytest.param({"aud": "other"}, id="aud"),
        pytest.param({"aud": None}, id="no-aud"),
        pytest.param({"aud": [FAKE_CLIENT_ID, "other"]}, id="aud-list-no-azp"),
        pytest.param(
            {"aud": [FAKE_CLIENT_ID, "other"], "azp": "other"}, id="aud-list-other-azp"
        ),
        pytest.param({"exp": int(time.time()) - 120}, id="exp"),
        pytest.param({"exp": None}, id="no-exp"),
        pytest.param({"iat": int(time.time()) + 3600}, id="iat-in-future"),
        pytest.param({"iat": None}, id="no-iat"),
        pytest.param({"nonce": "other"}, id="nonce"),
        pytest.param({"nonce": None}, id="no-nonce"),
        pytest.param({"sub": None}, id="no-sub"),
    ],
)
def test_check_id_token_refuses(fake, fake_provider, overrides):
    token = fake.sign(fake.claims("n-1", **overrides))
    with pytest.raises(oidc.SsoError) as refused:
        oidc.check_id_token(fake_provider, token, "n-1")
    assert refused.value.message == UNTRUSTED


def test_check_id_token_refuses_garbage_and_foreign_keys(fake, fake_provider):
    for token in (
        "not-a-jwt",
        fake.sign(fake.claims("n-1"), key=rsa_key("attacker-key")),
        fake.sign(fake.claims("n-1"))[:-4] + "AAAA",
    ):
        with pytest.raises(oidc.SsoError):
            oidc.check_id_token(fake_provider, token, "n-1")
