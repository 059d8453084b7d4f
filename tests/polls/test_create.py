"""Proposing slots: a chair types a few times once and the days they apply to, picks
who is asked (everyone of the group by default) and a closing date; bad input is
refused with a clear message and creates nothing."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from collab.core.db import utcnow
from collab.extensions import db
from collab.meetings import times
from collab.notifications.models import Notification, OutboxEmail
from collab.polls.models import Poll, PollParticipant, PollSlot
from tests.polls.conftest import (
    DST_WEEK,
    WEEK_AFTER,
    count,
    emails,
    error_summary,
    flashes,
    follow,
    form_for,
    location,
    newest_poll,
    plain,
    poll_form,
    poll_url,
    selected_zone,
    text,
    utc,
)

NEW = "/groups/digital-identity/polls/new"


def _checked_people(page: str) -> set[int]:
    return {
        int(value)
        for value, rest in re.findall(
            r'<input type="checkbox" id="participant-\d+" name="participants" '
            r'value="(\d+)"([^>]*)>',
            page,
        )
        if "checked" in rest
    }


def _offered_people(page: str) -> set[int]:
    return {int(v) for v in re.findall(r'name="participants" value="(\d+)"', page)}


def _participants(poll) -> set[int]:
    db.session.expire_all()
    return set(
        db.session.scalars(
            select(PollParticipant.user_id).where(PollParticipant.poll_id == poll.id)
        )
    )


# --- the form ---


def test_the_form_proposes_everyone_of_the_group_in_the_chairs_zone(login, world):
    response = login(world.chair).get(NEW)

    assert response.status_code == 200
    page = text(response)
    everyone = {p.id for p in world.participants}
    assert _offered_people(page) == everyone
    assert _checked_people(page) == everyone
    assert selected_zone(page) == "Europe/Paris"
    assert 'value="09:00, 14:00"' in page
    today = utcnow().astimezone(times.zone("Europe/Paris")).date()
    for n in range(3):
        assert f'value="{today + timedelta(days=14 + n)}"' in page
    assert f'value="{today + timedelta(days=7)}"' in page  # closes after a week
    for person in (world.outsider, world.secretariat, world.other_member):
        assert person.display_name not in page


def test_the_secretariat_opens_the_form_in_its_own_zone(login, world):
    page = text(login(world.secretariat).get(NEW))

    assert selected_zone(page) == "Europe/Brussels"


# --- creating ---


def test_times_given_once_are_proposed_on_every_day(login, world):
    chair = login(world.chair)

    response = chair.post(
        NEW,
        data=form_for(
            world,
            days=(DST_WEEK, DST_WEEK + timedelta(days=1), WEEK_AFTER),
            clocks="9:00, 14h30",
            duration="90",
            description="To agree the **work plan**.",
        ),
    )

    poll = newest_poll()
    assert location(response) == poll_url(poll)
    page = follow(chair, response)
    assert "Poll sent: participants were told." in flashes(page)
    assert poll.title == "Autumn plenary"
    assert poll.timezone == "Europe/Paris"
    assert poll.duration_minutes == 90
    assert poll.closes_at == utc(2027, 10, 26, 15, 0)  # 17:00 summer time in Paris
    assert [s.starts_at for s in poll.slots] == [
        utc(2027, 11, 2, 8, 0),
        utc(2027, 11, 2, 13, 30),
        utc(2027, 11, 3, 8, 0),
        utc(2027, 11, 3, 13, 30),
        utc(2027, 11, 9, 8, 0),
        utc(2027, 11, 9, 13, 30),
    ]
    assert "A meeting of 90 minutes." in plain(page)
    assert "<strong>work plan</strong>" in page
    assert "Wednesday, November 3, 2027, 2:30 PM–4:00 PM" in plain(page)


def test_everyone_of_the_group_is_asked_by_default(login, world):
    login(world.chair).post(
        NEW, data=poll_form(participants=[p.id for p in world.participants])
    )

    assert _participants(newest_poll()) == {p.id for p in world.participants}


def test_the_chair_chooses_who_is_asked(login, world):
    login(world.chair).post(
        NEW, data=poll_form(participants=[world.toronto.id, world.seoul.id])
    )

    poll = newest_poll()
    assert _participants(poll) == {world.toronto.id, world.seoul.id}
    told = {e.to_addr for e in emails()}
    assert told == {world.toronto.email, world.seoul.email}
    assert count(Notification, Notification.user_id == world.sydney.id) == 0


def test_people_outside_the_group_cannot_be_slipped_in(login, world):
    login(world.chair).post(
        NEW,
        data=poll_form(
            participants=[world.toronto.id, world.outsider.id, world.other_member.id]
        ),
    )

    assert _participants(newest_poll()) == {world.toronto.id}
    assert {e.to_addr for e in emails()} == {world.toronto.email}


def test_the_secretariat_proposes_slots_in_any_group(login, world):
    response = login(world.secretariat).post(
        "/groups/ict-procurement/polls/new",
        data=poll_form(
            zone="America/Sao_Paulo",
            participants=[world.other_chair.id, world.other_member.id],
        ),
    )

    assert response.status_code == 302
    poll = newest_poll()
    assert poll.group_id == world.private_group.id
    assert poll.slots[0].starts_at == utc(2027, 11, 2, 17, 0)  # 14:00 in São Paulo


def test_a_new_poll_is_listed_for_the_group(login, world):
    login(world.chair).post(NEW, data=form_for(world, title="Winter plenary"))

    page = text(login(world.toronto).get("/groups/digital-identity/polls/"))

    assert "Winter plenary" in page
    assert "Open until" in plain(page)
    assert poll_url(newest_poll()) in page


# --- in-app notification ---


def test_participants_find_the_poll_in_their_notifications(login, world):
    login(world.chair).post(NEW, data=form_for(world))
    poll = newest_poll()
    toronto = login(world.toronto)

    page = text(toronto.get("/notifications/"))

    assert "Claire Dubois asks when you can meet: “Autumn plenary”" in plain(page)
    [link] = re.findall(r'href="(/notifications/\d+)"', page)
    opened = toronto.get(link)
    assert location(opened) == poll_url(poll)
    assert toronto.get(location(opened)).status_code == 200
    assert "<strong>new</strong>" not in text(toronto.get("/notifications/"))


def test_participants_are_emailed_a_link_to_the_poll(login, world):
    login(world.chair).post(NEW, data=form_for(world))
    poll = newest_poll()

    [mail] = emails(world.seoul.email)

    assert mail.subject == "When can you meet? Autumn plenary (Digital Identity)"
    assert f"http://collab.test{poll_url(poll)}" in mail.body_text
    assert "Claire Dubois asks when you can meet for “Autumn plenary”" in mail.body_text
    # Seoul's own time: 14:00 in Paris is 22:00 in Seoul.
    body = plain(mail.body_text)
    assert "- Tuesday, November 2, 2027, 10:00:00 PM Korean Standard Time" in body
    assert "Please answer by Wednesday, October 27, 2027, 12:00:00 AM" in body


# --- refused ---


def _yesterday() -> date:
    return (utcnow() - timedelta(days=1)).date()


REFUSED = {
    "slot in the past": (
        dict(days=(None,), closes_on=None),  # filled in the test: yesterday
        "Every slot must be in the future.",
    ),
    "the same day twice": (
        dict(days=(DST_WEEK, WEEK_AFTER, DST_WEEK)),
        "2027-11-02 at 14:00 is listed twice.",
    ),
    "the same time twice": (
        dict(clocks="14:00, 9:00, 14h00"),
        "2027-11-02 at 14:00 is listed twice.",
    ),
    "closing after the first slot": (
        dict(closes_on=DST_WEEK + timedelta(days=1)),
        "The poll must close before the first slot.",
    ),
    "closing in the past": (
        dict(closes_on=None),  # filled in the test: yesterday
        "The poll must close in the future.",
    ),
    "words for a time": (dict(clocks="9am"), "“9am” is not a time"),
    "an hour that does not exist": (
        dict(clocks="09:00, 25:00"),
        "“25:00” is not a time",
    ),
    "minutes that do not exist": (dict(clocks="14:75"), "“14:75” is not a time"),
    "no time at all": (dict(clocks=" , "), "Give at least one time"),
    "no day": (dict(days=()), "Give at least one day."),
    "nobody asked": (dict(participants=[]), "Choose at least one participant."),
    "only outsiders asked": (
        dict(participants=None),  # filled in the test: outsiders only
        "Choose at least one participant.",
    ),
    "a time the spring change skips": (
        dict(days=(date(2027, 3, 28),), clocks="02:30", closes_on=date(2027, 3, 20)),
        "02:30 does not exist in Paris that day: the clocks change.",
    ),
    "a closing time the spring change skips": (
        dict(
            days=(date(2027, 4, 6),),
            closes_on=date(2027, 3, 28),
            closes_time="02:30",
        ),
        "02:30 does not exist in Paris that day: the clocks change.",
    ),
    "too many slots": (
        dict(
            days=tuple(DST_WEEK + timedelta(days=n) for n in range(7)),
            clocks="08:00 09:00 10:00 11:00 12:00 13:00 14:00 15:00 16:00",
        ),
        "A poll has at most 60 slots.",
    ),
    "a meeting of ten minutes": (dict(duration="10"), "Number must be between"),
    "an unknown zone": (
        dict(zone="Mars/Olympus_Mons"),
        # The list's own check, or the services' clearer sentence.
        ("Not a valid choice", "Choose a time zone from the list, e.g. Europe/Paris."),
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_bad_input_is_refused_with_a_clear_message_and_creates_nothing(
    login, world, case
):
    overrides, message = REFUSED[case]
    overrides = dict(overrides)
    if case == "slot in the past":
        overrides.update(
            days=(_yesterday(),), closes_on=_yesterday() - timedelta(days=1)
        )
    if case == "closing in the past":
        overrides["closes_on"] = _yesterday()
    if "participants" not in overrides:
        overrides["participants"] = [p.id for p in world.participants]
    elif overrides["participants"] is None:
        overrides["participants"] = [world.outsider.id, world.other_member.id]
    data = poll_form(title="Refused plenary", **overrides)

    response = login(world.chair).post(NEW, data=data)

    assert response.status_code == 400
    page = plain(text(response))
    messages = message if isinstance(message, tuple) else (message,)
    assert any(m in page for m in messages), page
    assert "Refused plenary" in text(response)  # what was typed is kept
    assert count(Poll) == 0
    assert count(PollSlot) == 0
    assert count(PollParticipant) == 0
    assert count(OutboxEmail) == 0
    assert count(Notification) == 0


def test_a_refused_form_keeps_the_chosen_participants(login, world):
    response = login(world.chair).post(
        NEW,
        data=poll_form(clocks="9am", participants=[world.toronto.id, world.seoul.id]),
    )

    assert response.status_code == 400
    assert _checked_people(text(response)) == {world.toronto.id, world.seoul.id}


def test_each_error_is_announced_once(login, world):
    response = login(world.chair).post(NEW, data=poll_form(participants=[]))

    summary = error_summary(text(response))
    assert summary.count("Choose at least one participant.") == 1, summary


def test_a_day_that_is_not_a_date_is_refused_with_a_readable_message(login, world):
    """Without a date picker, people type dates; a typo must read as a sentence."""
    data = form_for(world, days=(DST_WEEK, WEEK_AFTER))
    data["days-0"] = "2027-13-01"

    response = login(world.chair).post(NEW, data=data)

    assert response.status_code == 400
    assert count(Poll) == 0
    page = text(response)
    summary = error_summary(page)
    assert any("Not a valid date value." in line for line in summary), summary
    assert not any("[" in line or "]" in line for line in summary), summary
    assert len(summary) == 1, summary
    under_days = re.search(r'<p class="error" id="days-error">(.*?)</p>', page, re.S)
    assert under_days and "Not a valid date value." in plain(under_days[1])
