"""Discussion rules the route matrix cannot tell apart by status code alone: a member's
reply to a locked thread is answered with a redirect back and a message (the matrix
counts that as an answer) and must post nothing; observers, who are none of P0–P6,
read but never write."""

import pytest
from sqlalchemy import func, select

from collab.core.permissions import Role
from collab.extensions import db
from collab.groups.models import Membership
from collab.threads import services as thread_services
from collab.threads.models import Post
from tests import factories
from tests.security.routes import post_form, post_url, snapshot, thread_url


def _posts_in(thread) -> int:
    db.session.rollback()
    return db.session.scalar(
        select(func.count()).select_from(Post).where(Post.thread_id == thread.id)
    )


def test_member_reply_to_a_locked_thread_is_sent_back_and_posts_nothing(
    world, client_as
):
    locked = world.talk.locked_a
    client = client_as("P2")
    before = snapshot()
    response = client.post(thread_url(locked, "/reply"), data=post_form("Late reply"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(thread_url(locked))
    assert snapshot() == before
    page = client.get(thread_url(locked)).get_data(as_text=True)
    assert "locked" in page.lower()


@pytest.mark.parametrize("principal", ["P4", "P5"])
def test_chair_and_secretariat_still_reply_to_a_locked_thread(
    world, client_as, principal
):
    locked = world.talk.locked_a
    posts = _posts_in(locked)
    response = client_as(principal).post(
        thread_url(locked, "/reply"), data=post_form("Closing note.")
    )
    assert response.status_code == 302
    assert _posts_in(locked) == posts + 1


@pytest.fixture
def observer(world, login):
    """An observer of A who once wrote a reply in thread A (as a member)."""
    user = factories.make_user("Olga Observer")
    factories.add_member(world.group_a, user, Role.MEMBER)
    post = thread_services.reply(user, world.talk.thread_a, "Written as a member.")
    db.session.commit()
    membership = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id)
    ).one()
    membership.role = Role.OBSERVER.key
    db.session.commit()
    return login(user), post


def test_observers_read_and_follow_but_never_write(world, observer):
    client, own_post = observer
    thread = world.talk.thread_a
    reads = [
        client.get("/groups/alpha/threads/"),
        client.get(thread_url(thread)),
        client.get(post_url(world.talk.reply_a_p2, "history")),
        client.post(thread_url(thread, "/subscription"), data={"level": "mute"}),
    ]
    assert [r.status_code for r in reads] == [200, 200, 200, 302]
    before = snapshot()
    writes = {
        "new (form)": client.get("/groups/alpha/threads/new"),
        "new": client.post(
            "/groups/alpha/threads/new", data=post_form("x", title="Observer thread")
        ),
        "reply": client.post(thread_url(thread, "/reply"), data=post_form("Me too")),
        "edit own (form)": client.get(post_url(own_post, "edit")),
        "edit own": client.post(post_url(own_post, "edit"), data={"body": "Changed"}),
        "delete own": client.post(post_url(own_post, "delete")),
        "hide": client.post(
            post_url(world.talk.reply_a_p2, "hide"), data={"reason": "x"}
        ),
        "pin": client.post(thread_url(thread, "/pin")),
        "move": client.post(thread_url(thread, "/move"), data={"group": "bravo"}),
    }
    wrong = {k: r.status_code for k, r in writes.items() if r.status_code != 403}
    assert not wrong, wrong
    assert snapshot() == before
