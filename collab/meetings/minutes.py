"""Minutes (a text per agenda item, every saved state kept as a revision), their
circulation and adoption, decisions and actions with reminders. Flush, never
commit."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload

from collab.audit import services as audit
from collab.auth.models import User
from collab.core.db import utcnow
from collab.core.errors import DomainError
from collab.extensions import db
from collab.groups.models import Group, Membership, MembershipStatus
from collab.meetings import notify, services
from collab.meetings.models import (
    Action,
    ActionStatus,
    AgendaItem,
    Decision,
    Meeting,
    MinutesComment,
    MinutesRevision,
    MinutesStage,
    Status,
)

MAX_TEXT = 50_000


# --- minutes -----------------------------------------------------------------------


def revisions(meeting: Meeting) -> list[MinutesRevision]:
    return list(
        db.session.scalars(
            select(MinutesRevision)
            .options(joinedload(MinutesRevision.author))
            .where(MinutesRevision.meeting_id == meeting.id)
            .order_by(MinutesRevision.number.desc())
        )
    )


def _content(meeting: Meeting) -> list[dict]:
    return [
        {"item": item.id, "title": item.title, "text": item.minutes}
        for item in meeting.items
    ]


def _revise(actor: User, meeting: Meeting, stage: str, note: str = "") -> None:
    number = (
        db.session.scalar(
            select(func.max(MinutesRevision.number)).where(
                MinutesRevision.meeting_id == meeting.id
            )
        )
        or 0
    ) + 1
    db.session.add(
        MinutesRevision(
            meeting_id=meeting.id,
            number=number,
            stage=stage,
            content=_content(meeting),
            note=note[:500],
            author=actor,
        )
    )


def save(actor: User, meeting: Meeting, texts: dict[int, str], note: str = "") -> bool:
    """Save the minutes of each item; after adoption only as a correction with a
    reason. Returns False when nothing changed."""
    if meeting.status not in (Status.SCHEDULED, Status.HELD):
        raise DomainError(_("Minutes are written for scheduled or held meetings."))
    adopted = meeting.minutes_stage == MinutesStage.ADOPTED
    note = (note or "").strip()
    if adopted and not note:
        raise DomainError(
            _("Adopted minutes are locked: say what the correction is."), "note"
        )
    changed = False
    for item in meeting.items:
        if item.id in texts:
            text = (texts[item.id] or "").strip()
            if len(text) > MAX_TEXT:
                raise DomainError(_("The minutes of one item are too long."))
            if text != item.minutes:
                item.minutes, changed = text, True
    if not changed:
        return False
    if meeting.minutes_stage == MinutesStage.NONE:
        meeting.minutes_stage = MinutesStage.DRAFT
    _revise(actor, meeting, "correction" if adopted else meeting.minutes_stage, note)
    audit.record(
        actor,
        "minutes.correct" if adopted else "minutes.save",
        meeting,
        group=meeting.group,
    )
    if adopted:
        notify.minutes_corrected(meeting, note)
    return True


def circulate(actor: User, meeting: Meeting, deadline: datetime) -> None:
    if meeting.minutes_stage != MinutesStage.DRAFT:
        raise DomainError(_("Only draft minutes can be circulated."))
    if deadline <= utcnow():
        raise DomainError(
            _("The deadline for comments must be in the future."), "deadline"
        )
    meeting.minutes_stage = MinutesStage.CIRCULATED
    meeting.minutes_deadline = deadline
    _revise(actor, meeting, MinutesStage.CIRCULATED)
    audit.record(actor, "minutes.circulate", meeting, group=meeting.group)
    notify.minutes_circulated(meeting)


def adopt(actor: User, meeting: Meeting) -> None:
    if meeting.minutes_stage not in (MinutesStage.DRAFT, MinutesStage.CIRCULATED):
        raise DomainError(_("These minutes cannot be adopted now."))
    meeting.minutes_stage = MinutesStage.ADOPTED
    meeting.minutes_adopted_at = utcnow()
    if meeting.status == Status.SCHEDULED and meeting.starts_at <= utcnow():
        meeting.status = Status.HELD
    _revise(actor, meeting, MinutesStage.ADOPTED)
    audit.record(actor, "minutes.adopt", meeting, group=meeting.group)
    notify.minutes_adopted(meeting)


def comments(meeting: Meeting) -> list[MinutesComment]:
    return list(
        db.session.scalars(
            select(MinutesComment)
            .options(joinedload(MinutesComment.author))
            .where(MinutesComment.meeting_id == meeting.id)
            .order_by(MinutesComment.created_at)
        )
    )


def comment(actor: User, meeting: Meeting, body: str) -> MinutesComment:
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write a comment."), "body")
    if len(body) > 5000:
        raise DomainError(_("A comment has at most 5,000 characters."), "body")
    row = MinutesComment(meeting_id=meeting.id, author=actor, body=body)
    db.session.add(row)
    return row


def set_minute_taker(actor: User, meeting: Meeting, user_id: int | None) -> None:
    person = services.participant(meeting.group, user_id)
    if user_id and person is None:
        raise DomainError(_("Choose a member of the group."), "user")
    meeting.minute_taker = person
    audit.record(
        actor,
        "minutes.delegate",
        meeting,
        group=meeting.group,
        to=person.id if person else None,
    )


# --- decisions and actions ---------------------------------------------------------


def decisions(meeting: Meeting) -> dict[int, list[Decision]]:
    out: dict[int, list[Decision]] = {}
    for row in db.session.scalars(
        select(Decision).where(Decision.meeting_id == meeting.id).order_by(Decision.id)
    ):
        out.setdefault(row.item_id, []).append(row)
    return out


def actions_by_item(meeting: Meeting) -> dict[int, list[Action]]:
    out: dict[int, list[Action]] = {}
    for row in db.session.scalars(
        select(Action)
        .options(joinedload(Action.owner))
        .where(Action.meeting_id == meeting.id)
        .order_by(Action.id)
    ):
        out.setdefault(row.item_id, []).append(row)
    return out


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        raise DomainError(_("Choose an item of this agenda."))
    return item


def add_decision(actor: User, meeting: Meeting, item_id: int, text: str) -> Decision:
    item = _item(meeting, item_id)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the decision."), "text")
    row = Decision(meeting_id=meeting.id, item_id=item.id, text=text[:5000])
    db.session.add(row)
    audit.record(actor, "decision.add", meeting, group=meeting.group)
    return row


def remove_decision(actor: User, meeting: Meeting, decision_id: int) -> None:
    row = db.session.get(Decision, decision_id)
    if row is None or row.meeting_id != meeting.id:
        raise DomainError(_("That decision is not part of this meeting."))
    db.session.delete(row)
    audit.record(actor, "decision.remove", meeting, group=meeting.group)


def add_action(
    actor: User, meeting: Meeting, item_id: int, text: str, owner_id: int, due_on: date
) -> Action:
    item = _item(meeting, item_id)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Say what is to be done."), "text")
    owner = services.participant(meeting.group, owner_id)
    if owner is None:
        raise DomainError(_("Choose a member of the group."), "owner")
    if due_on is None:
        raise DomainError(_("Give a due date."), "due_on")
    row = Action(
        group_id=meeting.group_id,
        meeting=meeting,
        item_id=item.id,
        text=text[:2000],
        owner=owner,
        due_on=due_on,
        status=ActionStatus.OPEN,
    )
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "action.add", meeting, group=meeting.group, owner=owner.id)
    notify.action_assigned(row)
    return row


def set_action_status(actor: User, action: Action, status: str) -> None:
    if status not in set(ActionStatus):
        raise DomainError(_("Choose open, done or dropped."), "status")
    if action.status == status:
        return
    action.status = status
    action.status_changed_at = utcnow()
    audit.record(
        actor,
        "action.status",
        action.meeting,
        group=action.meeting.group,
        status=status,
    )


def get_action(group: Group, action_id: int) -> Action | None:
    return db.session.scalar(
        select(Action)
        .options(joinedload(Action.meeting), joinedload(Action.owner))
        .where(Action.id == action_id, Action.group_id == group.id)
    )


def register(group: Group, status: str | None, owner_id: int | None = None):
    """The group's action register: actions across meetings, oldest due first."""
    query = (
        select(Action)
        .options(joinedload(Action.owner), joinedload(Action.meeting))
        .join(Meeting, Meeting.id == Action.meeting_id)
        .where(Action.group_id == group.id, Meeting.status != Status.DRAFT)
    )
    if status in set(ActionStatus):
        query = query.where(Action.status == status)
    if owner_id:
        query = query.where(Action.owner_id == owner_id)
    return query.order_by(Action.due_on, Action.id)


@dataclass(frozen=True)
class ReviewedAction:
    """An open action as the review item lists it (plain values: a big group has
    hundreds, and the page needs four fields of each)."""

    text: str
    due_on: date
    owner: object | None  # id, display_name and erased_at of the owner
    meeting_title: str


def open_actions_before(meeting: Meeting) -> list[ReviewedAction]:
    """What a "review of open actions" item lists: open actions from the group's
    earlier meetings, oldest due first."""
    rows = db.session.execute(
        select(Action.text, Action.due_on, Action.owner_id, Meeting.title)
        .join(Meeting, Meeting.id == Action.meeting_id)
        .where(
            Action.group_id == meeting.group_id,
            Action.status == ActionStatus.OPEN,
            Action.meeting_id != meeting.id,
            Meeting.status != Status.DRAFT,
            Meeting.starts_at < meeting.starts_at,
        )
        .order_by(Action.due_on, Action.id)
    ).all()
    owner_ids = {row.owner_id for row in rows if row.owner_id}
    owners = {
        row.id: row
        for row in db.session.execute(
            select(User.id, User.display_name, User.erased_at).where(
                User.id.in_(owner_ids)
            )
        )
    }
    return [
        ReviewedAction(row.text, row.due_on, owners.get(row.owner_id), row.title)
        for row in rows
    ]


def open_actions_of(user: User, limit: int = 10) -> list[Action]:
    return list(
        db.session.scalars(
            select(Action)
            .options(joinedload(Action.meeting).joinedload(Meeting.group))
            .where(
                Action.owner_id == user.id,
                Action.status == ActionStatus.OPEN,
                Action.group_id.in_(services.active_group_ids(user)),
            )
            .order_by(Action.due_on)
            .limit(limit)
        )
    )


def send_reminders(today: date | None = None) -> int:
    """E-mail owners of open actions due within ACTION_REMINDER_DAYS, once each."""
    today = today or utcnow().date()
    horizon = today + timedelta(days=current_app.config["ACTION_REMINDER_DAYS"])
    due = db.session.scalars(
        select(Action)
        .options(joinedload(Action.owner), joinedload(Action.meeting))
        .where(
            Action.status == ActionStatus.OPEN,
            Action.reminded_at.is_(None),
            Action.due_on <= horizon,
            Action.due_on >= today,
            # Only people still in the group: the text may be private to it.
            exists().where(
                Membership.user_id == Action.owner_id,
                Membership.group_id == Action.group_id,
                Membership.status == MembershipStatus.ACTIVE,
            ),
        )
    ).all()
    count = 0
    for action in due:
        if action.owner.is_active and action.owner.erased_at is None:
            notify.action_reminder(action)
            count += 1
        action.reminded_at = utcnow()
    return count
