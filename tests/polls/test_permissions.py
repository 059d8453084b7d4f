"""Who may do what with time polls: every role against every page and action, in a
public and a private group, and an archived group frozen for everyone."""

import pytest

from collab.meetings.models import Meeting
from collab.polls.models import Poll, PollVote
from tests.polls.conftest import (
    DST_WEEK,
    count,
    form_for,
    fresh,
    make_poll,
    poll_form,
    poll_url,
)

SIGN_IN = "sign in"
ACTIONS = ("list", "new", "create", "show", "vote", "decide")

# Public group "digital-identity". The default participants are everyone of the
# group (the chair, members and the observer), not the secretariat.
PUBLIC = {
    "anonymous": (SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN),
    "outsider": (200, 403, 403, 200, 403, 403),
    "observer": (200, 403, 403, 200, 302, 403),
    "member": (200, 403, 403, 200, 302, 403),
    "chair": (200, 200, 302, 200, 302, 302),
    "secretariat": (200, 200, 302, 200, 403, 302),
}

# Private group "ict-procurement": hidden from everyone outside it but the
# secretariat.
PRIVATE = {
    "anonymous": (SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN, SIGN_IN),
    "outsider": (404, 404, 404, 404, 404, 404),
    "member of another group": (404, 404, 404, 404, 404, 404),
    "chair of another group": (404, 404, 404, 404, 404, 404),
    "member": (200, 403, 403, 200, 302, 403),
    "chair": (200, 200, 302, 200, 302, 302),
    "secretariat": (200, 200, 302, 200, 403, 302),
}


def _person(world, role: str, private: bool):
    if role == "anonymous":
        return None
    if private:
        return {
            "outsider": world.outsider,
            "member of another group": world.toronto,
            "chair of another group": world.chair,
            "member": world.other_member,
            "chair": world.other_chair,
            "secretariat": world.secretariat,
        }[role]
    return {
        "outsider": world.outsider,
        "observer": world.observer,
        "member": world.toronto,
        "chair": world.chair,
        "secretariat": world.secretariat,
    }[role]


def _act(browser, action: str, poll, world, private: bool):
    base = f"/groups/{poll.group.slug}/polls"
    people = (
        [world.other_chair.id, world.other_member.id]
        if private
        else [p.id for p in world.participants]
    )
    if action == "list":
        return browser.get(f"{base}/")
    if action == "new":
        return browser.get(f"{base}/new")
    if action == "create":
        return browser.post(
            f"{base}/new", data=poll_form(title="Another poll", participants=people)
        )
    if action == "show":
        return browser.get(poll_url(poll))
    if action == "vote":
        return browser.post(
            poll_url(poll, "/vote"), data={f"slot-{poll.slots[0].id}": "yes"}
        )
    if action == "decide":
        return browser.post(
            poll_url(poll, "/decide"), data={"slot": poll.slots[0].id, "invite": "0"}
        )
    raise AssertionError(action)


def _check(response, expected, action, poll) -> None:
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/sign-in")
    else:
        assert response.status_code == expected, (action, response.status_code)
    # What was refused left no trace.
    if action == "create" and expected != 302:
        assert count(Poll) == 1
    if action == "vote" and expected != 302:
        assert count(PollVote) == 0
    if action == "decide" and expected != 302:
        assert count(Meeting) == 0 and fresh(poll).decided_at is None


def _table(table):
    return [
        pytest.param(role, action, expected, id=f"{role}-{action}")
        for role, row in table.items()
        for action, expected in zip(ACTIONS, row, strict=True)
    ]


@pytest.mark.parametrize("role, action, expected", _table(PUBLIC))
def test_public_group(app, login, world, role, action, expected):
    poll = make_poll(world.chair, world.group, days=(DST_WEEK,), clocks="10:00")
    person = _person(world, role, private=False)
    browser = login(person) if person else app.test_client()

    _check(_act(browser, action, poll, world, private=False), expected, action, poll)


@pytest.mark.parametrize("role, action, expected", _table(PRIVATE))
def test_private_group(app, login, world, role, action, expected):
    poll = make_poll(
        world.other_chair,
        world.private_group,
        zone="America/Sao_Paulo",
        days=(DST_WEEK,),
        clocks="10:00",
    )
    person = _person(world, role, private=True)
    browser = login(person) if person else app.test_client()

    _check(_act(browser, action, poll, world, private=True), expected, action, poll)


# --- an archived group ---


@pytest.fixture
def archived_poll(login, world):
    poll = make_poll(world.chair, world.group, days=(DST_WEEK,), clocks="10:00")
    response = login(world.secretariat).post("/admin/groups/digital-identity/archive")
    assert response.status_code == 302
    assert fresh(world.group).is_archived
    return poll


def test_an_archived_group_takes_no_new_poll(login, world, archived_poll):
    chair = login(world.chair)

    assert chair.get("/groups/digital-identity/polls/new").status_code == 403
    assert (
        chair.post(
            "/groups/digital-identity/polls/new", data=form_for(world)
        ).status_code
        == 403
    )
    assert count(Poll) == 1
    assert "Find a meeting time" not in chair.get(
        "/groups/digital-identity/polls/"
    ).get_data(as_text=True)


def test_an_archived_groups_poll_offers_no_answer_form(login, world, archived_poll):
    page = login(world.toronto).get(poll_url(archived_poll)).get_data(as_text=True)

    assert "Save my answers" not in page


def test_an_archived_groups_poll_takes_no_answer(login, world, archived_poll):
    response = login(world.toronto).post(
        poll_url(archived_poll, "/vote"),
        data={f"slot-{archived_poll.slots[0].id}": "yes"},
    )

    assert 400 <= response.status_code < 500
    assert count(PollVote) == 0


def test_an_archived_groups_poll_is_not_decided(login, world, archived_poll):
    response = login(world.chair).post(
        poll_url(archived_poll, "/decide"),
        data={"slot": archived_poll.slots[0].id, "invite": "1"},
    )

    assert response.status_code == 403
    assert count(Meeting) == 0
