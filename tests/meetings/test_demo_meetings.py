"""Demo meetings: every group has a held meeting with its whole record and a coming one
with a published agenda and documents; a chair can run a meeting cycle in it, and
loading twice adds nothing and sends nothing."""

import re

from sqlalchemy import func, select

from collab.core.db import utcnow
from collab.demo import data
from collab.extensions import db
from collab.groups.models import Group
from collab.meetings.models import (
    Action,
    AgendaDocument,
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MinutesRevision,
    Rsvp,
)
from collab.notifications.models import OutboxEmail
from tests.meetings.conftest import (
    agenda_titles,
    only_event,
    parse_ics,
    plain,
    section,
    text,
)


def _load(app) -> str:
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def _sign_in(app, email: str):
    browser = app.test_client()
    response = browser.post(
        "/auth/sign-in", data={"email": email, "password": data.PASSWORD}
    )
    assert response.status_code == 302
    return browser


def _of(model, *where) -> list:
    return list(db.session.scalars(select(model).where(*where)))


def _counts() -> dict:
    db.session.expire_all()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (
            Meeting,
            AgendaItem,
            AgendaDocument,
            Rsvp,
            Attendance,
            MinutesRevision,
            Decision,
            Action,
            OutboxEmail,
        )
    }


def test_every_group_has_a_held_meeting_with_its_whole_record(app):
    _load(app)
    now = utcnow()

    groups = _of(Group)
    assert len(groups) == 3
    for group in groups:
        held = _of(Meeting, Meeting.group_id == group.id, Meeting.status == "held")
        assert held, group.slug
        [past] = held
        assert past.ends_at < now
        assert past.minutes_stage == "adopted", group.slug
        assert past.minutes_adopted_at is not None
        assert any(item.minutes for item in past.items)
        stages = [
            r.stage for r in _of(MinutesRevision, MinutesRevision.meeting_id == past.id)
        ]
        assert "adopted" in stages, group.slug
        presence = {
            a.presence for a in _of(Attendance, Attendance.meeting_id == past.id)
        }
        assert "present" in presence, group.slug
        assert _of(Decision, Decision.meeting_id == past.id), group.slug
        statuses = {a.status for a in _of(Action, Action.meeting_id == past.id)}
        assert "open" in statuses and "done" in statuses, (group.slug, statuses)


def test_every_group_has_a_coming_meeting_with_a_published_agenda_and_documents(app):
    _load(app)
    now = utcnow()

    for group in _of(Group):
        coming = _of(
            Meeting,
            Meeting.group_id == group.id,
            Meeting.status == "scheduled",
            Meeting.starts_at > now,
        )
        assert coming, group.slug
        [meeting] = coming
        assert meeting.agenda_is_published, group.slug
        assert len(meeting.items) >= 3
        attached = [a for item in meeting.items for a in item.documents]
        assert attached, group.slug
        assert any(a.version_id for a in attached) and any(
            a.version_id is None for a in attached
        ), group.slug
        assert all(a.document.group_id == group.id for a in attached)
        assert any(item.kind == "actions" for item in meeting.items)
        assert _of(Rsvp, Rsvp.meeting_id == meeting.id), group.slug


def test_loading_the_demo_twice_adds_nothing_and_sends_no_email(app):
    _load(app)
    first = _counts()

    output = _load(app)

    assert "0 new record(s)" in output
    assert _counts() == first
    assert first["OutboxEmail"] == 0
    assert first["Meeting"] == 6


def test_a_member_sees_the_coming_meeting_in_their_own_time(app):
    _load(app)
    member = _sign_in(app, "member@example.org")
    meeting = db.session.scalar(
        select(Meeting)
        .join(Group)
        .where(Group.slug == "digital-identity", Meeting.status == "scheduled")
    )
    url = f"/groups/digital-identity/meetings/{meeting.id}"

    page = text(member.get(url))

    assert "in your time" in plain(page)
    titles = agenda_titles(page)
    assert titles[:2] == [
        "Opening and adoption of the agenda",
        "Review of open actions",
    ]
    assert "Draft the joint note on wallet pilot lessons" in plain(page)  # the review
    assert "latest version" in page and re.search(r"version \d+</span>", page)
    event = only_event(member.get(url + ".ics").data)
    assert event["dtstart"].dt == meeting.starts_at
    assert "Review of open actions" in str(event["description"])
    dashboard = text(member.get("/"))
    assert "Winter plenary" in dashboard


def test_the_held_demo_meeting_reads_as_a_record(app):
    _load(app)
    member = _sign_in(app, "member@example.org")
    meeting = db.session.scalar(
        select(Meeting)
        .join(Group)
        .where(Group.slug == "digital-identity", Meeting.status == "held")
    )

    page = text(member.get(f"/groups/digital-identity/meetings/{meeting.id}"))

    assert "Adopted on" in page
    assert "The agenda was adopted without changes." in page
    assert "The group will publish a joint note on pilot lessons" in page
    record = plain(section(page, "attendance"))
    assert record.startswith("Attendance")
    history = text(
        member.get(f"/groups/digital-identity/meetings/{meeting.id}/minutes/history")
    )
    assert "Adopted" in history


def test_the_private_groups_demo_meetings_stay_private(app):
    _load(app)
    outsider = _sign_in(app, "outsider@example.org")
    meeting = db.session.scalar(
        select(Meeting).join(Group).where(Group.slug == "ict-procurement")
    )

    assert (
        outsider.get(f"/groups/ict-procurement/meetings/{meeting.id}").status_code
        == 404
    )
    assert (
        outsider.get(f"/groups/ict-procurement/meetings/{meeting.id}.ics").status_code
        == 404
    )
    assert "Open-source clause" not in text(outsider.get("/"))


def test_a_chair_runs_a_meeting_cycle_in_the_demo(app):
    _load(app)
    chair = _sign_in(app, "chair@example.org")
    meeting = db.session.scalar(
        select(Meeting)
        .join(Group)
        .where(Group.slug == "digital-identity", Meeting.status == "scheduled")
    )
    url = f"/groups/digital-identity/meetings/{meeting.id}"
    first = meeting.items[0]

    chair.post(
        url + "/agenda/new",
        data={
            "title": "Cross-border pilots",
            "kind": "decision",
            "duration_minutes": "20",
        },
    )
    assert chair.post(url + "/agenda/publish").status_code == 302
    assert chair.post(url + "/rsvp", data={"answer": "yes"}).status_code == 302
    assert chair.get(url + "/responses").status_code == 200
    assert chair.get(url + "/attendance").status_code == 200
    response = chair.post(url + "/minutes", data={f"minutes-{first.id}": "Adopted."})
    assert response.status_code == 302
    response = chair.post(
        f"{url}/agenda/{first.id}/decisions", data={"text": "Agenda adopted."}
    )
    assert response.status_code == 302
    assert chair.post(url + "/minutes/adopt").status_code == 302

    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.minutes_stage == "adopted"
    assert "Cross-border pilots" in [i.title for i in meeting.items]
    sent = db.session.scalars(select(OutboxEmail)).all()
    subjects = {e.subject.split(":")[0] for e in sent}
    assert {"Agenda updated", "Minutes adopted"} <= subjects
    calendar = parse_ics(chair.get(url + ".ics").data)
    assert "Cross-border pilots" in str(list(calendar.walk("VEVENT"))[0]["description"])
