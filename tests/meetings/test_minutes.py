"""Minutes: written per item by the chairs or the person they delegate, kept as a
draft among them, circulated for comments until a deadline, adopted (locked, sent to
members), corrected only as a visible revision; every revision kept."""

import re
import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from collab.core.db import utcnow
from collab.extensions import db
from collab.meetings.models import MinutesComment, MinutesRevision
from tests.meetings.conftest import (
    clear_outbox,
    count,
    emails,
    field_errors,
    flashes,
    follow,
    fresh,
    make_meeting,
    meeting_url,
    past_meeting,
    plain,
    section,
    text,
    write_minutes,
)


@pytest.fixture
def held(team):
    """Held two days ago, agenda published."""
    return past_meeting(
        team.chair,
        team.group,
        title="Autumn plenary",
        items=("Opening", "Wallet pilots"),
        publish=True,
    )


def _write(browser, meeting, *texts, note=None):
    items = fresh(meeting).items
    data = {
        f"minutes-{item.id}": body for item, body in zip(items, texts, strict=False)
    }
    if note is not None:
        data["note"] = note
    return browser.post(meeting_url(meeting, "/minutes"), data=data)


def _circulate(browser, meeting, days=7):
    deadline = (utcnow() + timedelta(days=days)).date()
    return browser.post(
        meeting_url(meeting, "/minutes/circulate"), data={"deadline": str(deadline)}
    )


def _minutes_shown(page: str) -> list[str]:
    return [
        plain(m)
        for m in re.findall(r'<div class="minutes-text">(.*?)</div></div>', page, re.S)
    ]


def _history(browser, meeting) -> list[str]:
    page = text(browser.get(meeting_url(meeting, "/minutes/history")))
    return [plain(h) for h in re.findall(r'<h2 id="rev-\d+">(.*?)</h2>', page)]


# --- draft ---------------------------------------------------------------------------


def test_chair_writes_draft_minutes_per_item(login, team, held):
    chair = login(team.chair)
    form = text(chair.get(meeting_url(held, "/minutes")))
    assert "1. Opening" in form and "2. Wallet pilots" in form

    response = _write(
        chair, held, "The agenda was **adopted** unchanged.", "Estonia reported."
    )

    page = follow(chair, response)
    assert "Minutes saved." in flashes(page)
    assert "<strong>adopted</strong>" in page
    assert _minutes_shown(page) == [
        "Minutes The agenda was adopted unchanged.",
        "Minutes Estonia reported.",
    ]
    assert fresh(held).minutes_stage == "draft"
    assert _history(chair, held) == ["Revision 1 · Draft minutes"]


def test_saving_unchanged_minutes_adds_no_revision(login, team, held):
    chair = login(team.chair)
    _write(chair, held, "Opened.", "Reported.")

    page = follow(chair, _write(chair, held, "Opened.", "Reported."))

    assert "Nothing changed." in flashes(page)
    assert count(MinutesRevision) == 1


@pytest.mark.parametrize("who", ["member", "observer", "outsider", "colleague"])
def test_draft_minutes_are_invisible_to_members(login, team, held, who):
    canary = f"CANARY-{uuid.uuid4().hex}"
    _write(login(team.chair), held, f"Draft {canary}", "Reported.")
    browser = login(getattr(team, who))

    page = text(browser.get(meeting_url(held)))
    assert canary not in page
    assert "The minutes are being written." in page
    assert browser.get(meeting_url(held, "/minutes")).status_code == 403
    history = browser.get(meeting_url(held, "/minutes/history"))
    assert history.status_code == 403
    assert canary not in text(history)
    assert canary.encode() not in browser.get(meeting_url(held, ".ics")).data
    assert all(canary not in e.body_text + e.body_html for e in emails())


@pytest.mark.parametrize("who", ["member", "observer"])
def test_members_cannot_write_minutes(login, team, held, who):
    response = _write(login(getattr(team, who)), held, "Mine.", "Mine.")

    assert response.status_code == 403
    assert count(MinutesRevision) == 0


def test_no_minutes_for_a_draft_or_cancelled_meeting(login, team):
    cancelled = make_meeting(team.chair, team.group, items=("Opening",))
    chair = login(team.chair)
    chair.post(meeting_url(cancelled, "/cancel"), data={"reason": "Closed."})

    assert _write(chair, cancelled, "Opened.").status_code == 403
    assert count(MinutesRevision) == 0


# --- the delegated minute-taker ------------------------------------------------------


def test_a_delegated_member_writes_the_minutes(login, team, held):
    member = login(team.member)
    assert _write(member, held, "Before.", "Before.").status_code == 403

    response = login(team.chair).post(
        meeting_url(held, "/minutes/taker"), data={"user": str(team.member.id)}
    )
    assert response.status_code == 302
    assert fresh(held).minute_taker_id == team.member.id

    assert member.get(meeting_url(held, "/minutes")).status_code == 200
    page = follow(member, _write(member, held, "Opened by the chair.", "Reported."))
    assert "Minutes saved." in flashes(page)
    assert "Opened by the chair." in page
    [revision] = db.session.scalars(db.select(MinutesRevision)).all()
    assert revision.author_id == team.member.id
    # Someone else still cannot.
    assert _write(login(team.colleague), held, "Mine.", "Mine.").status_code == 403
    # The minute-taker circulates too.
    assert _circulate(member, held).status_code == 302
    assert fresh(held).minutes_stage == "circulated"


def test_only_a_participant_can_be_delegated(login, team, held):
    response = login(team.chair).post(
        meeting_url(held, "/minutes/taker"), data={"user": str(team.outsider.id)}
    )

    assert response.status_code == 400
    assert fresh(held).minute_taker_id is None
    assert _write(login(team.outsider), held, "Mine.").status_code == 403


def test_members_cannot_delegate(login, team, held):
    response = login(team.member).post(
        meeting_url(held, "/minutes/taker"), data={"user": str(team.member.id)}
    )

    assert response.status_code == 403
    assert fresh(held).minute_taker_id is None


# --- circulation and comments ---------------------------------------------------------


def test_circulated_minutes_reach_members_who_comment_until_the_deadline(
    login, team, held
):
    chair = login(team.chair)
    _write(chair, held, "Opened.", "Estonia reported on its pilot.")

    response = _circulate(chair, held, days=7)

    assert "Minutes circulated: members can comment." in flashes(
        follow(chair, response)
    )
    meeting = fresh(held)
    assert meeting.minutes_stage == "circulated"
    assert meeting.minutes_deadline > utcnow() + timedelta(days=6)
    sent = emails(subject="Draft minutes for comment")
    assert sorted(e.to_addr for e in sent) == sorted(p.email for p in team.participants)
    member = login(team.member)
    page = text(member.get(meeting_url(held)))
    assert "Estonia reported on its pilot." in page
    assert "Circulated for comments" in page

    response = member.post(
        meeting_url(held, "/minutes/comments"),
        data={"body": "Please add that Korea joined the pilot."},
    )

    page = follow(member, response)
    assert "Comment sent." in flashes(page)
    assert "Please add that Korea joined the pilot." in plain(section(page, "comments"))
    assert "Kadri Tamm" in plain(section(page, "comments"))


def test_comments_are_open_until_the_end_of_the_chosen_day_in_the_chairs_zone(
    login, team, held
):
    chair = login(team.chair)  # in Europe/Rome
    _write(chair, held, "Opened.", "Reported.")
    day = (utcnow() + timedelta(days=10)).date()

    chair.post(meeting_url(held, "/minutes/circulate"), data={"deadline": str(day)})

    end_of_day = datetime.combine(
        day + timedelta(days=1), time(0), tzinfo=ZoneInfo("Europe/Rome")
    ).astimezone(UTC)
    assert fresh(held).minutes_deadline == end_of_day


def test_no_comments_after_the_deadline(login, team, held):
    chair = login(team.chair)
    _write(chair, held, "Opened.", "Reported.")
    _circulate(chair, held)
    meeting = fresh(held)
    meeting.minutes_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    member = login(team.member)
    assert 'id="comment-body"' not in text(member.get(meeting_url(held)))

    response = member.post(
        meeting_url(held, "/minutes/comments"), data={"body": "Too late?"}
    )

    assert 300 <= response.status_code < 500
    if response.status_code in (302, 303):
        assert "Comments on these minutes are closed." in flashes(
            follow(member, response)
        )
    assert count(MinutesComment) == 0


def test_comments_before_circulation_are_refused(login, team, held):
    _write(login(team.chair), held, "Opened.", "Reported.")

    response = login(team.member).post(
        meeting_url(held, "/minutes/comments"), data={"body": "Early bird."}
    )

    assert response.status_code == 403
    assert count(MinutesComment) == 0


def test_a_deadline_in_the_past_is_refused(login, team, held):
    chair = login(team.chair)
    _write(chair, held, "Opened.", "Reported.")

    response = _circulate(chair, held, days=-2)

    assert "The deadline for comments must be in the future." in flashes(
        follow(chair, response)
    )
    assert fresh(held).minutes_stage == "draft"
    assert emails() == []


def test_members_history_starts_at_circulation(login, team, held):
    canary = f"CANARY-{uuid.uuid4().hex}"
    chair = login(team.chair)
    _write(chair, held, f"First try {canary}.", "Reported.")
    _write(chair, held, "Opened.", "Reported.")
    _circulate(chair, held)

    member_history = login(team.member).get(meeting_url(held, "/minutes/history"))

    assert canary not in text(member_history)
    assert _history(login(team.member), held) == [
        "Revision 3 · Circulated for comments"
    ]
    assert _history(chair, held) == [
        "Revision 3 · Circulated for comments",
        "Revision 2 · Draft minutes",
        "Revision 1 · Draft minutes",
    ]


# --- adoption and corrections ---------------------------------------------------------


def test_adopted_minutes_are_locked_and_sent_to_members(login, team, held):
    chair = login(team.chair)
    _write(chair, held, "Opened.", "Estonia reported on its pilot.")
    _circulate(chair, held)

    response = chair.post(meeting_url(held, "/minutes/adopt"))

    assert "Minutes adopted and sent to members." in flashes(follow(chair, response))
    meeting = fresh(held)
    assert meeting.minutes_stage == "adopted"
    assert meeting.minutes_adopted_at is not None
    sent = emails(subject="Minutes adopted")
    assert sorted(e.to_addr for e in sent) == sorted(p.email for p in team.participants)
    [to_member] = [e for e in sent if e.to_addr == team.member.email]
    assert to_member.subject == "Minutes adopted: Autumn plenary (Digital Identity)"
    assert "Estonia reported on its pilot." in to_member.body_text
    page = text(login(team.member).get(meeting_url(held)))
    assert "Adopted on" in page
    assert "Estonia reported on its pilot." in page
    # Adopting twice is not possible.
    assert chair.post(meeting_url(held, "/minutes/adopt")).status_code == 403


def test_adopted_minutes_show_even_if_the_agenda_was_never_published(login, team):
    held = past_meeting(
        team.chair, team.group, title="Quick call", items=("Opening", "Pilots")
    )
    write_minutes(team.chair, held, "Estonia reported on its pilot.")
    chair = login(team.chair)
    chair.post(meeting_url(held, "/minutes/adopt"))
    assert fresh(held).minutes_stage == "adopted"

    page = text(login(team.member).get(meeting_url(held)))

    assert "Adopted on" in page
    assert "Estonia reported on its pilot." in page


def test_members_cannot_adopt(login, team, held):
    chair = login(team.chair)
    _write(chair, held, "Opened.", "Reported.")
    _circulate(chair, held)

    assert (
        login(team.member).post(meeting_url(held, "/minutes/adopt")).status_code == 403
    )
    assert fresh(held).minutes_stage == "circulated"


def test_editing_adopted_minutes_needs_a_correction_note(login, team, held):
    chair = login(team.chair)
    _write(chair, held, "Opened.", "Estonia reported.")
    chair.post(meeting_url(held, "/minutes/adopt"))
    clear_outbox()
    form = text(chair.get(meeting_url(held, "/minutes")))
    assert "These minutes are adopted." in form

    response = _write(chair, held, "Opened.", "Estonia and Korea reported.")

    assert response.status_code == 400
    assert field_errors(text(response))["note"] == (
        "Adopted minutes are locked: say what the correction is."
    )
    assert [i.minutes for i in fresh(held).items] == ["Opened.", "Estonia reported."]
    assert emails() == []
    assert count(MinutesRevision) == 2  # draft, adopted


def test_a_correction_is_a_new_visible_revision(login, team, held):
    chair = login(team.chair)
    _write(chair, held, "Opened.", "Estonia reported.")
    _circulate(chair, held)
    chair.post(meeting_url(held, "/minutes/adopt"))
    clear_outbox()

    response = _write(
        chair, held, "Opened.", "Estonia and Korea reported.", note="Korea was missing."
    )

    assert response.status_code == 302
    meeting = fresh(held)
    assert meeting.minutes_stage == "adopted"
    assert [i.minutes for i in meeting.items] == [
        "Opened.",
        "Estonia and Korea reported.",
    ]
    member = login(team.member)
    history = text(member.get(meeting_url(held, "/minutes/history")))
    assert _history(member, held) == [
        "Revision 4 · Correction",
        "Revision 3 · Adopted",
        "Revision 2 · Circulated for comments",
    ]
    assert "Correction: Korea was missing." in plain(history)
    assert "Estonia reported." in plain(history)  # the adopted text is kept
    sent = emails(subject="Minutes corrected")
    assert len(sent) == len(team.participants)
    assert "Korea was missing." in sent[0].body_text


def test_every_revision_is_kept_with_its_text(login, team, held):
    chair = login(team.chair)
    _write(chair, held, "One.", "One.")
    _write(chair, held, "Two.", "Two.")
    _circulate(chair, held)
    _write(chair, held, "Three.", "Three.")
    chair.post(meeting_url(held, "/minutes/adopt"))
    _write(chair, held, "Four.", "Four.", note="Typo.")

    revisions = db.session.scalars(
        db.select(MinutesRevision).order_by(MinutesRevision.number)
    ).all()

    assert [(r.number, r.stage) for r in revisions] == [
        (1, "draft"),
        (2, "draft"),
        (3, "circulated"),
        (4, "circulated"),
        (5, "adopted"),
        (6, "correction"),
    ]
    assert [r.content[1]["text"] for r in revisions] == [
        "One.",
        "Two.",
        "Two.",
        "Three.",
        "Three.",
        "Four.",
    ]
    assert revisions[-1].note == "Typo."
    assert len(_history(chair, held)) == 6


def test_the_minute_taker_cannot_adopt(login, team, held):
    chair = login(team.chair)
    chair.post(meeting_url(held, "/minutes/taker"), data={"user": str(team.member.id)})
    member = login(team.member)
    _write(member, held, "Opened.", "Reported.")

    assert member.post(meeting_url(held, "/minutes/adopt")).status_code == 403
    assert fresh(held).minutes_stage == "draft"
