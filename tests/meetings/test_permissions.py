"""Who may open which meeting page: a table per meeting state, checked for each role.
Hidden meetings answer 404 (their existence is not revealed), pages a role may not use
403, and nothing answers without signing in."""

import uuid
from datetime import timedelta

import pytest

from collab.core.db import utcnow
from tests.meetings.conftest import make_meeting, meeting_url, text, write_minutes

ROLES = ("chair", "secretariat", "member", "observer", "outsider")

# A scheduled meeting that took place, agenda not published, minutes in draft.
SCHEDULED = {
    "": (200, 200, 200, 200, 200),
    ".ics": (200, 200, 200, 200, 200),
    "/edit": (200, 200, 403, 403, 403),
    "/cancel": (200, 200, 403, 403, 403),
    "/responses": (200, 200, 403, 403, 403),
    "/attendance": (200, 200, 403, 403, 403),
    "/agenda/new": (200, 200, 403, 403, 403),
    "/minutes": (200, 200, 403, 403, 403),
    "/minutes/history": (200, 200, 403, 403, 403),
}


@pytest.fixture
def scheduled(team):
    meeting = make_meeting(
        team.chair,
        team.group,
        items=("Opening",),
        day=(utcnow() - timedelta(days=1)).date(),
    )
    write_minutes(team.chair, meeting)  # draft minutes
    return meeting


@pytest.mark.parametrize("suffix", list(SCHEDULED))
def test_permission_table_of_a_meeting_with_draft_agenda_and_minutes(
    login, team, scheduled, suffix
):
    statuses = tuple(
        login(getattr(team, role)).get(meeting_url(scheduled, suffix)).status_code
        for role in ROLES
    )

    assert statuses == SCHEDULED[suffix]


@pytest.mark.parametrize("suffix", list(SCHEDULED))
def test_a_draft_looks_like_no_meeting_at_all_to_non_chairs(login, team, suffix):
    canary = f"CANARY-{uuid.uuid4().hex}"
    draft = make_meeting(
        team.chair, team.group, status="draft", title=canary, items=(canary,)
    )
    missing = f"/groups/digital-identity/meetings/{draft.id + 1000}{suffix}"

    for role in ("member", "observer", "outsider"):
        browser = login(getattr(team, role))
        response = browser.get(meeting_url(draft, suffix))
        assert response.status_code == browser.get(missing).status_code, role
        assert response.status_code in (403, 404)
        assert canary not in text(response)
    assert login(team.member).get(meeting_url(draft)).status_code == 404
    for role in ("chair", "secretariat"):
        page = login(getattr(team, role)).get(meeting_url(draft, suffix))
        assert page.status_code in (200, 403), (role, page.status_code)
    assert login(team.chair).get(meeting_url(draft)).status_code == 200


@pytest.mark.parametrize("suffix", list(SCHEDULED))
def test_a_private_groups_meeting_is_404_for_outsiders(login, team, suffix):
    meeting = make_meeting(team.other_chair, team.private_group, items=("Clauses",))

    for who in (team.outsider, team.member, team.chair):
        assert login(who).get(meeting_url(meeting, suffix)).status_code == 404


@pytest.mark.parametrize("suffix", list(SCHEDULED))
def test_nothing_answers_without_signing_in(client, team, scheduled, suffix):
    response = client.get(meeting_url(scheduled, suffix))

    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]


@pytest.mark.parametrize(
    "path",
    [
        "/groups/digital-identity/meetings/",
        "/groups/digital-identity/meetings/calendar.ics",
        "/groups/digital-identity/actions/",
        "/calendar/",
    ],
)
def test_group_pages_need_signing_in(client, team, path):
    assert client.get(path).status_code == 302
