"""Time zones: a meeting is stored as UTC instants plus its own IANA zone, and every
viewer sees it in their own zone next to the meeting's, across daylight-saving changes
in both hemispheres. Dates are in 2027, after today, so nothing depends on the clock."""

import re
from datetime import date, time, timedelta

import pytest

from collab.core.errors import DomainError
from collab.meetings import times
from collab.meetings.models import Meeting
from tests import factories
from tests.meetings.conftest import (
    agenda_times,
    agenda_titles,
    count,
    create,
    field_errors,
    input_value,
    make_meeting,
    meeting_url,
    newest_meeting,
    only_event,
    plain,
    text,
    utc,
    when_lines,
)

SPRING_CHANGE = date(2027, 3, 28)  # Europe: last Sunday of March, 02:00 → 03:00
DAY_AFTER = date(2027, 3, 29)
AUTUMN_CHANGE = date(2027, 10, 31)  # Europe: last Sunday of October, 03:00 → 02:00


def _viewer(zone: str):
    return factories.make_user(f"Viewer in {zone}", timezone=zone)


def _page_for(login, zone: str, meeting) -> str:
    response = login(_viewer(zone)).get(meeting_url(meeting))
    assert response.status_code == 200
    return text(response)


# --- the Paris meeting the day after the spring change --------------------------------


@pytest.fixture
def paris_meeting(login, team):
    """Scheduled through the pages: 10:00–12:00 Paris time on 29 March 2027."""
    chair = login(team.chair)
    response = create(
        chair, team.group, title="Wallet plenary", day=DAY_AFTER, zone="Europe/Paris"
    )
    assert response.status_code == 302, text(response)
    meeting = newest_meeting()
    assert chair.post(meeting_url(meeting, "/schedule")).status_code == 302
    return meeting


def test_paris_time_is_stored_as_utc_with_summer_time(paris_meeting):
    assert paris_meeting.timezone == "Europe/Paris"
    assert paris_meeting.starts_at == utc(2027, 3, 29, 8, 0)  # CEST is UTC+2
    assert paris_meeting.ends_at == utc(2027, 3, 29, 10, 0)


@pytest.mark.parametrize(
    "zone, mine",
    [
        (
            "America/New_York",
            "Monday, March 29, 2027, 4:00 AM–6:00 AM in your time (New York)",
        ),
        ("Asia/Seoul", "Monday, March 29, 2027, 5:00 PM–7:00 PM in your time (Seoul)"),
        (
            "Australia/Sydney",
            "Monday, March 29, 2027, 7:00 PM–9:00 PM in your time (Sydney)",
        ),
    ],
)
def test_each_viewer_sees_their_own_time_and_the_paris_time(
    login, paris_meeting, zone, mine
):
    page = _page_for(login, zone, paris_meeting)

    assert when_lines(page) == [
        mine,
        "10:00 AM–12:00 PM Paris time, Monday, March 29, 2027 "
        "(the meeting's time zone)",
    ]
    assert "runs past midnight" not in page


def test_a_viewer_in_paris_sees_the_time_once(login, paris_meeting):
    page = _page_for(login, "Europe/Paris", paris_meeting)

    assert when_lines(page) == [
        "Monday, March 29, 2027, 10:00 AM–12:00 PM in your time (Paris)"
    ]


def test_agenda_item_times_are_in_the_viewers_zone(login, team):
    meeting = make_meeting(
        team.chair,
        team.group,
        day=DAY_AFTER,
        items=(("Opening", 15), ("Wallet pilots", 30), ("Closing", 5)),
        publish=True,
    )

    seoul = _page_for(login, "Asia/Seoul", meeting)
    new_york = _page_for(login, "America/New_York", meeting)

    assert agenda_times(seoul) == ["17:00", "17:15", "17:45"]
    assert "Ends at 17:50." in plain(seoul)
    assert agenda_times(new_york) == ["04:00", "04:15", "04:45"]
    assert agenda_titles(new_york) == ["Opening", "Wallet pilots", "Closing"]


def test_the_same_paris_hour_moves_for_new_york_when_europe_changes_clocks(login, team):
    # The US changed on 14 March, Europe on 28 March: the gap is 5 hours, then 6.
    before = make_meeting(team.chair, team.group, title="Before", day=date(2027, 3, 26))
    after = make_meeting(team.chair, team.group, title="After", day=DAY_AFTER)
    viewer = login(_viewer("America/New_York"))

    [before_line, _] = when_lines(text(viewer.get(meeting_url(before))))
    [after_line, _] = when_lines(text(viewer.get(meeting_url(after))))

    assert before_line.startswith("Friday, March 26, 2027, 5:00 AM–7:00 AM")
    assert after_line.startswith("Monday, March 29, 2027, 4:00 AM–6:00 AM")


# --- crossing the viewer's midnight -------------------------------------------------


def test_a_meeting_across_the_viewers_midnight_says_so(login, team):
    meeting = make_meeting(
        team.chair, team.group, day=DAY_AFTER, start="16:00", end="18:00"
    )

    seoul = when_lines(_page_for(login, "Asia/Seoul", meeting))
    paris = when_lines(_page_for(login, "Europe/Paris", meeting))

    assert seoul == [
        "Monday, March 29, 2027, 11:00 PM–1:00 AM in your time (Seoul)",
        "It runs past midnight for you: it ends on Tuesday, March 30, 2027 at 1:00 AM.",
        "4:00 PM–6:00 PM Paris time, Monday, March 29, 2027 (the meeting's time zone)",
    ]
    assert paris == ["Monday, March 29, 2027, 4:00 PM–6:00 PM in your time (Paris)"]


def test_a_meeting_on_the_next_day_for_the_viewer_shows_both_days(login, team):
    meeting = make_meeting(
        team.chair, team.group, day=DAY_AFTER, start="16:00", end="18:00"
    )

    sydney = when_lines(_page_for(login, "Australia/Sydney", meeting))

    assert sydney == [
        "Tuesday, March 30, 2027, 1:00 AM–3:00 AM in your time (Sydney)",
        "4:00 PM–6:00 PM Paris time, Monday, March 29, 2027 (the meeting's time zone)",
    ]


# --- times that do not exist, or happen twice ----------------------------------------


def test_a_time_skipped_by_the_spring_change_is_refused(login, team):
    response = create(
        login(team.chair), team.group, day=SPRING_CHANGE, start="02:30", end="04:00"
    )

    assert response.status_code == 400
    assert field_errors(text(response))["start_time"] == (
        "02:30 does not exist in Paris that day: the clocks change. "
        "Choose another time."
    )
    assert count(Meeting) == 0


def test_an_end_time_skipped_by_the_spring_change_is_refused(login, team):
    response = create(
        login(team.chair), team.group, day=SPRING_CHANGE, start="01:00", end="02:15"
    )

    assert response.status_code == 400
    assert (
        "02:15 does not exist in Paris that day"
        in field_errors(text(response))["end_time"]
    )
    assert count(Meeting) == 0


def test_the_autumn_hour_that_happens_twice_means_the_first_one(login, team):
    response = create(
        login(team.chair), team.group, day=AUTUMN_CHANGE, start="02:30", end="04:00"
    )

    assert response.status_code == 302
    meeting = newest_meeting()
    assert meeting.starts_at == utc(2027, 10, 31, 0, 30)  # still CEST, UTC+2
    assert meeting.ends_at == utc(2027, 10, 31, 3, 0)  # CET again, UTC+1


def test_a_meeting_across_the_autumn_change_lasts_an_hour_longer(login, team):
    meeting = make_meeting(
        team.chair, team.group, day=AUTUMN_CHANGE, start="01:00", end="04:00"
    )
    browser = login(team.chair)

    assert meeting.ends_at - meeting.starts_at == timedelta(hours=4)
    event = only_event(browser.get(meeting_url(meeting, ".ics")).data)
    assert event["dtstart"].dt == utc(2027, 10, 30, 23, 0)
    assert event["dtend"].dt == utc(2027, 10, 31, 3, 0)


def test_end_before_start_is_refused(login, team):
    response = create(login(team.chair), team.group, start="15:00", end="14:00")

    assert response.status_code == 400
    assert field_errors(text(response))["end_time"] == (
        "The meeting must end after it starts."
    )
    assert count(Meeting) == 0


def test_a_meeting_ending_the_next_day_is_accepted_with_an_end_date(login, team):
    response = create(
        login(team.chair),
        team.group,
        day=DAY_AFTER,
        start="22:00",
        end="01:00",
        end_day=date(2027, 3, 30),
    )

    assert response.status_code == 302
    meeting = newest_meeting()
    assert (meeting.starts_at, meeting.ends_at) == (
        utc(2027, 3, 29, 20, 0),
        utc(2027, 3, 29, 23, 0),
    )


def test_an_unknown_time_zone_is_refused(login, team):
    response = create(login(team.chair), team.group, zone="Mars/Olympus_Mons")

    assert response.status_code == 400
    assert "timezone" in field_errors(text(response))
    assert count(Meeting) == 0


def test_to_utc_refuses_an_unknown_zone_with_a_clear_message(app):
    with app.test_request_context(), pytest.raises(DomainError) as error:
        times.to_utc(DAY_AFTER, time(10), "Europe/Atlantis", "start_time")

    assert error.value.message == (
        "Choose a time zone from the list, e.g. Europe/Paris."
    )
    assert error.value.field == "timezone"


# --- the southern hemisphere ---------------------------------------------------------


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2027, 4, 2), utc(2027, 4, 1, 23, 0)),  # AEDT, UTC+11
        (date(2027, 4, 5), utc(2027, 4, 5, 0, 0)),  # AEST, UTC+10 (changed on 4 April)
        (date(2027, 10, 1), utc(2027, 10, 1, 0, 0)),  # AEST
        (date(2027, 10, 4), utc(2027, 10, 3, 23, 0)),  # AEDT again (changed 3 October)
    ],
)
def test_sydney_times_follow_the_southern_changes(login, team, day, expected):
    response = create(
        login(team.chair), team.group, day=day, zone="Australia/Sydney", start="10:00"
    )

    assert response.status_code == 302
    assert newest_meeting().starts_at == expected


def test_a_time_skipped_by_sydneys_october_change_is_refused(login, team):
    response = create(
        login(team.chair),
        team.group,
        day=date(2027, 10, 3),
        zone="Australia/Sydney",
        start="02:30",
        end="04:00",
    )

    assert response.status_code == 400
    assert (
        "02:30 does not exist in Sydney that day"
        in field_errors(text(response))["start_time"]
    )
    assert count(Meeting) == 0


def test_sydneys_april_hour_that_happens_twice_means_the_first_one(login, team):
    response = create(
        login(team.chair),
        team.group,
        day=date(2027, 4, 4),
        zone="Australia/Sydney",
        start="02:30",
        end="04:00",
    )

    assert response.status_code == 302
    assert newest_meeting().starts_at == utc(2027, 4, 3, 15, 30)  # still AEDT


def test_a_sydney_meeting_seen_from_paris_and_new_york(login, team):
    meeting = make_meeting(
        team.chair, team.group, day=date(2027, 4, 5), zone="Australia/Sydney"
    )

    paris = when_lines(_page_for(login, "Europe/Paris", meeting))
    new_york = when_lines(_page_for(login, "America/New_York", meeting))

    assert paris == [
        "Monday, April 5, 2027, 2:00 AM–4:00 AM in your time (Paris)",
        "10:00 AM–12:00 PM Sydney time, Monday, April 5, 2027 "
        "(the meeting's time zone)",
    ]
    assert new_york[0] == (
        "Sunday, April 4, 2027, 8:00 PM–10:00 PM in your time (New York)"
    )


def test_the_edit_form_shows_the_times_in_the_meetings_own_zone(login, team):
    meeting = make_meeting(
        team.chair, team.group, day=date(2027, 4, 5), zone="Australia/Sydney"
    )

    page = text(login(team.chair).get(meeting_url(meeting, "/edit")))

    assert input_value(page, "start_date") == "2027-04-05"
    assert input_value(page, "start_time") == "10:00"
    assert input_value(page, "end_time") == "12:00"
    assert re.search(r'<option selected value="Australia/Sydney">', page)


def test_a_meeting_ending_at_the_viewers_midnight_does_not_run_past_it(login, team):
    # 15:00–17:00 in Paris is 22:00–00:00 in Seoul: it ends as the day ends.
    meeting = make_meeting(
        team.chair, team.group, day=DAY_AFTER, start="15:00", end="17:00"
    )

    seoul = _page_for(login, "Asia/Seoul", meeting)

    assert when_lines(seoul)[0] == (
        "Monday, March 29, 2027, 10:00 PM–12:00 AM in your time (Seoul)"
    )
    assert "runs past midnight" not in seoul


def test_a_french_viewer_reads_the_times_in_french_with_city_names(login, team):
    meeting = make_meeting(
        team.chair, team.group, day=DAY_AFTER, start="16:00", end="18:00"
    )
    viewer = factories.make_user("Jeanne Martin", timezone="Asia/Seoul", locale="fr")

    lines = when_lines(text(login(viewer).get(meeting_url(meeting))))

    assert lines[0].startswith("lundi 29 mars 2027, 23:00–01:00")
    assert "(Séoul)" in lines[0]
    assert "mardi 30 mars 2027" in lines[1]
    assert "16:00–18:00" in lines[2] and "Paris" in lines[2]
