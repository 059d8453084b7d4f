"""`flask demo scale` at a tiny factor: what it writes keeps every invariant the
services keep, its pages render for its people, and a seed gives the same data."""

import hashlib
from datetime import date

from sqlalchemy import func, select, text

from collab.auth.models import User, sort_key
from collab.core import storage
from collab.core.text import render_markdown
from collab.demo import scale
from collab.documents.models import Document, DocumentVersion
from collab.extensions import db
from collab.groups.models import Group, Membership
from collab.meetings import agenda
from collab.meetings.models import Meeting, MinutesRevision
from collab.polls.models import Poll, PollParticipant, PollSlot, PollVote
from collab.threads.models import Post, ReadMarker, Subscription, Thread

FACTOR = 0.0005
TODAY = date(2026, 3, 2)


def _generate(**kwargs):
    kwargs.setdefault("factor", FACTOR)
    result = scale.generate(**kwargs)
    db.session.remove()
    return result


def _count(model) -> int:
    """Counted in a transaction of its own: outside requests a SQLite session holds
    the write lock until it commits, and the generator writes on its own
    connection."""
    value = db.session.scalar(select(func.count()).select_from(model))
    db.session.commit()
    return value


def _wipe():
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(text(f"DELETE FROM {table.name}"))


def test_counts_and_constraints(app):
    result = _generate(today=TODAY)
    expected = scale.scaled_counts(FACTOR)
    assert _count(User) == result["counts"]["users"] == expected["people"]
    assert _count(Group) == expected["groups"]
    assert _count(Thread) == expected["threads"]
    assert _count(Post) == expected["posts"]
    assert _count(Document) == expected["documents"]
    assert _count(Meeting) == expected["meetings"]
    assert _count(Poll) == expected["polls"]
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        assert db.session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    for user in db.session.scalars(select(User)):
        assert user.sort_name == sort_key(user.display_name)
    # Every group has an active chair and people who can write.
    for group in db.session.scalars(select(Group)):
        roles = set(
            db.session.scalars(
                select(Membership.role).where(
                    Membership.group_id == group.id, Membership.status == "active"
                )
            )
        )
        assert "chair" in roles


def test_thread_counters_match_their_posts(app):
    _generate(today=TODAY)
    for thread in db.session.scalars(select(Thread)):
        posts = db.session.scalars(
            select(Post).where(Post.thread_id == thread.id).order_by(Post.number)
        ).all()
        assert [p.number for p in posts] == list(range(1, len(posts) + 1))
        assert thread.post_count == len(posts)
        assert thread.author_id == posts[0].author_id
        assert thread.created_at == posts[0].created_at
        assert thread.last_post_at == max(p.created_at for p in posts)
        assert thread.last_poster_id == posts[-1].author_id
        last_by = {p.author_id: p.number for p in posts}
        marks = dict(
            db.session.execute(
                select(ReadMarker.user_id, ReadMarker.last_read_number).where(
                    ReadMarker.thread_id == thread.id
                )
            ).all()
        )
        assert marks == last_by
        watching = set(
            db.session.scalars(
                select(Subscription.user_id).where(Subscription.thread_id == thread.id)
            )
        )
        assert watching == set(last_by)
    for post in db.session.scalars(select(Post)):
        assert post.body_html == render_markdown(post.body)


def test_documents_have_their_files_and_counters(app, storage_folder):
    _generate(today=TODAY)
    store = storage.storage()
    for document in db.session.scalars(select(Document)):
        versions = db.session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document.id)
            .order_by(DocumentVersion.number)
        ).all()
        assert [v.number for v in versions] == list(
            range(1, document.version_count + 1)
        )
        assert document.kind == versions[-1].kind
        assert document.updated_at == versions[-1].created_at
        for version in versions:
            data = store.read(version.storage_key)
            assert hashlib.sha256(data).hexdigest() == version.sha256
            assert len(data) == version.size
            assert version.extracted_text
    assert storage_folder.exists()


def test_meetings_and_polls_are_consistent(app):
    _generate(today=TODAY)
    for meeting in db.session.scalars(select(Meeting)):
        assert meeting.items, meeting.title
        assert [i.position for i in meeting.items] == list(
            range(1, len(meeting.items) + 1)
        )
        if meeting.agenda_published_at is not None:
            assert meeting.agenda_snapshot == agenda.snapshot(meeting)
            assert not agenda.has_unsent_changes(meeting)
        else:
            assert meeting.status == "draft"
        numbers = db.session.scalars(
            select(MinutesRevision.number)
            .where(MinutesRevision.meeting_id == meeting.id)
            .order_by(MinutesRevision.number)
        ).all()
        assert numbers == list(range(1, len(numbers) + 1))
        assert bool(numbers) == (meeting.minutes_stage != "")
    for poll in db.session.scalars(select(Poll)):
        asked = set(
            db.session.scalars(
                select(PollParticipant.user_id).where(
                    PollParticipant.poll_id == poll.id
                )
            )
        )
        voters = set(
            db.session.scalars(
                select(PollVote.user_id).where(PollVote.poll_id == poll.id)
            )
        )
        assert voters <= asked
        if poll.meeting_id is not None:
            slot = db.session.get(PollSlot, poll.decided_slot_id)
            assert slot.poll_id == poll.id
            assert slot.starts_at == db.session.get(Meeting, poll.meeting_id).starts_at


def test_each_page_renders_for_a_generated_member(app, login):
    _generate()  # dated from today, so coming meetings are still to come
    group = db.session.scalars(select(Group).order_by(Group.id)).first()
    chair = db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.group_id == group.id, Membership.role == "chair")
    )
    client = login(chair, password=scale.PASSWORD)
    base = f"/groups/{group.slug}"
    pages = ["/", f"{base}/", f"{base}/threads/", f"{base}/documents/"]
    pages += [
        f"{base}/threads/{t}"
        for t in db.session.scalars(
            select(Thread.id).where(Thread.group_id == group.id).limit(3)
        )
    ]
    pages += [
        f"{base}/meetings/{m}"
        for m in db.session.scalars(
            select(Meeting.id).where(Meeting.group_id == group.id)
        )
    ]
    assert any("/meetings/" in page for page in pages)
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_same_seed_same_data_another_seed_other_data(app):
    _generate(today=TODAY)
    first = scale.fingerprint()
    _wipe()
    _generate(today=TODAY)
    assert scale.fingerprint() == first
    _wipe()
    _generate(today=TODAY, seed=scale.DEFAULT_SEED + 1)
    assert scale.fingerprint() != first


def test_refuses_a_database_with_data_unless_forced(app):
    runner = app.test_cli_runner()
    args = ["demo", "scale", "--factor", str(FACTOR), "--today", "2026-03-02"]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert scale.PASSWORD in first.output
    db.session.remove()
    people = _count(User)
    again = runner.invoke(args=args)
    assert again.exit_code != 0
    assert "--force" in again.output
    assert _count(User) == people
    forced = runner.invoke(args=[*args, "--force"])
    assert forced.exit_code == 0, forced.output
    db.session.remove()
    assert _count(User) == 2 * people
