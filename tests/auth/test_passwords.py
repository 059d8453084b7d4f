"""Password rules, reset and first-time setup links."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from collab.auth import services
from collab.auth.models import PasswordToken, User
from collab.auth.passwords import password_problem, verify_password
from collab.core.db import utcnow
from collab.extensions import db
from tests import factories


@pytest.mark.parametrize(
    "password",
    [
        "short one",
        "aaaaaaaaaaaaaaaaaaaa",
        "password12345678",
        "collabcollab2026",
        "kadri.tamm@gov.example",
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password):
    assert password_problem(password, email="kadri.tamm@gov.example", name="Kadri Tamm")


def test_long_unrelated_words_are_accepted_without_composition_rules():
    assert password_problem("violet tractor harbour", email="a@b.example") is None


def _reset_link(outbox, email):
    [mail] = outbox(email)
    return next(line for line in mail.body_text.splitlines() if "/auth/reset/" in line)


def test_reset_link_sets_a_new_password_once(client, outbox):
    user = factories.make_user()
    client.post("/auth/reset", data={"email": user.email})
    link = _reset_link(outbox, user.email)
    assert link.startswith("http://collab.test/auth/reset/")
    path = link.removeprefix("http://collab.test")
    assert client.get(path).status_code == 200
    response = client.post(
        path,
        data={
            "password": "granite orchard lantern",
            "confirm": "granite orchard lantern",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert verify_password(
        db.session.get(User, user.id).password_hash, "granite orchard lantern"
    )
    again = client.get(path)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)


def test_expired_reset_link_says_so(client, outbox):
    user = factories.make_user()
    client.post("/auth/reset", data={"email": user.email})
    path = _reset_link(outbox, user.email).removeprefix("http://collab.test")
    token = db.session.scalar(select(PasswordToken))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)


def test_unknown_reset_link_is_404_with_a_plain_message(client):
    response = client.get("/auth/reset/not-a-real-token")
    assert response.status_code == 404
    assert "not valid" in response.get_data(as_text=True)


def test_reset_request_answers_the_same_for_unknown_addresses(client, outbox):
    user = factories.make_user()
    known = client.post(
        "/auth/reset", data={"email": user.email}, follow_redirects=True
    )
    unknown = client.post(
        "/auth/reset", data={"email": "ghost@gov.example"}, follow_redirects=True
    )
    assert "If an account uses that address" in known.get_data(as_text=True)
    assert "If an account uses that address" in unknown.get_data(as_text=True)
    assert outbox("ghost@gov.example") == []


def test_reset_requests_per_address_are_capped(client, outbox):
    user = factories.make_user()
    for _ in range(5):
        client.post("/auth/reset", data={"email": user.email})
    assert len(outbox(user.email)) == 3


def test_reset_with_weak_password_keeps_the_link_usable(client, outbox):
    user = factories.make_user()
    client.post("/auth/reset", data={"email": user.email})
    path = _reset_link(outbox, user.email).removeprefix("http://collab.test")
    response = client.post(path, data={"password": "short", "confirm": "short"})
    assert response.status_code == 200
    assert "at least 15 characters" in response.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_reset_ends_existing_sessions(client, login, outbox):
    user = factories.make_user()
    other_device = login(user)
    client.post("/auth/reset", data={"email": user.email})
    path = _reset_link(outbox, user.email).removeprefix("http://collab.test")
    client.post(
        path,
        data={
            "password": "granite orchard lantern",
            "confirm": "granite orchard lantern",
        },
    )
    assert other_device.get("/").status_code == 302


def test_reset_link_is_built_on_base_url_not_the_host_header(app, outbox):
    user = factories.make_user()
    with app.test_request_context("/auth/reset", base_url="http://evil.example"):
        services.request_password_reset(user.email)
        db.session.commit()
    assert _reset_link(outbox, user.email).startswith("http://collab.test/")


def test_create_secretariat_setup_link_works_once_within_24_hours(app, client):
    result = app.test_cli_runner().invoke(
        args=["users", "create-secretariat", "Boss@Gov.Example"]
    )
    assert result.exit_code == 0
    link = next(w for w in result.output.split() if "/auth/setup/" in w)
    path = link.removeprefix("http://collab.test")
    token = db.session.scalar(select(PasswordToken))
    assert timedelta(hours=23) < token.expires_at - utcnow() <= timedelta(hours=24)
    response = client.post(
        path,
        data={
            "password": "granite orchard lantern",
            "confirm": "granite orchard lantern",
        },
    )
    assert response.status_code == 302
    response = client.post(
        "/auth/sign-in",
        data={"email": "boss@gov.example", "password": "granite orchard lantern"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert app.test_client().get(path).status_code == 410


def test_user_without_password_cannot_sign_in(client):
    user = factories.make_user(password=None)
    response = client.post(
        "/auth/sign-in", data={"email": user.email, "password": "anything at all here"}
    )
    assert "do not match an active account" in response.get_data(as_text=True)


def test_services_refuse_reusing_a_token(app):
    user = factories.make_user()
    raw = services.issue_password_token(user, "reset", timedelta(hours=1))
    services.redeem_password_token(raw, "reset", "granite orchard lantern")
    db.session.commit()
    with pytest.raises(services.TokenError):
        services.redeem_password_token(raw, "reset", "another granite orchard")
