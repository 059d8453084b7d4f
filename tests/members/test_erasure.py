"""Erasing an account: the password first; then no trace of the person's e-mail or
name anywhere in the database, sessions ended, photo and memberships gone, the row
kept as "Former member"; the secretariat can do it for someone, audited."""

import html
import json

import markupsafe
import pytest
from sqlalchemy import func, select

from collab.audit.models import AuditEvent
from collab.auth.models import PasswordToken, User, UserSession
from collab.extensions import db
from collab.groups.models import Invitation, Membership
from collab.members.models import Expertise, Profile
from collab.threads.models import Post, Thread
from tests import factories
from tests.members.helpers import (
    jpeg_with_exif,
    profile_form,
    stored_files,
    text_of,
    upload,
)

NAME = "Zoë Brønsted-Ñúñez"
EMAIL = "zoe.bronsted@kvf.example"
OTHER_NAME = "Kadri Tamm"


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def mentions_in_database(*needles: str) -> dict[str, list[str]]:
    """Every row of every table, stringified two ways (as the driver returns it and
    as decoded), searched case-insensitively: {table: [matching row texts]}."""
    wanted = set()
    for needle in needles:
        wanted |= {needle.lower(), json.dumps(needle)[1:-1].lower()}
    found = {}
    db.session.expire_all()
    # The test's own transaction: on SQLite a second connection would wait for it.
    conn = db.session.connection()
    for name, table in db.metadata.tables.items():
        rows = [
            " | ".join(str(v) for v in row)
            for row in conn.exec_driver_sql(f"SELECT * FROM {name}")
        ]
        for row in conn.execute(select(table)):
            rows.append(
                " | ".join(
                    json.dumps(v, ensure_ascii=False, default=str)
                    if isinstance(v, dict | list)
                    else str(v)
                    for v in row
                )
            )
        hits = [r for r in rows if any(w in r.lower() for w in wanted)]
        if hits:
            found[name] = hits
    return found


@pytest.fixture
def zoe(app, login, outbox):
    """Zoë, with traces everywhere: a profile and photo, memberships, a pending
    request, an invitation and e-mails to her, e-mails naming her to others, failed
    sign-ins, a reset link, audit rows by her and about her."""
    zoe = factories.make_user(NAME, email=EMAIL, country="ES")
    chair = factories.make_user(OTHER_NAME, email="kadri@ria.example")
    public = factories.make_group("Digital Identity", slug="identity", chair=chair)
    factories.add_member(public, zoe)
    factories.add_member(public, factories.make_user("Co Member"))
    requested = factories.make_group("Digital Services", slug="services", chair=chair)
    private = factories.make_group(
        "Closed", slug="closed", visibility="private", chair=chair
    )
    hers = factories.make_group("Zoë's Circle", slug="circle", chair=zoe)

    # Failed sign-ins: throttle rows and audit rows with her address.
    for _ in range(2):
        app.test_client().post(
            "/auth/sign-in", data={"email": EMAIL, "password": "wrong password x"}
        )
    client = login(zoe)
    client.post("/auth/reset", data={"email": EMAIL})  # a reset link mailed to her
    client.post(
        f"/members/{zoe.username}/edit",
        data=profile_form(
            display_name=NAME,
            bio=f"I am {NAME}, reach me at {EMAIL}.",
            expertise="eID, wallets",
        ),
    )
    client.post(
        f"/members/{zoe.username}/photo",
        data=upload(jpeg_with_exif()),
        content_type="multipart/form-data",
    )
    client.post(f"/groups/{requested.slug}/request", data={"message": f"Hi, {NAME}"})
    client.post(
        f"/groups/{hers.slug}/invitations",
        data={"email": "colleague@elsewhere.example", "role": "member"},
    )
    chair_client = login(chair)
    chair_client.post(
        f"/groups/{private.slug}/invitations", data={"email": EMAIL, "role": "member"}
    )
    # A thread she starts, mentioning the chair (an e-mail naming her goes to the
    # chair), and a reply to it (a notification and an e-mail go to her).
    client.post(
        f"/groups/{public.slug}/threads/new",
        data={
            "title": "Wallet pilot results",
            "body": f"Our wallet pilot is finished. @{chair.username}, thoughts?",
        },
    )
    thread_id = db.session.scalar(select(Thread.id))
    chair_client.post(
        f"/groups/{public.slug}/threads/{thread_id}/reply",
        data={"body": "Thanks, very useful."},
    )

    # The set-up really left traces to erase.
    traces = mentions_in_database(EMAIL, NAME)
    for table in (
        "users",
        "audit_events",
        "throttle_events",
        "outbox_emails",
        "invitations",
        "profiles",
    ):
        assert table in traces, f"set-up left nothing in {table}"
    assert count(Membership, Membership.user_id == zoe.id) == 3
    assert count(Invitation, Invitation.email == EMAIL) == 1
    assert count(PasswordToken, PasswordToken.user_id == zoe.id) == 1
    assert count(Post) == 2
    assert len(outbox(EMAIL)) == 3  # the reset link, the invitation, the reply
    assert [e for e in outbox() if NAME in e.body_text and e.to_addr != EMAIL]
    assert len(stored_files()) == 1
    return zoe, client, chair


def erase(client, user, password=factories.PASSWORD):
    return client.post(f"/members/{user.username}/erase", data={"password": password})


def test_erasing_my_account_leaves_no_trace_of_my_email_or_name(zoe, login):
    me, client, _chair = zoe
    user_id, username = me.id, me.username
    response = erase(client, me)
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/sign-in"

    assert mentions_in_database(EMAIL, NAME, username) == {}

    db.session.expire_all()
    row = db.session.get(User, user_id)
    assert row.display_name == "Former member"
    assert row.erased_at is not None and row.is_active is False
    assert row.password_hash is None
    assert count(Profile, Profile.user_id == user_id) == 0
    assert count(Expertise, Expertise.user_id == user_id) == 0
    assert count(Membership, Membership.user_id == user_id) == 0
    assert count(UserSession, UserSession.user_id == user_id) == 0
    assert count(PasswordToken, PasswordToken.user_id == user_id) == 0
    assert stored_files() == []


def test_after_erasure_my_session_is_over_and_i_cannot_sign_in(zoe, client):
    me, mine, _chair = zoe
    username = me.username
    assert "erased" in text_of(mine.get(erase(mine, me).headers["Location"]))
    response = mine.get("/")
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]
    assert mine.get(f"/members/{username}/edit").status_code == 302
    attempt = client.post(
        "/auth/sign-in", data={"email": EMAIL, "password": factories.PASSWORD}
    )
    assert attempt.status_code != 302
    assert "do not match" in text_of(attempt)


def test_erased_person_is_gone_from_profile_directory_and_groups(zoe, login):
    me, mine, chair = zoe
    username = me.username
    erase(mine, me)
    viewer = login(chair)
    assert viewer.get(f"/members/{username}").status_code == 404
    for url in ("/members/", "/groups/identity/members", "/groups/identity/"):
        page = text_of(viewer.get(url))
        assert NAME not in page and EMAIL not in page
    for url in ("/groups/identity/members.csv", "/groups/identity/members.vcf"):
        body = text_of(viewer.get(url))
        assert NAME not in body and EMAIL not in body and "Former member" not in body


def test_erased_row_stays_so_past_actions_keep_an_author(zoe, login):
    me, mine, _chair = zoe
    user_id = me.id
    authored = count(AuditEvent, AuditEvent.actor_id == user_id)
    erase(mine, me)
    # What she did still points at her row, which now reads "Former member".
    assert count(AuditEvent, AuditEvent.actor_id == user_id) == authored + 1
    secretariat = factories.make_user("Sam Secretariat", is_secretariat=True)
    page = text_of(login(secretariat).get("/admin/audit"))
    assert "Former member" in page
    assert NAME not in page and EMAIL not in page


def test_my_posts_remain_signed_former_member(zoe, login):
    me, mine, chair = zoe
    user_id = me.id
    erase(mine, me)
    post = db.session.scalars(select(Post).order_by(Post.number)).first()
    assert post.author_id == user_id
    assert post.body.startswith("Our wallet pilot is finished.")
    page = text_of(login(chair).get(f"/groups/identity/threads/{post.thread_id}"))
    assert "Our wallet pilot is finished." in page and "Thanks, very useful." in page
    assert "Former member" in page
    assert NAME not in page and EMAIL not in page


def test_my_erasure_is_audited_as_account_erased(zoe):
    me, mine, _chair = zoe
    erase(mine, me)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.erased")
    ).one()
    assert (event.actor_id, event.target_id) == (me.id, me.id)
    assert event.detail == {"by_self": True}


def test_wrong_password_erases_nothing(zoe):
    me, mine, _chair = zoe
    before = mentions_in_database(EMAIL, NAME)
    files = stored_files()
    response = erase(mine, me, password="not my password at all")
    assert response.status_code == 400
    assert "That is not your password." in text_of(response)
    db.session.expire_all()
    row = db.session.get(User, me.id)
    assert (row.display_name, row.email, row.erased_at) == (NAME, EMAIL, None)
    assert count(Membership, Membership.user_id == me.id) == 3
    assert count(Profile, Profile.user_id == me.id) == 1
    assert stored_files() == files
    assert mentions_in_database(EMAIL, NAME).keys() == before.keys()
    assert mine.get("/").status_code == 200
    assert count(AuditEvent, AuditEvent.action == "account.erased") == 0


def test_empty_password_erases_nothing(zoe):
    me, mine, _chair = zoe
    assert erase(mine, me, password="").status_code == 400
    assert db.session.get(User, me.id).erased_at is None


def test_erase_page_explains_and_asks_for_the_password(zoe):
    me, mine, _chair = zoe
    page = text_of(mine.get(f"/members/{me.username}/erase"))
    assert "Erase my account" in page
    assert 'type="password"' in page
    assert "Former member" in page


def test_secretariat_erases_someone_with_its_own_password_and_it_is_audited(zoe, login):
    me, mine, _chair = zoe
    user_id = me.id
    secretariat = factories.make_user("Sam Secretariat", is_secretariat=True)
    console = login(secretariat)
    page = text_of(console.get(f"/members/{me.username}/erase"))
    assert f"Erase the account of {NAME}" in page
    response = erase(console, me, password=factories.PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/people"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "account.erased")
    ).one()
    assert (event.actor_id, event.target_id) == (secretariat.id, user_id)
    assert event.detail == {"by_self": False}
    assert mentions_in_database(EMAIL, NAME) == {}
    assert mine.get("/").status_code == 302  # her own browser is signed out
    assert console.get("/admin/").status_code == 200  # the secretariat's is not


def test_secretariat_must_give_its_own_password_not_the_persons(zoe, login):
    me, _mine, _chair = zoe
    secretariat = factories.make_user(
        "Sam Secretariat", is_secretariat=True, password="another long pass phrase"
    )
    console = login(secretariat, password="another long pass phrase")
    response = erase(console, me, password=factories.PASSWORD)
    assert response.status_code == 400
    assert db.session.get(User, me.id).erased_at is None


@pytest.mark.parametrize("who", ["chair", "co-member", "stranger"])
def test_chair_member_or_stranger_cannot_erase_someone_else(zoe, login, who):
    me, _mine, chair = zoe
    co_member = db.session.scalar(select(User).where(User.display_name == "Co Member"))
    others = {"chair": chair, "co-member": co_member, "stranger": factories.make_user()}
    client = login(others[who])
    assert client.get(f"/members/{me.username}/erase").status_code == 403
    assert erase(client, me).status_code == 403
    db.session.expire_all()
    assert db.session.get(User, me.id).erased_at is None
    assert count(Membership, Membership.user_id == me.id) == 3


def test_anonymous_visitor_cannot_erase(zoe, client):
    me, _mine, _chair = zoe
    response = erase(client, me)
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]
    assert db.session.get(User, me.id).erased_at is None


def test_an_erased_account_cannot_be_erased_again(zoe, login):
    me, mine, _chair = zoe
    erase(mine, me)
    secretariat = factories.make_user("Sam Secretariat", is_secretariat=True)
    console = login(secretariat)
    for username in (me.username, db.session.get(User, me.id).username):
        assert erase(console, me).status_code == 404
        assert console.get(f"/members/{username}/erase").status_code == 404
    assert count(AuditEvent, AuditEvent.action == "account.erased") == 1


def test_erasing_the_only_chair_keeps_the_group_and_its_other_members(login):
    chair = factories.make_user(NAME, email=EMAIL)
    member = factories.make_user("Mikko Virtanen")
    group = factories.make_group("Solo Chair", chair=chair, members=(member,))
    erase(login(chair), chair)
    assert count(Membership, Membership.group_id == group.id) == 1
    page = text_of(login(member).get(f"/groups/{group.slug}/members"))
    assert "Mikko Virtanen" in page and NAME not in page


@pytest.mark.parametrize(
    "name",
    ["Siobhán O'Brien-Ñúñez", "Ana & João Lima", 'Zoë "Zed" Brønsted'],
    ids=["apostrophe", "ampersand", "quotes"],
)
def test_erasure_finds_names_with_apostrophes_and_ampersands_in_html_emails(
    login, outbox, name
):
    """A stored HTML e-mail holds the name escaped (O&#39;Brien): a reader of the
    e-mail still sees it, so erasure must find it there too."""
    chair = factories.make_user(OTHER_NAME, email="kadri@ria.example")
    group = factories.make_group("Digital Services", slug="services", chair=chair)
    person = factories.make_user(name, email=EMAIL)
    client = login(person)
    client.post(f"/groups/{group.slug}/request", data={"message": "Hello"})
    forms = {name, str(markupsafe.escape(name)), html.escape(name)}
    [mail] = outbox(chair.email)
    assert str(markupsafe.escape(name)) in mail.body_html  # as the chair reads it

    erase(client, person)
    [mail] = outbox(chair.email)
    for stored in (mail.subject, mail.body_text, mail.body_html):
        assert not [form for form in forms if form in stored], stored
    assert mentions_in_database(EMAIL, *forms) == {}
