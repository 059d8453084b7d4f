"""Following threads: watch, normal, mute; "every new thread" per group; and what
leaving a group does to notifications."""

import re

from collab.extensions import db
from collab.groups.models import Membership
from tests import factories
from tests.threads.conftest import (
    flashes,
    header_count,
    notifications_of,
    start,
    text,
    thread_url,
    write,
)


def _kinds(user) -> list[str]:
    return [n.kind for n in notifications_of(user)]


def _follow(browser, thread, level: str):
    response = browser.post(thread_url(thread, "/subscription"), data={"level": level})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _settings(browser, **fields):
    """Post the e-mail settings form; keys like mode_default, watch_12 become
    mode-default, watch-12."""
    data = {"mode-default": "immediate"}
    data.update({key.replace("_", "-"): value for key, value in fields.items()})
    response = browser.post("/notifications/settings", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _selected_level(page: str) -> str:
    return re.search(r'<option value="(\w+)" selected>', page).group(1)


# --- per thread --------------------------------------------------------------------


def test_posting_starts_watching(login, team):
    thread = start(team.chair, team.group)
    browser = login(team.member)
    browser.post(thread_url(thread, "/reply"), data={"body": "My first reply."})

    write(team.colleague, thread, "A reply that mentions nobody.")

    assert _selected_level(text(browser.get(thread_url(thread)))) == "watch"
    assert _kinds(team.member) == ["reply"]
    # The opening post's author watches too.
    assert _kinds(team.chair) == ["reply", "reply"]


def test_reader_who_never_posted_is_on_normal_and_hears_nothing(login, team):
    thread = start(team.chair, team.group)

    page = text(login(team.member).get(thread_url(thread)))
    write(team.colleague, thread)

    assert _selected_level(page) == "normal"
    assert _kinds(team.member) == []


def test_watching_notifies_every_reply(login, team):
    thread = start(team.chair, team.group)
    browser = login(team.observer)

    response = _follow(browser, thread, "watch")
    write(team.member, thread)
    write(team.colleague, thread)

    page = text(browser.get(response.headers["Location"]))
    assert "Your notification setting for this thread is saved." in flashes(page)
    assert _selected_level(page) == "watch"
    assert _kinds(team.observer) == ["reply", "reply"]


def test_normal_notifies_only_mentions(login, team):
    thread = start(team.chair, team.group)
    write(team.member, thread)  # watching now
    _follow(login(team.member), thread, "normal")

    write(team.colleague, thread, "No mention here.")
    write(team.colleague, thread, f"But @{team.member.username}, here is one.")

    assert _kinds(team.member) == ["mention"]


def test_mute_silences_replies_and_group_mentions(login, team, outbox):
    thread = start(team.member, team.group)
    _follow(login(team.member), thread, "mute")

    write(team.colleague, thread, "A reply.")
    write(team.chair, thread, "@group a message for everyone.")

    assert _kinds(team.member) == []
    assert outbox(to=team.member.email) == []
    assert _kinds(team.observer) == ["group_mention"]


def test_mute_silences_mentions_too(login, team, outbox):
    # "Muted: nothing", and the unsubscribe page promises "You will hear nothing
    # more about this thread."
    thread = start(team.member, team.group)
    _follow(login(team.member), thread, "mute")

    write(team.colleague, thread, f"@{team.member.username} what do you think?")

    assert _kinds(team.member) == []
    assert outbox(to=team.member.email) == []


def test_posting_in_a_muted_thread_keeps_it_muted(login, team):
    thread = start(team.chair, team.group)
    browser = login(team.member)
    _follow(browser, thread, "mute")

    browser.post(thread_url(thread, "/reply"), data={"body": "One remark anyway."})
    write(team.colleague, thread)

    assert _selected_level(text(browser.get(thread_url(thread)))) == "mute"
    assert _kinds(team.member) == []


def test_unknown_level_is_refused(login, team):
    thread = start(team.chair, team.group)

    response = login(team.member).post(
        thread_url(thread, "/subscription"), data={"level": "everything"}
    )

    assert response.status_code == 400


# --- every new thread in a group ----------------------------------------------------


def test_every_new_thread_in_one_group(login, team, outbox):
    factories.add_member(team.other_group, team.member)
    browser = login(team.member)
    gid = team.group.id

    _settings(browser, **{f"mode_{gid}": "immediate", f"watch_{gid}": "on"})
    start(team.chair, team.group, "Wallet certification")
    start(team.chair, team.other_group, "Service standards")

    page = text(browser.get("/notifications/settings"))
    assert f'id="watch-{gid}" name="watch-{gid}" checked' in page
    assert _kinds(team.member) == ["new_thread"]
    listing = text(browser.get("/notifications/"))
    assert "Chiara Rossi started “Wallet certification”" in listing
    assert "Service standards" not in listing
    [email] = outbox(to=team.member.email)
    assert "Chiara Rossi started a new thread:" in email.body_text


def test_every_new_thread_by_default_covers_all_my_groups(login, team):
    factories.add_member(team.other_group, team.member)

    _settings(login(team.member), watch_default="on")
    start(team.chair, team.group, "Wallet certification")
    start(team.chair, team.other_group, "Service standards")

    assert _kinds(team.member) == ["new_thread", "new_thread"]


def test_group_setting_overrides_the_default_for_new_threads(login, team):
    factories.add_member(team.other_group, team.member)
    gid = team.other_group.id

    _settings(login(team.member), watch_default="on", **{f"mode_{gid}": "immediate"})
    start(team.chair, team.group, "Wallet certification")
    start(team.chair, team.other_group, "Service standards")

    titles = [n.post.thread.title for n in notifications_of(team.member)]
    assert titles == ["Wallet certification"]


def test_new_thread_ticked_for_a_group_left_on_my_default_mode_is_kept(login, team):
    # The form shows the tick box beside "As my default": ticking it alone must count.
    browser = login(team.member)
    gid = team.group.id

    _settings(browser, **{f"mode_{gid}": "", f"watch_{gid}": "on"})
    start(team.chair, team.group, "Wallet certification")

    assert f'id="watch-{gid}" name="watch-{gid}" checked' in text(
        browser.get("/notifications/settings")
    )
    assert _kinds(team.member) == ["new_thread"]


def test_choosing_as_my_default_again_makes_the_group_follow_the_default(
    login, team, outbox
):
    browser = login(team.member)
    gid = team.group.id
    _settings(browser, **{f"mode_{gid}": "off"})

    _settings(browser, **{f"mode_{gid}": ""})
    thread = start(team.member, team.group)
    write(team.colleague, thread)

    assert '<option value="" selected>' in text(browser.get("/notifications/settings"))
    assert len(outbox(to=team.member.email)) == 1


def test_new_thread_author_is_not_told_about_their_own_thread(login, team):
    _settings(login(team.member), watch_default="on")

    start(team.member, team.group, "My own thread")

    assert _kinds(team.member) == []


# --- leaving a group ----------------------------------------------------------------


def _remove(login, chair, group, user):
    membership = db.session.scalar(
        db.select(Membership).where(
            Membership.user_id == user.id, Membership.group_id == group.id
        )
    )
    response = login(chair).post(f"/groups/{group.slug}/members/{membership.id}/remove")
    assert response.status_code == 302


def test_removed_member_gets_no_further_notifications(login, team, outbox):
    team.group.visibility = "private"
    db.session.commit()
    thread = start(team.chair, team.group, "Confidential clause")
    write(team.member, thread)  # watching
    _settings(login(team.member), watch_default="on")

    _remove(login, team.chair, team.group, team.member)
    before = len(outbox(to=team.member.email))
    write(team.colleague, thread, f"@{team.member.username} are you there?")
    write(team.chair, thread, "@group last call.")
    start(team.chair, team.group, "Another confidential thread")

    assert notifications_of(team.member) == []
    assert len(outbox(to=team.member.email)) == before == 0


def test_removal_hides_old_notifications_of_that_group_from_list_and_count(login, team):
    team.group.visibility = "private"
    db.session.commit()
    thread = start(team.member, team.group, "Confidential clause")
    write(team.colleague, thread)
    write(team.colleague, thread)
    public_thread = start(team.member, team.other_group, "Open question")
    factories.add_member(team.other_group, team.colleague)
    write(team.colleague, public_thread)
    browser = login(team.member)
    page = text(browser.get("/notifications/"))
    assert header_count(page) == 3 and "Confidential clause" in page

    _remove(login, team.chair, team.group, team.member)

    page = text(browser.get("/notifications/"))
    assert header_count(page) == 1
    assert "Confidential clause" not in page
    assert "Open question" in page
    assert header_count(text(browser.get("/"))) == 1


def test_leaving_a_group_stops_its_notifications(login, team):
    team.group.visibility = "private"
    db.session.commit()
    thread = start(team.member, team.group, "Confidential clause")
    browser = login(team.member)

    browser.post("/groups/digital-identity/leave")
    write(team.colleague, thread)

    assert notifications_of(team.member) == []
    assert header_count(text(browser.get("/"))) == 0


def test_deactivated_account_gets_no_notifications(login, team):
    thread = start(team.member, team.group)
    team.member.is_active = False
    db.session.commit()

    write(team.colleague, thread)

    assert notifications_of(team.member) == []


def test_every_new_thread_of_a_public_group_i_read_but_am_not_in(login, team):
    # The settings page offers the tick box for every public group I can read.
    browser = login(team.outsider)
    gid = team.group.id
    assert f'name="watch-{gid}"' in text(browser.get("/notifications/settings"))

    _settings(browser, **{f"mode_{gid}": "immediate", f"watch_{gid}": "on"})
    start(team.chair, team.group, "Wallet certification")

    assert _kinds(team.outsider) == ["new_thread"]
