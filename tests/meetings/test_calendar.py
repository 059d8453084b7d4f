"""Calendar files read back the way a calendar program reads them (the `icalendar`
library): one stable UID, DTSTAMP, a SEQUENCE that grows with every change, times with
their TZID and VTIMEZONE equal to the stored UTC instants, and the feeds — the group's
and each person's secret one."""

import re
import uuid
from datetime import date, datetime

import pytest
from itsdangerous import URLSafeSerializer

from collab.core.db import utcnow
from collab.extensions import db
from collab.groups.models import Membership
from collab.meetings import agenda
from collab.meetings.models import CalendarKey
from tests import factories
from tests.meetings.conftest import (
    events,
    form,
    fresh,
    make_meeting,
    meeting_url,
    only_event,
    parse_ics,
    text,
    utc,
)

GROUP_FEED = "/groups/digital-identity/meetings/calendar.ics"


def _ics(browser, meeting):
    response = browser.get(meeting_url(meeting, ".ics"))
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return only_event(response.data)


def _event_calendar(browser, meeting):
    return parse_ics(browser.get(meeting_url(meeting, ".ics")).data)


@pytest.fixture
def wallet(team):
    return make_meeting(
        team.chair,
        team.group,
        title="Wallet plenary",
        day=date(2027, 3, 29),
        location="OECD Conference Centre, Room CC7",
        online_url="https://meet.example.org/wallet",
        description="Bring your pilot results.",
        items=(("Opening", 10), ("Wallet pilots: progress", 45)),
        publish=True,
    )


# --- one meeting ---------------------------------------------------------------------


def test_meeting_ics_matches_the_stored_meeting(login, team, wallet):
    browser = login(team.member)
    response = browser.get(meeting_url(wallet, ".ics"))

    assert response.headers["Content-Disposition"].startswith("attachment;")
    calendar = parse_ics(response.data)
    assert str(calendar["version"]) == "2.0"
    assert calendar["prodid"]
    [event] = events(calendar)
    assert str(event["uid"]) == wallet.uid
    assert isinstance(event["dtstamp"].dt, datetime)
    assert event["dtstamp"].dt.utcoffset().total_seconds() == 0
    assert str(event["summary"]) == "Digital Identity: Wallet plenary"
    assert str(event["status"]) == "CONFIRMED"
    # Times carry the meeting's zone and are the stored instants.
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert event["dtend"].params["TZID"] == "Europe/Paris"
    assert event["dtstart"].dt == wallet.starts_at == utc(2027, 3, 29, 8, 0)
    assert event["dtend"].dt == wallet.ends_at == utc(2027, 3, 29, 10, 0)
    assert event["dtstart"].dt.replace(tzinfo=None) == datetime(2027, 3, 29, 10, 0)
    # The online link in LOCATION and URL, the agenda in DESCRIPTION.
    assert "https://meet.example.org/wallet" in str(event["location"])
    assert "OECD Conference Centre, Room CC7" in str(event["location"])
    assert str(event["url"]) == "https://meet.example.org/wallet"
    description = str(event["description"])
    assert "Bring your pilot results." in description
    assert "1. Opening (10 min)" in description
    assert "2. Wallet pilots: progress (45 min)" in description
    assert f"http://collab.test{meeting_url(wallet)}" in description


def test_meeting_ics_defines_the_zone_it_uses(login, team, wallet):
    calendar = _event_calendar(login(team.member), wallet)

    [vtimezone] = calendar.walk("VTIMEZONE")
    assert str(vtimezone["tzid"]) == "Europe/Paris"
    # A program that knows no zones builds the zone from the VTIMEZONE alone.
    tz = vtimezone.to_tz(lookup_tzid=False)
    assert datetime(2027, 3, 29, 10, 0, tzinfo=tz) == utc(2027, 3, 29, 8, 0)
    assert datetime(2027, 3, 26, 10, 0, tzinfo=tz) == utc(2027, 3, 26, 9, 0)


def test_a_sydney_meeting_after_the_april_change_reads_back_right(login, team):
    meeting = make_meeting(
        team.chair, team.group, day=date(2027, 4, 5), zone="Australia/Sydney"
    )

    calendar = _event_calendar(login(team.member), meeting)

    [event] = events(calendar)
    assert event["dtstart"].params["TZID"] == "Australia/Sydney"
    assert event["dtstart"].dt == utc(2027, 4, 5, 0, 0)
    [vtimezone] = calendar.walk("VTIMEZONE")
    tz = vtimezone.to_tz(lookup_tzid=False)
    assert datetime(2027, 4, 5, 10, 0, tzinfo=tz) == utc(2027, 4, 5, 0, 0)
    assert datetime(2027, 10, 4, 10, 0, tzinfo=tz) == utc(2027, 10, 3, 23, 0)


def test_uid_stays_and_sequence_grows_with_every_change(login, team, wallet):
    chair = login(team.chair)
    seen = [_ics(chair, wallet)]

    def changed():
        event = _ics(chair, wallet)
        assert str(event["uid"]) == wallet.uid
        assert event["sequence"] > seen[-1]["sequence"], event["sequence"]
        seen.append(event)
        return event

    # The title.
    chair.post(
        meeting_url(wallet, "/edit"),
        data=form(
            "Wallet plenary (2)",
            day="2027-03-29",
            location="Room CC7",
            online_url="https://meet.example.org/wallet",
        ),
    )
    assert str(changed()["summary"]) == "Digital Identity: Wallet plenary (2)"
    # The time.
    chair.post(
        meeting_url(wallet, "/edit"),
        data=form(
            "Wallet plenary (2)",
            day="2027-03-29",
            start="11:00",
            end="13:00",
            location="Room CC7",
            online_url="https://meet.example.org/wallet",
        ),
    )
    assert changed()["dtstart"].dt == utc(2027, 3, 29, 9, 0)
    # The agenda, published again.
    item = fresh(wallet).items[0]
    chair.post(
        meeting_url(wallet, f"/agenda/{item.id}/edit"),
        data={"title": "Welcome", "kind": "information", "duration_minutes": "5"},
    )
    chair.post(meeting_url(wallet, "/agenda/publish"))
    assert "1. Welcome (5 min)" in str(changed()["description"])
    # Cancelled.
    chair.post(meeting_url(wallet, "/cancel"), data={"reason": "Venue closed."})
    event = changed()
    assert str(event["status"]) == "CANCELLED"
    assert "Venue closed." in str(event["description"])
    assert [e["sequence"] for e in seen] == sorted({e["sequence"] for e in seen})


def test_dtstamp_is_when_the_file_was_made(login, team, wallet):
    before = utcnow().replace(microsecond=0)
    event = _ics(login(team.member), wallet)

    assert before <= event["dtstamp"].dt <= utcnow()


def test_ics_of_a_meeting_without_a_published_agenda_has_no_agenda(login, team):
    canary = f"CANARY-{uuid.uuid4().hex}"
    meeting = make_meeting(team.chair, team.group, items=(canary,))

    for who in (team.member, team.chair):
        event = _ics(login(who), meeting)
        assert canary not in str(event.get("description", ""))


# --- hidden meetings ------------------------------------------------------------------


def test_ics_of_a_draft_is_404_for_members_and_tentative_for_chairs(login, team):
    draft = make_meeting(team.chair, team.group, status="draft")

    for who in (team.member, team.observer, team.outsider):
        assert login(who).get(meeting_url(draft, ".ics")).status_code == 404
    assert str(_ics(login(team.chair), draft)["status"]) == "TENTATIVE"


def test_ics_of_a_private_groups_meeting_is_404_for_outsiders(login, team):
    meeting = make_meeting(team.other_chair, team.private_group, title="Clauses")
    path = meeting_url(meeting, ".ics")

    for who in (team.outsider, team.member, team.chair):
        response = login(who).get(path)
        assert response.status_code == 404
        assert b"Clauses" not in response.data
    assert (
        login(team.outsider)
        .get("/groups/ict-procurement/meetings/calendar.ics")
        .status_code
        == 404
    )
    assert _ics(login(team.other_member), meeting)["summary"]


def test_ics_of_another_groups_meeting_through_this_group_is_404(login, team):
    meeting = make_meeting(team.other_chair, team.private_group, title="Clauses")

    response = login(team.member).get(
        f"/groups/digital-identity/meetings/{meeting.id}.ics"
    )

    assert response.status_code == 404


def test_ics_needs_signing_in(client, team, wallet):
    response = client.get(meeting_url(wallet, ".ics"))

    assert response.status_code == 302
    assert b"Wallet" not in response.data


# --- the group feed -------------------------------------------------------------------


def test_group_feed_lists_the_groups_meetings_but_drafts_only_for_chairs(
    login, team, wallet
):
    canary = f"CANARY-{uuid.uuid4().hex}"
    draft = make_meeting(team.chair, team.group, status="draft", title=canary)
    make_meeting(team.other_chair, team.private_group, title="Other group's")

    member_feed = parse_ics(login(team.member).get(GROUP_FEED).data)
    chair_feed = parse_ics(login(team.chair).get(GROUP_FEED).data)

    assert str(member_feed["x-wr-calname"]) == "Digital Identity"
    assert [str(e["uid"]) for e in events(member_feed)] == [wallet.uid]
    assert canary.encode() not in login(team.member).get(GROUP_FEED).data
    assert {str(e["uid"]) for e in events(chair_feed)} == {wallet.uid, draft.uid}
    [event] = [e for e in events(member_feed)]
    assert event["dtstart"].dt == wallet.starts_at
    assert member_feed.walk("VTIMEZONE")


def test_group_feed_marks_cancelled_meetings(login, team, wallet):
    login(team.chair).post(meeting_url(wallet, "/cancel"), data={"reason": "Closed."})

    [event] = events(parse_ics(login(team.member).get(GROUP_FEED).data))

    assert str(event["status"]) == "CANCELLED"


# --- the personal feed ----------------------------------------------------------------


def _feed_address(browser) -> str:
    page = text(browser.get("/calendar/"))
    match = re.search(
        r'id="feed-url"[^>]*value="http://collab\.test(/calendar/[^"]+)"', page
    )
    assert match, page
    return match.group(1)


@pytest.fixture
def everywhere(team):
    """The member is also in the private group: meetings in both, a draft in each,
    and a meeting in a group the member is not in."""
    factories.add_member(team.private_group, team.member)
    elsewhere = factories.make_group(
        "Digital Services", slug="digital-services", chair=team.other_chair
    )
    return {
        "public": make_meeting(team.chair, team.group, title="Public plenary"),
        "private": make_meeting(
            team.other_chair, team.private_group, title="Private plenary"
        ),
        "draft": make_meeting(team.chair, team.group, status="draft", title="Draft"),
        "private draft": make_meeting(
            team.other_chair, team.private_group, status="draft", title="Draft 2"
        ),
        "elsewhere": make_meeting(team.other_chair, elsewhere, title="Elsewhere"),
    }


def test_personal_feed_works_without_signing_in_and_lists_my_groups_meetings(
    app, login, team, everywhere
):
    address = _feed_address(login(team.member))

    response = app.test_client().get(address)

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    uids = {str(e["uid"]) for e in events(parse_ics(response.data))}
    assert uids == {everywhere["public"].uid, everywhere["private"].uid}


def test_personal_feed_of_a_chair_has_no_drafts(app, login, team, everywhere):
    address = _feed_address(login(team.chair))

    uids = {
        str(e["uid"]) for e in events(parse_ics(app.test_client().get(address).data))
    }

    assert uids == {everywhere["public"].uid}


def test_the_feed_address_is_the_same_until_regenerated(login, team):
    browser = login(team.member)

    assert _feed_address(browser) == _feed_address(browser)


def test_regenerating_the_feed_address_kills_the_old_one(app, login, team, everywhere):
    browser = login(team.member)
    old = _feed_address(browser)

    response = browser.post("/calendar/")

    assert response.status_code == 302
    new = _feed_address(browser)
    assert new != old
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get(new).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
        lambda token: "x" + token,
        lambda token: token.split(".")[0],
        lambda token: "nonsense",
    ],
)
def test_a_tampered_feed_token_is_404(app, login, team, everywhere, tamper):
    address = _feed_address(login(team.member))
    token = address.removeprefix("/calendar/").removesuffix(".ics")

    response = app.test_client().get(f"/calendar/{tamper(token)}.ics")

    assert response.status_code == 404
    assert b"plenary" not in response.data


def test_a_copy_of_the_database_alone_cannot_forge_a_feed_address(
    app, login, team, everywhere
):
    _feed_address(login(team.member))  # the member has a feed
    key = db.session.scalar(
        db.select(CalendarKey).where(CalendarKey.user_id == team.member.id)
    )
    forged = URLSafeSerializer("not-the-secret-key", salt="calendar-feed").dumps(
        [team.member.id, key.nonce]
    )

    response = app.test_client().get(f"/calendar/{forged}.ics")

    assert response.status_code == 404
    assert b"plenary" not in response.data


def test_feed_of_a_deactivated_account_stops(app, login, team, everywhere):
    address = _feed_address(login(team.member))
    team.member.is_active = False
    db.session.commit()

    assert app.test_client().get(address).status_code == 404


def test_leaving_a_group_removes_its_meetings_from_the_feed(
    app, login, team, everywhere
):
    address = _feed_address(login(team.member))
    membership = db.session.scalar(
        db.select(Membership).where(
            Membership.user_id == team.member.id,
            Membership.group_id == team.private_group.id,
        )
    )
    db.session.delete(membership)
    db.session.commit()

    uids = {
        str(e["uid"]) for e in events(parse_ics(app.test_client().get(address).data))
    }

    assert uids == {everywhere["public"].uid}


def test_unpublished_agenda_stays_out_of_every_feed(app, login, team):
    canary = f"CANARY-{uuid.uuid4().hex}"
    meeting = make_meeting(team.chair, team.group, items=(canary,))
    address = _feed_address(login(team.member))
    assert canary.encode() not in app.test_client().get(address).data
    assert canary.encode() not in login(team.member).get(GROUP_FEED).data

    agenda.publish(team.chair, fresh(meeting))
    db.session.commit()

    assert canary.encode() in app.test_client().get(address).data
