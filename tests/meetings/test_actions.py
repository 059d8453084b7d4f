"""Decisions and actions per agenda item: owners are told and reminded (through a real
SMTP server), the action register lists them across meetings, owners close their own,
chairs set any status."""

import re
from datetime import timedelta

import pytest

from collab.core.db import utcnow
from collab.extensions import db
from collab.groups.models import Membership
from collab.meetings import minutes
from collab.meetings.models import Action, Decision
from collab.notifications.models import OutboxEmail
from collab.notifications.services import deliver_pending
from tests import factories
from tests.meetings.conftest import (
    clear_outbox,
    count,
    emails,
    flashes,
    follow,
    fresh,
    has_button,
    location,
    make_meeting,
    meeting_url,
    past_meeting,
    plain,
    text,
    write_minutes,
)
from tests.notifications.mail import link_in, text_of

REGISTER = "/groups/digital-identity/actions/"


def _today():
    return utcnow().date()


@pytest.fixture
def held(team):
    return past_meeting(
        team.chair,
        team.group,
        title="Autumn plenary",
        items=("Opening", "Wallet pilots"),
        publish=True,
    )


def _record_action(browser, meeting, item, text_, owner, due):
    return browser.post(
        meeting_url(meeting, f"/agenda/{item.id}/actions"),
        data={"text": text_, "owner": str(owner.id), "due_on": str(due)},
    )


def _action(meeting, text_, owner, due_in=10, item=0, status="open"):
    """An action recorded through the services, without its e-mail."""
    row = minutes.add_action(
        meeting.created_by,
        meeting,
        meeting.items[item].id,
        text_,
        owner.id,
        _today() + timedelta(days=due_in),
    )
    if status != "open":
        minutes.set_action_status(meeting.created_by, row, status)
    db.session.commit()
    clear_outbox()
    return row


def _register(browser, query: str = "") -> list[str]:
    page = text(browser.get(REGISTER + query))
    return [
        plain(cell)
        for cell in re.findall(r'<td data-label="Action">(.*?)</td>', page, re.S)
    ]


# --- decisions ---------------------------------------------------------------------


def test_decisions_are_recorded_per_item_and_shown_with_the_minutes(login, team, held):
    chair = login(team.chair)
    opening, pilots = held.items

    response = chair.post(
        meeting_url(held, f"/agenda/{pilots.id}/decisions"),
        data={"text": "The group will publish a joint note on pilot lessons."},
    )

    assert "Decision recorded." in flashes(follow(chair, response))
    [decision] = db.session.scalars(db.select(Decision)).all()
    assert decision.item_id == pilots.id
    form = text(chair.get(meeting_url(held, "/minutes")))
    assert "The group will publish a joint note on pilot lessons." in form
    member = login(team.member)
    assert "joint note" not in text(member.get(meeting_url(held)))  # draft outcomes
    write_minutes(team.chair, fresh(held))
    chair.post(
        meeting_url(held, "/minutes/circulate"),
        data={"deadline": str(_today() + timedelta(days=7))},
    )
    page = text(member.get(meeting_url(held)))
    item = page.split(f'id="item-{pilots.id}"')[1]
    assert "Decisions" in item
    assert "The group will publish a joint note on pilot lessons." in item
    assert (
        "joint note"
        not in page.split(f'id="item-{opening.id}"')[1].split(f'id="item-{pilots.id}"')[
            0
        ]
    )


def test_a_decision_can_be_removed(login, team, held):
    chair = login(team.chair)
    chair.post(
        meeting_url(held, f"/agenda/{held.items[0].id}/decisions"),
        data={"text": "Wrong."},
    )
    [decision] = db.session.scalars(db.select(Decision)).all()

    chair.post(meeting_url(held, f"/decisions/{decision.id}/delete"))

    assert count(Decision) == 0


@pytest.mark.parametrize("who", ["member", "observer"])
def test_members_cannot_record_outcomes(login, team, held, who):
    browser = login(getattr(team, who))
    item = held.items[0]

    assert (
        browser.post(
            meeting_url(held, f"/agenda/{item.id}/decisions"), data={"text": "Mine."}
        ).status_code
        == 403
    )
    assert (
        _record_action(browser, held, item, "Mine", team.member, _today()).status_code
        == 403
    )
    assert count(Decision) == count(Action) == 0


def test_no_outcomes_after_adoption(login, team, held):
    write_minutes(team.chair, held)
    minutes.adopt(team.chair, fresh(held))
    db.session.commit()
    chair = login(team.chair)
    item = held.items[0]

    assert (
        chair.post(
            meeting_url(held, f"/agenda/{item.id}/decisions"), data={"text": "Late."}
        ).status_code
        == 403
    )
    assert (
        _record_action(chair, held, item, "Late", team.member, _today()).status_code
        == 403
    )
    assert count(Decision) == count(Action) == 0


# --- actions -----------------------------------------------------------------------


def test_an_action_is_recorded_and_its_owner_told(login, team, held):
    chair = login(team.chair)
    due = _today() + timedelta(days=14)
    pilots = held.items[1]

    response = _record_action(
        chair, held, pilots, "Draft the joint note", team.member, due
    )

    assert location(response) == meeting_url(held, f"/minutes#outcomes-{pilots.id}")
    assert "Action recorded; its owner was told." in flashes(follow(chair, response))
    action = db.session.scalar(db.select(Action))
    assert (action.text, action.owner_id, action.due_on, action.status) == (
        "Draft the joint note",
        team.member.id,
        due,
        "open",
    )
    assert action.item_id == pilots.id
    [email] = emails()
    assert email.to_addr == team.member.email
    assert email.subject == "New action for you: Digital Identity"
    assert "Draft the joint note" in email.body_text
    assert "At Autumn plenary you were given an action" in email.body_text
    assert "http://collab.test/groups/digital-identity/actions/?mine=1" in (
        email.body_text
    )
    page = text(login(team.member).get(meeting_url(held)))
    assert "Draft the joint note — Kadri Tamm" in plain(page)


def test_an_action_needs_an_owner_from_the_group(login, team, held):
    chair = login(team.chair)

    response = _record_action(
        chair, held, held.items[0], "Outside job", team.outsider, _today()
    )

    assert "Give the action, its owner and a due date." in flashes(
        follow(chair, response)
    )
    assert count(Action) == 0
    assert emails() == []


def test_an_action_needs_a_due_date(login, team, held):
    chair = login(team.chair)

    response = chair.post(
        meeting_url(held, f"/agenda/{held.items[0].id}/actions"),
        data={"text": "Someday", "owner": str(team.member.id), "due_on": ""},
    )

    assert response.status_code == 303
    assert count(Action) == 0


# --- the register ------------------------------------------------------------------


def test_register_lists_open_actions_across_meetings_oldest_due_first(
    login, team, held
):
    earlier = past_meeting(
        team.chair, team.group, days_ago=40, title="Summer plenary", items=("Pilots",)
    )
    _action(held, "Circulate the mapping table", team.colleague, due_in=9)
    _action(earlier, "Collect pilot reports", team.member, due_in=-5)
    _action(held, "Share slides", team.member, due_in=2, status="done")
    _action(held, "Old idea", team.member, due_in=3, status="dropped")
    other = past_meeting(team.other_chair, team.private_group, items=("Clauses",))
    _action(other, "Other group's action", team.other_member)
    member = login(team.member)

    page = text(member.get(REGISTER))

    assert _register(member) == ["Collect pilot reports", "Circulate the mapping table"]
    words = plain(page)
    assert "Collect pilot reports Kadri Tamm" in words
    assert "overdue" in words
    assert "Summer plenary" in words and "Autumn plenary" in words
    assert "Other group's action" not in page


def test_register_filters_by_status_and_owner(login, team, held):
    _action(held, "Circulate the mapping table", team.colleague, due_in=9)
    _action(held, "Collect pilot reports", team.member, due_in=5)
    _action(held, "Share slides", team.member, due_in=2, status="done")
    _action(held, "Old idea", team.member, due_in=3, status="dropped")
    member = login(team.member)

    assert _register(member, "?status=done") == ["Share slides"]
    assert _register(member, "?status=dropped") == ["Old idea"]
    assert _register(member, "?status=all") == [
        "Share slides",
        "Old idea",
        "Collect pilot reports",
        "Circulate the mapping table",
    ]
    assert _register(member, "?status=open&mine=1") == ["Collect pilot reports"]
    assert _register(login(team.colleague), "?mine=1") == [
        "Circulate the mapping table"
    ]


def test_register_of_a_private_group_is_hidden_from_outsiders(login, team):
    meeting = past_meeting(team.other_chair, team.private_group, items=("Clauses",))
    _action(meeting, "Secret action", team.other_member)

    response = login(team.outsider).get("/groups/ict-procurement/actions/")

    assert response.status_code == 404
    assert "Secret action" not in text(response)
    assert _register_of(login(team.other_member)) == ["Secret action"]


def _register_of(browser):
    page = text(browser.get("/groups/ict-procurement/actions/"))
    return [
        plain(c) for c in re.findall(r'<td data-label="Action">(.*?)</td>', page, re.S)
    ]


# --- status --------------------------------------------------------------------------


def _status(browser, action, status, **extra):
    return browser.post(
        f"/groups/digital-identity/actions/{action.id}/status",
        data={"status": status, **extra},
    )


def test_owners_mark_their_own_actions_done(login, team, held):
    action = _action(held, "Collect pilot reports", team.member)
    member = login(team.member)
    assert has_button(text(member.get(REGISTER)), "Mark done")

    response = _status(member, action, "done")

    assert "Action updated." in flashes(follow(member, response))
    assert fresh(action).status == "done"
    assert fresh(action).status_changed_at is not None
    assert _register(member) == []
    assert _register(member, "?status=done") == ["Collect pilot reports"]


def test_owners_mark_done_from_the_meeting_page(login, team, held):
    action = _action(held, "Collect pilot reports", team.member)
    member = login(team.member)

    response = _status(member, action, "done", back="meeting")

    assert location(response) == meeting_url(held)
    assert "Collect pilot reports — Kadri Tamm" in plain(follow(member, response))
    assert fresh(action).status == "done"


def test_owners_cannot_drop_or_reopen(login, team, held):
    action = _action(held, "Collect pilot reports", team.member)
    member = login(team.member)

    assert _status(member, action, "dropped").status_code == 403
    assert fresh(action).status == "open"
    _status(member, action, "done")
    assert _status(member, action, "open").status_code == 403
    assert fresh(action).status == "done"
    page = text(member.get(REGISTER + "?status=done"))
    assert not has_button(page, "Reopen") and not has_button(page, "Drop")


@pytest.mark.parametrize("who", ["colleague", "observer", "outsider"])
def test_others_cannot_change_someone_elses_action(login, team, held, who):
    action = _action(held, "Collect pilot reports", team.member)
    browser = login(getattr(team, who))

    assert _status(browser, action, "done").status_code == 403
    assert fresh(action).status == "open"
    assert not has_button(text(browser.get(REGISTER)), "Mark done")


def test_chairs_drop_and_reopen_any_action(login, team, held):
    action = _action(held, "Collect pilot reports", team.member)
    chair = login(team.chair)

    _status(chair, action, "dropped")
    assert fresh(action).status == "dropped"
    assert has_button(text(chair.get(REGISTER + "?status=dropped")), "Reopen")
    _status(chair, action, "open")
    assert fresh(action).status == "open"
    _status(chair, action, "done")
    assert fresh(action).status == "done"


def test_an_invalid_status_changes_nothing(login, team, held):
    action = _action(held, "Collect pilot reports", team.member)
    chair = login(team.chair)

    page = follow(chair, _status(chair, action, "forgotten"))

    assert "Choose open, done or dropped." in flashes(page)
    assert fresh(action).status == "open"


def test_an_action_of_another_group_is_404_through_this_group(login, team):
    meeting = past_meeting(team.other_chair, team.private_group, items=("Clauses",))
    action = _action(meeting, "Secret action", team.other_member)

    response = _status(login(team.chair), action, "dropped")

    assert response.status_code == 404
    assert fresh(action).status == "open"


def test_my_calendar_page_and_dashboard_list_my_open_actions(login, team, held):
    _action(held, "Collect pilot reports", team.member, due_in=5)
    _action(held, "Not mine", team.colleague, due_in=5)
    _action(held, "Finished", team.member, due_in=5, status="done")
    member = login(team.member)

    for path in ("/", "/calendar/"):
        page = text(member.get(path))
        assert "Collect pilot reports" in page
        assert "Not mine" not in page and "Finished" not in page


# --- reminders, through a real SMTP server -------------------------------------------


@pytest.fixture
def due_soon(team, held):
    """Actions due at various distances from today, plus ones not to remind."""
    inactive = factories.make_user("Ina Inactive", country="DE")
    factories.add_member(team.group, inactive)
    actions = {
        "today": _action(held, "Due today", team.member, due_in=0),
        "tomorrow": _action(held, "Due tomorrow", team.colleague, due_in=1),
        "limit": _action(held, "Due in three days", team.member, due_in=3),
        "later": _action(held, "Due in four days", team.member, due_in=4),
        "overdue": _action(held, "Overdue", team.member, due_in=-1),
        "done": _action(held, "Done already", team.member, due_in=1, status="done"),
        "dropped": _action(held, "Dropped", team.member, due_in=1, status="dropped"),
        "inactive": _action(held, "Owner left", inactive, due_in=1),
    }
    inactive.is_active = False
    db.session.commit()
    return actions


def test_reminders_reach_owners_of_actions_due_within_the_window(
    app, team, due_soon, smtp_server
):
    assert app.config["ACTION_REMINDER_DAYS"] == 3

    result = app.test_cli_runner().invoke(args=["meetings", "remind"])

    assert result.exit_code == 0, result.output
    assert "3 reminder(s) queued" in result.output
    assert "sent 3, failed 0" in result.output
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        [team.member.email, team.member.email, team.colleague.email]
    )
    bodies = "\n".join(text_of(m) for m in smtp_server.messages)
    for wanted in ("Due today", "Due tomorrow", "Due in three days"):
        assert wanted in bodies
    for unwanted in ("Due in four days", "Overdue", "Done already", "Dropped"):
        assert unwanted not in bodies
    [tomorrow] = smtp_server.to(team.colleague.email)
    assert tomorrow["Subject"].startswith("Reminder: action due ")
    assert tomorrow["Subject"].endswith("(Digital Identity)")
    assert "This action from Autumn plenary is due" in text_of(tomorrow)
    assert link_in(tomorrow) == "/groups/digital-identity/actions/?mine=1"


def test_each_action_is_reminded_once(app, team, due_soon, smtp_server):
    runner = app.test_cli_runner()
    runner.invoke(args=["meetings", "remind"])
    first = len(smtp_server.messages)

    again = runner.invoke(args=["meetings", "remind"])

    assert again.exit_code == 0, again.output
    assert "0 reminder(s) queued" in again.output
    assert len(smtp_server.messages) == first == 3
    assert fresh(due_soon["later"]).reminded_at is None


def test_an_action_entering_the_window_later_is_reminded_then(
    app, team, due_soon, smtp_server
):
    app.test_cli_runner().invoke(args=["meetings", "remind"])
    smtp_server.messages.clear()

    assert minutes.send_reminders(today=_today() + timedelta(days=1)) == 1
    db.session.commit()
    assert deliver_pending() == (1, 0)

    [message] = smtp_server.messages
    assert message["To"] == team.member.email
    assert "Due in four days" in text_of(message)


def test_reminders_wait_while_smtp_is_down_and_arrive_once_it_is_back(
    app, team, due_soon, smtp_down
):
    result = app.test_cli_runner().invoke(args=["meetings", "remind"])
    assert "sent 0, failed 3" in result.output

    smtp_down.start()
    db.session.execute(
        db.update(OutboxEmail).values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    assert deliver_pending() == (3, 0)
    again = app.test_cli_runner().invoke(args=["meetings", "remind"])

    assert "0 reminder(s) queued" in again.output
    assert len(smtp_down.messages) == 3


def test_no_reminder_reaches_someone_who_left_the_private_group(
    app, login, team, smtp_server
):
    meeting = past_meeting(team.other_chair, team.private_group, items=("Clauses",))
    secret = f"Review clause {team.private_group.id} before tender"
    _action(meeting, secret, team.other_member, due_in=1)
    membership = db.session.scalar(
        db.select(Membership).where(Membership.user_id == team.other_member.id)
    )
    db.session.delete(membership)
    db.session.commit()

    app.test_cli_runner().invoke(args=["meetings", "remind"])

    for message in smtp_server.to(team.other_member.email):
        assert secret not in message.as_string()
    assert smtp_server.to(team.other_member.email) == []


def test_assignment_email_is_delivered(login, team, held, smtp_server):
    _record_action(
        login(team.chair),
        held,
        held.items[1],
        "Draft the joint note",
        team.member,
        _today() + timedelta(days=14),
    )

    assert deliver_pending() == (1, 0)

    [message] = smtp_server.messages
    assert message["To"] == team.member.email
    assert message["Subject"] == "New action for you: Digital Identity"
    assert "Draft the joint note" in text_of(message)
    assert link_in(message) == "/groups/digital-identity/actions/?mine=1"


def test_a_meeting_not_yet_held_can_record_actions(login, team):
    meeting = make_meeting(team.chair, team.group, items=("Opening",))
    chair = login(team.chair)

    _record_action(chair, meeting, meeting.items[0], "Prepare", team.member, _today())

    assert count(Action) == 1
