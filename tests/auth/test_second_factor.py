"""The TOTP second factor: enrolment (QR code, key, recovery codes), the code asked
after the password, replay and throttling, who must have one, removal and the
secretariat's reset."""

import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from collab.auth import second_factor
from collab.auth.models import RecoveryCode, ThrottleEvent, TotpCredential, User
from collab.core.db import utcnow
from collab.core.permissions import Role
from collab.extensions import db
from tests import factories
from tests.auth.conftest import ACCOUNTS
from tests.auth.helpers import (
    audit_actions,
    audit_events,
    code,
    enrol,
    is_signed_in,
    live_sessions,
    password_step,
    sign_in_with_code,
    sso_sign_in,
    text,
)

ENROL = "/account/two-factor"
NOT_RIGHT = "That code is not right."
RECOVERY = re.compile(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>")


def credential(user) -> TotpCredential | None:
    db.session.expire_all()
    return db.session.scalar(
        select(TotpCredential).where(TotpCredential.user_id == user.id)
    )


def enrolled(user) -> bool:
    found = credential(user)
    return found is not None and found.confirmed_at is not None


def send_code(client, value):
    return client.post("/auth/two-factor", data={"code": value})


# --- enrolment ------------------------------------------------------------------------


def test_enrolment_shows_a_local_qr_code_and_the_key(login):
    user = factories.make_user()
    client = login(user)
    response = client.get(ENROL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    found = credential(user)
    assert found is not None and found.confirmed_at is None
    # The QR code is inline SVG made here and encodes the otpauth URI with the key.
    uri = second_factor.provisioning_uri(db.session.get(User, user.id), found)
    assert uri.startswith("otpauth://totp/") and f"secret={found.secret}" in uri
    assert "<svg" in page and second_factor.qr_svg(uri) in page
    assert not re.search(r"<img[^>]+src=\"https?://", page)
    grouped = " ".join(found.secret[i : i + 4] for i in range(0, len(found.secret), 4))
    assert grouped in page
    # Reloading keeps the same key (the app may already have it).
    client.get(ENROL)
    assert credential(user).secret == found.secret


def test_enrolment_confirmed_with_a_code_shows_ten_recovery_codes_once(login, outbox):
    user = factories.make_user()
    client = login(user)
    client.get(ENROL)
    secret = credential(user).secret
    response = client.post(ENROL, data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = RECOVERY.findall(response.get_data(as_text=True))
    assert len(codes) == 10 == len(set(codes))
    assert enrolled(user)
    stored = db.session.scalars(
        select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)
    ).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    [mail] = outbox(user.email)
    assert "authenticator" in (mail.subject + mail.body_text).lower()
    assert secret not in mail.body_text and codes[0] not in mail.body_text
    [event] = audit_events("auth.2fa_enabled")
    assert (event.actor_id, event.target_id) == (user.id, user.id)
    # Shown once: the enrolment page now leads to the security page, without codes.
    again = client.get(ENROL)
    assert again.status_code == 302 and again.headers["Location"] == (
        "/account/security"
    )
    security = client.get("/account/security").get_data(as_text=True)
    assert not RECOVERY.search(security)
    assert "Recovery codes left: 10" in security


def test_wrong_code_at_enrolment_is_refused(login):
    user = factories.make_user()
    client = login(user)
    client.get(ENROL)
    secret = credential(user).secret
    response = client.post(ENROL, data={"code": code(secret, 10)})
    assert response.status_code == 400
    assert "That code is not right. Check the time on your phone." in text(response)
    assert not enrolled(user)
    assert audit_events("auth.2fa_enrol_failed")


def test_enrolment_is_throttled_like_passwords(login):
    user = factories.make_user()
    client = login(user)
    client.get(ENROL)
    secret = credential(user).secret
    for _ in range(5):
        assert client.post(ENROL, data={"code": code(secret, 10)}).status_code == 400
    response = client.post(ENROL, data={"code": code(secret)})
    assert response.status_code == 429
    assert "Too many wrong codes" in text(response)
    assert not enrolled(user)
    assert audit_events("auth.2fa_throttled")


# --- signing in -----------------------------------------------------------------------


def test_code_is_asked_after_the_password(client):
    user = factories.make_user("Kadri Tamm")
    secret, _codes = enrol(user)
    response = password_step(client, user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/two-factor"
    # Half signed in: nothing reachable, no session yet.
    assert client.get("/").status_code == 302
    with client.session_transaction() as session:
        assert "sid" not in session and "_user_id" not in session
    assert live_sessions() == []
    assert "auth.sign_in" not in audit_actions()
    page = client.get("/auth/two-factor")
    assert page.status_code == 200 and "Enter your code" in text(page)
    response = send_code(client, code(secret))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Welcome, Kadri Tamm" in text(client.get("/"))
    assert [s.user_id for s in live_sessions()] == [user.id]
    assert audit_actions().count("auth.sign_in") == 1


def test_code_step_keeps_next(client):
    user = factories.make_user()
    secret, _codes = enrol(user)
    password_step(client, user, next="/groups/")
    assert send_code(client, code(secret)).headers["Location"] == "/groups/"


def test_people_without_a_second_factor_are_not_asked(client):
    user = factories.make_user()
    assert password_step(client, user).headers["Location"] == "/"


def test_wrong_code_is_refused(client):
    user = factories.make_user()
    secret, _codes = enrol(user)
    password_step(client, user)
    for wrong in (code(secret, 10), "12345", "abcdef", "000000-000000"):
        response = send_code(client, wrong)
        assert response.status_code == 400
        assert NOT_RIGHT in text(response)
    assert not is_signed_in(client)
    assert live_sessions() == []
    failures = audit_events("auth.2fa_failed")
    assert len(failures) == 4 and failures[0].target_id == user.id


def test_the_same_code_is_refused_the_second_time(app):
    user = factories.make_user()
    secret, _codes = enrol(user)
    value = code(secret)
    sign_in_with_code(app, user, secret)
    thief = app.test_client()
    password_step(thief, user)
    response = send_code(thief, value)
    assert response.status_code == 400 and NOT_RIGHT in text(response)
    assert not is_signed_in(thief)
    # An older code than the last accepted one is refused too.
    later = app.test_client()
    password_step(later, user)
    assert send_code(later, code(secret, 1)).status_code == 302
    password_step(thief, user)
    assert send_code(thief, code(secret)).status_code == 400


def test_recovery_code_works_once(app):
    user = factories.make_user()
    _secret, codes = enrol(user)
    first = app.test_client()
    password_step(first, user)
    assert send_code(first, codes[0]).status_code == 302
    assert is_signed_in(first)
    [used] = audit_events("auth.recovery_code_used")
    assert used.target_id == user.id
    assert "Recovery codes left: 9" in text(first.get("/account/security"))
    second = app.test_client()
    password_step(second, user)
    response = send_code(second, codes[0])
    assert response.status_code == 400 and NOT_RIGHT in text(response)
    assert not is_signed_in(second)


def test_recovery_code_may_be_typed_in_capitals_without_the_dash(app):
    user = factories.make_user()
    _secret, codes = enrol(user)
    client = app.test_client()
    password_step(client, user)
    typed = " " + codes[3].replace("-", "").upper() + " "
    assert send_code(client, typed).status_code == 302


def test_another_persons_recovery_code_does_not_work(app):
    owner, other = factories.make_user(), factories.make_user()
    _secret, codes = enrol(owner)
    enrol(other)
    client = app.test_client()
    password_step(client, other)
    assert send_code(client, codes[0]).status_code == 400


def test_codes_are_throttled_after_five_failures_even_when_right(app):
    user = factories.make_user()
    secret, codes = enrol(user)
    client = app.test_client()
    password_step(client, user)
    for _ in range(5):
        assert send_code(client, code(secret, 10)).status_code == 400
    response = send_code(client, code(secret))
    assert response.status_code == 429
    assert "Too many wrong codes. Please wait 15 minutes" in text(response)
    assert not is_signed_in(client)
    assert audit_events("auth.2fa_throttled")
    # Held in the database: another browser, with the password again, or a
    # recovery code, is refused too.
    other = app.test_client()
    password_step(other, user)
    assert send_code(other, codes[0]).status_code == 429
    assert live_sessions() == []
    # Fifteen minutes later it works.
    for event in db.session.scalars(select(ThrottleEvent)):
        event.created_at = utcnow() - timedelta(minutes=16)
    db.session.commit()
    assert send_code(other, code(secret)).status_code == 302


def test_code_step_without_the_password_step_goes_back_to_sign_in(client):
    response = client.get("/auth/two-factor")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/sign-in")
    response = send_code(client, "123456")
    assert response.headers["Location"].startswith("/auth/sign-in")


def test_code_step_expires_after_five_minutes(client):
    user = factories.make_user()
    secret, _codes = enrol(user)
    password_step(client, user)
    with client.session_transaction() as session:
        pending = session["pending_2fa"]
        session["pending_2fa"] = [pending[0], int(time.time()) - 301, pending[2]]
    response = send_code(client, code(secret))
    assert response.headers["Location"].startswith("/auth/sign-in")
    assert not is_signed_in(client)


def test_deactivated_between_the_two_steps(client):
    user = factories.make_user()
    secret, _codes = enrol(user)
    password_step(client, user)
    db.session.get(User, user.id).is_active = False
    db.session.commit()
    assert (
        send_code(client, code(secret)).headers["Location"].startswith("/auth/sign-in")
    )
    assert live_sessions() == []


# --- who must have one ----------------------------------------------------------------

GUARDED_PAGES = [
    "/",
    "/groups/",
    "/admin/",
    "/admin/people",
    "/account/security",
    "/auth/sso/identities",
]


def test_secretariat_is_sent_to_enrolment_from_every_page(require_2fa, login, app):
    staff = factories.make_user("Sec Retariat", is_secretariat=True)
    member = factories.make_user()
    client = login(staff)
    for path in GUARDED_PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == ENROL, path
    for path in (
        "/account/password",
        f"/admin/people/{member.id}/deactivate",
        f"/admin/people/{member.id}/reset-2fa",
    ):
        response = client.post(path, data={"current": "x"})
        assert response.headers["Location"] == ENROL, path
    assert db.session.get(User, member.id).is_active
    page = client.get(ENROL)
    assert page.status_code == 200
    assert "Your role needs a second factor" in text(page)
    # Enrolling opens the site; the next sign-in asks for a code.
    secret = credential(staff).secret
    assert client.post(ENROL, data={"code": code(secret)}).status_code == 200
    for path in GUARDED_PAGES:
        assert client.get(path).status_code == 200, path
    later = app.test_client()
    assert password_step(later, staff).headers["Location"] == "/auth/two-factor"


def test_secretariat_can_still_sign_out_before_enrolling(require_2fa, login):
    staff = factories.make_user(is_secretariat=True)
    client = login(staff)
    assert client.post("/auth/sign-out").headers["Location"] == "/auth/sign-in"
    assert live_sessions() == []


def test_secretariat_rule_can_be_off(login):
    staff = factories.make_user(is_secretariat=True)
    client = login(staff)
    assert client.get("/admin/people").status_code == 200


def test_secretariat_signed_in_through_sso_is_not_sent_to_enrolment(
    require_2fa, client, app, agency
):
    factories.make_user(email=ACCOUNTS["kadri"]["email"], is_secretariat=True)
    assert sso_sign_in(client, app, "kadri").headers["Location"] == "/"
    for path in GUARDED_PAGES:
        assert client.get(path).status_code == 200, path


def test_chairs_need_a_second_factor_only_when_configured(login, config):
    chair, member = factories.make_user(), factories.make_user()
    factories.make_group(chair=chair, members=(member,))
    assert login(chair).get("/").status_code == 200
    config(REQUIRE_2FA_FOR_CHAIRS=True)
    chair_client = login(chair)
    assert chair_client.get("/").headers["Location"] == ENROL
    assert chair_client.get("/groups/").headers["Location"] == ENROL
    assert login(member).get("/").status_code == 200


def test_pending_chair_role_does_not_count(login, config):
    config(REQUIRE_2FA_FOR_CHAIRS=True)
    person = factories.make_user()
    group = factories.make_group()
    factories.add_member(group, person, Role.CHAIR, status="pending")
    assert login(person).get("/").status_code == 200


# --- removal and reset ----------------------------------------------------------------


def test_removing_the_second_factor_needs_the_password(app, outbox):
    user = factories.make_user()
    secret, _codes = enrol(user)
    client = sign_in_with_code(app, user, secret)
    response = client.post(
        "/account/two-factor/remove", data={"password": "not my password at all"}
    )
    assert response.status_code == 400
    assert "That is not your current password." in text(response)
    assert enrolled(user)
    assert audit_events("auth.password_confirmation_failed")
    response = client.post(
        "/account/two-factor/remove", data={"password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert credential(user) is None
    assert (
        db.session.scalars(
            select(RecoveryCode).where(RecoveryCode.user_id == user.id)
        ).all()
        == []
    )
    [event] = audit_events("auth.2fa_disabled")
    assert (event.actor_id, event.target_id) == (user.id, user.id)
    assert [m for m in outbox(user.email)]
    assert password_step(app.test_client(), user).headers["Location"] == "/"


def test_removal_is_refused_when_the_role_requires_it(require_2fa, app):
    staff = factories.make_user(is_secretariat=True)
    secret, _codes = enrol(staff)
    client = sign_in_with_code(app, staff, secret)
    assert "Remove the authenticator app" not in text(client.get("/account/security"))
    response = client.post(
        "/account/two-factor/remove", data={"password": factories.PASSWORD}
    )
    assert response.status_code == 403
    assert enrolled(staff)
    assert "auth.2fa_disabled" not in audit_actions()


def test_new_recovery_codes_need_the_password_and_replace_the_old(app):
    user = factories.make_user()
    secret, old_codes = enrol(user)
    client = sign_in_with_code(app, user, secret)
    refused = client.post(
        "/account/two-factor/recovery-codes", data={"password": "wrong guess here"}
    )
    assert refused.status_code == 400
    response = client.post(
        "/account/two-factor/recovery-codes", data={"password": factories.PASSWORD}
    )
    assert response.status_code == 200
    new_codes = RECOVERY.findall(response.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert audit_events("auth.recovery_codes_renewed")
    other = app.test_client()
    password_step(other, user)
    assert send_code(other, old_codes[0]).status_code == 400
    assert send_code(other, new_codes[0]).status_code == 302


def test_secretariat_reset_is_audited_emailed_and_enrolment_follows(
    require_2fa, app, outbox
):
    admin = factories.make_user("Admin", is_secretariat=True)
    admin_secret, _codes = enrol(admin)
    staff = factories.make_user("Lost Phone", is_secretariat=True)
    enrol(staff)
    client = sign_in_with_code(app, admin, admin_secret)
    response = client.post(f"/admin/people/{staff.id}/reset-2fa")
    assert response.status_code == 302
    assert "second factor is reset" in text(client.get("/admin/people"))
    assert credential(staff) is None
    [event] = audit_events("auth.2fa_reset")
    assert (event.actor_id, event.target_id) == (admin.id, staff.id)
    assert outbox(staff.email), "the person is told their second factor was removed"
    # The next sign-in asks for no code, then sends them to set up a new app.
    returning = app.test_client()
    assert password_step(returning, staff).headers["Location"] == "/"
    assert returning.get("/").headers["Location"] == ENROL
    assert "Your role needs a second factor" in text(returning.get(ENROL))


def test_only_the_secretariat_can_reset_a_second_factor(app, login):
    member = factories.make_user()
    victim = factories.make_user()
    enrol(victim)
    response = login(member).post(f"/admin/people/{victim.id}/reset-2fa")
    assert response.status_code in (403, 404)
    assert enrolled(victim)


@pytest.mark.parametrize("path", ["/account/two-factor/remove", ENROL])
def test_second_factor_forms_need_csrf(login, path):
    user = factories.make_user()
    client = login(user)
    client.get(ENROL)
    response = client.post(path, data={"password": factories.PASSWORD}, csrf=False)
    assert response.status_code == 400
