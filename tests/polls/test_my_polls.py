"""A person's polls outside the poll page: the dashboard lists the open polls waiting
for their answer, the data export holds their answers and comments, and erasing the
account keeps the answers (they counted) but not the comment."""

import io
import json
import re
import zipfile

import pytest
from sqlalchemy import select

from collab.extensions import db
from collab.polls.models import PollParticipant, PollVote
from tests.polls.conftest import (
    WEEK_AFTER,
    answer,
    close,
    count,
    make_poll,
    plain,
    poll_url,
    text,
)


@pytest.fixture
def poll(world):
    return make_poll(
        world.chair,
        world.group,
        title="Wallet plenary",
        days=(WEEK_AFTER,),
        clocks="09:00, 14:00",
    )


def _waiting(browser) -> list[str]:
    """The polls listed on the dashboard under "When can you meet?"."""
    page = text(browser.get("/"))
    block = re.search(r"<h2>When can you meet\?</h2>\s*<ul>(.*?)</ul>", page, re.S)
    return re.findall(r'<a href="([^"]+)">', block[1]) if block else []


def test_the_dashboard_lists_the_polls_waiting_for_my_answer(login, world, poll):
    seoul = login(world.seoul)

    assert _waiting(seoul) == [poll_url(poll)]
    page = plain(text(seoul.get("/")))
    assert "Wallet plenary · Digital Identity · answers close" in page


def test_once_answered_the_poll_leaves_the_dashboard(login, world, poll):
    answer(world.seoul, poll, ["yes", "no"])

    assert _waiting(login(world.seoul)) == []


def test_closed_and_decided_polls_leave_the_dashboard(login, world, poll):
    decided = make_poll(world.chair, world.group, title="Decided", days=(WEEK_AFTER,))
    login(world.chair).post(
        poll_url(decided, "/decide"), data={"slot": decided.slots[0].id, "invite": "0"}
    )
    close(poll)

    assert _waiting(login(world.seoul)) == []


def test_people_not_asked_see_no_poll_on_their_dashboard(login, world):
    make_poll(world.chair, world.group, days=(WEEK_AFTER,), people=[world.toronto])

    for person in (world.seoul, world.outsider, world.secretariat):
        assert _waiting(login(person)) == [], person.display_name


def test_after_leaving_the_group_the_poll_leaves_the_dashboard(login, world, poll):
    seoul = login(world.seoul)
    assert seoul.post("/groups/digital-identity/leave").status_code == 302

    assert _waiting(seoul) == []


def test_my_data_export_holds_my_answers_and_comment(login, world, poll):
    answer(world.seoul, poll, ["yes", "maybe"], "Mornings in Seoul suit me.")
    seoul = login(world.seoul)

    response = seoul.get(f"/members/{world.seoul.username}/data.zip")

    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        data = json.loads(archive.read("collab-data.json"))
    assert data["time_polls"] == [
        {
            "poll": "Wallet plenary",
            "comment": "Mornings in Seoul suit me.",
            "answers": [
                {"slot": "2027-11-09T08:00:00+00:00", "answer": "yes"},
                {"slot": "2027-11-09T13:00:00+00:00", "answer": "maybe"},
            ],
        }
    ]


def test_erasure_keeps_the_answers_but_not_the_comment(login, world, poll):
    answer(world.seoul, poll, ["yes", "maybe"], "Call me on +82 2 1234 5678.")
    seoul = login(world.seoul)

    response = seoul.post(
        f"/members/{world.seoul.username}/erase",
        data={"password": "violet tractor harbour 1987"},
    )

    assert response.status_code == 302
    assert count(PollVote, PollVote.user_id == world.seoul.id) == 2
    db.session.expire_all()
    row = db.session.scalar(
        select(PollParticipant).where(
            PollParticipant.poll_id == poll.id,
            PollParticipant.user_id == world.seoul.id,
        )
    )
    assert row.comment == ""
    page = text(login(world.chair).get(poll_url(poll)))
    assert "Call me on +82" not in page
    assert "Former member" in page


def test_a_poll_of_an_archived_group_leaves_the_dashboard(login, world, poll):
    """The poll page offers no answer form once the group is archived: the
    dashboard must not ask for an answer either."""
    archived = login(world.secretariat).post("/admin/groups/digital-identity/archive")
    assert archived.status_code == 302
    seoul = login(world.seoul)

    assert "Save my answers" not in text(seoul.get(poll_url(poll)))
    assert _waiting(seoul) == []
