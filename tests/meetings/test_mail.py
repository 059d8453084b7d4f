"""Meeting e-mail through a real SMTP server (aiosmtpd): invitations, changes,
cancellations and agendas arrive with a text/calendar attachment a calendar program
can read, each in the recipient's own time; minutes arrive when circulated and
adopted."""

from datetime import date, timedelta

import pytest

from collab.core.db import utcnow
from collab.extensions import db
from collab.meetings import minutes
from collab.notifications.services import deliver_pending
from tests.meetings.conftest import (
    fresh,
    make_meeting,
    meeting_url,
    only_event,
    past_meeting,
    utc,
    write_minutes,
)
from tests.notifications.mail import html_of, link_in, text_of


def _calendar_part(message):
    parts = [
        part
        for part in message.iter_attachments()
        if part.get_content_type() == "text/calendar"
    ]
    assert len(parts) == 1, [p.get_content_type() for p in message.iter_attachments()]
    [part] = parts
    assert part.get_filename().endswith(".ics")
    return only_event(part.get_content())


def _spaces(value: str) -> str:
    return value.replace("\u202f", " ").replace("\u00a0", " ")


@pytest.fixture
def seoul_member(team):
    team.member.timezone = "Asia/Seoul"
    db.session.commit()
    return team.member


def test_invitation_arrives_with_a_calendar_file_in_each_persons_time(
    login, team, seoul_member, smtp_server
):
    draft = make_meeting(
        team.chair,
        team.group,
        status="draft",
        title="Wallet plenary",
        day=date(2027, 3, 29),
        online_url="https://meet.example.org/wallet",
    )

    login(team.chair).post(meeting_url(draft, "/schedule"))
    sent, failed = deliver_pending()

    assert (sent, failed) == (len(team.participants), 0)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        p.email for p in team.participants
    )
    [message] = smtp_server.to(seoul_member.email)
    assert message["Subject"] == "Meeting: Wallet plenary (Digital Identity)"
    assert message.get_content_type() == "multipart/mixed"
    body = _spaces(text_of(message))
    assert "Monday, March 29, 2027, 5:00 PM–7:00 PM your time (Seoul)" in body
    assert "10:00 AM–12:00 PM Paris time (the meeting's time zone)" in body
    assert "Join online: https://meet.example.org/wallet" in body
    assert link_in(message) == meeting_url(draft)
    assert "Wallet plenary" in html_of(message)
    event = _calendar_part(message)
    assert str(event["uid"]) == draft.uid
    assert event["dtstart"].dt == utc(2027, 3, 29, 8, 0)
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert str(event["status"]) == "CONFIRMED"
    assert "https://meet.example.org/wallet" in str(event["location"])
    [chairs] = smtp_server.to(team.chair.email)
    assert "your time (Rome)" in _spaces(text_of(chairs))
    assert "Paris time" not in text_of(chairs)  # same clock as Rome


def test_a_change_of_time_arrives_as_an_update_of_the_same_event(
    login, team, smtp_server
):
    meeting = make_meeting(team.chair, team.group, day=date(2027, 3, 29))
    invited = fresh(meeting).sequence

    login(team.chair).post(
        meeting_url(meeting, "/edit"),
        data={
            "title": "Spring plenary",
            "start_date": "2027-03-29",
            "start_time": "14:00",
            "end_time": "16:00",
            "timezone": "Europe/Paris",
        },
    )
    deliver_pending()

    [message] = smtp_server.to(team.member.email)
    assert message["Subject"] == "Changed: Spring plenary (Digital Identity)"
    assert "The time or place of this meeting changed." in text_of(message)
    event = _calendar_part(message)
    assert str(event["uid"]) == meeting.uid
    assert event["sequence"] > invited
    assert event["dtstart"].dt == utc(2027, 3, 29, 12, 0)


def test_a_cancellation_arrives_with_the_reason_and_a_cancelled_event(
    login, team, smtp_server
):
    meeting = make_meeting(team.chair, team.group, title="Wallet plenary")

    login(team.chair).post(
        meeting_url(meeting, "/cancel"), data={"reason": "The venue is closed."}
    )
    deliver_pending()

    [message] = smtp_server.to(team.observer.email)
    assert message["Subject"] == "Cancelled: Wallet plenary (Digital Identity)"
    assert "Reason: The venue is closed." in text_of(message)
    event = _calendar_part(message)
    assert str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == meeting.uid


def test_the_published_agenda_arrives_with_the_calendar_file(login, team, smtp_server):
    meeting = make_meeting(
        team.chair, team.group, items=(("Opening", 10), ("Wallet pilots", 45))
    )

    login(team.chair).post(meeting_url(meeting, "/agenda/publish"))
    deliver_pending()

    [message] = smtp_server.to(team.member.email)
    assert message["Subject"] == "Agenda: Spring plenary (Digital Identity)"
    assert "2. Wallet pilots (45 min)" in text_of(message)
    assert "2. Wallet pilots (45 min)" in str(_calendar_part(message)["description"])


def test_minutes_circulated_and_adopted_arrive(login, team, smtp_server):
    held = past_meeting(
        team.chair, team.group, title="Autumn plenary", items=("Opening",)
    )
    write_minutes(team.chair, held, "Estonia reported on its pilot.")
    chair = login(team.chair)

    chair.post(
        meeting_url(held, "/minutes/circulate"),
        data={"deadline": str((utcnow() + timedelta(days=7)).date())},
    )
    chair.post(meeting_url(held, "/minutes/adopt"))
    assert deliver_pending() == (2 * len(team.participants), 0)

    circulated, adopted = smtp_server.to(team.member.email)
    assert circulated["Subject"] == (
        "Draft minutes for comment: Autumn plenary (Digital Identity)"
    )
    assert "ready for your comments until" in text_of(circulated)
    assert adopted["Subject"] == "Minutes adopted: Autumn plenary (Digital Identity)"
    assert "Estonia reported on its pilot." in text_of(adopted)
    assert link_in(adopted) == meeting_url(held)
    assert list(adopted.iter_attachments()) == []


def test_nobody_outside_the_group_receives_meeting_email(login, team, smtp_server):
    meeting = make_meeting(team.chair, team.group, status="draft", items=("Opening",))
    chair = login(team.chair)
    chair.post(meeting_url(meeting, "/schedule"))
    chair.post(meeting_url(meeting, "/agenda/publish"))
    chair.post(meeting_url(meeting, "/cancel"), data={"reason": "Closed."})
    deliver_pending()

    recipients = {m["To"] for m in smtp_server.messages}
    assert recipients == {p.email for p in team.participants}
    for outsider in (team.outsider, team.other_member, team.secretariat):
        assert smtp_server.to(outsider.email) == []


def test_the_action_owner_alone_is_told(login, team, smtp_server):
    held = past_meeting(team.chair, team.group, items=("Opening",))
    minutes.add_action(
        team.chair,
        held,
        held.items[0].id,
        "Draft the joint note",
        team.colleague.id,
        (utcnow() + timedelta(days=10)).date(),
    )
    db.session.commit()

    deliver_pending()

    assert [m["To"] for m in smtp_server.messages] == [team.colleague.email]
