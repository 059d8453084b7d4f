"""Deciding: the chair turns a slot into a meeting of the poll's length in the poll's
zone, a draft or straight away scheduled with invitations; the voters hear the
result; a poll is decided once, and only by a chair or the secretariat."""

import re

import pytest
from sqlalchemy import select

from collab.extensions import db
from collab.meetings.models import Meeting
from collab.notifications.models import Notification
from collab.polls.models import Poll
from tests.polls.conftest import (
    DST_WEEK,
    WEEK_AFTER,
    answer,
    close,
    count,
    emails,
    flashes,
    follow,
    forget_mail,
    fresh,
    location,
    make_poll,
    plain,
    poll_url,
    text,
    utc,
)


@pytest.fixture
def poll(world):
    """90 minutes, 2 and 9 November at 09:00 and 14:00 Paris time; Toronto and Seoul
    answered, Sydney and the observer did not."""
    poll = make_poll(
        world.chair,
        world.group,
        title="Wallet plenary",
        description="Agree the **pilot** plan.",
        days=(DST_WEEK, WEEK_AFTER),
        clocks="09:00, 14:00",
        duration=90,
    )
    answer(world.toronto, poll, ["no", "yes", "no", "yes"])
    answer(world.seoul, poll, ["yes", "no", "yes", "maybe"])
    answer(world.chair, poll, ["no", "yes", "no", "no"])
    return poll


def _meeting(poll) -> Meeting | None:
    poll = fresh(poll)
    return db.session.get(Meeting, poll.meeting_id) if poll.meeting_id else None


def _decide(browser, poll, slot_index: int, invite: str):
    return browser.post(
        poll_url(poll, "/decide"),
        data={"slot": poll.slots[slot_index].id, "invite": invite},
    )


def test_the_best_slot_is_offered_first(login, world, poll):
    page = text(login(world.chair).get(poll_url(poll)))

    choices = re.findall(
        r'<input type="radio" id="decide-(\d+)" name="slot" value="\d+"( checked)?>',
        page,
    )
    # 2 November 14:00: Toronto and the chair say yes.
    assert choices[0] == (str(poll.slots[1].id), " checked")
    assert [c[1] for c in choices[1:]] == ["", "", ""]
    assert "Schedule the meeting and invite members" in page
    assert "Create a draft meeting" in page


def test_the_chair_turns_a_slot_into_a_draft_meeting(login, world, poll):
    chair = login(world.chair)

    response = _decide(chair, poll, 1, "0")

    meeting = _meeting(poll)
    assert location(response) == f"/groups/digital-identity/meetings/{meeting.id}"
    page = follow(chair, response)
    assert "Draft meeting created: add the agenda, then schedule it." in flashes(page)
    assert meeting.status == "draft"
    assert meeting.group_id == world.group.id
    assert meeting.title == "Wallet plenary"
    assert meeting.description == "Agree the **pilot** plan."
    assert meeting.timezone == "Europe/Paris"
    assert meeting.starts_at == utc(2027, 11, 2, 13, 0)
    assert meeting.ends_at == utc(2027, 11, 2, 14, 30)
    poll = fresh(poll)
    assert poll.decided_at is not None
    assert poll.decided_slot_id == poll.slots[1].id
    # A draft: nobody is invited yet.
    assert emails(subject="Meeting: Wallet plenary") == []


def test_the_draft_meeting_reads_in_each_persons_time(login, world, poll):
    _decide(login(world.chair), poll, 1, "0")
    meeting = _meeting(poll)

    page = plain(
        text(login(world.chair).get(f"/groups/digital-identity/meetings/{meeting.id}"))
    )

    assert "Tuesday, November 2, 2027" in page
    assert "2:00 PM–3:30 PM" in page


def test_the_poll_page_then_leads_to_the_meeting(login, world, poll):
    _decide(login(world.chair), poll, 1, "1")
    meeting = _meeting(poll)

    page = text(login(world.toronto).get(poll_url(poll)))

    assert "Decided." in plain(page)
    assert (
        f'href="/groups/digital-identity/meetings/{meeting.id}">See the meeting' in page
    )
    assert "Save my answers" not in page
    assert "Choose the time" not in page


def test_with_invitations_the_meeting_is_scheduled_and_everyone_invited(
    login, world, poll
):
    chair = login(world.chair)
    response = _decide(chair, poll, 2, "1")

    meeting = _meeting(poll)
    assert "Meeting scheduled: members received an invitation." in flashes(
        follow(chair, response)
    )
    assert meeting.status == "scheduled"
    assert meeting.starts_at == utc(2027, 11, 9, 8, 0)  # 09:00 in Paris, winter time
    invited = emails(subject="Meeting: Wallet plenary")
    assert sorted(e.to_addr for e in invited) == sorted(
        p.email for p in world.participants
    )
    for mail in invited:
        [ics] = [a for a in mail.attachments if a["content_type"] == "text/calendar"]
        assert ics["filename"].endswith(".ics")


def test_the_voters_are_told_the_result(login, world, poll):
    _decide(login(world.chair), poll, 1, "0")

    told = emails(subject="Time chosen: Wallet plenary")
    assert sorted(e.to_addr for e in told) == sorted(
        [world.chair.email, world.toronto.email, world.seoul.email]
    )
    [seoul] = emails(world.seoul.email, subject="Time chosen")
    assert seoul.subject == "Time chosen: Wallet plenary (Digital Identity)"
    assert "Tuesday, November 2, 2027, 10:00 PM–11:30 PM your time (Seoul)" in plain(
        seoul.body_text
    )
    # Those who never answered are not thanked for answering.
    assert emails(world.sydney.email) == []
    assert emails(world.observer.email) == []


def test_voters_find_the_result_in_their_notifications(login, world, poll):
    _decide(login(world.chair), poll, 1, "0")
    toronto = login(world.toronto)

    page = text(toronto.get("/notifications/"))

    assert "A time was chosen for “Wallet plenary”" in plain(page)
    [link] = re.findall(r'href="(/notifications/\d+)"', page)
    assert location(toronto.get(link)) == poll_url(poll)
    assert count(Notification, Notification.user_id == world.sydney.id) == 0


def test_a_poll_is_decided_only_once(login, world, poll):
    chair = login(world.chair)
    _decide(chair, poll, 1, "0")
    first = fresh(poll).meeting_id
    forget_mail()

    response = _decide(chair, poll, 0, "1")

    assert response.status_code in (400, 403, 409)
    assert count(Meeting) == 1
    poll = fresh(poll)
    assert poll.meeting_id == first and poll.decided_slot_id == poll.slots[1].id
    assert emails() == []


def test_a_slot_of_another_poll_is_refused(login, world, poll):
    other = make_poll(world.chair, world.group, days=(WEEK_AFTER,), clocks="16:00")

    response = login(world.chair).post(
        poll_url(poll, "/decide"), data={"slot": other.slots[0].id, "invite": "1"}
    )

    assert response.status_code == 400
    assert "Choose one of the poll's slots." in plain(text(response))
    assert count(Meeting) == 0
    assert fresh(poll).decided_at is None


def test_no_slot_chosen_is_refused(login, world, poll):
    response = login(world.chair).post(poll_url(poll, "/decide"), data={"invite": "0"})

    assert response.status_code == 400
    assert count(Meeting) == 0


def test_the_chair_decides_after_the_poll_has_closed(login, world, poll):
    close(poll)

    response = _decide(login(world.chair), poll, 1, "0")

    assert response.status_code == 302
    assert _meeting(poll).starts_at == utc(2027, 11, 2, 13, 0)


def test_the_secretariat_decides_too(login, world, poll):
    response = _decide(login(world.secretariat), poll, 3, "0")

    assert response.status_code == 302
    assert _meeting(poll).starts_at == utc(2027, 11, 9, 13, 0)


@pytest.mark.parametrize("who", ["toronto", "observer", "outsider"])
def test_others_cannot_decide(login, world, poll, who):
    browser = login(getattr(world, who))

    assert "Choose the time" not in text(browser.get(poll_url(poll)))
    response = _decide(browser, poll, 1, "1")

    assert response.status_code == 403
    assert count(Meeting) == 0
    assert fresh(poll).decided_at is None
    assert emails() == []


def test_the_chair_of_another_group_cannot_decide(login, world, poll):
    response = _decide(login(world.other_chair), poll, 1, "1")

    assert response.status_code == 403
    assert db.session.scalar(select(Poll.decided_at).where(Poll.id == poll.id)) is None


@pytest.mark.parametrize("invite", ["0", "1"], ids=["draft", "scheduled"])
def test_every_meeting_link_a_voter_is_shown_opens(login, world, poll, invite):
    """Once decided, the poll page must not send a member to a page they cannot
    open (a draft meeting is visible to chairs only)."""
    _decide(login(world.chair), poll, 1, invite)
    toronto = login(world.toronto)

    page = text(toronto.get(poll_url(poll)))

    links = re.findall(r'href="(/groups/digital-identity/meetings/\d+)"', page)
    for link in links:
        assert toronto.get(link).status_code == 200, link
