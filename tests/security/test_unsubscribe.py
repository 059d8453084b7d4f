"""One-click unsubscribe (RFC 8058) is public and takes no CSRF token on purpose: the
signed token in the address is the whole authorisation. So: a tampered, forged or
foreign token gets 404 and changes nothing; a valid token only ever mutes its owner's
thread or turns off its owner's e-mail, whoever sends it and whatever else the form
holds; GET (link scanners, previews) changes nothing."""

import re

import pytest
from flask import current_app
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from collab.extensions import db
from collab.notifications import activity
from collab.notifications.models import EmailPreference, Notification, OutboxEmail
from collab.threads import services as thread_services
from collab.threads.models import Subscription
from tests.security.routes import (
    CANARY,
    FORGED_UNSUBSCRIBE,
    PRINCIPAL_NAMES,
    snapshot,
)

URL = "/notifications/unsubscribe/{}"
# What a mail client sends (RFC 8058), plus fields that try to aim it elsewhere.
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def _aimed_elsewhere(world) -> dict:
    return {
        **ONE_CLICK,
        "u": str(world.users["P3"].id),
        "t": str(world.talk.thread_b.id),
        "user_id": str(world.users["P4"].id),
        "thread_id": str(world.talk.thread_b.id),
        "token": world.talk.unsubscribe_all_p2,
        "mode": "off",
    }


def _flip(text: str) -> str:
    return text[:-1] + ("A" if text[-1] != "A" else "B")


def bad_tokens(world, attacker_client) -> dict[str, str]:
    talk, users = world.talk, world.users
    mine = talk.unsubscribe_thread_p2
    payload, signature = mine.rsplit(".", 1)
    other_payload = URLSafeSerializer("x").dump_payload(
        {"u": users["P3"].id, "t": talk.thread_b.id}
    )
    key = current_app.config["SECRET_KEY"]
    return {
        "forged": FORGED_UNSUBSCRIBE,
        "signature flipped": f"{payload}.{_flip(signature)}",
        "payload changed, signature kept": f"{other_payload.decode()}.{signature}",
        "payload only": payload,
        "signature only": signature,
        "another key": URLSafeSerializer("not-the-key", salt="unsubscribe").dumps(
            {"u": users["P2"].id, "t": None}
        ),
        "another salt": URLSafeSerializer(key, salt="wtf-csrf-token").dumps(
            {"u": users["P2"].id, "t": None}
        ),
        "no salt": URLSafeSerializer(key).dumps({"u": users["P2"].id, "t": None}),
        "the attacker's CSRF token": attacker_client.csrf_token(),
        "the attacker's session cookie": attacker_client.get_cookie("session").value,
        "an invitation token": world.invitation_token,
        "a password-reset token": world.reset_token,
        "garbage": "%2e%2e",
        "null byte": "abc%00.def",
    }


@pytest.mark.parametrize("principal", ["P0", "P3"], ids=lambda p: PRINCIPAL_NAMES[p])
def test_tampered_or_foreign_tokens_get_404_and_change_nothing(
    world, client_as, principal
):
    client = client_as(principal)
    attacker = client if principal != "P0" else client_as("P3")
    tokens = bad_tokens(world, attacker)
    before = snapshot()
    wrong = []
    for name, token in tokens.items():
        for method in ("GET", "POST"):
            response = client.open(
                URL.format(token), method=method, data=_aimed_elsewhere(world)
            )
            if response.status_code != 404:
                wrong.append(f"{name}: {method} → {response.status_code}")
            if CANARY in response.get_data(as_text=True):
                wrong.append(f"{name}: {method} names A")
    assert not wrong, "\n".join(wrong)
    assert snapshot() == before


def test_the_token_in_each_email_is_its_recipients_own(world, outbox):
    """P2's e-mail about thread A carries P2's token for that thread, P4's carries
    P4's: tokens are per person and per thread, and the header asks for one-click."""
    talk = world.talk
    for who in ("P2", "P4"):
        user = world.users[who]
        emails = [e for e in outbox(user.email) if "List-Unsubscribe" in e.headers]
        assert emails, f"{who} got no notification e-mail"
        for email in emails:
            token = re.search(
                r"/unsubscribe/([^>]+)>", email.headers["List-Unsubscribe"]
            ).group(1)
            assert activity.read_unsubscribe_token(token) == {
                "u": user.id,
                "t": talk.thread_a.id,
            }
            assert (
                email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            )
            assert URL.format(token) in email.body_text


@pytest.mark.parametrize("target", ["thread", "all"])
def test_get_only_asks_and_changes_nothing(world, client_as, target):
    """Link scanners and previews follow GET: it shows a button and nothing more, and
    the page names neither the group nor the thread."""
    token = {
        "thread": world.talk.unsubscribe_thread_p2,
        "all": world.talk.unsubscribe_all_p2,
    }[target]
    client = client_as("P0")
    before = snapshot()
    page = client.get(URL.format(token))
    assert page.status_code == 200
    assert 'method="post"' in page.get_data(as_text=True)
    assert CANARY not in page.get_data(as_text=True)
    assert snapshot() == before


def _subscriptions() -> dict[tuple[int, int], str]:
    db.session.rollback()
    rows = db.session.execute(
        select(Subscription.user_id, Subscription.thread_id, Subscription.level)
    )
    return {(user, thread): level for user, thread, level in rows}


def _preferences() -> dict[tuple[int, int | None], tuple[str, bool]]:
    db.session.rollback()
    rows = db.session.scalars(select(EmailPreference))
    return {(r.user_id, r.group_id): (r.mode, r.watch_new_threads) for r in rows}


def _set_preferences(world):
    """P2 and P4 have a default and a setting for A; P3 one for B."""
    users = world.users
    for who, group in (
        ("P2", world.group_a),
        ("P4", world.group_a),
        ("P3", world.group_b),
    ):
        activity.set_preference(users[who], None, "immediate", True)
        activity.set_preference(users[who], group.id, "digest", True)
    db.session.commit()


@pytest.mark.parametrize("sender", ["P0", "P3", "P4"], ids=lambda p: PRINCIPAL_NAMES[p])
def test_thread_token_mutes_only_its_owners_thread(world, client_as, sender):
    """Whoever sends P2's thread token (a mail client, another member, A's chair) and
    whatever the form says, only P2's subscription to that thread becomes "mute"."""
    _set_preferences(world)
    talk, p2 = world.talk, world.users["P2"]
    client = client_as(sender)
    before, subscriptions = snapshot(), _subscriptions()
    assert subscriptions[(p2.id, talk.thread_a.id)] == "watch"
    response = client.post(
        URL.format(talk.unsubscribe_thread_p2), data=_aimed_elsewhere(world), csrf=False
    )
    assert response.status_code == 200
    assert CANARY not in response.get_data(as_text=True)
    after = snapshot()
    assert {t for t in after if after[t] != before[t]} == {"subscriptions"}
    assert _subscriptions() == subscriptions | {(p2.id, talk.thread_a.id): "mute"}
    # The next reply in that thread reaches P2 neither in the app nor by e-mail.
    notified, emails = len(_notifications_of(p2)), _emails_to(p2)
    thread_services.reply(world.users["P4"], talk.thread_a, "One more thing.")
    db.session.commit()
    assert len(_notifications_of(p2)) == notified
    assert _emails_to(p2) == emails


def _emails_to(user) -> int:
    return len(
        db.session.scalars(select(OutboxEmail.id).filter_by(to_addr=user.email)).all()
    )


def _notifications_of(user) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(Notification).where(Notification.user_id == user.id))
    )


@pytest.mark.parametrize("sender", ["P0", "P3", "P4"], ids=lambda p: PRINCIPAL_NAMES[p])
def test_all_token_turns_off_only_its_owners_email(world, client_as, sender):
    _set_preferences(world)
    p2 = world.users["P2"]
    client = client_as(sender)
    before, preferences = snapshot(), _preferences()
    response = client.post(
        URL.format(world.talk.unsubscribe_all_p2),
        data=_aimed_elsewhere(world),
        csrf=False,
    )
    assert response.status_code == 200
    after = snapshot()
    assert {t for t in after if after[t] != before[t]} == {"email_preferences"}
    expected = {
        key: (("off", value[1]) if key[0] == p2.id else value)
        for key, value in preferences.items()
    }
    expected[(p2.id, None)] = ("off", False)
    assert _preferences() == expected
    # P2 still hears in the app, but gets no more e-mail.
    notified, emails = len(_notifications_of(p2)), _emails_to(p2)
    thread_services.reply(world.users["P4"], world.talk.thread_a, f"Hi @{p2.username}")
    db.session.commit()
    assert len(_notifications_of(p2)) == notified + 1
    assert _emails_to(p2) == emails
