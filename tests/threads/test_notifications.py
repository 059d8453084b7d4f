"""Notifications: the in-app list and header count, opening one, marking all read;
e-mail per preference (immediately, daily digest, off) with threading headers, the
recipient's language and a one-click unsubscribe."""

import re

import pytest
from flask_babel import force_locale, gettext

from collab.extensions import db
from collab.groups.models import Membership
from collab.notifications.models import Notification, OutboxEmail
from collab.threads.models import Level, Subscription
from tests import factories
from tests.threads.conftest import (
    bulk_posts,
    count,
    flashes,
    header_count,
    location,
    notifications_of,
    start,
    text,
    thread_url,
    write,
)


def french(msgid: str) -> str:
    with force_locale("fr"):
        return gettext(msgid)


def skip_unless_french(*msgids: str) -> None:
    for msgid in msgids:
        if french(msgid) == msgid:
            pytest.skip(
                f'French translation missing for msgid "{msgid}" '
                "(collab/translations/fr/LC_MESSAGES/messages.po)"
            )


def _settings(browser, **fields):
    data = {"mode-default": "immediate"}
    data.update({key.replace("_", "-"): value for key, value in fields.items()})
    response = browser.post("/notifications/settings", data=data)
    assert response.status_code == 302
    return response


def _unsubscribe_path(email: OutboxEmail) -> str:
    match = re.fullmatch(
        r"<http://collab\.test(/notifications/unsubscribe/\S+)>",
        email.headers["List-Unsubscribe"],
    )
    assert match, email.headers
    return match.group(1)


def _digest(app):
    result = app.test_cli_runner().invoke(args=["digest", "send"])
    assert result.exit_code == 0, result.output
    return result.output


# --- in the app ---------------------------------------------------------------------


def test_reply_appears_in_the_list_and_the_header_count(login, team):
    thread = start(team.member, team.group, "EUDI wallet pilots")
    write(team.colleague, thread)
    write(team.chair, thread)

    page = text(login(team.member).get("/notifications/"))

    assert header_count(page) == 2
    assert "Jan de Vries replied in “EUDI wallet pilots”" in page
    assert "Chiara Rossi replied in “EUDI wallet pilots”" in page
    assert page.count("<strong>new</strong>") == 2
    # Newest first.
    assert page.index("Chiara Rossi replied") < page.index("Jan de Vries replied")


def test_opening_a_notification_marks_it_read_and_goes_to_the_exact_post(login, team):
    thread = start(team.member, team.group)
    bulk_posts(thread, [team.colleague], 24)  # 25 posts
    reply = write(team.chair, thread, "Number 26, on page 2.")
    browser = login(team.member)
    [notification] = notifications_of(team.member)

    response = browser.get(f"/notifications/{notification.id}")

    assert response.status_code == 302
    assert location(response) == thread_url(thread, f"?page=2#post-{reply.id}")
    landing = text(browser.get(location(response)))
    assert f'id="post-{reply.id}"' in landing
    assert header_count(landing) == 0
    listing = text(browser.get("/notifications/"))
    assert "<strong>new</strong>" not in listing


def test_someone_elses_notification_cannot_be_opened(login, team):
    thread = start(team.member, team.group)
    write(team.colleague, thread)
    [notification] = notifications_of(team.member)

    response = login(team.observer).get(f"/notifications/{notification.id}")

    assert response.status_code == 404
    assert notifications_of(team.member)[0].read_at is None


def test_mark_all_read_clears_the_count(login, team):
    thread = start(team.member, team.group)
    for _ in range(3):
        write(team.colleague, thread)
    browser = login(team.member)

    response = browser.post("/notifications/read")

    page = text(browser.get(location(response)))
    assert "All notifications are marked as read." in flashes(page)
    assert header_count(page) == 0
    assert all(n.read_at for n in notifications_of(team.member))


def test_mark_all_read_needs_the_form_token(login, team):
    thread = start(team.member, team.group)
    write(team.colleague, thread)

    response = login(team.member).post("/notifications/read", csrf=False)

    assert response.status_code == 400
    assert notifications_of(team.member)[0].read_at is None


def test_in_app_notifications_arrive_whatever_the_email_setting(login, team, outbox):
    thread = start(team.member, team.group)
    _settings(login(team.member), mode_default="off")

    write(team.colleague, thread)

    assert header_count(text(login(team.member).get("/"))) == 1
    assert outbox(to=team.member.email) == []


# --- e-mail, immediately -------------------------------------------------------------


def test_immediate_email_has_text_and_html_and_links_to_the_post(login, team, outbox):
    thread = start(team.member, team.group, "EUDI wallet pilots")

    reply = write(team.colleague, thread, "We use **chip reads**.")

    [email] = outbox(to=team.member.email)
    link = f"http://collab.test{thread_url(thread)}?page=1#post-{reply.id}"
    assert email.subject == "[Digital Identity] EUDI wallet pilots"
    assert "Jan de Vries wrote:" in email.body_text
    assert "We use **chip reads**." in email.body_text
    assert f"Read and reply: {link}" in email.body_text
    assert "<strong>chip reads</strong>" in email.body_html
    assert f'<a href="{link}">' in email.body_html
    assert '<html lang="en">' in email.body_html
    assert "http://collab.test/notifications/settings" in email.body_text


def test_email_link_opens_the_post_for_the_recipient(login, team, outbox):
    thread = start(team.member, team.group)
    reply = write(team.colleague, thread)
    [email] = outbox(to=team.member.email)
    path = re.search(r"http://collab\.test(/\S+)", email.body_text).group(1)

    page = text(login(team.member).get(path.split("#")[0]))

    assert f'id="post-{reply.id}"' in page


def test_threading_headers_group_the_posts_of_one_thread(login, team, outbox):
    thread = start(team.member, team.group)
    other = start(team.member, team.group, "Another thread")

    first = write(team.colleague, thread)
    second = write(team.chair, thread)
    elsewhere = write(team.colleague, other)

    emails = outbox(to=team.member.email)
    assert len(emails) == 3
    ids = [e.headers["Message-ID"] for e in emails]
    assert len(set(ids)) == 3
    assert all(re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", i) for i in ids)
    one, two, three = emails
    assert one.headers["In-Reply-To"] == two.headers["In-Reply-To"]
    assert one.headers["References"] == two.headers["References"]
    assert three.headers["In-Reply-To"] != one.headers["In-Reply-To"]
    assert {first.id, second.id, elsewhere.id}  # three posts, three e-mails


def test_list_unsubscribe_headers_offer_a_one_click_link(login, team, outbox):
    thread = start(team.member, team.group)
    write(team.colleague, thread)

    [email] = outbox(to=team.member.email)

    assert _unsubscribe_path(email).startswith("/notifications/unsubscribe/")
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"http://collab.test{_unsubscribe_path(email)}" in email.body_text


def test_one_click_unsubscribe_without_cookies_or_csrf_mutes_the_thread(
    app, login, team, outbox
):
    thread = start(team.member, team.group)
    write(team.colleague, thread)
    [email] = outbox(to=team.member.email)

    response = app.test_client().post(
        _unsubscribe_path(email),
        data={"List-Unsubscribe": "One-Click"},
        csrf=False,
    )
    write(team.chair, thread, "Nobody tells the member about this one.")

    assert response.status_code == 200
    assert "You will hear nothing more about this thread." in text(response)
    level = db.session.scalar(
        db.select(Subscription.level).where(Subscription.user_id == team.member.id)
    )
    assert level == Level.MUTE
    assert len(outbox(to=team.member.email)) == 1
    assert len(notifications_of(team.member)) == 1


def test_opening_the_unsubscribe_link_asks_first_and_changes_nothing(app, team, outbox):
    thread = start(team.member, team.group)
    write(team.colleague, thread)
    [email] = outbox(to=team.member.email)

    response = app.test_client().get(_unsubscribe_path(email))
    write(team.chair, thread)

    assert response.status_code == 200
    assert "Stop all notifications for this thread?" in text(response)
    assert len(outbox(to=team.member.email)) == 2


def test_tampered_unsubscribe_token_is_not_found(app, team, outbox):
    thread = start(team.member, team.group)
    write(team.colleague, thread)
    [email] = outbox(to=team.member.email)
    path = _unsubscribe_path(email)
    tampered = path[:-2] + ("AA" if not path.endswith("AA") else "BB")

    get = app.test_client().get(tampered)
    post = app.test_client().post(tampered, csrf=False)

    assert (get.status_code, post.status_code) == (404, 404)
    assert count(Subscription, Subscription.level == Level.MUTE) == 0


# --- the recipient's language --------------------------------------------------------


@pytest.fixture
def francoise(team):
    user = factories.make_user("Françoise Martin", locale="fr", country="FR")
    factories.add_member(team.group, user)
    return user


def test_email_to_a_french_recipient_is_rendered_in_french(team, francoise, outbox):
    thread = start(francoise, team.group)

    write(team.colleague, thread)
    write(team.chair, start(team.member, team.group))  # an English recipient

    [email] = outbox(to=francoise.email)
    assert '<html lang="fr">' in email.body_html
    assert '<html lang="en">' in outbox(to=team.member.email)[0].body_html


def test_email_to_a_french_recipient_has_french_text(team, francoise, outbox):
    skip_unless_french("%(name)s wrote:", "Read and reply:")
    thread = start(francoise, team.group)

    write(team.colleague, thread)

    [email] = outbox(to=francoise.email)
    with force_locale("fr"):
        wrote = gettext("%(name)s wrote:", name="Jan de Vries")
    assert wrote in email.body_text and wrote in email.body_html
    assert french("Read and reply:") in email.body_text
    assert "Read and reply:" not in email.body_text


# --- daily digest ------------------------------------------------------------------


def test_digest_mode_sends_no_immediate_email(login, team, outbox):
    thread = start(team.member, team.group)
    _settings(login(team.member), mode_default="digest")

    write(team.colleague, thread)

    assert outbox(to=team.member.email) == []
    assert len(notifications_of(team.member)) == 1


def test_digest_is_one_email_per_person_grouped_by_group_and_thread(
    app, login, team, outbox
):
    factories.add_member(team.other_group, team.member)
    wallets = start(team.member, team.group, "Wallet pilots")
    assurance = start(team.member, team.group, "Levels of assurance")
    services = start(team.member, team.other_group, "Once-only principle")
    _settings(login(team.member), mode_default="digest")
    factories.add_member(team.other_group, team.colleague)
    write(team.colleague, wallets, "Wallet reply one.")
    write(team.colleague, services, "Services reply.")
    write(team.chair, wallets, "Wallet reply two.")
    write(team.chair, assurance, "Assurance reply.")

    output = _digest(app)

    assert "1 digest(s) queued" in output
    [email] = outbox(to=team.member.email)
    assert email.subject == "collab: 4 new posts in your groups"
    body = email.body_text
    assert "Hello Kadri Tamm," in body
    assert body.count("== Digital Identity ==") == 1
    assert body.count("== Digital Services ==") == 1
    assert body.count("* Wallet pilots") == 1
    order = [
        body.index(s)
        for s in (
            "== Digital Identity ==",
            "* Wallet pilots",
            "Wallet reply one.",
            "Wallet reply two.",
            "== Digital Services ==",
            "Services reply.",
        )
    ]
    assert order == sorted(order)
    assert "Assurance reply." in body
    assert "<h2" in email.body_html and "Wallet reply two." in email.body_html
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Only the person in digest mode gets a digest.
    assert count(OutboxEmail, OutboxEmail.subject.like("collab: %")) == 1


def test_digest_is_never_empty_and_never_sent_twice(app, login, team, outbox):
    thread = start(team.member, team.group)
    for person in (team.member, team.observer):
        _settings(login(person), mode_default="digest")
    write(team.colleague, thread)

    first = _digest(app)
    second = _digest(app)

    assert "1 digest(s) queued" in first
    assert "0 digest(s) queued" in second
    assert len(outbox(to=team.member.email)) == 1
    assert outbox(to=team.observer.email) == []  # nothing for them: no e-mail at all


def test_digest_leaves_out_removed_posts_and_then_sends_nothing(
    app, login, team, outbox
):
    thread = start(team.member, team.group)
    _settings(login(team.member), mode_default="digest")
    post = write(team.colleague, thread, "Posted in haste.")
    login(team.colleague).post(thread_url(thread, f"/posts/{post.id}/delete"))

    output = _digest(app)

    assert "0 digest(s) queued" in output
    assert outbox(to=team.member.email) == []


def test_digest_to_a_french_recipient(app, team, francoise, login, outbox):
    thread = start(francoise, team.group)
    _settings(login(francoise), mode_default="digest")
    write(team.colleague, thread)

    _digest(app)

    [email] = outbox(to=francoise.email)
    assert '<html lang="fr">' in email.body_html
    skip_unless_french("Hello %(name)s,")
    with force_locale("fr"):
        hello = gettext("Hello %(name)s,", name="Françoise Martin")
    assert hello in email.body_text


def test_email_off_sends_nothing_neither_now_nor_in_the_digest(
    app, login, team, outbox
):
    thread = start(team.member, team.group)
    _settings(login(team.member), mode_default="off")

    write(team.colleague, thread)
    _digest(app)

    assert outbox(to=team.member.email) == []


def test_group_email_setting_overrides_the_default(login, team, outbox):
    factories.add_member(team.other_group, team.member)
    quiet = start(team.member, team.group)
    loud = start(team.member, team.other_group)
    factories.add_member(team.other_group, team.colleague)
    _settings(login(team.member), **{f"mode_{team.group.id}": "off"})

    write(team.colleague, quiet)
    write(team.colleague, loud)

    [email] = outbox(to=team.member.email)
    assert email.subject.startswith("[Digital Services]")


def test_settings_page_shows_what_was_saved(login, team):
    browser = login(team.member)

    response = _settings(
        browser, mode_default="digest", **{f"mode_{team.group.id}": "off"}
    )

    page = text(browser.get(location(response)))
    assert "Your e-mail settings are saved." in flashes(page)
    default = re.search(r'<select id="mode-default".*?</select>', page, re.S).group(0)
    group = re.search(
        rf'<select id="mode-{team.group.id}".*?</select>', page, re.S
    ).group(0)
    assert '<option value="digest" selected>' in default
    assert '<option value="off" selected>' in group


def test_unsubscribe_link_of_a_digest_turns_group_email_off(app, login, team, outbox):
    thread = start(team.member, team.group)
    _settings(login(team.member), mode_default="digest")
    write(team.colleague, thread)
    _digest(app)
    [digest] = outbox(to=team.member.email)

    response = app.test_client().post(_unsubscribe_path(digest), csrf=False)
    write(team.chair, thread)
    _digest(app)

    assert "collab will not e-mail you about group activity any more." in text(response)
    assert len(outbox(to=team.member.email)) == 1
    assert count(Notification, Notification.user_id == team.member.id) == 2


def test_digest_leaves_out_hidden_posts(app, login, team, outbox):
    thread = start(team.member, team.group)
    _settings(login(team.member), mode_default="digest")
    write(team.colleague, thread, "A useful reply.")
    hidden = write(team.colleague, thread, "Someone's phone number.")
    login(team.chair).post(
        thread_url(thread, f"/posts/{hidden.id}/hide"), data={"reason": "Privacy."}
    )

    _digest(app)

    [email] = outbox(to=team.member.email)
    assert "A useful reply." in email.body_text
    assert "phone number" not in email.body_text
    assert "phone number" not in email.body_html


def test_digest_leaves_out_a_private_group_i_was_removed_from(app, login, team, outbox):
    team.group.visibility = "private"
    db.session.commit()
    thread = start(team.member, team.group, "Confidential clause")
    _settings(login(team.member), mode_default="digest")
    write(team.colleague, thread, "Confidential reply.")
    membership = db.session.scalar(
        db.select(Membership).where(
            Membership.user_id == team.member.id,
            Membership.group_id == team.group.id,
        )
    )
    login(team.chair).post(f"/groups/digital-identity/members/{membership.id}/remove")

    output = _digest(app)

    assert "0 digest(s) queued" in output
    assert outbox(to=team.member.email) == []


def test_titles_and_names_with_markup_stay_text_in_notifications_and_email(
    login, team, outbox
):
    payload = '<img src=x onerror="alert(1)">'
    author = factories.make_user(f"Eve {payload}")
    factories.add_member(team.group, author)
    thread = start(team.member, team.group, f"Title {payload}")

    write(author, thread)

    listing = text(login(team.member).get("/notifications/"))
    [email] = outbox(to=team.member.email)
    for html in (listing, email.body_html):
        assert "<img" not in html
        assert "&lt;img src=x" in html


def test_notification_of_a_moved_thread_leads_to_its_new_place(login, team):
    thread = start(team.member, team.group)
    reply = write(team.colleague, thread)
    factories.add_member(team.other_group, team.member)
    login(team.chair).post(
        thread_url(thread, "/move"), data={"group": "digital-services"}
    )
    [notification] = notifications_of(team.member)

    response = login(team.member).get(f"/notifications/{notification.id}")

    assert location(response) == (
        f"/groups/digital-services/threads/{thread.id}?page=1#post-{reply.id}"
    )
