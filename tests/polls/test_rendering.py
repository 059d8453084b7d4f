"""The same slot seen from Paris, Toronto, Seoul and Sydney: each participant reads it
in their own time, with the local time in every zone of the group beside it and the
slots outside 08:00–20:00 marked, across the daylight-saving changes of both
hemispheres."""

from datetime import date

import pytest

from collab.extensions import db
from tests import factories
from tests.polls.conftest import (
    DST_WEEK,
    WEEK_AFTER,
    answer_form,
    make_poll,
    plain,
    poll_url,
    proposed_times,
    ranking,
    text,
    utc,
)


def _page(login, user, poll) -> str:
    response = login(user).get(poll_url(poll))
    assert response.status_code == 200
    return text(response)


@pytest.fixture
def autumn_poll(world):
    """13:00–14:00 Paris time on the Tuesday of the week when Europe is back on winter
    time but Toronto still on summer time, and on the Tuesday after."""
    return make_poll(
        world.chair, world.group, days=(DST_WEEK, WEEK_AFTER), clocks="13:00"
    )


def test_the_slots_are_stored_as_the_instants_the_chair_meant(autumn_poll):
    assert [s.starts_at for s in autumn_poll.slots] == [
        utc(2027, 11, 2, 12, 0),  # CET, UTC+1 since 31 October
        utc(2027, 11, 9, 12, 0),
    ]


@pytest.mark.parametrize(
    "who, city, legends",
    [
        (
            "chair",
            "Paris",
            [
                "Tuesday, November 2, 2027, 1:00 PM–2:00 PM",
                "Tuesday, November 9, 2027, 1:00 PM–2:00 PM",
            ],
        ),
        (
            # Still on summer time the first week: one hour later than the next.
            "toronto",
            "Toronto",
            [
                "Tuesday, November 2, 2027, 8:00 AM–9:00 AM",
                "Tuesday, November 9, 2027, 7:00 AM–8:00 AM (out of hours for you)",
            ],
        ),
        (
            "seoul",
            "Seoul",
            [
                "Tuesday, November 2, 2027, 9:00 PM–10:00 PM (out of hours for you)",
                "Tuesday, November 9, 2027, 9:00 PM–10:00 PM (out of hours for you)",
            ],
        ),
        (
            # Runs into midnight.
            "sydney",
            "Sydney",
            [
                "Tuesday, November 2, 2027, 11:00 PM–12:00 AM (out of hours for you)",
                "Tuesday, November 9, 2027, 11:00 PM–12:00 AM (out of hours for you)",
            ],
        ),
    ],
)
def test_each_participant_reads_the_slots_in_their_own_time(
    login, world, autumn_poll, who, city, legends
):
    page = _page(login, getattr(world, who), autumn_poll)

    assert f"Times are shown in your time zone ({city})." in plain(page)
    slots = answer_form(page)
    assert [s.legend for s in slots] == legends
    assert [s.marked for s in slots] == [
        "out of hours for you" in legend for legend in legends
    ]


@pytest.mark.parametrize("who", ["chair", "toronto", "seoul", "sydney"])
def test_everyone_sees_the_local_time_in_every_zone_of_the_group(
    login, world, autumn_poll, who
):
    slots = answer_form(_page(login, getattr(world, who), autumn_poll))

    assert [s.elsewhere for s in slots] == [
        "Elsewhere: 8:00 AM Toronto · 1:00 PM Oslo, Paris · "
        "9:00 PM Seoul (out of hours) · 11:00 PM Sydney (out of hours)",
        "Elsewhere: 7:00 AM Toronto (out of hours) · 1:00 PM Oslo, Paris · "
        "9:00 PM Seoul (out of hours) · 11:00 PM Sydney (out of hours)",
    ]
    # Seoul and Sydney the first week; Toronto too once North America changes.
    assert [s.burden for s in slots] == [
        "Out of hours for 2 participants.",
        "Out of hours for 3 participants.",
    ]


def test_a_zone_on_another_day_is_labelled_with_its_day(login, world):
    poll = make_poll(world.chair, world.group, days=(DST_WEEK,), clocks="14:00")

    [paris] = answer_form(_page(login, world.chair, poll))
    [sydney] = answer_form(_page(login, world.sydney, poll))

    assert paris.legend == "Tuesday, November 2, 2027, 2:00 PM–3:00 PM"
    assert paris.elsewhere == (
        "Elsewhere: 9:00 AM Toronto · 2:00 PM Oslo, Paris · "
        "10:00 PM Seoul (out of hours) · Wed 3 Nov 12:00 AM Sydney (out of hours)"
    )
    assert sydney.legend == (
        "Wednesday, November 3, 2027, 12:00 AM–1:00 AM (out of hours for you)"
    )
    assert sydney.elsewhere == (
        "Elsewhere: Tue 2 Nov 9:00 AM Toronto · Tue 2 Nov 2:00 PM Oslo, Paris · "
        "Tue 2 Nov 10:00 PM Seoul (out of hours) · 12:00 AM Sydney (out of hours)"
    )


@pytest.mark.parametrize(
    "who, legends",
    [
        (
            "chair",
            [
                "Thursday, April 1, 2027, 9:00 AM–10:00 AM",
                "Thursday, April 8, 2027, 10:00 AM–11:00 AM",
            ],
        ),
        (
            "toronto",
            [
                "Thursday, April 1, 2027, 3:00 AM–4:00 AM (out of hours for you)",
                "Thursday, April 8, 2027, 4:00 AM–5:00 AM (out of hours for you)",
            ],
        ),
        (
            "seoul",
            [
                "Thursday, April 1, 2027, 4:00 PM–5:00 PM",
                "Thursday, April 8, 2027, 5:00 PM–6:00 PM",
            ],
        ),
        (
            "sydney",
            [
                "Thursday, April 1, 2027, 6:00 PM–7:00 PM",
                "Thursday, April 8, 2027, 6:00 PM–7:00 PM",
            ],
        ),
    ],
)
def test_slots_proposed_in_sydney_across_its_april_change(login, world, who, legends):
    """Sydney leaves summer time on 4 April 2027: the same 18:00 there is an hour
    later everywhere else the week after."""
    poll = make_poll(
        world.chair,
        world.group,
        zone="Australia/Sydney",
        days=(date(2027, 4, 1), date(2027, 4, 8)),
        clocks="18:00",
        closes_on=date(2027, 3, 25),
    )

    assert [s.starts_at for s in poll.slots] == [
        utc(2027, 4, 1, 7, 0),
        utc(2027, 4, 8, 8, 0),
    ]
    slots = answer_form(_page(login, getattr(world, who), poll))
    assert [s.legend for s in slots] == legends


@pytest.mark.parametrize(
    "clock, minutes, out",
    [
        ("08:00", 60, False),  # starts at the start of the day
        ("07:59", 60, True),  # starts before 08:00
        ("07:00", 60, True),  # ends at 08:00, but starts before
        ("19:00", 60, False),  # ends exactly at 20:00
        ("19:00", 61, True),  # ends after 20:00
        ("19:30", 90, True),
        ("08:00", 720, False),  # the whole working day
        ("12:00", 720, True),  # ends at midnight
        ("23:30", 60, True),  # crosses midnight
        ("22:00", 180, True),  # crosses midnight, ends at 01:00
    ],
)
def test_the_viewer_sees_the_slots_out_of_hours_for_them(
    login, world, clock, minutes, out
):
    poll = make_poll(
        world.chair,
        world.group,
        zone="Asia/Seoul",
        days=(DST_WEEK,),
        clocks=clock,
        duration=minutes,
    )

    [slot] = answer_form(_page(login, world.seoul, poll))

    assert slot.marked is out
    assert ("(out of hours for you)" in slot.legend) is out


def test_the_count_covers_the_polls_participants_only(login, world):
    """Toronto, asked, is out of hours; Seoul and Sydney, not asked, do not count."""
    poll = make_poll(
        world.chair,
        world.group,
        days=(WEEK_AFTER,),
        clocks="13:00",
        people=[world.chair, world.toronto],
    )

    [slot] = answer_form(_page(login, world.chair, poll))

    assert slot.burden == "Out of hours for 1 participant."
    assert "9:00 PM Seoul (out of hours)" in slot.elsewhere  # still the group's zones
    [row] = ranking(_page(login, world.chair, poll))
    assert row[-1] == "1"


def test_a_new_members_zone_appears_on_the_poll(login, world, autumn_poll):
    newcomer = factories.make_user(
        "Ana Lima", country="BR", timezone="America/Sao_Paulo"
    )
    factories.add_member(world.group, newcomer)

    [first, _] = answer_form(_page(login, world.chair, autumn_poll))

    assert "9:00 AM São Paulo" in first.elsewhere


def test_people_who_are_not_asked_read_the_slots_in_their_own_time(
    login, world, autumn_poll
):
    page = _page(login, world.outsider, autumn_poll)

    assert answer_form(page) == []
    assert "You are not a participant of this poll." in plain(page)
    assert proposed_times(page) == [
        (
            "Tuesday, November 2, 2027, 8:00 AM–9:00 AM",
            "Elsewhere: 8:00 AM Toronto · 1:00 PM Oslo, Paris · "
            "9:00 PM Seoul (out of hours) · 11:00 PM Sydney (out of hours)",
        ),
        (
            "Tuesday, November 9, 2027, 7:00 AM–8:00 AM",
            "Elsewhere: 7:00 AM Toronto (out of hours) · 1:00 PM Oslo, Paris · "
            "9:00 PM Seoul (out of hours) · 11:00 PM Sydney (out of hours)",
        ),
    ]


def test_the_closing_time_is_shown_in_the_readers_time(login, world, autumn_poll):
    # 26 October 2027, 17:00 in Paris (still summer time there).
    assert "Answers close on Tuesday, October 26, 2027 at 11:00 AM (your time)." in (
        plain(_page(login, world.toronto, autumn_poll))
    )
    assert "Answers close on Wednesday, October 27, 2027 at 2:00 AM (your time)." in (
        plain(_page(login, world.sydney, autumn_poll))
    )


def test_the_slots_are_listed_in_time_order_whatever_the_entry_order(login, world):
    poll = make_poll(
        world.chair,
        world.group,
        days=(WEEK_AFTER, DST_WEEK),
        clocks="16:00, 09:00",
    )

    slots = answer_form(_page(login, world.chair, poll))

    assert [s.legend for s in slots] == [
        "Tuesday, November 2, 2027, 9:00 AM–10:00 AM",
        "Tuesday, November 2, 2027, 4:00 PM–5:00 PM",
        "Tuesday, November 9, 2027, 9:00 AM–10:00 AM",
        "Tuesday, November 9, 2027, 4:00 PM–5:00 PM",
    ]


def test_a_french_speaking_participant_reads_the_poll_in_french(login, world):
    """Built catalogs needed (`make test` compiles them)."""
    world.seoul.locale = "fr"
    db.session.commit()
    poll = make_poll(world.chair, world.group, days=(DST_WEEK,), clocks="14:00")

    [slot] = answer_form(_page(login, world.seoul, poll))

    assert slot.legend == (
        "mardi 2 novembre 2027, 22:00–23:00 (hors de vos heures de bureau)"
    )
    assert slot.elsewhere == (
        "Ailleurs : 09:00 Toronto · 14:00 Oslo, Paris · "
        "22:00 Séoul (hors des heures de bureau) · "
        "mer. 3 nov. 00:00 Sydney (hors des heures de bureau)"
    )
    assert slot.burden == "Hors des heures de bureau pour 2 participants."
