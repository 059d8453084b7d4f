"""E-mail end to end through a real SMTP server: invitations, password resets, SMTP
outages and retries, the recipient's language, and the first secretariat's setup
link."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from collab.auth.models import PasswordToken, User
from collab.core.db import utcnow
from collab.extensions import db
from collab.groups.models import Invitation, Membership
from collab.notifications.models import OutboxEmail
from collab.notifications.services import deliver_pending
from tests import factories
from tests.notifications.mail import html_of, link_in, text_of

NEW_PASSWORD = "copper meadow whistles at dawn"
INVITEE = "new.delegate@gov.example"


def _one(model, *where):
    db.session.expire_all()
    return db.session.scalars(select(model).where(*where)).one()


def _flashes(page: str) -> list[str]:
    return re.findall(r'<p class="flash flash-\w+">(.*?)</p>', page, re.DOTALL)


def _path(response) -> str:
    return urlsplit(response.headers["Location"]).path


def _sign_in(client, email: str, password: str):
    return client.post("/auth/sign-in", data={"email": email, "password": password})


def _make_due(email: OutboxEmail) -> None:
    email.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


# --- (1) invitations ------------------------------------------------------------------


@pytest.fixture
def chair():
    return factories.make_user("Chiara Rossi", email="chiara@agid.example")


@pytest.fixture
def group(chair):
    return factories.make_group(
        "Digital Identity", slug="digital-identity", chair=chair, join_policy="invite"
    )


@pytest.fixture
def invitation_email(login, chair, group, smtp_server):
    """A chair invites INVITEE from the members page; the outbox delivers it."""
    response = login(chair).post(
        "/groups/digital-identity/invitations",
        data={"email": INVITEE, "role": "member"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert deliver_pending() == (1, 0)
    [message] = smtp_server.messages
    return message


def test_invitation_reaches_smtp_as_text_and_html(invitation_email, smtp_server, app):
    message = invitation_email

    assert message["To"] == INVITEE
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["Subject"] == "Invitation to join Digital Identity on collab"
    assert message.get_content_type() == "multipart/alternative"
    assert (
        "Chiara Rossi invites you to join the working group Digital Identity as Member."
        in (text_of(message))
    )
    link = "http://collab.test" + link_in(message)
    assert link.startswith("http://collab.test/auth/invitations/")
    assert f'href="{link}"' in html_of(message)
    assert smtp_server.envelopes == [("no-reply@collab.localhost", [INVITEE])]
    assert _one(OutboxEmail).status == "sent"


def test_invitation_link_opens_the_invitation_page(app, invitation_email):
    response = app.test_client().get(link_in(invitation_email))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Join Digital Identity" in page
    assert f"You have been invited as Member. Create your account for {INVITEE}" in page


def test_invitee_completes_the_invitation_and_lands_in_the_group(app, invitation_email):
    browser = app.test_client()
    link = link_in(invitation_email)

    response = browser.post(
        link,
        data={
            "display_name": "Nadia Novak",
            "country": "SI",
            "organisation": "Ministry of Digital",
            "position": "Adviser",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert _path(response) == "/groups/digital-identity/"
    home = browser.get("/groups/digital-identity/").get_data(as_text=True)
    assert "Welcome to Digital Identity." in _flashes(home)
    assert "You are Member of this group." in home
    user = _one(User, User.email == INVITEE)
    assert (user.display_name, user.country) == ("Nadia Novak", "SI")
    membership = _one(Membership, Membership.user_id == user.id)
    assert (membership.role, membership.status) == ("member", "active")
    assert _sign_in(app.test_client(), INVITEE, NEW_PASSWORD).status_code == 302


def test_reused_invitation_link_says_it_was_already_used(app, invitation_email):
    link = link_in(invitation_email)
    app.test_client().post(
        link,
        data={
            "display_name": "Nadia Novak",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )

    response = app.test_client().get(link)

    assert response.status_code == 410
    assert "This invitation has already been used." in response.get_data(as_text=True)
    assert len(db.session.scalars(select(User).where(User.email == INVITEE)).all()) == 1


def test_expired_invitation_link_says_it_expired(app, invitation_email):
    invitation = _one(Invitation)
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    browser = app.test_client()

    response = browser.get(link_in(invitation_email))
    posted = browser.post(
        link_in(invitation_email),
        data={
            "display_name": "Nadia Novak",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )

    assert response.status_code == 410
    assert "This invitation has expired." in response.get_data(as_text=True)
    assert posted.status_code == 410
    assert db.session.scalar(select(User).where(User.email == INVITEE)) is None


# --- (2) password reset ---------------------------------------------------------------


@pytest.fixture
def kadri():
    return factories.make_user("Kadri Tamm", email="kadri@ria.example")


def _request_reset(app, address: str):
    return app.test_client().post("/auth/reset", data={"email": address})


@pytest.fixture
def reset_email(app, kadri, smtp_server):
    response = _request_reset(app, "Kadri@RIA.example")
    assert response.status_code == 302
    assert deliver_pending() == (1, 0)
    [message] = smtp_server.messages
    return message


def test_reset_request_emails_a_link(reset_email):
    assert reset_email["To"] == "kadri@ria.example"
    assert reset_email["Subject"] == "Choose a new password for collab"
    assert "Hello Kadri Tamm," in text_of(reset_email)
    link = "http://collab.test" + link_in(reset_email)
    assert link.startswith("http://collab.test/auth/reset/")
    assert f'href="{link}"' in html_of(reset_email)


def test_reset_link_sets_a_new_password_and_the_old_one_stops_working(app, reset_email):
    browser = app.test_client()
    form = browser.get(link_in(reset_email))
    assert form.status_code == 200
    assert "Choose a new password" in form.get_data(as_text=True)

    response = browser.post(
        link_in(reset_email), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert _path(response) == "/auth/sign-in"
    assert (
        _sign_in(app.test_client(), "kadri@ria.example", NEW_PASSWORD).status_code
        == 302
    )
    old = _sign_in(app.test_client(), "kadri@ria.example", factories.PASSWORD)
    assert old.status_code == 200
    assert "do not match an active account" in old.get_data(as_text=True)


def test_reset_signs_out_sessions_opened_with_the_old_password(
    app, login, kadri, reset_email
):
    # Signed in elsewhere (possibly by whoever knew the old password).
    other_browser = login(kadri)
    assert other_browser.get("/").status_code == 200

    app.test_client().post(
        link_in(reset_email), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )

    response = other_browser.get("/")
    assert response.status_code == 302 and _path(response) == "/auth/sign-in"


def test_reset_link_cannot_be_reused(app, reset_email):
    link = link_in(reset_email)
    app.test_client().post(
        link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )

    again = app.test_client().get(link)
    second_password = "amber falcon gently crosses rivers"
    posted = app.test_client().post(
        link, data={"password": second_password, "confirm": second_password}
    )

    assert again.status_code == 410
    assert "This link has already been used." in again.get_data(as_text=True)
    assert posted.status_code == 410
    assert (
        _sign_in(app.test_client(), "kadri@ria.example", second_password).status_code
        == 200
    )
    assert (
        _sign_in(app.test_client(), "kadri@ria.example", NEW_PASSWORD).status_code
        == 302
    )


def test_expired_reset_link_says_so(app, kadri, reset_email):
    token = _one(PasswordToken, PasswordToken.user_id == kadri.id)
    assert timedelta(minutes=59) < token.expires_at - utcnow() <= timedelta(minutes=60)
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    response = app.test_client().get(link_in(reset_email))
    posted = app.test_client().post(
        link_in(reset_email), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )

    assert response.status_code == 410
    assert "This link has expired." in response.get_data(as_text=True)
    assert posted.status_code == 410
    assert (
        _sign_in(app.test_client(), "kadri@ria.example", factories.PASSWORD).status_code
        == 302
    )


def test_unknown_address_gets_the_same_answer_and_no_email(
    app, kadri, smtp_server, outbox
):
    known_browser, unknown_browser = app.test_client(), app.test_client()

    known = known_browser.post("/auth/reset", data={"email": "kadri@ria.example"})
    unknown = unknown_browser.post("/auth/reset", data={"email": "nobody@ria.example"})

    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    known_page = known_browser.get(known.headers["Location"]).get_data(as_text=True)
    unknown_page = unknown_browser.get(unknown.headers["Location"]).get_data(
        as_text=True
    )
    assert _flashes(known_page) == _flashes(unknown_page) != []
    assert outbox(to="nobody@ria.example") == []
    deliver_pending()
    assert [m["To"] for m in smtp_server.messages] == ["kadri@ria.example"]


# --- (3) SMTP down --------------------------------------------------------------------


@pytest.fixture
def queued(app, kadri):
    """One e-mail waiting in the outbox (a password reset)."""
    _request_reset(app, kadri.email)
    return _one(OutboxEmail)


def test_smtp_down_leaves_the_email_pending_for_later(smtp_down, queued):
    assert deliver_pending() == (0, 1)

    email = _one(OutboxEmail)
    assert email.status == "pending"
    assert email.attempts == 1
    assert email.last_error != ""
    assert email.next_attempt_at > utcnow()
    assert email.sent_at is None


def test_email_waits_for_its_retry_time_even_when_smtp_is_back(smtp_down, queued):
    deliver_pending()
    smtp_down.start()

    assert deliver_pending() == (0, 0)
    assert smtp_down.messages == []
    assert _one(OutboxEmail).status == "pending"


def test_email_is_delivered_once_smtp_is_back_and_it_is_due(smtp_down, queued):
    deliver_pending()
    smtp_down.start()
    _make_due(_one(OutboxEmail))

    assert deliver_pending() == (1, 0)

    email = _one(OutboxEmail)
    assert (email.status, email.attempts) == ("sent", 2)
    assert email.sent_at is not None
    [message] = smtp_down.messages
    assert message["Subject"] == "Choose a new password for collab"
    assert link_in(message).startswith("/auth/reset/")


def test_retries_back_off(smtp_down, queued):
    waits = []
    for _ in range(3):
        before = utcnow()
        deliver_pending()
        email = _one(OutboxEmail)
        waits.append(email.next_attempt_at - before)
        _make_due(email)

    assert waits[0] < waits[1] < waits[2]


def test_email_is_marked_failed_but_kept_after_the_last_attempt(app, smtp_down, queued):
    attempts = app.config["MAIL_MAX_ATTEMPTS"]
    for _ in range(attempts):
        assert deliver_pending() == (0, 1)
        _make_due(_one(OutboxEmail))

    email = _one(OutboxEmail)
    assert (email.status, email.attempts) == ("failed", attempts)
    assert email.last_error != ""
    assert email.body_text and email.to_addr == "kadri@ria.example"
    smtp_down.start()
    assert deliver_pending() == (0, 0)  # gave up: no more attempts on its own
    assert smtp_down.messages == []


def test_outbox_retry_requeues_failed_emails_and_they_are_delivered(
    app, smtp_down, queued
):
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
        deliver_pending()
        _make_due(_one(OutboxEmail))
    assert _one(OutboxEmail).status == "failed"
    runner = app.test_cli_runner()

    result = runner.invoke(args=["outbox", "retry"])

    assert result.exit_code == 0, result.output
    assert "1 e-mail(s) queued again" in result.output
    email = _one(OutboxEmail)
    assert (email.status, email.attempts) == ("pending", 0)
    smtp_down.start()
    sent = runner.invoke(args=["outbox", "send"])
    assert "sent 1, failed 0" in sent.output
    assert _one(OutboxEmail).status == "sent"
    assert [m["To"] for m in smtp_down.messages] == ["kadri@ria.example"]


# --- (4) the recipient's language -----------------------------------------------------

RESET_SUBJECT = "Choose a new password for collab"


def _french(msgid: str) -> str:
    with force_locale("fr"):
        return gettext(msgid)


@pytest.mark.parametrize(
    "locale, browser_language, expected",
    [("fr", "en", "fr"), ("en", "fr", "en"), (None, "fr", "en")],
    ids=["fr-user", "en-user-from-french-browser", "no-preference"],
)
def test_reset_email_is_rendered_in_the_recipients_language(
    app, smtp_server, locale, browser_language, expected
):
    user = factories.make_user(
        "Jeanne Martin", email="jeanne@numerique.example", locale=locale
    )
    app.test_client().post(
        "/auth/reset",
        data={"email": user.email},
        headers={"Accept-Language": browser_language},
    )
    deliver_pending()

    [message] = smtp_server.messages
    assert (
        re.search(r'<html lang="([a-z_A-Z]+)"', html_of(message)).group(1) == expected
    )
    assert link_in(message).startswith("/auth/reset/")


def test_invitation_to_an_existing_french_account_is_rendered_in_french(
    login, chair, group, smtp_server
):
    factories.make_user("Jeanne Martin", email="jeanne@numerique.example", locale="fr")
    login(chair).post(
        "/groups/digital-identity/invitations",
        data={"email": "jeanne@numerique.example", "role": "observer"},
    )
    deliver_pending()

    [message] = smtp_server.messages
    assert '<html lang="fr">' in html_of(message)


def test_reset_email_subject_is_french_for_a_french_recipient(app, smtp_server):
    if _french(RESET_SUBJECT) == RESET_SUBJECT:
        pytest.skip(
            f'French translation missing for msgid "{RESET_SUBJECT}" '
            "(collab/translations/fr/LC_MESSAGES/messages.po)"
        )
    french = factories.make_user(
        "Jeanne Martin", email="jeanne@numerique.example", locale="fr"
    )
    english = factories.make_user("Jane Martin", email="jane@gov.example", locale="en")
    for user in (french, english):
        app.test_client().post("/auth/reset", data={"email": user.email})
    deliver_pending()

    assert smtp_server.to(french.email)[0]["Subject"] == _french(RESET_SUBJECT)
    assert smtp_server.to(english.email)[0]["Subject"] == RESET_SUBJECT


# --- (5) the first secretariat --------------------------------------------------------


def _create_secretariat(app, address: str = "boss@gov.example"):
    result = app.test_cli_runner().invoke(args=["users", "create-secretariat", address])
    assert result.exit_code == 0, result.output
    return result.output


def test_create_secretariat_prints_a_setup_link_valid_for_24_hours(app):
    output = _create_secretariat(app)

    assert "Secretariat account: boss@gov.example" in output
    assert "within 24 hours" in output
    assert re.search(r"^http://collab\.test/auth/setup/\S+$", output, re.MULTILINE)
    user = _one(User, User.email == "boss@gov.example")
    assert user.is_secretariat and user.password_hash is None
    token = _one(PasswordToken, PasswordToken.user_id == user.id)
    assert (
        timedelta(hours=23, minutes=59)
        < token.expires_at - utcnow()
        <= timedelta(hours=24)
    )


def test_create_secretariat_link_works_once(app):
    output = _create_secretariat(app)
    link = re.search(r"http://collab\.test(/auth/setup/\S+)", output).group(1)
    browser = app.test_client()

    form = browser.get(link)
    assert form.status_code == 200
    assert "Set up your account" in form.get_data(as_text=True)
    response = browser.post(
        link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert _sign_in(browser, "boss@gov.example", NEW_PASSWORD).status_code == 302
    assert browser.get("/admin/").status_code == 200
    again = app.test_client().get(link)
    assert again.status_code == 410
    assert "This link has already been used." in again.get_data(as_text=True)


def test_create_secretariat_link_expires_after_24_hours(app):
    output = _create_secretariat(app)
    link = re.search(r"http://collab\.test(/auth/setup/\S+)", output).group(1)
    token = _one(PasswordToken)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    response = app.test_client().get(link)

    assert response.status_code == 410
    assert "This link has expired." in response.get_data(as_text=True)
