"""Demo discussions: lively threads in every group, replies from several countries,
and loading twice adds nothing."""

import re

from sqlalchemy import func, select

from collab.auth.models import User
from collab.demo import data
from collab.extensions import db
from collab.groups.models import Group
from collab.notifications.models import Notification, OutboxEmail
from collab.threads.models import Mention, Post, ReadMarker, Subscription, Thread


def _load(app) -> str:
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def _counts():
    db.session.expire_all()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (
            Thread,
            Post,
            Mention,
            Subscription,
            ReadMarker,
            Notification,
            OutboxEmail,
        )
    }


def _sign_in(app, email: str):
    browser = app.test_client()
    response = browser.post(
        "/auth/sign-in", data={"email": email, "password": data.PASSWORD}
    )
    assert response.status_code == 302
    return browser


def test_each_group_has_threads_with_replies_from_several_countries(app):
    _load(app)

    for group in db.session.scalars(select(Group)):
        threads = db.session.scalars(
            select(Thread).where(Thread.group_id == group.id)
        ).all()
        assert threads, group.slug
        assert any(t.post_count >= 3 for t in threads), group.slug
        countries = set(
            db.session.scalars(
                select(User.country)
                .join(Post, Post.author_id == User.id)
                .join(Thread, Thread.id == Post.thread_id)
                .where(Thread.group_id == group.id)
            )
        )
        assert len(countries) >= 3, (group.slug, countries)


def test_loading_the_demo_twice_adds_nothing(app):
    _load(app)
    first = _counts()

    output = _load(app)

    assert "0 new record(s)" in output
    assert _counts() == first
    assert first["Thread"] >= 5 and first["Post"] >= 14


def test_loading_the_demo_sends_no_email(app):
    _load(app)

    assert _counts()["OutboxEmail"] == 0


def test_demo_threads_read_well_for_a_member(app):
    _load(app)
    browser = _sign_in(app, "member@example.org")

    listing = browser.get("/groups/digital-identity/threads/").get_data(as_text=True)
    titles = re.findall(r'/threads/\d+">([^<]+)</a>', listing)
    thread = db.session.scalar(select(Thread).where(Thread.title.like("EUDI%")))
    page = browser.get(f"/groups/digital-identity/threads/{thread.id}").get_data(
        as_text=True
    )

    # Most recent activity first.
    assert titles[:2] == [
        "EUDI wallet interoperability: what did your pilots learn?",
        "Levels of assurance: mapping national schemes to eIDAS",
    ]
    assert "<table>" in page and "<ol>" in page
    ingrid = db.session.scalar(
        select(User).where(User.email == "ingrid.larsen@example.org")
    )
    assert f'<a href="/members/{ingrid.username}">@Ingrid Larsen</a>' in page


def test_private_demo_group_threads_stay_private(app):
    _load(app)
    outsider = _sign_in(app, "outsider@example.org")
    thread = db.session.scalar(
        select(Thread).where(
            Thread.title == "Open-source clauses in framework contracts"
        )
    )

    response = outsider.get(f"/groups/ict-procurement/threads/{thread.id}")

    assert response.status_code == 404
    assert "Open-source clauses" not in outsider.get("/").get_data(as_text=True)
