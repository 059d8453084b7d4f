"""@mentions: by username or display name, links to the profile, who gets notified,
and what a mention must never reveal or do."""

import pytest

from collab.extensions import db
from collab.threads.models import Mention, Post, Subscription
from tests import factories
from tests.threads.conftest import (
    article,
    count,
    notifications_of,
    start,
    text,
    thread_url,
    write,
)


def _reply(login, author, thread, body):
    response = login(author).post(thread_url(thread, "/reply"), data={"body": body})
    assert response.status_code == 302, text(response)
    db.session.expire_all()
    return db.session.scalars(
        db.select(Post).where(Post.thread_id == thread.id).order_by(Post.number.desc())
    ).first()


def _kinds(user) -> list[str]:
    return [n.kind for n in notifications_of(user)]


def test_username_mention_links_to_the_profile_and_notifies(login, team, outbox):
    thread = start(team.chair, team.group)
    name = team.colleague.username

    post = _reply(login, team.member, thread, f"What does @{name} think?")

    page = text(login(team.observer).get(thread_url(thread)))
    assert f'<a href="/members/{name}">@{name}</a>' in article(page, post.id)
    assert _kinds(team.colleague) == ["mention"]
    [email] = outbox(to=team.colleague.email)
    assert "Kadri Tamm mentioned you:" in email.body_text


def test_display_name_with_spaces_and_accents_links_and_notifies(login, team):
    jose = factories.make_user("José Ángel Núñez", country="ES")
    factories.add_member(team.group, jose)
    thread = start(team.chair, team.group)

    post = _reply(
        login, team.member, thread, "Thanks @José Ángel Núñez, and @jan de vries!"
    )

    page = article(text(login(team.member).get(thread_url(thread))), post.id)
    assert f'<a href="/members/{jose.username}">@José Ángel Núñez</a>' in page
    assert f'<a href="/members/{team.colleague.username}">@jan de vries</a>' in page
    assert _kinds(jose) == ["mention"]
    assert _kinds(team.colleague) == ["mention"]


def test_a_longer_name_is_not_mistaken_for_a_member_with_a_shorter_one(login, team):
    thread = start(team.chair, team.group)

    post = _reply(login, team.member, thread, "Ask @Jan de Vriesland instead.")

    assert "<a " not in post.body_html
    assert _kinds(team.colleague) == []


def test_mention_of_someone_outside_a_private_group_notifies_and_reveals_nothing(
    login, team, outbox
):
    team.group.visibility = "private"
    db.session.commit()
    thread = start(team.chair, team.group, "Confidential clause")
    outsider = team.outsider

    by_username = _reply(login, team.member, thread, f"Ask @{outsider.username} too.")
    by_name = _reply(login, team.member, thread, "Ask @Oscar Outsider too.")
    unknown = _reply(login, team.member, thread, "Ask @nobody-by-that-name too.")

    # Written exactly like a mention of nobody at all: no link, no name, no trace.
    assert by_username.body_html == unknown.body_html.replace(
        "nobody-by-that-name", outsider.username
    )
    assert by_name.body_html == "<p>Ask @Oscar Outsider too.</p>\n"
    page = text(login(team.member).get(thread_url(thread)))
    assert f"/members/{outsider.username}" not in page
    assert notifications_of(outsider) == []
    assert outbox(to=outsider.email) == []
    assert count(Mention, Mention.user_id == outsider.id) == 0
    assert count(Subscription, Subscription.user_id == outsider.id) == 0
    outsider_view = text(login(outsider).get("/notifications/"))
    assert "Confidential clause" not in outsider_view


def test_mention_of_a_signed_in_non_member_of_a_public_group_notifies_them(login, team):
    thread = start(team.chair, team.group)

    _reply(login, team.member, thread, f"Welcome @{team.outsider.username}.")

    assert _kinds(team.outsider) == ["mention"]


def test_mention_of_a_deactivated_account_notifies_nobody_and_does_not_link(
    login, team
):
    gone = factories.make_user("Gone Person", is_active=False)
    factories.add_member(team.group, gone)
    thread = start(team.chair, team.group)

    post = _reply(login, team.member, thread, f"Ask @{gone.username} or @Gone Person.")

    assert "<a " not in post.body_html
    assert notifications_of(gone) == []


@pytest.mark.parametrize(
    "body",
    [
        "Type `@{name}` to mention someone.",
        "Example:\n\n```\nhello @{name}\n```",
        "Example:\n\n~~~\nhello @{name}\n~~~",
        "Example:\n\n    hello @{name}\n",
        "Type ``@{name}`` to mention someone.",
    ],
    ids=[
        "inline-code",
        "backtick-fence",
        "tilde-fence",
        "indented-code",
        "double-backtick",
    ],
)
def test_mentions_inside_code_notify_nobody_and_show_as_written(login, team, body):
    thread = start(team.chair, team.group)
    name = team.colleague.username

    post = _reply(login, team.member, thread, body.format(name=name))

    assert f"@{name}" in post.body_html
    assert "/members/" not in post.body_html, post.body_html
    assert _kinds(team.colleague) == []
    assert count(Mention) == 0


def test_at_group_by_a_chair_notifies_every_member(login, team):
    thread = start(team.member, team.group)

    _reply(login, team.chair, thread, "@group please send comments by Friday.")

    for person in (team.colleague, team.observer):
        assert _kinds(person) == ["group_mention"]
    # The thread's author was already watching; the stronger reason is kept.
    assert _kinds(team.member) == ["group_mention"]
    assert _kinds(team.chair) == []
    assert _kinds(team.outsider) == []
    listing = text(login(team.observer).get("/notifications/"))
    assert "Chiara Rossi wrote to the whole group in “EUDI wallet pilots”" in listing


def test_at_group_by_a_secretariat_notifies_every_member(login, team):
    thread = start(team.chair, team.group)

    _reply(login, team.secretariat, thread, "@group the venue has changed.")

    assert _kinds(team.member) == _kinds(team.observer) == ["group_mention"]


def test_at_group_by_a_member_does_nothing_special(login, team):
    thread = start(team.member, team.group)

    post = _reply(login, team.colleague, thread, "@group what do you all think?")

    assert "@group" in post.body_html and "<a " not in post.body_html
    assert _kinds(team.observer) == []
    assert _kinds(team.chair) == []
    assert _kinds(team.member) == ["reply"]  # watching as the author, nothing more


def test_being_mentioned_starts_watching_the_thread(login, team):
    thread = start(team.chair, team.group)
    _reply(login, team.member, thread, f"@{team.colleague.username} can you help?")

    _reply(login, team.chair, thread, "A later reply that mentions nobody.")

    assert _kinds(team.colleague) == ["mention", "reply"]
    page = text(login(team.colleague).get(thread_url(thread)))
    assert '<option value="watch" selected>' in page


def test_mention_added_by_an_edit_notifies_once(login, team):
    thread = start(team.chair, team.group)
    post = write(team.member, thread, "No mention yet.")
    browser = login(team.member)
    edit = thread_url(thread, f"/posts/{post.id}/edit")

    browser.post(edit, data={"body": f"Adding @{team.colleague.username}."})
    browser.post(edit, data={"body": f"Adding @{team.colleague.username}, again."})

    assert _kinds(team.colleague) == ["mention"]


def test_people_do_not_notify_themselves(login, team):
    thread = start(team.chair, team.group)

    _reply(login, team.member, thread, f"Note to self, @{team.member.username}.")

    assert _kinds(team.member) == []
