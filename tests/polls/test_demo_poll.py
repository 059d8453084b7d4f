"""The demo: Digital Services has an open poll answered from several time zones; a
delegate answers in her own time, and the chair turns the best slot into a meeting
invitation in one click. Loading twice adds nothing."""

import re

import pytest
from sqlalchemy import func, select

from collab.auth.models import User
from collab.core.db import utcnow
from collab.demo import data
from collab.extensions import db
from collab.groups.models import Group
from collab.meetings.models import Meeting
from collab.notifications.models import OutboxEmail
from collab.polls.models import Poll, PollParticipant, PollVote
from tests.polls.conftest import answer_form, plain, poll_url, ranking, text


def _sign_in(app, email: str):
    browser = app.test_client()
    response = browser.post(
        "/auth/sign-in", data={"email": email, "password": data.PASSWORD}
    )
    assert response.status_code == 302
    return browser


@pytest.fixture
def demo(app) -> Poll:
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(
        select(Poll).join(Group).where(Group.slug == "digital-services")
    )


def test_digital_services_has_an_open_poll_answered_from_several_zones(demo):
    assert demo is not None
    assert demo.is_open
    assert demo.decided_at is None
    assert demo.closes_at < demo.slots[0].starts_at
    assert all(slot.starts_at > utcnow() for slot in demo.slots)
    voters = db.session.scalars(
        select(User)
        .join(PollParticipant, PollParticipant.user_id == User.id)
        .where(PollParticipant.poll_id == demo.id, PollParticipant.voted_at.isnot(None))
    ).all()
    assert len({v.timezone for v in voters}) >= 3, [v.timezone for v in voters]
    voted = set(
        db.session.scalars(
            select(PollVote.user_id).where(PollVote.poll_id == demo.id).distinct()
        )
    )
    assert voted == {v.id for v in voters}
    # Some have not answered yet, so the reminder has someone to remind.
    silent = db.session.scalar(
        select(func.count())
        .select_from(PollParticipant)
        .where(PollParticipant.poll_id == demo.id, PollParticipant.voted_at.is_(None))
    )
    assert silent > 0


def test_a_delegate_in_seoul_sees_the_slots_in_seoul_time(app, demo):
    member = _sign_in(app, "member@example.org")  # Park Min-jun, Asia/Seoul

    page = text(member.get(poll_url(demo)))

    assert "Times are shown in your time zone (Seoul)." in plain(page)
    slots = answer_form(page)
    assert len(slots) == len(demo.slots)
    # 08:00 in London is 17:00 (winter) or 16:00 (summer) in Seoul.
    assert re.search(r", [45]:00 PM–", slots[0].legend), slots[0].legend
    assert "Auckland" in slots[0].elsewhere and "São Paulo" in slots[0].elsewhere
    # The demo's answers are already ticked.
    assert [s.answer for s in slots][:3] == ["yes", "maybe", "no"]


def test_the_results_rank_the_demo_answers(app, demo):
    chair = _sign_in(app, "sarah.thompson@example.org")

    rows = ranking(text(chair.get(poll_url(demo))))

    assert len(rows) == len(demo.slots)
    assert rows[0][0] == "1 best"
    scores = [int(r[2]) + int(r[3]) / 2 for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_the_chair_turns_the_best_slot_into_an_invitation_in_one_click(app, demo):
    chair = _sign_in(app, "sarah.thompson@example.org")
    page = text(chair.get(poll_url(demo)))
    best = re.search(r'name="slot" value="(\d+)" checked', page)[1]

    response = chair.post(poll_url(demo, "/decide"), data={"slot": best, "invite": "1"})

    assert response.status_code == 302
    db.session.expire_all()
    poll = db.session.get(Poll, demo.id)
    meeting = db.session.get(Meeting, poll.meeting_id)
    assert meeting.status == "scheduled"
    assert poll.decided_slot_id == int(best)
    assert meeting.timezone == "Europe/London"
    invitations = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.subject.like("Meeting:%"))
    ).all()
    assert invitations
    assert all(
        any(a["content_type"] == "text/calendar" for a in mail.attachments)
        for mail in invitations
    )


def test_loading_the_demo_twice_adds_no_second_poll(app, demo):
    result = app.test_cli_runner().invoke(args=["demo", "load"])

    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0
