"""Which collab account an SSO sign-in reaches: bound by (issuer, subject); the first
time through a pending invitation or the verified e-mail of an existing account; the
self-registration switch; linking and unlinking identities."""

from sqlalchemy import select

from collab.auth.models import User, UserIdentity
from collab.core.permissions import Role
from collab.extensions import db
from collab.groups import services as groups
from collab.groups.models import Invitation, Membership
from tests import factories
from tests.auth.conftest import ACCOUNTS, agency_client, agency_entry
from tests.auth.helpers import (
    audit_actions,
    audit_events,
    is_signed_in,
    live_sessions,
    sso_sign_in,
    text,
)
from tests.oidc.server import Provider

NO_ACCOUNT = "No collab account yet"


def identities() -> list[UserIdentity]:
    db.session.expire_all()
    return list(db.session.scalars(select(UserIdentity).order_by(UserIdentity.id)))


def users() -> list[User]:
    db.session.expire_all()
    return list(db.session.scalars(select(User).order_by(User.id)))


def assert_no_account(client, response, message):
    assert response.status_code == 403, response.get_data(as_text=True)[:500]
    page = text(response)
    assert NO_ACCOUNT in page and message in page
    assert "secretariat" in page
    assert not is_signed_in(client)
    assert live_sessions() == []
    assert identities() == []
    [event] = audit_events("auth.sso_failed")
    assert event.detail == {"provider": "agency", "reason": "no-account"}
    assert event.ip == "127.0.0.1"


# --- first sign-in --------------------------------------------------------------------


def test_verified_email_of_an_existing_account_links_it(client, app, agency, outbox):
    user = factories.make_user("Kadri Tamm", email="kadri.tamm@gov.example")
    response = sso_sign_in(client, app, "kadri")
    assert response.headers["Location"] == "/"
    [identity] = identities()
    assert (identity.user_id, identity.issuer, identity.subject) == (
        user.id,
        agency.issuer,
        "kadri",
    )
    assert identity.provider == "agency"
    assert identity.email == "kadri.tamm@gov.example"
    assert identity.last_used_at is not None
    [mail] = outbox(user.email)
    assert "Agency ID" in mail.subject + mail.body_text
    linked = audit_events("auth.identity_linked")
    assert [(e.actor_id, e.target_id) for e in linked] == [(user.id, user.id)]
    assert audit_events("auth.sso_sign_in")


def test_email_claim_is_matched_without_case_or_spaces(client, app, agency):
    user = factories.make_user(email="mixed.case@gov.example")
    assert sso_sign_in(client, app, "mixed-case").headers["Location"] == "/"
    assert [i.user_id for i in identities()] == [user.id]


def test_unverified_email_does_not_link(client, app, agency):
    factories.make_user(email=ACCOUNTS["unverified"]["email"])
    response = sso_sign_in(client, app, "unverified")
    assert_no_account(
        client,
        response,
        "Your organisation did not confirm your e-mail address to collab.",
    )


def test_missing_email_does_not_link(client, app, agency):
    response = sso_sign_in(client, app, "no-email")
    assert_no_account(
        client,
        response,
        "Your organisation did not confirm your e-mail address to collab.",
    )


def test_stranger_sees_how_to_ask_for_access(client, app, agency, outbox):
    factories.make_user()
    before = len(users())
    response = sso_sign_in(client, app, "stranger")
    assert_no_account(
        client,
        response,
        "There is no collab account for stranger@elsewhere.example.",
    )
    assert "Agency ID confirmed who you are" in text(response)
    assert len(users()) == before
    assert outbox("stranger@elsewhere.example") == []


def test_pending_invitation_creates_the_account_and_joins_the_group(
    client, app, agency, outbox
):
    chair = factories.make_user("Chair Person")
    group = factories.make_group("Digital Identity", chair=chair)
    other = factories.make_group("Open Data")
    for g, role in ((group, Role.MEMBER), (other, Role.OBSERVER)):
        groups.invite(chair, g, "Ines.Invitee@gov.example", role)
    db.session.commit()
    response = sso_sign_in(client, app, "invitee")
    assert response.headers["Location"] == "/"
    user = db.session.scalar(
        select(User).where(User.email == "ines.invitee@gov.example")
    )
    assert user is not None and user.display_name == "Ines Invitee"
    assert user.password_hash is None and not user.is_secretariat
    roles = {
        m.group_id: (m.role, m.status)
        for m in db.session.scalars(
            select(Membership).where(Membership.user_id == user.id)
        )
    }
    assert roles == {group.id: ("member", "active"), other.id: ("observer", "active")}
    assert all(
        i.accepted_by_id == user.id for i in db.session.scalars(select(Invitation))
    )
    assert [i.user_id for i in identities()] == [user.id]
    assert "Digital Identity" in text(client.get("/"))
    [created] = audit_events("auth.account_created")
    assert created.detail == {"via": "invitation", "provider": "agency"}
    actions = audit_actions()
    assert actions.count("invitation.accepted") == 2
    assert "auth.identity_linked" in actions and "auth.sso_sign_in" in actions
    assert any(m.subject for m in outbox(user.email))


def test_expired_or_withdrawn_invitation_does_not_create_an_account(
    client, app, agency
):
    from collab.core.db import utcnow

    chair = factories.make_user()
    group = factories.make_group(chair=chair)
    invitation = groups.invite(chair, group, "ines.invitee@gov.example", Role.MEMBER)
    invitation.revoked_at = utcnow()
    db.session.commit()
    response = sso_sign_in(client, app, "invitee")
    assert_no_account(
        client, response, "There is no collab account for ines.invitee@gov.example."
    )


def test_self_registration_is_off_by_default(client, app, agency):
    response = sso_sign_in(client, app, "newcomer")
    assert_no_account(
        client, response, "There is no collab account for newcomer@open.example."
    )


def test_self_registration_opens_accounts_for_chosen_domains_only(app, agency, config):
    config(OIDC_SELF_REGISTRATION_DOMAINS=["Open.Example"])
    newcomer = app.test_client()
    assert sso_sign_in(newcomer, app, "newcomer").headers["Location"] == "/"
    user = db.session.scalar(select(User).where(User.email == "newcomer@open.example"))
    assert user is not None and user.display_name == "Nina Newcomer"
    assert is_signed_in(newcomer)
    [created] = audit_events("auth.account_created")
    assert created.detail == {"via": "self-registration", "provider": "agency"}
    stranger = app.test_client()
    response = sso_sign_in(stranger, app, "stranger")
    assert response.status_code == 403
    assert not is_signed_in(stranger)
    # A subdomain is another domain.
    sub = app.test_client()
    assert sso_sign_in(sub, app, "someone@sub.open.example").status_code == 403


def test_self_registration_needs_a_verified_email(client, app, agency, config):
    config(OIDC_SELF_REGISTRATION_DOMAINS=["open.example"])
    response = sso_sign_in(client, app, "unverified-open")
    assert_no_account(
        client,
        response,
        "Your organisation did not confirm your e-mail address to collab.",
    )
    assert users() == []


def test_deactivated_account_cannot_sign_in_by_email_or_identity(app, agency, outbox):
    user = factories.make_user(email="kadri.tamm@gov.example", is_active=False)
    first = app.test_client()
    response = sso_sign_in(first, app, "kadri")
    assert response.status_code == 403
    assert "This account cannot sign in" in text(response)
    assert identities() == []
    db.session.add(
        UserIdentity(
            user_id=user.id, provider="agency", issuer=agency.issuer, subject="kadri"
        )
    )
    db.session.commit()
    second = app.test_client()
    response = sso_sign_in(second, app, "kadri")
    assert response.status_code == 403
    assert "This account cannot sign in" in text(response)
    assert live_sessions() == []
    assert len(audit_events("auth.sso_failed")) == 2


# --- later sign-ins -------------------------------------------------------------------


def test_later_sign_in_uses_the_subject_not_the_email(app, agency):
    """Bound by (issuer, subject): the account whose address the provider now sends
    is not the one reached."""
    owner = factories.make_user("Owner", email="old.address@gov.example")
    factories.make_user("Someone Else", email="kadri.tamm@gov.example")
    db.session.add(
        UserIdentity(
            user_id=owner.id, provider="agency", issuer=agency.issuer, subject="kadri"
        )
    )
    db.session.commit()
    client = app.test_client()
    assert sso_sign_in(client, app, "kadri").headers["Location"] == "/"
    assert [s.user_id for s in live_sessions()] == [owner.id]
    assert len(identities()) == 1
    assert audit_events("auth.identity_linked") == []


def test_second_sign_in_after_the_provider_changes_the_email(app, oidc_providers):
    """The same person (subject "mover") at a restarted provider that now sends
    another address, one belonging to another collab account."""
    first_account = factories.make_user("Mover", email="mover@gov.example")
    factories.make_user("Other", email="mover.new@gov.example")
    clients = [agency_client(app, "agency")]
    before = Provider(
        clients, {"mover": {"email": "mover@gov.example", "email_verified": True}}
    )
    with before:
        oidc_providers(agency_entry(before.issuer))
        response = sso_sign_in(app.test_client(), app, "mover")
        assert response.headers["Location"] == "/"
    after = Provider(
        clients, {"mover": {"email": "mover.new@gov.example", "email_verified": True}}
    )
    after.port, after.issuer = before.port, before.issuer
    with after:
        client = app.test_client()
        assert sso_sign_in(client, app, "mover").headers["Location"] == "/"
    [identity] = identities()
    assert identity.user_id == first_account.id
    assert {s.user_id for s in live_sessions()} == {first_account.id}
    assert "Welcome, Mover" in text(client.get("/"))


def test_a_new_subject_with_a_reused_address_does_not_take_over_the_account(
    client, app, agency
):
    """The account already signs in through this provider as another subject; the
    provider now gives its address to subject "kadri" (address reused, or changed
    to this one). Binding by e-mail is only for a first SSO sign-in: the account is
    not taken over by e-mail alone."""
    owner = factories.make_user(email="kadri.tamm@gov.example")
    db.session.add(
        UserIdentity(
            user_id=owner.id,
            provider="agency",
            issuer=agency.issuer,
            subject="the-original-kadri",
        )
    )
    db.session.commit()
    response = sso_sign_in(client, app, "kadri")
    assert response.status_code == 403
    assert not is_signed_in(client)
    assert [i.subject for i in identities()] == ["the-original-kadri"]


# --- linking and unlinking ------------------------------------------------------------


def test_signed_in_person_links_an_identity(app, agency, login, outbox):
    user = factories.make_user(email="someone.else@gov.example")
    client = login(user)
    response = sso_sign_in(client, app, "kadri")
    assert response.headers["Location"] == "/auth/sso/identities"
    [identity] = identities()
    assert (identity.user_id, identity.subject) == (user.id, "kadri")
    page = text(client.get("/auth/sso/identities"))
    assert "You can now sign in with Agency ID" in page
    assert "Agency ID — kadri.tamm@gov.example" in page
    [mail] = outbox(user.email)
    assert "Agency ID" in mail.subject + mail.body_text
    assert audit_events("auth.identity_linked")
    # From now on the provider signs this person in.
    other = app.test_client()
    assert sso_sign_in(other, app, "kadri").headers["Location"] == "/"
    assert {s.user_id for s in live_sessions()} == {user.id}


def test_identity_bound_to_another_account_cannot_be_linked(app, agency, login):
    owner = factories.make_user(email="kadri.tamm@gov.example")
    db.session.add(
        UserIdentity(
            user_id=owner.id, provider="agency", issuer=agency.issuer, subject="kadri"
        )
    )
    db.session.commit()
    intruder = factories.make_user()
    client = login(intruder)
    response = sso_sign_in(client, app, "kadri")
    assert response.status_code == 400
    assert "This sign-in belongs to another collab account." in text(response)
    assert [(i.user_id, i.subject) for i in identities()] == [(owner.id, "kadri")]
    [event] = audit_events("auth.sso_failed")
    assert event.actor_id == intruder.id
    # The intruder stays who they were.
    assert {s.user_id for s in live_sessions()} == {intruder.id}


def test_linking_the_same_identity_twice_says_so(app, agency, login):
    user = factories.make_user()
    client = login(user)
    sso_sign_in(client, app, "kadri")
    response = sso_sign_in(client, app, "kadri")
    assert response.status_code == 400
    assert "This sign-in is already linked to your account." in text(response)
    assert len(identities()) == 1


def test_unlink_refuses_the_last_way_to_sign_in(app, agency, config):
    """An account made through SSO has no password: its only identity stays."""
    config(OIDC_SELF_REGISTRATION_DOMAINS=["open.example"])
    client = app.test_client()
    sso_sign_in(client, app, "newcomer")
    [identity] = identities()
    response = client.post(f"/auth/sso/identities/{identity.id}/unlink")
    assert response.status_code == 303
    page = text(client.get("/auth/sso/identities"))
    assert "This is your only way to sign in" in page
    assert len(identities()) == 1
    assert audit_events("auth.identity_unlinked") == []


def test_unlink_with_another_identity_left(app, op, oidc_providers):
    oidc_providers(agency_entry(op.issuer), agency_entry(op.issuer, name="agency2"))
    user = factories.make_user(email="kadri.tamm@gov.example", password=None)
    client = app.test_client()
    sso_sign_in(client, app, "kadri")
    first = identities()[0]
    # A second identity at another provider entry with another subject.
    db.session.add(
        UserIdentity(
            user_id=user.id,
            provider="agency2",
            issuer="http://127.0.0.1:9",
            subject="x",
        )
    )
    db.session.commit()
    response = client.post(f"/auth/sso/identities/{first.id}/unlink")
    assert response.status_code == 302
    assert [i.provider for i in identities()] == ["agency2"]
    assert "That sign-in is unlinked." in text(client.get("/auth/sso/identities"))
    [event] = audit_events("auth.identity_unlinked")
    assert (event.actor_id, event.detail) == (user.id, {"provider": "agency"})


def test_unlink_with_a_password_left(app, agency, login):
    user = factories.make_user()
    client = login(user)
    sso_sign_in(client, app, "kadri")
    [identity] = identities()
    assert client.post(f"/auth/sso/identities/{identity.id}/unlink").status_code == 302
    assert identities() == []
    assert audit_events("auth.identity_unlinked")


def test_unlink_needs_csrf_and_ones_own_identity(app, agency, login):
    owner = factories.make_user(email="kadri.tamm@gov.example")
    db.session.add(
        UserIdentity(
            user_id=owner.id, provider="agency", issuer=agency.issuer, subject="kadri"
        )
    )
    db.session.commit()
    [identity] = identities()
    other = login(factories.make_user())
    assert other.post(f"/auth/sso/identities/{identity.id}/unlink").status_code == 404
    mine = login(owner)
    url = f"/auth/sso/identities/{identity.id}/unlink"
    assert mine.post(url, csrf=False).status_code == 400
    assert len(identities()) == 1
    assert app.test_client().post(url).status_code == 302  # to sign-in
    assert len(identities()) == 1
