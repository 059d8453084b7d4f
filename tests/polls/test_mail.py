"""Poll e-mail through a real SMTP server (aiosmtpd): the invitation to answer, the
reminder to those who have not answered a day before closing (once), and the result
to the voters, with the meeting's invitation and calendar file when the chair invites
straight away. Each in the recipient's own time."""

from datetime import time, timedelta

import pytest

from collab.core.db import utcnow
from collab.extensions import db
from collab.meetings import times
from collab.notifications.services import deliver_pending
from collab.polls import services
from tests.notifications.mail import html_of, link_in, text_of
from tests.polls.conftest import (
    DST_WEEK,
    WEEK_AFTER,
    answer,
    form_for,
    fresh,
    make_poll,
    newest_poll,
    plain,
    poll_url,
    utc,
)


def _words(message) -> str:
    return plain(text_of(message))


# --- the poll is sent ---


def test_each_participant_receives_the_poll_in_their_own_time(
    login, world, smtp_server
):
    login(world.chair).post(
        "/groups/digital-identity/polls/new",
        data=form_for(world, days=(DST_WEEK,), clocks="09:00, 14:00"),
    )
    poll = newest_poll()

    # Everyone but the chair who asks.
    asked = [p for p in world.participants if p.id != world.chair.id]
    assert deliver_pending() == (len(asked), 0)

    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        p.email for p in asked
    )
    [toronto] = smtp_server.to(world.toronto.email)
    assert toronto["Subject"] == "When can you meet? Autumn plenary (Digital Identity)"
    body = _words(toronto)
    assert "Claire Dubois asks when you can meet for “Autumn plenary”." in body
    assert "Tuesday, November 2, 2027, 4:00:00 AM Eastern Daylight Time" in body
    assert "Tuesday, November 2, 2027, 9:00:00 AM Eastern Daylight Time" in body
    assert link_in(toronto) == poll_url(poll)
    assert "Give your availability" in html_of(toronto)
    [sydney] = smtp_server.to(world.sydney.email)
    assert "Wednesday, November 3, 2027, 12:00:00 AM" in _words(sydney)
    for outside in (world.outsider, world.secretariat, world.other_member):
        assert smtp_server.to(outside.email) == []


def test_the_emailed_link_opens_the_answer_form(login, world, smtp_server):
    poll = make_poll(world.chair, world.group)
    services.notify.poll_opened(poll, [world.seoul], world.chair)
    db.session.commit()
    deliver_pending()

    [message] = smtp_server.to(world.seoul.email)
    response = login(world.seoul).get(link_in(message))

    assert response.status_code == 200
    assert "Save my answers" in response.get_data(as_text=True)


# --- reminders ---


@pytest.fixture
def closing_soon(world):
    """A poll closing in about twelve hours (the chair typed that time in Paris);
    Toronto and Seoul answered, Sydney, the observer and the chair did not."""
    soon = (utcnow() + timedelta(hours=12)).astimezone(times.zone("Europe/Paris"))
    poll = make_poll(
        world.chair,
        world.group,
        title="Wallet plenary",
        days=(WEEK_AFTER,),
        clocks="14:00",
        closes_on=soon.date(),
        closes_time=time(soon.hour, soon.minute),
    )
    answer(world.toronto, poll, ["yes"])
    answer(world.seoul, poll, ["no"], "Too late for me.")
    return poll


def test_non_voters_are_reminded_a_day_before_closing(
    app, world, closing_soon, smtp_server
):
    result = app.test_cli_runner().invoke(args=["polls", "remind"])

    assert result.exit_code == 0, result.output
    assert "3 reminder(s) queued" in result.output
    assert "sent 3, failed 0" in result.output
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        [world.chair.email, world.sydney.email, world.observer.email]
    )
    [message] = smtp_server.to(world.sydney.email)
    assert message["Subject"] == (
        "Reminder: when can you meet? Wallet plenary (Digital Identity)"
    )
    assert "You have not answered the poll “Wallet plenary” yet." in _words(message)
    assert link_in(message) == poll_url(closing_soon)


def test_voters_get_no_reminder(app, world, closing_soon, smtp_server):
    app.test_cli_runner().invoke(args=["polls", "remind"])

    assert smtp_server.to(world.toronto.email) == []
    assert smtp_server.to(world.seoul.email) == []


def test_the_reminder_gives_the_closing_time_in_the_readers_time(
    app, world, closing_soon, smtp_server
):
    app.test_cli_runner().invoke(args=["polls", "remind"])

    [message] = smtp_server.to(world.sydney.email)
    closes = fresh(closing_soon).closes_at.astimezone(times.zone("Australia/Sydney"))
    assert f"It closes on {closes:%A}" in _words(message)
    assert "Australian Eastern" in _words(message)


def test_each_poll_is_reminded_once(app, world, closing_soon, smtp_server):
    runner = app.test_cli_runner()
    runner.invoke(args=["polls", "remind"])
    first = len(smtp_server.messages)

    again = runner.invoke(args=["polls", "remind"])

    assert again.exit_code == 0, again.output
    assert "0 reminder(s) queued" in again.output
    assert len(smtp_server.messages) == first == 3
    assert fresh(closing_soon).reminded_at is not None


def test_no_reminder_before_the_last_day(world, smtp_server):
    poll = make_poll(world.chair, world.group)  # closes 26 October 2027, 15:00 UTC

    assert services.send_reminders(now=utc(2027, 10, 25, 14, 0)) == 0
    db.session.commit()
    assert fresh(poll).reminded_at is None

    assert services.send_reminders(now=utc(2027, 10, 25, 16, 0)) == len(
        world.participants
    )
    db.session.commit()
    assert deliver_pending() == (len(world.participants), 0)
    assert len(smtp_server.messages) == len(world.participants)


def test_no_reminder_after_closing_or_once_decided(login, world, smtp_server):
    closed = make_poll(world.chair, world.group, title="Closed")
    decided = make_poll(world.chair, world.group, title="Decided")
    login(world.chair).post(
        poll_url(decided, "/decide"), data={"slot": decided.slots[0].id, "invite": "0"}
    )
    deliver_pending()
    smtp_server.messages.clear()

    assert services.send_reminders(now=utc(2027, 10, 26, 15, 30)) == 0  # closed
    assert services.send_reminders(now=utc(2027, 10, 26, 3, 0)) == len(
        world.participants
    )  # the closed one only, while still open
    db.session.commit()
    deliver_pending()
    assert {m["Subject"] for m in smtp_server.messages} == {
        "Reminder: when can you meet? Closed (Digital Identity)"
    }
    assert fresh(closed).reminded_at is not None


def test_someone_who_left_the_group_is_not_reminded(
    app, login, world, closing_soon, smtp_server
):
    """Sydney left the group: the poll cannot take her answer any more (403), so it
    must not ask her for one."""
    sydney = login(world.sydney)
    assert sydney.post("/groups/digital-identity/leave").status_code == 302
    vote = sydney.post(
        poll_url(closing_soon, "/vote"),
        data={f"slot-{closing_soon.slots[0].id}": "yes"},
    )
    assert vote.status_code == 403

    app.test_cli_runner().invoke(args=["polls", "remind"])

    assert smtp_server.to(world.sydney.email) == []
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        [world.chair.email, world.observer.email]
    )


def test_reminders_wait_while_smtp_is_down_and_arrive_once_it_is_back(
    app, world, closing_soon, smtp_down
):
    result = app.test_cli_runner().invoke(args=["polls", "remind"])
    assert "sent 0, failed 3" in result.output

    smtp_down.start()
    from collab.notifications.models import OutboxEmail

    db.session.execute(
        db.update(OutboxEmail).values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert deliver_pending() == (3, 0)
    again = app.test_cli_runner().invoke(args=["polls", "remind"])

    assert "0 reminder(s) queued" in again.output
    assert len(smtp_down.messages) == 3


# --- the result ---


@pytest.fixture
def answered(world):
    poll = make_poll(
        world.chair,
        world.group,
        title="Wallet plenary",
        days=(DST_WEEK, WEEK_AFTER),
        clocks="14:00",
        duration=90,
    )
    answer(world.toronto, poll, ["yes", "no"])
    answer(world.sydney, poll, ["maybe", "yes"])
    return poll


def test_voters_receive_the_chosen_time_in_their_own_time(
    login, world, answered, smtp_server
):
    login(world.chair).post(
        poll_url(answered, "/decide"),
        data={"slot": answered.slots[0].id, "invite": "0"},
    )
    deliver_pending()

    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        [world.toronto.email, world.sydney.email]
    )
    [toronto] = smtp_server.to(world.toronto.email)
    assert toronto["Subject"] == "Time chosen: Wallet plenary (Digital Identity)"
    assert "Tuesday, November 2, 2027, 9:00 AM–10:30 AM your time (Toronto)" in _words(
        toronto
    )
    # The meeting is still a draft (chairs only): the link leads to the poll.
    assert link_in(toronto) == poll_url(answered)
    [sydney] = smtp_server.to(world.sydney.email)
    assert "Wednesday, November 3, 2027, 12:00 AM–1:30 AM your time (Sydney)" in _words(
        sydney
    )


def test_one_click_sends_invitations_with_a_calendar_file(
    login, world, answered, smtp_server
):
    import icalendar

    login(world.chair).post(
        poll_url(answered, "/decide"),
        data={"slot": answered.slots[1].id, "invite": "1"},
    )
    deliver_pending()

    invitations = [
        m for m in smtp_server.messages if m["Subject"].startswith("Meeting:")
    ]
    assert sorted(m["To"] for m in invitations) == sorted(
        p.email for p in world.participants
    )
    [seoul] = [m for m in invitations if m["To"] == world.seoul.email]
    [part] = [
        p for p in seoul.iter_attachments() if p.get_content_type() == "text/calendar"
    ]
    assert part.get_filename().endswith(".ics")
    [event] = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")
    assert event["dtstart"].dt == utc(2027, 11, 9, 13, 0)
    assert event["dtend"].dt == utc(2027, 11, 9, 14, 30)
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert "Wallet plenary" in str(event["summary"])
    # Voters also hear that their answers led somewhere; Seoul did not answer.
    results = [
        m for m in smtp_server.messages if m["Subject"].startswith("Time chosen")
    ]
    assert sorted(m["To"] for m in results) == sorted(
        [world.toronto.email, world.sydney.email]
    )


@pytest.mark.parametrize("invite", ["0", "1"], ids=["draft", "scheduled"])
def test_the_link_in_the_result_opens_for_the_voter(
    login, world, answered, smtp_server, invite
):
    login(world.chair).post(
        poll_url(answered, "/decide"),
        data={"slot": answered.slots[0].id, "invite": invite},
    )
    deliver_pending()

    [result] = [
        m
        for m in smtp_server.to(world.toronto.email)
        if m["Subject"].startswith("Time chosen")
    ]
    assert login(world.toronto).get(link_in(result)).status_code == 200
