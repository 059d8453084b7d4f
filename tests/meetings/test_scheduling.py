"""Scheduling: chairs keep a meeting as a draft among themselves, schedule it (every
participant is invited with a calendar file), change it (members are told), hold or
cancel it (with a reason)."""

import re
import uuid
from datetime import date, timedelta

import pytest

from collab.core.db import utcnow
from collab.extensions import db
from collab.meetings import services
from collab.meetings.models import Meeting
from tests import factories
from tests.meetings.conftest import (
    count,
    create,
    emails,
    field_errors,
    flashes,
    follow,
    form,
    fresh,
    ics_attachment,
    location,
    make_meeting,
    meeting_url,
    newest_meeting,
    only_event,
    plain,
    text,
    utc,
)


def _index(browser, team) -> str:
    return text(browser.get("/groups/digital-identity/meetings/"))


# --- drafts ----------------------------------------------------------------------


def test_chair_creates_a_draft_through_the_form(login, team):
    chair = login(team.chair)

    response = create(
        chair,
        team.group,
        title="Wallet plenary",
        day=date(2027, 3, 29),
        location="OECD Conference Centre, Room CC7",
        online_url="https://meet.example.org/wallet",
        description="Bring your pilot results.",
    )

    meeting = newest_meeting()
    assert location(response) == meeting_url(meeting)
    page = follow(chair, response)
    assert "Meeting saved as a draft: add the agenda, then schedule it." in flashes(
        page
    )
    assert meeting.status == "draft"
    assert meeting.created_by_id == team.chair.id
    assert "Place: OECD Conference Centre, Room CC7" in plain(page)
    assert 'href="https://meet.example.org/wallet"' in page
    assert "Bring your pilot results." in page
    assert emails() == []  # a draft tells nobody


@pytest.mark.parametrize("who", ["member", "observer", "colleague", "outsider"])
def test_a_draft_is_hidden_from_everyone_but_the_chairs(login, team, who):
    canary = f"CANARY-{uuid.uuid4().hex}"
    draft = make_meeting(team.chair, team.group, status="draft", title=canary)
    browser = login(getattr(team, who))

    for suffix in ("", ".ics", "/edit", "/responses", "/minutes"):
        response = browser.get(meeting_url(draft, suffix))
        assert response.status_code in (403, 404), suffix
        assert canary not in text(response)
    assert browser.get(meeting_url(draft)).status_code == 404
    assert browser.get(meeting_url(draft, ".ics")).status_code == 404
    for path in (
        "/",
        "/calendar/",
        "/groups/digital-identity/meetings/",
        "/groups/digital-identity/meetings/calendar.ics",
        "/groups/digital-identity/actions/",
    ):
        response = browser.get(path)
        assert response.status_code == 200, path
        assert canary not in text(response), path


@pytest.mark.parametrize("who", ["chair", "secretariat"])
def test_chairs_and_the_secretariat_see_a_draft(login, team, who):
    draft = make_meeting(team.chair, team.group, status="draft", title="Draft plenary")
    browser = login(getattr(team, who))

    page = text(browser.get(meeting_url(draft)))

    assert "Only chairs see this draft." in page
    assert "Draft plenary" in _index(browser, team)


@pytest.mark.parametrize("who", ["member", "observer", "outsider"])
def test_only_chairs_create_meetings(login, team, who):
    browser = login(getattr(team, who))

    assert browser.get("/groups/digital-identity/meetings/new").status_code == 403
    assert create(browser, team.group).status_code == 403
    assert count(Meeting) == 0
    assert "Schedule a meeting" not in _index(browser, team)


def test_the_secretariat_creates_a_meeting_in_any_group(login, team):
    response = create(login(team.secretariat), team.private_group, title="Budget")

    assert response.status_code == 302
    assert newest_meeting().group_id == team.private_group.id


def test_private_groups_meetings_are_hidden_from_outsiders(login, team):
    meeting = make_meeting(team.other_chair, team.private_group, title="Clauses")

    for who in (team.outsider, team.member):
        browser = login(who)
        assert browser.get(meeting_url(meeting)).status_code == 404
        assert browser.get("/groups/ict-procurement/meetings/").status_code == 404
    assert login(team.other_member).get(meeting_url(meeting)).status_code == 200


# --- scheduling and invitations ------------------------------------------------------


def test_scheduling_invites_every_active_participant_with_a_calendar_file(login, team):
    pending = factories.make_user("Pia Pending")
    factories.add_member(team.group, pending, status="pending")
    gone = factories.make_user("Gus Gone", is_active=False)
    factories.add_member(team.group, gone)
    draft = make_meeting(team.chair, team.group, status="draft", title="Wallet plenary")
    chair = login(team.chair)

    response = chair.post(meeting_url(draft, "/schedule"))

    page = follow(chair, response)
    assert "Meeting scheduled: members received an invitation." in flashes(page)
    assert fresh(draft).status == "scheduled"
    sent = emails()
    assert sorted(e.to_addr for e in sent) == sorted(p.email for p in team.participants)
    for email in sent:
        assert email.subject == "Meeting: Wallet plenary (Digital Identity)"
        attachment = ics_attachment(email)
        assert attachment["filename"].endswith(".ics")
        event = only_event(attachment["text"])
        assert str(event["uid"]) == draft.uid
        assert str(event["status"]) == "CONFIRMED"
    assert login(team.member).get(meeting_url(draft)).status_code == 200


def test_invitation_shows_each_recipients_own_time(login, team):
    team.member.timezone = "Asia/Seoul"
    db.session.commit()
    draft = make_meeting(team.chair, team.group, status="draft", day=date(2027, 3, 29))

    login(team.chair).post(meeting_url(draft, "/schedule"))

    [to_member] = emails(to=team.member.email)
    assert (
        "Monday, March 29, 2027, 5:00\u202fPM–7:00\u202fPM your time (Seoul)"
        in to_member.body_text
    )
    assert "10:00\u202fAM–12:00\u202fPM Paris time" in to_member.body_text
    assert f"http://collab.test{meeting_url(draft)}" in to_member.body_text


def test_only_a_draft_can_be_scheduled(login, team):
    meeting = make_meeting(team.chair, team.group)
    chair = login(team.chair)

    page = follow(chair, chair.post(meeting_url(meeting, "/schedule")))

    assert "Only a draft meeting can be scheduled." in flashes(page)
    assert emails() == []


@pytest.mark.parametrize("who", ["member", "observer"])
def test_members_cannot_schedule_edit_or_cancel(login, team, who):
    meeting = make_meeting(team.chair, team.group, status="draft")
    scheduled = make_meeting(team.chair, team.group, title="Scheduled")
    browser = login(getattr(team, who))

    assert browser.post(meeting_url(meeting, "/schedule")).status_code == 403
    assert browser.get(meeting_url(scheduled, "/edit")).status_code == 403
    assert (
        browser.post(meeting_url(scheduled, "/edit"), data=form("Hijack")).status_code
        == 403
    )
    assert (
        browser.post(
            meeting_url(scheduled, "/cancel"), data={"reason": "x"}
        ).status_code
        == 403
    )
    assert fresh(meeting).status == "draft"
    assert fresh(scheduled).status == "scheduled"
    assert fresh(scheduled).title == "Scheduled"


# --- changes ------------------------------------------------------------------------


def test_changing_the_time_emails_members_an_updated_calendar_file(login, team):
    meeting = make_meeting(team.chair, team.group, day=date(2027, 3, 29))
    before = fresh(meeting).sequence
    chair = login(team.chair)

    response = chair.post(
        meeting_url(meeting, "/edit"),
        data=form(day="2027-03-30", start="14:00", end="15:30"),
    )

    assert "Meeting updated; members were told." in flashes(follow(chair, response))
    meeting = fresh(meeting)
    assert (meeting.starts_at, meeting.ends_at) == (
        utc(2027, 3, 30, 12, 0),
        utc(2027, 3, 30, 13, 30),
    )
    sent = emails()
    assert sorted(e.to_addr for e in sent) == sorted(p.email for p in team.participants)
    for email in sent:
        assert email.subject == "Changed: Spring plenary (Digital Identity)"
        event = only_event(ics_attachment(email)["text"])
        assert str(event["uid"]) == meeting.uid
        assert event["sequence"] > before
        assert event["dtstart"].dt == utc(2027, 3, 30, 12, 0)
        assert event["dtend"].dt == utc(2027, 3, 30, 13, 30)


def test_changing_the_place_tells_members_but_the_description_alone_does_not(
    login, team
):
    day = str(date(2027, 3, 29))
    meeting = make_meeting(team.chair, team.group, day=date(2027, 3, 29))
    chair = login(team.chair)

    chair.post(meeting_url(meeting, "/edit"), data=form(day=day, description="New"))
    assert emails() == []
    assert fresh(meeting).description == "New"

    chair.post(
        meeting_url(meeting, "/edit"),
        data=form(day=day, description="New", location="Room CC7"),
    )
    assert len(emails(subject="Changed:")) == len(team.participants)


def test_saving_the_edit_form_unchanged_tells_nobody(login, team):
    meeting = make_meeting(
        team.chair,
        team.group,
        day=date(2027, 10, 31),
        start="22:00",
        end="01:00",
        end_day=date(2027, 11, 1),
        zone="America/New_York",
        online_url="https://meet.example.org/x",
    )
    sequence = fresh(meeting).sequence
    chair = login(team.chair)

    response = chair.post(
        meeting_url(meeting, "/edit"),
        data=form(
            day="2027-10-31",
            start="22:00",
            end="01:00",
            end_day="2027-11-01",
            zone="America/New_York",
            online_url="https://meet.example.org/x",
        ),
    )

    assert response.status_code == 302
    assert emails() == []
    assert fresh(meeting).sequence == sequence


def test_editing_a_draft_tells_nobody(login, team):
    draft = make_meeting(team.chair, team.group, status="draft")

    login(team.chair).post(
        meeting_url(draft, "/edit"), data=form(start="08:00", end="09:00")
    )

    assert emails() == []


# --- online links ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://files.example.org/agenda",
        "https://",
        "meet.example.org/room",
    ],
)
def test_online_link_must_be_http_or_https(login, team, link):
    response = create(login(team.chair), team.group, online_url=link)

    assert response.status_code == 400
    assert field_errors(text(response))["online_url"] == (
        "The online link must start with https:// or http://."
    )
    assert count(Meeting) == 0


def test_a_javascript_link_cannot_be_edited_in(login, team):
    meeting = make_meeting(
        team.chair, team.group, online_url="https://meet.example.org/ok"
    )

    response = login(team.chair).post(
        meeting_url(meeting, "/edit"), data=form(online_url="javascript:alert(1)")
    )

    assert response.status_code == 400
    assert fresh(meeting).online_url == "https://meet.example.org/ok"
    assert emails() == []


def test_an_https_link_is_shown_as_a_join_link(login, team):
    meeting = make_meeting(
        team.chair, team.group, online_url="https://meet.example.org/wallet?pwd=1"
    )

    page = text(login(team.member).get(meeting_url(meeting)))

    assert '<a href="https://meet.example.org/wallet?pwd=1"' in page
    assert "Join online" in page


# --- cancelling --------------------------------------------------------------------


def test_cancelling_requires_a_reason(login, team):
    meeting = make_meeting(team.chair, team.group)
    chair = login(team.chair)

    response = chair.post(meeting_url(meeting, "/cancel"), data={"reason": "  "})

    assert response.status_code == 400
    assert "reason" in field_errors(text(response))
    assert fresh(meeting).status == "scheduled"
    assert emails() == []


def test_cancelling_tells_members_with_a_cancelled_calendar_entry(login, team):
    meeting = make_meeting(team.chair, team.group, title="Wallet plenary")
    chair = login(team.chair)

    response = chair.post(
        meeting_url(meeting, "/cancel"), data={"reason": "The venue is closed."}
    )

    page = follow(chair, response)
    assert "The meeting is cancelled." in flashes(page)
    member_page = text(login(team.member).get(meeting_url(meeting)))
    assert "This meeting was cancelled." in member_page
    assert "The venue is closed." in member_page
    assert fresh(meeting).status == "cancelled"
    sent = emails()
    assert sorted(e.to_addr for e in sent) == sorted(p.email for p in team.participants)
    for email in sent:
        assert email.subject == "Cancelled: Wallet plenary (Digital Identity)"
        assert "Reason: The venue is closed." in email.body_text
        event = only_event(ics_attachment(email)["text"])
        assert str(event["status"]) == "CANCELLED"
        assert str(event["uid"]) == meeting.uid


def test_deleting_a_draft_tells_nobody(login, team):
    draft = make_meeting(team.chair, team.group, status="draft")
    draft_id = draft.id
    chair = login(team.chair)
    assert "Delete the draft" in text(chair.get(meeting_url(draft, "/cancel")))

    chair.post(meeting_url(draft, "/cancel"))

    assert db.session.get(Meeting, draft_id) is None
    assert emails() == []


def test_a_deleted_draft_never_shows_to_members(login, team, app):
    canary = f"CANARY-{uuid.uuid4().hex}"
    draft = make_meeting(team.chair, team.group, status="draft", title=canary)
    draft_id, page, ics = draft.id, meeting_url(draft), meeting_url(draft, ".ics")
    login(team.chair).post(meeting_url(draft, "/cancel"))
    assert db.session.get(Meeting, draft_id) is None
    member = login(team.member)
    feed = re.search(
        r'value="http://collab\.test(/calendar/[^"]+)"', text(member.get("/calendar/"))
    ).group(1)

    assert member.get(page).status_code == 404
    assert member.get(ics).status_code == 404
    for path in (
        "/groups/digital-identity/meetings/",
        "/groups/digital-identity/meetings/calendar.ics",
    ):
        assert canary not in text(member.get(path)), path
    assert canary not in text(app.test_client().get(feed))


def test_a_cancelled_meeting_can_no_longer_be_edited(login, team):
    meeting = make_meeting(team.chair, team.group)
    chair = login(team.chair)
    chair.post(meeting_url(meeting, "/cancel"), data={"reason": "Postponed."})

    assert chair.get(meeting_url(meeting, "/edit")).status_code == 403
    assert chair.post(meeting_url(meeting, "/edit"), data=form()).status_code == 403


# --- held ----------------------------------------------------------------------------


def test_a_meeting_cannot_be_marked_held_before_it_starts(login, team):
    meeting = make_meeting(team.chair, team.group)
    chair = login(team.chair)

    page = follow(chair, chair.post(meeting_url(meeting, "/held")))

    assert "The meeting has not started yet." in flashes(page)
    assert fresh(meeting).status == "scheduled"


def test_a_meeting_that_took_place_is_marked_held(login, team):
    meeting = make_meeting(
        team.chair, team.group, day=(utcnow() - timedelta(days=1)).date()
    )
    chair = login(team.chair)
    assert "Mark as held" in text(chair.get(meeting_url(meeting)))

    page = follow(chair, chair.post(meeting_url(meeting, "/held")))

    assert "The meeting is marked as held." in flashes(page)
    assert fresh(meeting).status == "held"


# --- lists ---------------------------------------------------------------------------


def test_the_meetings_page_lists_coming_and_past_meetings(login, team):
    make_meeting(team.chair, team.group, title="Next plenary")
    past = make_meeting(
        team.chair,
        team.group,
        title="Last plenary",
        day=(utcnow() - timedelta(days=30)).date(),
    )
    services.mark_held(team.chair, past)
    db.session.commit()

    page = plain(_index(login(team.member), team))

    coming, _, older = page.partition("Past meetings")
    assert "Next plenary" in coming and "Last plenary" not in coming
    assert "Last plenary" in older and "Held" in older
