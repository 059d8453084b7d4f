"""Signing in and out: generic failures, throttling, session rotation, revocation."""

from datetime import timedelta

from sqlalchemy import select

from collab.audit.models import AuditEvent
from collab.auth.models import User, UserSession
from collab.core.db import utcnow
from collab.extensions import db
from tests import factories

GENERIC = "That e-mail and password do not match an active account."


def sign_in(client, email, password, **extra):
    return client.post(
        "/auth/sign-in", data={"email": email, "password": password, **extra}
    )


def test_sign_in_with_right_password_lands_on_dashboard(client):
    user = factories.make_user("Kadri Tamm")
    response = sign_in(client, user.email.upper(), factories.PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Welcome, Kadri Tamm" in client.get("/").get_data(as_text=True)


def test_unknown_account_wrong_password_and_deactivated_look_the_same(client):
    user = factories.make_user()
    inactive = factories.make_user(is_active=False)
    pages = [
        sign_in(client, "nobody@gov.example", factories.PASSWORD),
        sign_in(client, user.email, "wrong password entirely"),
        sign_in(client, inactive.email, factories.PASSWORD),
    ]
    assert {page.status_code for page in pages} == {200}
    for page in pages:
        assert GENERIC in page.get_data(as_text=True)


def test_failed_sign_in_keeps_the_typed_email(client):
    page = sign_in(client, "someone@gov.example", "nope").get_data(as_text=True)
    assert 'value="someone@gov.example"' in page


def test_sixth_attempt_is_refused_even_with_the_right_password(client):
    user = factories.make_user()
    for _ in range(5):
        assert sign_in(client, user.email, "wrong password entirely").status_code == 200
    response = sign_in(client, user.email, factories.PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_throttle_counts_only_the_last_fifteen_minutes(client):
    from collab.auth.models import ThrottleEvent

    user = factories.make_user()
    old = utcnow() - timedelta(minutes=16)
    for _ in range(5):
        db.session.add(ThrottleEvent(key=f"login:account:{user.email}", created_at=old))
    db.session.commit()
    assert sign_in(client, user.email, factories.PASSWORD).status_code == 302


def test_throttle_is_shared_by_every_client(app):
    """Counted in the database, so another worker or browser sees the same count."""
    user = factories.make_user()
    for _ in range(5):
        sign_in(app.test_client(), user.email, "wrong password entirely")
    assert sign_in(app.test_client(), user.email, factories.PASSWORD).status_code == 429


def test_sign_in_rotates_the_session_and_records_an_audit_event(client):
    user = factories.make_user()
    client.get("/auth/sign-in")
    with client.session_transaction() as session:
        session["sid"] = "planted-by-attacker"
    sign_in(client, user.email, factories.PASSWORD)
    with client.session_transaction() as session:
        assert session["sid"] != "planted-by-attacker"
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "auth.sign_in" in actions


def test_failed_sign_in_is_audited_without_the_password(client):
    user = factories.make_user()
    sign_in(client, user.email, "my secret guess 123")
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")
    )
    assert event is not None and event.ip == "127.0.0.1"
    assert "my secret guess" not in str(event.detail)


def test_sign_out_makes_the_old_cookie_useless(client, app):
    user = factories.make_user()
    sign_in(client, user.email, factories.PASSWORD)
    with client.session_transaction() as session:
        stolen = dict(session)
    assert client.post("/auth/sign-out").status_code == 302
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(stolen)
    assert thief.get("/").status_code == 302


def test_sign_out_everywhere_ends_other_sessions(login):
    user = factories.make_user()
    laptop, phone = login(user), login(user)
    laptop.post("/auth/sign-out-everywhere")
    assert phone.get("/").status_code == 302
    assert laptop.get("/").status_code == 302


def test_deactivation_refuses_the_very_next_request(login):
    user = factories.make_user()
    client = login(user)
    assert client.get("/").status_code == 200
    db.session.get(User, user.id).is_active = False
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/sign-in")


def test_idle_session_expires(login, app):
    user = factories.make_user()
    client = login(user)
    row = db.session.scalar(select(UserSession))
    row.last_seen_at = (
        utcnow() - app.config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=1)
    )
    db.session.commit()
    assert client.get("/").status_code == 302


def test_absolute_session_lifetime_expires_even_when_active(login, app):
    user = factories.make_user()
    client = login(user)
    row = db.session.scalar(select(UserSession))
    row.created_at = (
        utcnow() - app.config["SESSION_ABSOLUTE_TIMEOUT"] - timedelta(minutes=1)
    )
    db.session.commit()
    assert client.get("/").status_code == 302


def test_next_is_followed_only_on_our_host(client):
    user = factories.make_user()
    response = sign_in(client, user.email, factories.PASSWORD, next="/groups/")
    assert response.headers["Location"] == "/groups/"
    other = factories.make_user()
    response = sign_in(
        client.application.test_client(),
        other.email,
        factories.PASSWORD,
        next="https://evil.example/",
    )
    assert response.headers["Location"] == "/"


def test_anonymous_request_to_a_page_goes_to_sign_in_with_next(client):
    response = client.get("/groups/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/sign-in?next=")


def test_old_argon2_hash_is_upgraded_on_sign_in(client, app, monkeypatch):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(
        factories.PASSWORD
    )
    user = factories.make_user()
    db.session.get(User, user.id).password_hash = weak
    db.session.commit()
    sign_in(client, user.email, factories.PASSWORD)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash != weak


def test_last_seen_is_refreshed_on_reads_and_writes_without_locking(login, app):
    """Both a page view and a form post made after the touch interval refresh the
    session's last use (a write request must not wait on its own write lock)."""
    user = factories.make_user()
    client = login(user)
    for method in ("get", "post"):
        row = db.session.scalar(select(UserSession))
        stale = utcnow() - app.config["SESSION_TOUCH_INTERVAL"] - timedelta(minutes=1)
        row.last_seen_at = stale
        db.session.commit()
        if method == "get":
            assert client.get("/").status_code == 200
        else:
            client.post("/language", data={"locale": "en", "next": "/"})
        db.session.expire_all()
        assert db.session.scalar(select(UserSession)).last_seen_at > stale
