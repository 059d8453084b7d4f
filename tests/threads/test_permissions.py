"""Who may do what in discussions: the role × action table, kept as data, plus the
rules that need a sentence of their own."""

from dataclasses import dataclass

import pytest

from collab.core.permissions import Role
from collab.extensions import db
from collab.groups.models import Membership
from collab.threads.models import Level, Post, Subscription, Thread
from tests import factories
from tests.threads.conftest import (
    count,
    flashes,
    fresh,
    post_url,
    posts_on,
    start,
    text,
    thread_url,
    write,
)

OK = "200"  # the page is shown
DONE = "done"  # redirected, and the change is made
REFUSED = "refused"  # back to the thread with a message, nothing changed
FORBIDDEN = "403"
HIDDEN = "404"
LOGIN = "login"

ROLES = (
    "secretariat",
    "chair",
    "member",
    "observer",
    "outsider",  # signed in, the group is public
    "outsider_private",  # signed in, member of another group, the group is private
    "anonymous",
)


@dataclass
class World:
    role: str
    team: object
    thread: Thread
    locked: Thread
    own: Post | None  # a reply by the acting person (observers wrote it as members)
    others: Post  # a reply by someone else
    actor: object

    @property
    def group(self):
        return self.team.group


def build_world(team, role: str) -> World:
    if role == "outsider_private":
        team.group.visibility = "private"
        factories.add_member(team.other_group, team.outsider)
        db.session.commit()
    actor = {
        "secretariat": team.secretariat,
        "chair": team.chair,
        "member": team.member,
        "observer": team.observer,
        "outsider": team.outsider,
        "outsider_private": team.outsider,
        "anonymous": None,
    }[role]
    thread = start(team.colleague, team.group, "Levels of assurance")
    others = write(team.colleague, thread, "Someone else's reply.")
    own = write(actor, thread, "My own reply.") if actor is not None else None
    locked = start(team.colleague, team.group, "Closed question")
    locked.is_locked = True
    db.session.commit()
    return World(role, team, thread, locked, own, others, actor)


def _reply_bodies(thread) -> list[str]:
    db.session.expire_all()
    return [
        p.body
        for p in db.session.scalars(db.select(Post).where(Post.thread_id == thread.id))
    ]


# Each action: how to attempt it, and how to tell whether it happened.
def _list(c, w):
    return c.get(f"/groups/{w.group.slug}/threads/")


def _read(c, w):
    return c.get(thread_url(w.thread))


def _start_form(c, w):
    return c.get(f"/groups/{w.group.slug}/threads/new")


def _start(c, w):
    return c.post(
        f"/groups/{w.group.slug}/threads/new",
        data={"title": "A thread from the table", "body": "Opening."},
    )


def _started(w):
    return count(Thread, Thread.title == "A thread from the table") == 1


def _reply(c, w):
    return c.post(thread_url(w.thread, "/reply"), data={"body": "Table reply."})


def _replied(w):
    return "Table reply." in _reply_bodies(w.thread)


def _reply_locked(c, w):
    return c.post(thread_url(w.locked, "/reply"), data={"body": "Table reply."})


def _replied_locked(w):
    return "Table reply." in _reply_bodies(w.locked)


def _own(w):
    return w.own or w.others


def _edit_form(c, w):
    return c.get(post_url(_own(w), "edit"))


def _edit_own(c, w):
    return c.post(post_url(_own(w), "edit"), data={"body": "Edited by the table."})


def _edited_own(w):
    return fresh(_own(w)).body == "Edited by the table."


def _edit_others(c, w):
    return c.post(post_url(w.others, "edit"), data={"body": "Edited by the table."})


def _edited_others(w):
    return fresh(w.others).body == "Edited by the table."


def _delete_own(c, w):
    return c.post(post_url(_own(w), "delete"))


def _deleted_own(w):
    return fresh(_own(w)).deleted_at is not None


def _delete_others(c, w):
    return c.post(post_url(w.others, "delete"))


def _deleted_others(w):
    return fresh(w.others).deleted_at is not None


def _hide_form(c, w):
    return c.get(post_url(w.others, "hide"))


def _hide(c, w):
    return c.post(post_url(w.others, "hide"), data={"reason": "Off topic."})


def _hidden(w):
    return fresh(w.others).hidden_at is not None


def _pin(c, w):
    return c.post(thread_url(w.thread, "/pin"))


def _pinned(w):
    return fresh(w.thread).is_pinned


def _lock(c, w):
    return c.post(thread_url(w.thread, "/lock"))


def _locked(w):
    return fresh(w.thread).is_locked


def _move_form(c, w):
    return c.get(thread_url(w.thread, "/move"))


def _move(c, w):
    return c.post(thread_url(w.thread, "/move"), data={"group": "digital-services"})


def _moved(w):
    return fresh(w.thread).group_id == w.team.other_group.id


def _history(c, w):
    return c.get(post_url(w.others, "history"))


def _subscribe(c, w):
    return c.post(thread_url(w.thread, "/subscription"), data={"level": "mute"})


def _subscribed(w):
    return count(Subscription, Subscription.level == Level.MUTE) == 1


# action: (attempt, happened, expected for each of ROLES)
#   secretariat chair member observer outsider outsider_private anonymous
TABLE = {
    "list": (_list, None, (OK, OK, OK, OK, OK, HIDDEN, LOGIN)),
    "read": (_read, None, (OK, OK, OK, OK, OK, HIDDEN, LOGIN)),
    "start_form": (
        _start_form,
        None,
        (OK, OK, OK, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    ),
    "start": (
        _start,
        _started,
        (DONE, DONE, DONE, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    ),
    "reply": (
        _reply,
        _replied,
        (DONE, DONE, DONE, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    ),
    "reply_locked": (
        _reply_locked,
        _replied_locked,
        (DONE, DONE, REFUSED, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    ),
    "edit_form": (_edit_form, None, (OK, OK, OK, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN)),
    "edit_own": (
        _edit_own,
        _edited_own,
        (DONE, DONE, DONE, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    ),
    "edit_others": (
        _edit_others,
        _edited_others,
        (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    ),
    "delete_own": (
        _delete_own,
        _deleted_own,
        (DONE, DONE, DONE, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    ),
    "delete_others": (
        _delete_others,
        _deleted_others,
        (FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    ),
    "hide_form": (
        _hide_form,
        None,
        (OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    ),
    "hide": (
        _hide,
        _hidden,
        (DONE, DONE, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    ),
    "pin": (
        _pin,
        _pinned,
        (DONE, DONE, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    ),
    "lock": (
        _lock,
        _locked,
        (DONE, DONE, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    ),
    "move_form": (
        _move_form,
        None,
        (OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    ),
    "move": (
        _move,
        _moved,
        (DONE, DONE, FORBIDDEN, FORBIDDEN, FORBIDDEN, HIDDEN, LOGIN),
    ),
    "history": (_history, None, (OK, OK, OK, OK, OK, HIDDEN, LOGIN)),
    # Following a thread is reading, not writing: observers may.
    "subscription": (
        _subscribe,
        _subscribed,
        (DONE, DONE, DONE, DONE, DONE, HIDDEN, LOGIN),
    ),
}


@pytest.mark.parametrize(
    "action, role",
    [(action, role) for action in TABLE for role in ROLES],
    ids=[f"{action}-{role}" for action in TABLE for role in ROLES],
)
def test_permission_table(app, login, team, action, role):
    world = build_world(team, role)
    attempt, happened, expected = TABLE[action]
    expected = expected[ROLES.index(role)]
    browser = app.test_client() if world.actor is None else login(world.actor)

    response = attempt(browser, world)

    status = response.status_code
    if expected == OK:
        assert status == 200, text(response)
    elif expected == DONE:
        assert status == 302, text(response)
        assert happened(world)
    elif expected == REFUSED:
        assert status == 302
        assert response.headers["Location"].endswith(thread_url(world.locked))
        page = text(browser.get(response.headers["Location"]))
        assert "This thread is locked: it takes no more replies." in flashes(page)
        assert not happened(world)
    else:
        if expected == LOGIN:
            assert status == 302
            assert response.headers["Location"].startswith("/auth/sign-in")
        else:
            assert status == int(expected), text(response)
        if happened is not None:
            assert not happened(world)


# --- rules worth a sentence ----------------------------------------------------------


def test_member_reply_to_locked_thread_gets_a_clear_message_and_nothing_is_posted(
    login, team
):
    thread = start(team.chair, team.group, "Closed question")
    thread.is_locked = True
    db.session.commit()
    browser = login(team.member)

    page = text(browser.get(thread_url(thread)))
    response = browser.post(thread_url(thread, "/reply"), data={"body": "Late reply"})

    assert "This thread is locked: it takes no more replies." in page
    assert 'action="' + thread_url(thread, "/reply") + '"' not in page
    assert response.status_code == 302
    after = text(browser.get(response.headers["Location"]))
    assert flashes(after) == ["This thread is locked: it takes no more replies."]
    assert "Late reply" not in after
    assert fresh(thread).post_count == 1


def test_chair_replies_to_a_locked_thread(login, team):
    thread = start(team.member, team.group, "Closed question")
    thread.is_locked = True
    db.session.commit()

    response = login(team.chair).post(
        thread_url(thread, "/reply"), data={"body": "Closing summary from the chair."}
    )

    assert response.status_code == 302
    assert fresh(thread).post_count == 2
    page = text(login(team.member).get(thread_url(thread)))
    assert "Closing summary from the chair." in page


def test_observer_reads_the_thread_but_has_no_reply_box_or_write_buttons(login, team):
    thread = start(team.member, team.group, "Once-only principle")
    browser = login(team.observer)

    page = text(browser.get(thread_url(thread)))

    assert "Opening post by Kadri Tamm." in page
    assert "Observers read discussions but do not post." in page
    assert thread_url(thread, "/reply") not in page
    assert "Quote</a>" not in page and "Edit</a>" not in page
    threads_page = text(browser.get("/groups/digital-identity/threads/"))
    assert "Start a thread" not in threads_page


def test_observer_who_wrote_as_a_member_can_no_longer_edit_or_remove_it(login, team):
    thread = start(team.member, team.group)
    post = write(team.colleague, thread, "Written while a member.")
    membership = db.session.scalar(
        db.select(Membership).where(Membership.user_id == team.colleague.id)
    )
    membership.role = Role.OBSERVER.key
    db.session.commit()
    browser = login(team.colleague)

    edit = browser.post(post_url(post, "edit"), data={"body": "Changed."})
    delete = browser.post(post_url(post, "delete"))

    assert (edit.status_code, delete.status_code) == (403, 403)
    post = fresh(post)
    assert post.body == "Written while a member." and post.deleted_at is None


def test_buttons_shown_match_what_each_role_may_do(login, team):
    thread = start(team.colleague, team.group)
    mine = write(team.member, thread, "Mine.")
    theirs = write(team.colleague, thread, "Theirs.")

    member_page = text(login(team.member).get(thread_url(thread)))
    chair_page = text(login(team.chair).get(thread_url(thread)))

    assert post_url(mine, "edit") in member_page
    assert post_url(mine, "delete") in member_page
    assert post_url(theirs, "edit") not in member_page
    assert post_url(theirs, "delete") not in member_page
    assert post_url(theirs, "hide") not in member_page
    assert thread_url(thread, "/pin") not in member_page
    assert thread_url(thread, "/move") not in member_page
    # Chairs moderate others' posts (hide) but do not edit or remove them.
    assert post_url(theirs, "hide") in chair_page
    assert post_url(theirs, "edit") not in chair_page
    for action in ("/pin", "/lock", "/move"):
        assert thread_url(thread, action) in chair_page


def test_member_cannot_edit_own_post_once_the_thread_is_locked(login, team):
    thread = start(team.member, team.group)
    post = write(team.member, thread, "Before the lock.")
    thread.is_locked = True
    db.session.commit()

    response = login(team.member).post(post_url(post, "edit"), data={"body": "After."})

    assert response.status_code == 403
    assert fresh(post).body == "Before the lock."


def test_removed_and_hidden_posts_cannot_be_edited(login, team):
    thread = start(team.member, team.group)
    removed = write(team.member, thread, "Removed later.")
    hidden = write(team.member, thread, "Hidden later.")
    browser = login(team.member)
    browser.post(post_url(removed, "delete"))
    login(team.chair).post(post_url(hidden, "hide"), data={"reason": "Off topic."})

    assert (
        browser.post(post_url(removed, "edit"), data={"body": "x"}).status_code == 403
    )
    assert browser.post(post_url(hidden, "edit"), data={"body": "x"}).status_code == 403
    assert (
        fresh(removed).body == "Removed later."
        and fresh(hidden).body == "Hidden later."
    )


def test_the_opening_post_cannot_be_removed_by_its_author(login, team):
    thread = start(team.member, team.group)
    opening = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id))

    response = login(team.member).post(post_url(opening, "delete"))

    assert response.status_code == 403
    assert fresh(opening).deleted_at is None


def test_chair_cannot_move_a_thread_to_a_group_they_do_not_chair(login, team):
    factories.make_group("ICT Procurement", slug="ict-procurement", chair=team.member)
    thread = start(team.member, team.group)
    browser = login(team.chair)

    page = text(browser.get(thread_url(thread, "/move")))
    response = browser.post(
        thread_url(thread, "/move"), data={"group": "ict-procurement"}
    )

    assert "Digital Services" in page and "ICT Procurement" not in page
    assert response.status_code == 400
    assert fresh(thread).group_id == team.group.id


def test_private_group_members_read_and_reply_observers_only_read(login, team):
    team.group.visibility = "private"
    db.session.commit()
    thread = start(team.chair, team.group, "Confidential clause")

    member = login(team.member)
    observer = login(team.observer)

    assert member.get(thread_url(thread)).status_code == 200
    assert (
        member.post(thread_url(thread, "/reply"), data={"body": "Agreed."}).status_code
        == 302
    )
    assert observer.get(thread_url(thread)).status_code == 200
    assert (
        observer.post(
            thread_url(thread, "/reply"), data={"body": "Me too."}
        ).status_code
        == 403
    )
    assert fresh(thread).post_count == 2


def test_private_thread_is_not_reachable_through_another_groups_address(login, team):
    secret_group = factories.make_group(
        "Secret", slug="secret", visibility="private", chair=team.chair
    )
    thread = start(team.chair, secret_group, "Secret thread")
    post = write(team.chair, thread, "Secret reply.")
    browser = login(team.member)  # member of the public group only

    for path in (
        f"/groups/digital-identity/threads/{thread.id}",
        f"/groups/digital-identity/threads/{thread.id}/unread",
        f"/groups/digital-identity/threads/{thread.id}/posts/{post.id}/history",
        f"/groups/secret/threads/{thread.id}",
    ):
        response = browser.get(path)
        assert response.status_code == 404, path
        assert "Secret" not in text(response)
    reply = browser.post(
        f"/groups/digital-identity/threads/{thread.id}/reply", data={"body": "Hi"}
    )
    assert reply.status_code == 404
    assert fresh(thread).post_count == 2


def test_post_of_another_thread_cannot_be_edited_through_this_thread(login, team):
    first = start(team.member, team.group, "First")
    second = start(team.member, team.group, "Second")
    post = write(team.member, second, "In the second thread.")

    response = login(team.member).post(
        thread_url(first, f"/posts/{post.id}/edit"), data={"body": "Moved?"}
    )

    assert response.status_code == 404
    assert fresh(post).body == "In the second thread."


def test_extra_form_fields_do_not_change_author_or_thread(login, team):
    thread = start(team.member, team.group, "First")
    other = start(team.member, team.group, "Second")

    login(team.member).post(
        thread_url(thread, "/reply"),
        data={
            "body": "Who wrote this?",
            "author_id": str(team.chair.id),
            "thread_id": str(other.id),
            "number": "1",
        },
    )

    post = db.session.scalar(db.select(Post).where(Post.body == "Who wrote this?"))
    assert (post.author_id, post.thread_id, post.number) == (
        team.member.id,
        thread.id,
        2,
    )


def test_removed_member_of_a_private_group_is_refused_at_the_next_request(login, team):
    team.group.visibility = "private"
    db.session.commit()
    thread = start(team.chair, team.group)
    browser = login(team.member)
    assert browser.get(thread_url(thread)).status_code == 200
    membership = db.session.scalar(
        db.select(Membership).where(
            Membership.user_id == team.member.id,
            Membership.group_id == team.group.id,
        )
    )
    login(team.chair).post(f"/groups/digital-identity/members/{membership.id}/remove")

    assert browser.get(thread_url(thread)).status_code == 404
    reply = browser.post(thread_url(thread, "/reply"), data={"body": "Still here?"})
    assert reply.status_code == 404
    assert fresh(thread).post_count == 1


def test_archived_group_takes_no_new_threads_replies_or_moderation(login, team):
    thread = start(team.member, team.group)
    team.group.is_archived = True
    db.session.commit()

    for user in (team.member, team.chair):
        browser = login(user)
        assert browser.get(thread_url(thread)).status_code == 200
        started = browser.post(
            "/groups/digital-identity/threads/new", data={"title": "T", "body": "B"}
        )
        replied = browser.post(thread_url(thread, "/reply"), data={"body": "Late"})
        assert (started.status_code, replied.status_code) == (403, 403)
    assert login(team.chair).post(thread_url(thread, "/lock")).status_code == 403
    assert fresh(thread).post_count == 1 and not fresh(thread).is_locked
    assert count(Thread) == 1


def test_posts_list_in_the_thread_in_order(login, team):
    thread = start(team.member, team.group)
    replies = [write(team.colleague, thread, f"Reply {n}") for n in range(3)]

    page = text(login(team.observer).get(thread_url(thread)))

    assert posts_on(page)[1:] == [p.id for p in replies]
