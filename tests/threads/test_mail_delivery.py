"""Discussion e-mail through a real SMTP server (aiosmtpd): replies and digests in
English and French, an SMTP outage survived with every e-mail delivered once, and a
private group's canary that never reaches outsiders."""

import io
import uuid
import zipfile
from collections import Counter
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext, ngettext

from collab.core.db import utcnow
from collab.extensions import db
from collab.notifications.models import OutboxEmail
from collab.notifications.services import deliver_pending
from collab.threads.models import Level, Subscription
from tests import factories
from tests.notifications.mail import html_of, link_in, text_of
from tests.threads.conftest import (
    notifications_of,
    start,
    text,
    thread_url,
    write,
)


def skip_unless_french(*msgids: str) -> None:
    for msgid in msgids:
        with force_locale("fr"):
            translated = gettext(msgid)
        if translated == msgid:
            pytest.skip(
                f'French translation missing for msgid "{msgid}" '
                "(collab/translations/fr/LC_MESSAGES/messages.po)"
            )


def _settings(browser, **fields):
    data = {"mode-default": "immediate"}
    data.update({key.replace("_", "-"): value for key, value in fields.items()})
    assert browser.post("/notifications/settings", data=data).status_code == 302


def _make_all_due() -> None:
    db.session.execute(
        db.update(OutboxEmail).values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def _digest(app) -> str:
    result = app.test_cli_runner().invoke(args=["digest", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def _owner(message, team, francoise) -> int:
    return {team.member.email: team.member.id, francoise.email: francoise.id}[
        message["To"]
    ]


@pytest.fixture
def francoise(team):
    user = factories.make_user(
        "Françoise Martin", email="francoise@numerique.example", locale="fr"
    )
    factories.add_member(team.group, user)
    return user


# --- a reply and a digest, received ------------------------------------------------


def test_reply_email_is_received_in_english_and_french(
    team, francoise, smtp_server, app
):
    thread = start(team.member, team.group, "EUDI wallet pilots")
    write(francoise, thread, "Nous suivons.")

    reply = write(team.colleague, thread, "We use **chip reads**.")
    assert deliver_pending() == (3, 0)  # Kadri hears of both replies, Françoise of one

    english = smtp_server.to(team.member.email)
    [french] = smtp_server.to(francoise.email)
    last = english[-1]
    for message in (last, french):
        assert message["Subject"] == "[Digital Identity] EUDI wallet pilots"
        assert message["From"] == app.config["MAIL_FROM"]
        assert message.get_content_type() == "multipart/alternative"
        assert message["Message-ID"] == (
            f"<post-{reply.id}-to-{_owner(message, team, francoise)}@collab.localhost>"
        )
        assert message["In-Reply-To"] == f"<thread-{thread.id}@collab.localhost>"
        assert message["References"] == message["In-Reply-To"]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"].startswith(
            "<http://collab.test/notifications/unsubscribe/"
        )
        assert link_in(message) == thread_url(thread, f"?page=1#post-{reply.id}")
        assert "<strong>chip reads</strong>" in html_of(message)
    assert len(english) == 2
    assert english[0]["In-Reply-To"] == english[1]["In-Reply-To"]
    assert english[0]["Message-ID"] != english[1]["Message-ID"]
    assert "Jan de Vries wrote:" in text_of(last)
    assert '<html lang="en">' in html_of(last)
    assert '<html lang="fr">' in html_of(french)
    skip_unless_french("%(name)s wrote:")
    with force_locale("fr"):
        wrote = gettext("%(name)s wrote:", name="Jan de Vries")
    assert wrote in text_of(french)
    assert "Jan de Vries wrote:" not in text_of(french)


def test_digest_is_received_in_english_and_french(
    app, login, team, francoise, smtp_server
):
    thread = start(team.chair, team.group, "Levels of assurance")
    for person in (team.member, francoise):
        write(person, thread, f"{person.display_name} follows this.")
    for person in (team.member, francoise):
        _settings(login(person), mode_default="digest")
    deliver_pending()
    smtp_server.messages.clear()
    write(team.colleague, thread, "The peer review focused on binding.")

    output = _digest(app)

    assert "2 digest(s) queued" in output
    [english] = smtp_server.to(team.member.email)
    [french] = smtp_server.to(francoise.email)
    assert english["Subject"] == "collab: 1 new post in your groups"
    assert "== Digital Identity ==" in text_of(english)
    assert "* Levels of assurance" in text_of(english)
    assert "The peer review focused on binding." in text_of(english)
    assert "The peer review focused on binding." in html_of(french)
    assert '<html lang="fr">' in html_of(french)
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    skip_unless_french("Hello %(name)s,")
    with force_locale("fr"):
        subject = ngettext(
            "collab: %(num)d new post in your groups",
            "collab: %(num)d new posts in your groups",
            1,
        )
        hello = gettext("Hello %(name)s,", name="Françoise Martin")
    if subject == "collab: 1 new post in your groups":
        pytest.skip(
            'French translation missing for msgid "collab: %(num)d new post in '
            'your groups" (collab/translations/fr/LC_MESSAGES/messages.po)'
        )
    assert french["Subject"] == subject
    assert hello in text_of(french)


# --- SMTP down, then up ------------------------------------------------------------


def _received_once(server, queued: int) -> None:
    ids = Counter(m["Message-ID"] for m in server.messages)
    assert len(ids) == queued, ids
    assert all(n == 1 for n in ids.values()), ids


def test_smtp_outage_every_email_is_delivered_exactly_once(app, login, team, smtp_down):
    thread = start(team.member, team.group)
    for person in (team.chair, team.observer):
        login(person).post(thread_url(thread, "/subscription"), data={"level": "watch"})
    for n in range(3):
        write(team.colleague, thread, f"Reply {n}")
    queued = db.session.scalar(db.select(db.func.count()).select_from(OutboxEmail))
    assert queued == 9

    assert deliver_pending() == (0, 9)
    assert deliver_pending() == (0, 0)  # waiting for the retry time
    smtp_down.start()
    _make_all_due()
    assert deliver_pending() == (9, 0)
    _make_all_due()
    assert deliver_pending() == (0, 0)
    again = app.test_cli_runner().invoke(args=["outbox", "send"])

    assert "sent 0, failed 0" in again.output
    _received_once(smtp_down, 9)
    db.session.expire_all()
    assert {e.status for e in db.session.scalars(db.select(OutboxEmail))} == {"sent"}


def test_outage_in_the_middle_loses_nothing_and_repeats_nothing(
    app, login, team, smtp_down
):
    thread = start(team.member, team.group)
    _settings(login(team.observer), mode_default="digest")
    login(team.observer).post(
        thread_url(thread, "/subscription"), data={"level": "watch"}
    )
    smtp_down.start()
    write(team.colleague, thread, "Before the outage.")
    assert deliver_pending() == (1, 0)

    smtp_down.stop()
    write(team.chair, thread, "During the outage.")
    _digest(app)  # the observer's digest is queued while SMTP is down
    assert deliver_pending() == (0, 0)  # the digest run already tried once
    smtp_down.start()
    _make_all_due()
    sent, failed = deliver_pending()

    assert (sent, failed) == (3, 0)
    _received_once(smtp_down, 1 + 3)
    bodies = [text_of(m) for m in smtp_down.messages]
    # Kadri (author) and the observer's digest; Kadri, Jan (watching) and the digest.
    assert sum("Before the outage." in b for b in bodies) == 2
    assert sum("During the outage." in b for b in bodies) == 3


# --- the canary --------------------------------------------------------------------


def test_private_group_canary_never_reaches_outsiders(app, login, team, smtp_server):
    canary = f"CANARY-{uuid.uuid4().hex}"
    private = factories.make_group(
        f"Procurement {canary}",
        slug="ict-procurement",
        visibility="private",
        chair=team.chair,
        members=(team.member, team.colleague),
    )
    horizontal = team.outsider  # member of the public group only
    factories.add_member(team.group, horizontal)
    loner = factories.make_user("Lena Loner")  # signed in, in no group
    _settings(login(horizontal), watch_default="on")
    _settings(login(loner), mode_default="digest", watch_default="on")
    _settings(login(team.colleague), mode_default="digest")

    thread = start(team.chair, private, f"Clause {canary}", f"Draft clause {canary}.")
    # As if the horizontal attacker had followed it once.
    db.session.add(Subscription(user_id=horizontal.id, thread_id=thread.id))
    db.session.add(
        Subscription(user_id=loner.id, thread_id=thread.id, level=Level.WATCH)
    )
    db.session.commit()
    member = login(team.member)
    member.post(
        thread_url(thread, "/reply"),
        data={
            "body": f"@{horizontal.username} @Oscar Outsider @{loner.username} "
            f"@Lena Loner see {canary}"
        },
    )
    login(team.chair).post(
        thread_url(thread, "/reply"), data={"body": f"@group {canary} again"}
    )
    public_thread = start(team.chair, team.group, "Public thread")
    deliver_pending()
    _digest(app)
    deliver_pending()

    # Insiders did hear about it (so the check below is not vacuous).
    insider_mail = smtp_server.to(team.member.email) + smtp_server.to(
        team.colleague.email
    )
    assert any(canary in m.as_string() for m in insider_mail)
    private_post = thread.id
    insider_notification = notifications_of(team.member)[0].id

    for outsider in (horizontal, loner):
        for message in smtp_server.to(outsider.email):
            assert canary not in message.as_string()
            assert canary not in text_of(message) and canary not in html_of(message)
        assert [n for n in notifications_of(outsider) if n.group_id == private.id] == []
        browser = login(outsider)
        for path in (
            "/",
            "/notifications/",
            "/notifications/settings",
            "/groups/",
            "/groups/digital-identity/",
            "/groups/digital-identity/threads/",
            f"/groups/digital-identity/threads/{public_thread.id}?quote={private_post}",
            "/groups/ict-procurement/",
            "/groups/ict-procurement/threads/",
            thread_url(thread),
            thread_url(thread, "/unread"),
            f"/groups/digital-identity/threads/{thread.id}",
            f"/notifications/{insider_notification}",
            f"/members/{team.chair.username}",
            f"/members/{team.member.username}",
            "/members/",
        ):
            response = browser.get(path)
            assert canary not in text(response), path
        export = browser.get(f"/members/{outsider.username}/data.zip")
        if export.status_code == 200:
            archive = zipfile.ZipFile(io.BytesIO(export.data))
            for name in archive.namelist():
                assert canary.encode() not in archive.read(name)
