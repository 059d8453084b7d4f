"""Answers (attending, maybe, not attending, with a comment) from members and
observers, the chair's view of them by country, and attendance recorded in one form
and kept, by country, as part of the record."""

import re
from datetime import timedelta

import pytest

from collab.core.db import utcnow
from collab.extensions import db
from collab.meetings import services
from collab.meetings.models import Attendance, Rsvp
from tests import factories
from tests.meetings.conftest import (
    count,
    flashes,
    follow,
    fresh,
    make_meeting,
    meeting_url,
    plain,
    section,
    text,
)


def _answer(browser, meeting, answer, comment=""):
    return browser.post(
        meeting_url(meeting, "/rsvp"), data={"answer": answer, "comment": comment}
    )


def _rsvp_of(user, meeting):
    db.session.expire_all()
    return db.session.scalar(
        db.select(Rsvp).where(Rsvp.user_id == user.id, Rsvp.meeting_id == meeting.id)
    )


@pytest.fixture
def meeting(team):
    return make_meeting(team.chair, team.group, title="Wallet plenary")


def _ongoing(team):
    """Started an hour or two ago, ends in an hour or two (in UTC)."""
    start = (utcnow() - timedelta(hours=1)).replace(minute=0, second=0)
    end = start + timedelta(hours=3)
    return make_meeting(
        team.chair,
        team.group,
        title="Ongoing",
        day=start.date(),
        start=start.strftime("%H:%M"),
        end_day=end.date(),
        end=end.strftime("%H:%M"),
        zone="UTC",
    )


# --- answering ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "observer", "chair"])
def test_members_and_observers_answer_with_a_comment(login, team, meeting, who):
    person = getattr(team, who)
    browser = login(person)

    response = _answer(browser, meeting, "yes", "Joining online from Tallinn.")

    page = follow(browser, response)
    assert "Thank you, your answer is saved." in flashes(page)
    assert "You answered: Attending." in plain(page)
    assert 'value="Joining online from Tallinn."' in page
    rsvp = _rsvp_of(person, meeting)
    assert (rsvp.answer, rsvp.comment) == ("yes", "Joining online from Tallinn.")


def test_an_answer_can_be_changed(login, team, meeting):
    browser = login(team.member)
    _answer(browser, meeting, "yes", "Joining in person.")
    _answer(browser, meeting, "maybe", "Depends on flights.")

    page = follow(browser, _answer(browser, meeting, "no", "My deputy will come."))

    assert "You answered: Not attending." in plain(page)
    assert count(Rsvp) == 1
    rsvp = _rsvp_of(team.member, meeting)
    assert (rsvp.answer, rsvp.comment) == ("no", "My deputy will come.")


def test_an_answer_must_be_one_of_the_three(login, team, meeting):
    response = _answer(login(team.member), meeting, "definitely")

    assert response.status_code == 400
    assert count(Rsvp) == 0


def test_answers_to_a_cancelled_meeting_are_refused_clearly(login, team, meeting):
    browser = login(team.member)
    _answer(browser, meeting, "yes")
    login(team.chair).post(meeting_url(meeting, "/cancel"), data={"reason": "Closed."})

    response = _answer(browser, meeting, "no", "Changed my mind.")

    assert 400 <= response.status_code < 500
    assert "This meeting was cancelled: no answer is needed." in plain(text(response))
    rsvp = _rsvp_of(team.member, meeting)
    assert (rsvp.answer, rsvp.comment) == ("yes", "")
    assert "Will you attend?" not in text(browser.get(meeting_url(meeting)))


def test_answers_to_a_past_meeting_are_closed(login, team):
    past = make_meeting(
        team.chair, team.group, day=(utcnow() - timedelta(days=3)).date()
    )

    response = _answer(login(team.member), past, "yes")

    assert response.status_code == 400
    assert "Answers are closed for this meeting." in plain(text(response))
    assert count(Rsvp) == 0


def test_outsiders_of_a_public_group_cannot_answer(login, team, meeting):
    browser = login(team.outsider)
    assert browser.get(meeting_url(meeting)).status_code == 200  # they may look

    response = _answer(browser, meeting, "yes", "Let me in.")

    assert response.status_code == 403
    assert count(Rsvp) == 0
    assert "Will you attend?" not in text(browser.get(meeting_url(meeting)))


def test_nobody_answers_a_draft(login, team):
    draft = make_meeting(team.chair, team.group, status="draft")

    assert _answer(login(team.member), draft, "yes").status_code == 404
    assert count(Rsvp) == 0


def test_a_pending_member_cannot_answer(login, team, meeting):
    pending = factories.make_user("Pia Pending")
    factories.add_member(team.group, pending, status="pending")

    assert _answer(login(pending), meeting, "yes").status_code == 403
    assert count(Rsvp) == 0


# --- the chair's view of the answers --------------------------------------------------


def test_chair_sees_the_answers_by_country(login, team, meeting):
    estonian = factories.make_user("Liis Kask", country="EE")
    factories.add_member(team.group, estonian)
    _answer(login(team.member), meeting, "yes", "Joining online.")
    _answer(login(estonian), meeting, "no", "On leave.")
    _answer(login(team.observer), meeting, "maybe")

    chair = login(team.chair)
    summary = plain(text(chair.get(meeting_url(meeting))))
    page = text(chair.get(meeting_url(meeting, "/responses")))

    assert "Answers so far: 1 attending, 1 maybe, 1 not attending." in summary
    headings = [plain(h) for h in re.findall(r"<h2>(.*?)</h2>", page)]
    assert headings == ["Estonia", "Italy", "Netherlands", "Norway"]
    words = plain(page)
    estonia = words.split("Estonia", 1)[1].split("Italy", 1)[0]
    assert "Kadri Tamm Attending Joining online." in estonia
    assert "Liis Kask Not attending On leave." in estonia
    assert "Chiara Rossi No answer" in words
    assert "Olaf Observer Maybe" in words


@pytest.mark.parametrize("who", ["member", "observer", "outsider"])
def test_only_chairs_see_who_answered(login, team, meeting, who):
    _answer(login(team.member), meeting, "no", "Private reason.")
    browser = login(getattr(team, who))

    assert browser.get(meeting_url(meeting, "/responses")).status_code == 403
    page = text(browser.get(meeting_url(meeting)))
    assert "Answers so far" not in page
    assert "Who answered, by country" not in page


# --- attendance --------------------------------------------------------------------


def _checked(page: str) -> dict[int, str]:
    """The presence each person's radio buttons show as chosen."""
    return {
        int(user): value
        for user, value in re.findall(
            r'<input type="radio" id="presence-(\d+)-\w+" name="presence-\d+" '
            r'value="(\w+)" checked>',
            page,
        )
    }


def test_attendance_form_is_prefilled_from_the_answers(login, team):
    meeting = _ongoing(team)
    _answer(login(team.member), meeting, "yes")
    _answer(login(team.colleague), meeting, "no")
    _answer(login(team.observer), meeting, "maybe")

    page = text(login(team.chair).get(meeting_url(meeting, "/attendance")))

    assert _checked(page) == {team.member.id: "present", team.colleague.id: "excused"}
    assert "Kadri Tamm (Attending)" in plain(page)


def test_chair_records_attendance_in_one_form(login, team):
    meeting = _ongoing(team)
    chair = login(team.chair)

    response = chair.post(
        meeting_url(meeting, "/attendance"),
        data={
            f"presence-{team.chair.id}": "present",
            f"presence-{team.member.id}": "present",
            f"presence-{team.colleague.id}": "excused",
            f"presence-{team.observer.id}": "absent",
            f"presence-{team.outsider.id}": "present",  # not a participant: ignored
        },
    )

    page = follow(chair, response)
    assert "Attendance saved for 4 people." in flashes(page)
    assert count(Attendance) == 4
    record = plain(section(page, "attendance"))
    assert "Estonia Kadri Tamm" in record
    assert "Italy Chiara Rossi" in record
    assert "Excused: Jan de Vries" in record
    assert "Olaf Observer" not in record  # absent
    assert "Oscar Outsider" not in record
    # Reopening the form shows what was recorded.
    form = text(chair.get(meeting_url(meeting, "/attendance")))
    assert _checked(form) == {
        team.chair.id: "present",
        team.member.id: "present",
        team.colleague.id: "excused",
        team.observer.id: "absent",
    }


def test_attendance_list_by_country_is_part_of_the_record(login, team):
    meeting = _ongoing(team)
    estonian = factories.make_user("Aare Ader", country="EE")
    factories.add_member(team.group, estonian)
    login(team.chair).post(
        meeting_url(meeting, "/attendance"),
        data={f"presence-{p.id}": "present" for p in (*team.participants, estonian)},
    )
    services.mark_held(team.chair, fresh(meeting))
    db.session.commit()

    record = plain(
        section(text(login(team.member).get(meeting_url(meeting))), "attendance")
    )

    assert record == (
        "Attendance Estonia Aare Ader, Kadri Tamm Italy Chiara Rossi "
        "Netherlands Jan de Vries Norway Olaf Observer"
    )


def test_attendance_list_keeps_names_in_order_when_recorded_twice(login, team):
    meeting = _ongoing(team)
    later = factories.make_user("Aare Ader", country="EE")
    factories.add_member(team.group, later)
    chair = login(team.chair)
    chair.post(
        meeting_url(meeting, "/attendance"),
        data={f"presence-{team.member.id}": "present"},
    )
    chair.post(
        meeting_url(meeting, "/attendance"),
        data={
            f"presence-{later.id}": "present",
            f"presence-{team.member.id}": "present",
        },
    )

    record = plain(section(text(chair.get(meeting_url(meeting))), "attendance"))

    assert "Estonia Aare Ader, Kadri Tamm" in record


def test_attendance_can_be_corrected(login, team):
    meeting = _ongoing(team)
    chair = login(team.chair)
    chair.post(
        meeting_url(meeting, "/attendance"),
        data={f"presence-{team.member.id}": "absent"},
    )

    chair.post(
        meeting_url(meeting, "/attendance"),
        data={f"presence-{team.member.id}": "present"},
    )

    assert count(Attendance) == 1
    assert "Kadri Tamm" in plain(
        section(text(chair.get(meeting_url(meeting))), "attendance")
    )


@pytest.mark.parametrize("who", ["member", "observer", "outsider"])
def test_only_chairs_record_attendance(login, team, who):
    meeting = _ongoing(team)
    browser = login(getattr(team, who))

    assert browser.get(meeting_url(meeting, "/attendance")).status_code == 403
    response = browser.post(
        meeting_url(meeting, "/attendance"),
        data={f"presence-{team.member.id}": "present"},
    )
    assert response.status_code == 403
    assert count(Attendance) == 0


def test_no_attendance_for_a_draft_or_cancelled_meeting(login, team):
    draft = make_meeting(team.chair, team.group, status="draft")
    cancelled = make_meeting(team.chair, team.group)
    chair = login(team.chair)
    chair.post(meeting_url(cancelled, "/cancel"), data={"reason": "Closed."})

    for meeting in (draft, cancelled):
        response = chair.post(
            meeting_url(meeting, "/attendance"),
            data={f"presence-{team.member.id}": "present"},
        )
        assert response.status_code == 403
    assert count(Attendance) == 0
