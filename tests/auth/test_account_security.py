"""The account security page: changing the password (and ending other sessions),
the list of sessions with device and last use, ending one, recent security events."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import select

from collab.audit import services as audit
from collab.auth.models import User, UserSession
from collab.auth.passwords import verify_password
from collab.core.db import utcnow
from collab.extensions import db
from tests import factories
from tests.auth.conftest import ACCOUNTS
from tests.auth.helpers import (
    FIREFOX_ON_WINDOWS,
    SAFARI_ON_IPHONE,
    audit_actions,
    audit_events,
    is_signed_in,
    live_sessions,
    password_step,
    sso_sign_in,
    text,
)

NEW_PASSWORD = "granite orchard lantern 42"
NOT_CURRENT = "That is not your current password."


def browser(app, user, agent, password=factories.PASSWORD):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    response = password_step(client, user, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def session_row(user, agent) -> UserSession:
    db.session.expire_all()
    return db.session.scalar(
        select(UserSession).where(
            UserSession.user_id == user.id, UserSession.user_agent == agent
        )
    )


def change_password(client, current, new=NEW_PASSWORD, end_others=True, **extra):
    data = {"current": current, "password": new, "confirm": new, **extra}
    if end_others:
        data["end_others"] = "y"
    return client.post("/account/password", data=data)


def events_section(response) -> str:
    page = text(response)
    return page.partition("Recent security events")[2]


def test_security_page_needs_an_account(client):
    response = client.get("/account/security")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/sign-in")


# --- sessions -------------------------------------------------------------------------


def test_sessions_are_listed_with_device_address_and_last_use(app):
    user = factories.make_user(timezone="Europe/Paris")
    laptop = browser(app, user, FIREFOX_ON_WINDOWS)
    browser(app, user, SAFARI_ON_IPHONE)
    someone_else = factories.make_user()
    browser(app, someone_else, "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0")
    phone_row = session_row(user, SAFARI_ON_IPHONE)
    last_use = (utcnow() - timedelta(hours=3)).replace(second=0, microsecond=0)
    phone_row.last_seen_at = last_use
    db.session.commit()
    page = text(laptop.get("/account/security"))
    assert "Firefox on Windows (this one)" in page
    assert "Safari on iPhone" in page and "Safari on iPhone (this one)" not in page
    assert "Chrome on Linux" not in page
    assert "127.0.0.1" in page
    shown = format_datetime(
        last_use, "short", tzinfo=ZoneInfo("Europe/Paris"), locale="en"
    )
    assert re.sub(r"\s", " ", shown) in page.replace("\u202f", " ")
    for heading in ("Device", "Address", "Signed in", "Last used"):
        assert heading in page


def test_expired_sessions_are_not_listed_as_active(app):
    """A session past its idle or absolute timeout no longer signs anyone in: the
    list of active sessions does not show it."""
    user = factories.make_user()
    laptop = browser(app, user, FIREFOX_ON_WINDOWS)
    phone = browser(app, user, SAFARI_ON_IPHONE)
    tablet = browser(app, user, "Mozilla/5.0 (iPad; CPU OS 17_5) Safari/604.1")
    idle = session_row(user, SAFARI_ON_IPHONE)
    idle.last_seen_at = (
        utcnow() - app.config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=5)
    )
    db.session.commit()
    old = session_row(user, "Mozilla/5.0 (iPad; CPU OS 17_5) Safari/604.1")
    old.created_at = (
        utcnow() - app.config["SESSION_ABSOLUTE_TIMEOUT"] - timedelta(minutes=5)
    )
    db.session.commit()
    assert not is_signed_in(phone) and not is_signed_in(tablet)
    sessions = text(laptop.get("/account/security")).partition(
        "Recent security events"
    )[0]
    assert "Firefox on Windows" in sessions
    assert "Safari on iPhone" not in sessions
    assert "Safari on iPad" not in sessions


def test_ending_one_session_kills_that_cookie_only(app):
    user = factories.make_user()
    laptop = browser(app, user, FIREFOX_ON_WINDOWS)
    phone = browser(app, user, SAFARI_ON_IPHONE)
    phone_row = session_row(user, SAFARI_ON_IPHONE)
    response = laptop.post(f"/account/sessions/{phone_row.id}/end")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/security"
    page = text(laptop.get("/account/security"))
    assert "That session is ended." in page
    assert "Safari on iPhone" not in page.partition("Recent security events")[0]
    assert phone.get("/").headers["Location"].startswith("/auth/sign-in")
    assert is_signed_in(laptop)
    [event] = audit_events("auth.session_ended")
    assert (event.actor_id, event.target_id) == (user.id, user.id)


def test_ending_this_session_signs_out_here(app):
    user = factories.make_user()
    laptop = browser(app, user, FIREFOX_ON_WINDOWS)
    row = session_row(user, FIREFOX_ON_WINDOWS)
    response = laptop.post(f"/account/sessions/{row.id}/end")
    assert response.headers["Location"] == "/auth/sign-in"
    assert not is_signed_in(laptop)
    assert live_sessions() == []


def test_nobody_ends_another_persons_session(app):
    owner, other = factories.make_user(), factories.make_user()
    phone = browser(app, owner, SAFARI_ON_IPHONE)
    intruder = browser(app, other, FIREFOX_ON_WINDOWS)
    row = session_row(owner, SAFARI_ON_IPHONE)
    assert intruder.post(f"/account/sessions/{row.id}/end").status_code == 404
    assert intruder.post("/account/sessions/99999/end").status_code == 404
    owner_laptop = browser(app, owner, FIREFOX_ON_WINDOWS)
    url = f"/account/sessions/{row.id}/end"
    assert owner_laptop.post(url, csrf=False).status_code == 400
    assert is_signed_in(phone)


# --- password -------------------------------------------------------------------------


def test_changing_the_password_needs_the_current_one(app):
    user = factories.make_user()
    laptop = browser(app, user, FIREFOX_ON_WINDOWS)
    phone = browser(app, user, SAFARI_ON_IPHONE)
    response = change_password(laptop, "not the current password")
    assert response.status_code == 400
    assert NOT_CURRENT in text(response)
    db.session.expire_all()
    assert verify_password(
        db.session.get(User, user.id).password_hash, factories.PASSWORD
    )
    assert is_signed_in(phone)
    assert audit_events("auth.password_confirmation_failed")
    assert "auth.password_changed" not in audit_actions()


def test_current_password_guesses_are_throttled(app):
    user = factories.make_user()
    laptop = browser(app, user, FIREFOX_ON_WINDOWS)
    for _ in range(5):
        assert change_password(laptop, "wrong guess number x").status_code == 400
    response = change_password(laptop, factories.PASSWORD)
    assert response.status_code == 400
    db.session.expire_all()
    assert verify_password(
        db.session.get(User, user.id).password_hash, factories.PASSWORD
    )


def test_password_change_ends_other_sessions_on_request(app, outbox):
    user = factories.make_user()
    laptop = browser(app, user, FIREFOX_ON_WINDOWS)
    phone = browser(app, user, SAFARI_ON_IPHONE)
    response = change_password(laptop, factories.PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/security"
    assert "Your password is changed." in text(laptop.get("/account/security"))
    assert phone.get("/").headers["Location"].startswith("/auth/sign-in")
    assert is_signed_in(laptop)
    assert [s.user_agent for s in live_sessions(user)] == [FIREFOX_ON_WINDOWS]
    # The new password works, the old one does not.
    assert password_step(app.test_client(), user).status_code == 200
    assert password_step(app.test_client(), user, NEW_PASSWORD).status_code == 302
    [changed] = audit_events("auth.password_changed")
    assert (changed.actor_id, changed.target_id) == (user.id, user.id)
    [ended] = audit_events("auth.sessions_ended")
    assert ended.detail == {"count": 1}
    [mail] = outbox(user.email)
    assert "password" in mail.subject.lower()
    assert NEW_PASSWORD not in mail.body_text + mail.body_html
    for event in audit_events():
        assert NEW_PASSWORD not in str(event.detail)


def test_password_change_can_keep_other_sessions(app, outbox):
    user = factories.make_user()
    laptop = browser(app, user, FIREFOX_ON_WINDOWS)
    phone = browser(app, user, SAFARI_ON_IPHONE)
    assert change_password(
        laptop, factories.PASSWORD, end_others=False
    ).status_code == (302)
    assert is_signed_in(phone) and is_signed_in(laptop)
    assert "auth.sessions_ended" not in audit_actions()
    assert len(outbox(user.email)) == 1


def test_the_form_offers_ending_other_sessions_by_default(login):
    page = login(factories.make_user()).get("/account/security").get_data(as_text=True)
    checkbox = re.search(r"<input[^>]*name=\"end_others\"[^>]*>", page)
    assert checkbox and "checked" in checkbox.group(0)


def test_weak_or_mismatched_new_password_is_refused(app):
    user = factories.make_user(email="kadri.tamm@gov.example")
    laptop = browser(app, user, FIREFOX_ON_WINDOWS)
    assert change_password(laptop, factories.PASSWORD, new="short").status_code == 400
    response = change_password(
        laptop, factories.PASSWORD, confirm="something else entirely"
    )
    assert response.status_code == 400
    assert "The two passwords differ." in text(response)
    db.session.expire_all()
    assert verify_password(
        db.session.get(User, user.id).password_hash, factories.PASSWORD
    )


def test_sso_only_account_has_no_password_to_change(client, app, agency):
    factories.make_user(email=ACCOUNTS["kadri"]["email"], password=None)
    sso_sign_in(client, app, "kadri")
    page = text(client.get("/account/security"))
    assert "You sign in through your organisation and have no collab password." in page
    response = change_password(client, "", new=NEW_PASSWORD)
    assert response.status_code == 400
    response = change_password(client, "anything at all here")
    assert response.status_code == 400
    assert db.session.scalar(select(User.password_hash)) is None


# --- recent events --------------------------------------------------------------------


def test_recent_events_show_sign_ins_failures_and_changes(app):
    user = factories.make_user()
    other = factories.make_user()
    password_step(app.test_client(), user, "a wrong password guess")
    laptop = browser(app, user, FIREFOX_ON_WINDOWS)
    change_password(laptop, factories.PASSWORD, end_others=False)
    audit.record(other, "auth.2fa_enabled", other)
    db.session.commit()
    events = events_section(laptop.get("/account/security"))
    for label in ("Failed sign-in", "Signed in", "Password changed"):
        assert label in events, label
    assert "127.0.0.1" in events
    assert "Authenticator app set up" not in events
    # Newest first.
    assert events.index("Password changed") < events.index("Failed sign-in")


def test_recent_events_name_every_event_in_words(client, app, agency):
    """After an SSO sign-in (and a failed one) the list reads as words, not as the
    audit log's action codes."""
    user = factories.make_user(email=ACCOUNTS["kadri"]["email"])
    sso_sign_in(client, app, "kadri")
    audit.record(user, "auth.sso_failed", None, provider="agency", reason="x")
    db.session.commit()
    events = events_section(client.get("/account/security"))
    assert "Signed in" in events
    assert not re.search(r"\bauth\.[a-z_0-9]+", events), events
