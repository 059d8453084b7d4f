"""The dashboard and "My meetings" list the coming meetings of my groups only, in my
own time."""

from datetime import date, timedelta

from collab.core.db import utcnow
from collab.extensions import db
from collab.groups.models import Membership
from tests import factories
from tests.meetings.conftest import make_meeting, meeting_url, plain, text


def _coming(page: str) -> str:
    """The "Coming meetings" part of the dashboard."""
    return plain(page).split("Coming meetings", 1)[1].split("All my meetings", 1)[0]


def test_dashboard_lists_coming_meetings_of_my_groups_only(login, team):
    factories.add_member(team.private_group, team.member)
    elsewhere = factories.make_group(
        "Digital Services", slug="digital-services", chair=team.other_chair
    )
    make_meeting(team.chair, team.group, title="Public plenary")
    make_meeting(team.other_chair, team.private_group, title="Private plenary")
    make_meeting(team.other_chair, elsewhere, title="Not my group")
    make_meeting(team.chair, team.group, status="draft", title="Draft plenary")
    cancelled = make_meeting(team.chair, team.group, title="Cancelled plenary")
    login(team.chair).post(meeting_url(cancelled, "/cancel"), data={"reason": "No."})
    make_meeting(
        team.chair,
        team.group,
        title="Last month",
        day=(utcnow() - timedelta(days=30)).date(),
    )

    coming = _coming(text(login(team.member).get("/")))

    assert "Public plenary" in coming and "Private plenary" in coming
    for absent in ("Not my group", "Draft plenary", "Cancelled plenary", "Last month"):
        assert absent not in coming


def test_dashboard_shows_meetings_in_order_and_in_my_time(login, team):
    team.member.timezone = "Asia/Seoul"
    db.session.commit()
    make_meeting(team.chair, team.group, title="Later", day=date(2027, 4, 12))
    make_meeting(team.chair, team.group, title="Sooner", day=date(2027, 3, 29))

    coming = _coming(text(login(team.member).get("/")))

    assert coming.index("Sooner") < coming.index("Later")
    assert "Mar 29, 2027, 5:00 PM–7:00 PM · 10:00 AM Paris time" in coming


def test_an_outsider_of_a_public_group_sees_none_of_its_meetings_on_the_dashboard(
    login, team
):
    make_meeting(team.chair, team.group, title="Public plenary")

    page = text(login(team.outsider).get("/"))

    assert "Public plenary" not in page
    assert "No meeting is planned in your groups." in page


def test_meetings_of_a_group_i_am_no_longer_active_in_leave_the_dashboard(login, team):
    make_meeting(team.chair, team.group, title="Public plenary")
    membership = db.session.scalar(
        db.select(Membership).where(Membership.user_id == team.member.id)
    )
    membership.status = "pending"
    db.session.commit()

    assert "Public plenary" not in text(login(team.member).get("/"))


def test_my_meetings_page_lists_the_same_meetings(login, team):
    make_meeting(team.chair, team.group, title="Public plenary")
    make_meeting(team.other_chair, team.private_group, title="Private plenary")

    page = plain(text(login(team.member).get("/calendar/")))

    assert "Public plenary" in page
    assert "Private plenary" not in page
