"""Answering: a participant says yes, if need be or no to each slot as shown in their
own time, changes their mind while the poll is open and adds a comment; nobody else
answers, and nothing changes once the poll has closed."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from collab.extensions import db
from collab.polls.models import PollParticipant, PollVote
from tests.polls.conftest import (
    DST_WEEK,
    WEEK_AFTER,
    answer,
    answer_form,
    close,
    count,
    error_summary,
    flashes,
    follow,
    location,
    make_poll,
    plain,
    poll_url,
    text,
    who_said_what,
)


@pytest.fixture
def poll(world):
    """Three slots: 2 November 09:00 and 14:00, 9 November 09:00, Paris time."""
    return make_poll(
        world.chair,
        world.group,
        days=(DST_WEEK, WEEK_AFTER),
        clocks="09:00, 14:00",
    )


def _form(poll, answers: list[str | None], comment: str = "") -> dict:
    data = {
        f"slot-{slot.id}": a for slot, a in zip(poll.slots, answers, strict=True) if a
    }
    data["comment"] = comment
    return data


def _answers_of(user, poll) -> list[str | None]:
    db.session.expire_all()
    saved = {
        v.slot_id: v.answer
        for v in db.session.scalars(
            select(PollVote).where(
                PollVote.poll_id == poll.id, PollVote.user_id == user.id
            )
        )
    }
    return [saved.get(slot.id) for slot in poll.slots]


def _row(user, poll) -> PollParticipant:
    db.session.expire_all()
    return db.session.scalar(
        select(PollParticipant).where(
            PollParticipant.poll_id == poll.id, PollParticipant.user_id == user.id
        )
    )


def test_a_participant_answers_each_slot_in_their_own_time(login, world, poll):
    seoul = login(world.seoul)
    slots = answer_form(text(seoul.get(poll_url(poll))))
    assert [s.legend for s in slots] == [
        "Tuesday, November 2, 2027, 5:00 PM–6:00 PM",
        "Tuesday, November 2, 2027, 10:00 PM–11:00 PM (out of hours for you)",
        "Tuesday, November 9, 2027, 5:00 PM–6:00 PM",
        "Tuesday, November 9, 2027, 10:00 PM–11:00 PM (out of hours for you)",
    ]

    response = seoul.post(
        poll_url(poll, "/vote"),
        data=_form(poll, ["yes", "maybe", "no", "no"], "Evenings are hard for me."),
    )

    assert location(response) == poll_url(poll)
    page = follow(seoul, response)
    assert "Thank you, your answers are saved." in flashes(page)
    assert [s.answer for s in answer_form(page)] == ["yes", "maybe", "no", "no"]
    assert 'value="Evenings are hard for me."' in page
    assert _answers_of(world.seoul, poll) == ["yes", "maybe", "no", "no"]
    assert who_said_what(page)["Park Min-jun Evenings are hard for me."] == [
        "Yes",
        "If need be",
        "No",
        "No",
    ]


def test_each_answer_is_labelled_with_its_slot_for_screen_readers(login, world, poll):
    page = text(login(world.toronto).get(poll_url(poll)))
    slot = poll.slots[0]

    for value, label in (("yes", "Yes"), ("maybe", "If need be"), ("no", "No")):
        found = re.search(rf'<label for="slot-{slot.id}-{value}">(.*?)</label>', page)
        assert found, value
        assert (
            plain(found[1]) == f"{label} — Tuesday, November 2, 2027, 4:00 AM–5:00 AM"
        )
        assert f'id="slot-{slot.id}-{value}" name="slot-{slot.id}"' in page


def test_answers_change_while_the_poll_is_open(login, world, poll):
    toronto = login(world.toronto)
    toronto.post(
        poll_url(poll, "/vote"), data=_form(poll, ["no", "yes", "no", "yes"], "First")
    )

    response = toronto.post(
        poll_url(poll, "/vote"),
        data=_form(poll, ["maybe", "no", "yes", "yes"], "Second"),
    )

    assert response.status_code == 302
    assert _answers_of(world.toronto, poll) == ["maybe", "no", "yes", "yes"]
    assert count(PollVote, PollVote.user_id == world.toronto.id) == 4
    assert _row(world.toronto, poll).comment == "Second"
    page = text(toronto.get(poll_url(poll)))
    assert [s.answer for s in answer_form(page)] == ["maybe", "no", "yes", "yes"]


def test_some_slots_may_be_left_unanswered(login, world, poll):
    login(world.sydney).post(
        poll_url(poll, "/vote"), data=_form(poll, ["yes", None, None, "no"])
    )

    assert _answers_of(world.sydney, poll) == ["yes", None, None, "no"]
    page = text(login(world.chair).get(poll_url(poll)))
    assert who_said_what(page)["Olivia Brown"] == ["Yes", "–", "–", "No"]
    assert "Olivia Brown" not in plain(page).split("Not answered yet:")[-1]


def test_a_chosen_observer_answers_too(login, world, poll):
    response = login(world.observer).post(
        poll_url(poll, "/vote"), data=_form(poll, ["yes", "yes", "no", "no"])
    )

    assert response.status_code == 302
    assert _answers_of(world.observer, poll) == ["yes", "yes", "no", "no"]


@pytest.mark.parametrize(
    "answers",
    [[None, None, None, None], ["perhaps", "sure", None, None]],
    ids=["nothing", "unknown answers"],
)
def test_an_empty_answer_is_refused_and_nothing_is_saved(login, world, poll, answers):
    response = login(world.toronto).post(
        poll_url(poll, "/vote"), data=_form(poll, answers, "Nothing to say")
    )

    assert response.status_code == 400
    assert "Answer at least one slot." in error_summary(text(response))
    assert count(PollVote) == 0
    row = _row(world.toronto, poll)
    assert row.voted_at is None and row.comment == ""


def test_answers_for_another_polls_slots_are_ignored(login, world, poll):
    other = make_poll(world.chair, world.group, days=(WEEK_AFTER,), clocks="16:00")
    data = _form(poll, ["yes", None, None, None])
    data[f"slot-{other.slots[0].id}"] = "yes"

    login(world.toronto).post(poll_url(poll, "/vote"), data=data)

    assert count(PollVote, PollVote.poll_id == other.id) == 0
    assert _answers_of(world.toronto, poll) == ["yes", None, None, None]


def test_a_vote_without_the_forms_token_is_refused(login, world, poll):
    response = login(world.toronto).post(
        poll_url(poll, "/vote"), data=_form(poll, ["yes"] * 4), csrf=False
    )

    assert response.status_code == 400
    assert count(PollVote) == 0


# --- after closing ---


def test_votes_after_closing_are_refused_and_nothing_changes(login, world, poll):
    answer(world.toronto, poll, ["yes", "no", "no", "no"], "Before closing")
    before = _row(world.toronto, poll).voted_at
    close(poll)

    response = login(world.toronto).post(
        poll_url(poll, "/vote"),
        data=_form(poll, ["no", "yes", "yes", "yes"], "Too late"),
    )

    assert 400 <= response.status_code < 500
    assert "This poll is closed: answers can no longer change." in error_summary(
        text(response)
    )
    assert _answers_of(world.toronto, poll) == ["yes", "no", "no", "no"]
    row = _row(world.toronto, poll)
    assert row.comment == "Before closing" and row.voted_at == before


def test_a_first_vote_after_closing_is_refused(login, world, poll):
    close(poll, ago=timedelta(days=2))

    response = login(world.seoul).post(
        poll_url(poll, "/vote"), data=_form(poll, ["yes"] * 4)
    )

    assert 400 <= response.status_code < 500
    assert count(PollVote) == 0
    assert _row(world.seoul, poll).voted_at is None


def test_a_closed_poll_no_longer_offers_the_answer_form(login, world, poll):
    close(poll)

    page = text(login(world.toronto).get(poll_url(poll)))

    assert answer_form(page) == []
    assert "Answers are closed; the chair will choose a time." in plain(page)
    assert "Save my answers" not in page


def test_votes_after_the_decision_are_refused(login, world, poll):
    login(world.chair).post(
        poll_url(poll, "/decide"), data={"slot": poll.slots[0].id, "invite": "0"}
    )

    response = login(world.toronto).post(
        poll_url(poll, "/vote"), data=_form(poll, ["yes"] * 4)
    )

    assert 400 <= response.status_code < 500
    assert count(PollVote) == 0


# --- people who are not asked ---


@pytest.fixture
def small_poll(world):
    """Only the chair, Toronto and Seoul are asked."""
    return make_poll(
        world.chair,
        world.group,
        days=(DST_WEEK,),
        clocks="09:00",
        people=[world.chair, world.toronto, world.seoul],
    )


@pytest.mark.parametrize(
    "who", ["sydney", "observer", "outsider", "secretariat", "other_member"]
)
def test_people_not_asked_cannot_answer(login, world, small_poll, who):
    response = login(getattr(world, who)).post(
        poll_url(small_poll, "/vote"), data={f"slot-{small_poll.slots[0].id}": "yes"}
    )

    assert response.status_code == 403
    assert count(PollVote) == 0
    assert count(PollParticipant) == 3


def test_a_participant_who_left_the_group_cannot_answer(login, world, small_poll):
    browser = login(world.toronto)
    assert browser.post("/groups/digital-identity/leave").status_code == 302

    assert answer_form(text(browser.get(poll_url(small_poll)))) == []
    response = browser.post(
        poll_url(small_poll, "/vote"), data={f"slot-{small_poll.slots[0].id}": "yes"}
    )
    assert response.status_code == 403
    assert count(PollVote) == 0


@pytest.fixture
def private_poll(world):
    return make_poll(
        world.other_chair,
        world.private_group,
        zone="America/Sao_Paulo",
        days=(DST_WEEK,),
        clocks="10:00",
    )


@pytest.mark.parametrize("who", ["outsider", "chair", "toronto"])
def test_a_private_groups_poll_does_not_exist_for_others(
    login, world, private_poll, who
):
    browser = login(getattr(world, who))

    assert browser.get(poll_url(private_poll)).status_code == 404
    assert browser.get("/groups/ict-procurement/polls/").status_code == 404
    response = browser.post(
        poll_url(private_poll, "/vote"),
        data={f"slot-{private_poll.slots[0].id}": "yes"},
    )
    assert response.status_code == 404
    assert count(PollVote) == 0


def test_a_private_groups_member_answers_its_poll(login, world, private_poll):
    response = login(world.other_member).post(
        poll_url(private_poll, "/vote"), data={f"slot-{private_poll.slots[0].id}": "no"}
    )

    assert response.status_code == 302
    assert _answers_of(world.other_member, private_poll) == ["no"]


def test_a_poll_is_not_reachable_through_another_group(login, world, poll):
    other = "/groups/ict-procurement/polls"
    assert login(world.other_member).get(f"{other}/{poll.id}").status_code == 404
