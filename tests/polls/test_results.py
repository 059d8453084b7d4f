"""Results: every slot ranked by availability (a yes counts fully, an "if need be"
half), ties going to the slot out of hours for fewer people, then to the earlier
one; who said what, and who has not answered yet."""

import re

import pytest

from tests.polls.conftest import (
    DST_WEEK,
    WEEK_AFTER,
    answer,
    close,
    make_poll,
    plain,
    poll_url,
    ranking,
    text,
    who_said_what,
)

# 2 and 3 November at 09:00 and 14:00 in Paris. 09:00 is 04:00 in Toronto (out of
# hours for one person), 14:00 is 22:00 in Seoul and midnight in Sydney (two).


@pytest.fixture
def poll(world):
    return make_poll(
        world.chair,
        world.group,
        days=(DST_WEEK, DST_WEEK.replace(day=3)),
        clocks="09:00, 14:00",
    )


@pytest.fixture
def answered(world, poll):
    """Tue 09:00: 2 yes (score 2, 1 out of hours); Tue 14:00: 2 yes (2, 2 out of
    hours); Wed 09:00: 1 yes + 2 if need be (2, 1 out of hours, later); Wed 14:00:
    3 if need be (1.5)."""
    answer(world.chair, poll, ["yes", "yes", "yes", "maybe"], "Any time")
    answer(world.toronto, poll, ["yes", "yes", "maybe", "maybe"])
    answer(world.seoul, poll, ["no", "no", "maybe", "maybe"], "Not at night")
    answer(world.sydney, poll, ["no", "no", "no", "no"])
    return poll


def test_slots_are_ranked_by_availability_then_burden_then_time(login, world, answered):
    rows = ranking(text(login(world.chair).get(poll_url(answered))))

    assert rows == [
        # rank, time (the chair's), yes, if need be, no, out of hours for
        ["1 best", "Tuesday, November 2, 2027, 9:00 AM–10:00 AM", "2", "0", "2", "1"],
        ["2", "Wednesday, November 3, 2027, 9:00 AM–10:00 AM", "1", "2", "1", "1"],
        ["3", "Tuesday, November 2, 2027, 2:00 PM–3:00 PM", "2", "0", "2", "2"],
        ["4", "Wednesday, November 3, 2027, 2:00 PM–3:00 PM", "0", "3", "1", "2"],
    ]


def test_two_if_need_be_weigh_as_much_as_one_yes(login, world, poll):
    answer(world.toronto, poll, ["maybe", None, None, "yes"])
    answer(world.seoul, poll, ["maybe", None, None, None])

    rows = ranking(text(login(world.chair).get(poll_url(poll))))

    # Two "if need be" (2 × ½) tie with one yes; Tuesday 09:00 is out of hours for
    # fewer people than Wednesday 14:00, so it comes first.
    assert [r[1] for r in rows[:2]] == [
        "Tuesday, November 2, 2027, 9:00 AM–10:00 AM",
        "Wednesday, November 3, 2027, 2:00 PM–3:00 PM",
    ]
    answer(world.sydney, poll, [None, None, None, "yes"])
    rows = ranking(text(login(world.chair).get(poll_url(poll))))  # now 2 against 1
    assert rows[0][:3] == [
        "1 best",
        "Wednesday, November 3, 2027, 2:00 PM–3:00 PM",
        "2",
    ]


def test_each_reader_sees_the_ranking_in_their_own_time(login, world, answered):
    rows = ranking(text(login(world.sydney).get(poll_url(answered))))

    assert [r[1] for r in rows] == [
        "Tuesday, November 2, 2027, 7:00 PM–8:00 PM",
        "Wednesday, November 3, 2027, 7:00 PM–8:00 PM",
        "Wednesday, November 3, 2027, 12:00 AM–1:00 AM",
        "Thursday, November 4, 2027, 12:00 AM–1:00 AM",
    ]


def test_no_slot_is_called_best_before_anyone_is_available(login, world, poll):
    answer(world.sydney, poll, ["no", "no", "no", "no"])

    rows = ranking(text(login(world.chair).get(poll_url(poll))))

    assert rows[0][0] == "1"
    # Nobody available anywhere: the order falls back to burden, then time.
    assert [r[1] for r in rows] == [
        "Tuesday, November 2, 2027, 9:00 AM–10:00 AM",
        "Wednesday, November 3, 2027, 9:00 AM–10:00 AM",
        "Tuesday, November 2, 2027, 2:00 PM–3:00 PM",
        "Wednesday, November 3, 2027, 2:00 PM–3:00 PM",
    ]


def test_the_table_shows_who_said_what_with_their_comments(login, world, answered):
    page = text(login(world.toronto).get(poll_url(answered)))

    assert who_said_what(page) == {
        "Claire Dubois Any time": ["Yes", "Yes", "Yes", "If need be"],
        "Marc Tremblay": ["Yes", "Yes", "If need be", "If need be"],
        "Olaf Observer": ["–", "–", "–", "–"],
        "Olivia Brown": ["No", "No", "No", "No"],
        "Park Min-jun Not at night": ["No", "No", "If need be", "If need be"],
    }
    heads = re.search(r'<table class="grid">\s*<thead>(.*?)</thead>', page, re.S)[1]
    # Column heads in the reader's (Toronto's) time.
    assert plain(heads) == (
        "Participant Nov 2, 2027 4:00 AM Nov 2, 2027 9:00 AM "
        "Nov 3, 2027 4:00 AM Nov 3, 2027 9:00 AM"
    )


def test_the_page_says_who_has_not_answered_yet(login, world, poll):
    answer(world.toronto, poll, ["yes", None, None, None])

    page = plain(text(login(world.chair).get(poll_url(poll))))

    assert (
        "Not answered yet: Claire Dubois, Olaf Observer, Olivia Brown, Park Min-jun"
        in page
    )


def test_once_everyone_answered_nobody_is_listed_as_silent(login, world, answered):
    answer(world.observer, answered, ["yes", None, None, None])

    assert "Not answered yet" not in plain(
        text(login(world.chair).get(poll_url(answered)))
    )


def test_people_not_asked_still_see_the_results_of_a_public_group(
    login, world, answered
):
    page = text(login(world.outsider).get(poll_url(answered)))

    assert [r[0] for r in ranking(page)] == ["1 best", "2", "3", "4"]
    assert "Marc Tremblay" in who_said_what(page)


def test_the_list_tells_open_closed_and_decided_polls_apart(login, world):
    make_poll(world.chair, world.group, title="Open one", days=(WEEK_AFTER,))
    closed = make_poll(world.chair, world.group, title="Closed one", days=(WEEK_AFTER,))
    close(closed)
    decided = make_poll(
        world.chair, world.group, title="Decided one", days=(WEEK_AFTER,)
    )
    login(world.chair).post(
        poll_url(decided, "/decide"), data={"slot": decided.slots[0].id, "invite": "0"}
    )

    page = text(login(world.toronto).get("/groups/digital-identity/polls/"))

    cards = {
        plain(title): plain(meta)
        for title, meta in re.findall(
            r'<h2 class="card-title">(.*?)</h2>\s*<p class="meta">(.*?)</p>', page, re.S
        )
    }
    assert cards["Open one"].startswith("Open until")
    assert cards["Closed one"] == "Closed, waiting for the chair's decision"
    assert cards["Decided one"] == "Decided"
