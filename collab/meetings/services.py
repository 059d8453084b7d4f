"""Scheduling meetings, their status, answers and attendance. Flush, never commit."""

import uuid
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from collab.audit import services as audit
from collab.auth.models import User
from collab.core.db import utcnow
from collab.core.errors import DomainError
from collab.extensions import db
from collab.groups.models import Group, Membership, MembershipStatus
from collab.meetings import notify, times
from collab.meetings.models import (
    AgendaDocument,
    AgendaItem,
    Answer,
    Attendance,
    Meeting,
    Presence,
    Rsvp,
    Status,
)

# Fields whose change members' calendars must hear about.
CALENDAR_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "timezone",
    "location",
    "online_url",
)


# --- reading -----------------------------------------------------------------------


def get_meeting(group: Group, meeting_id: int) -> Meeting | None:
    return db.session.scalar(
        select(Meeting)
        .options(
            selectinload(Meeting.items).options(
                joinedload(AgendaItem.presenter),
                selectinload(AgendaItem.documents).options(
                    joinedload(AgendaDocument.document),
                    joinedload(AgendaDocument.version),
                ),
            )
        )
        .where(Meeting.id == meeting_id, Meeting.group_id == group.id)
    )


def meetings_of(group: Group, *, upcoming: bool, include_drafts: bool):
    now = utcnow()
    query = select(Meeting).where(Meeting.group_id == group.id)
    if not include_drafts:
        query = query.where(Meeting.status != Status.DRAFT)
    if upcoming:
        return query.where(Meeting.ends_at >= now).order_by(Meeting.starts_at)
    return query.where(Meeting.ends_at < now).order_by(Meeting.starts_at.desc())


def next_meeting(group: Group) -> Meeting | None:
    """The group's next scheduled meeting, for its home page."""
    return db.session.scalar(
        select(Meeting)
        .where(
            Meeting.group_id == group.id,
            Meeting.status == Status.SCHEDULED,
            Meeting.ends_at >= utcnow(),
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def active_group_ids(user: User):
    return select(Membership.group_id).where(
        Membership.user_id == user.id, Membership.status == MembershipStatus.ACTIVE
    )


def upcoming_for(user: User, limit: int = 8) -> list[Meeting]:
    """Scheduled meetings still to come in the person's groups, for the dashboard."""
    return list(
        db.session.scalars(
            select(Meeting)
            .options(joinedload(Meeting.group))
            .where(
                Meeting.group_id.in_(active_group_ids(user)),
                Meeting.status == Status.SCHEDULED,
                Meeting.ends_at >= utcnow(),
            )
            .order_by(Meeting.starts_at)
            .limit(limit)
        )
    )


def participants(group: Group) -> list[User]:
    """Active members, chairs and observers who can still sign in, by name."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.group_id == group.id,
                Membership.status == MembershipStatus.ACTIVE,
                User.is_active.is_(True),
                User.erased_at.is_(None),
            )
            .order_by(User.sort_name)
        )
    )


def members_for_choice(group: Group) -> list[User]:
    """People who can present an item, own an action or take minutes."""
    return participants(group)


# --- scheduling --------------------------------------------------------------------


def _times(fields: dict) -> tuple[datetime, datetime]:
    zone = fields["timezone"]
    starts = times.to_utc(
        fields["start_date"], fields["start_time"], zone, "start_time"
    )
    ends = times.to_utc(
        fields.get("end_date") or fields["start_date"],
        fields["end_time"],
        zone,
        "end_time",
    )
    if ends <= starts:
        raise DomainError(_("The meeting must end after it starts."), "end_time")
    if ends - starts > timedelta(days=7):
        raise DomainError(_("A meeting lasts at most a week."), "end_date")
    return starts, ends


def _check_link(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DomainError(
            _("The online link must start with https:// or http://."), "online_url"
        )
    return url


def _apply(meeting: Meeting, fields: dict) -> None:
    meeting.starts_at, meeting.ends_at = _times(fields)
    meeting.timezone = fields["timezone"]
    meeting.title = fields["title"].strip()
    meeting.description = (fields.get("description") or "").strip()
    meeting.location = (fields.get("location") or "").strip()
    meeting.online_url = _check_link(fields.get("online_url"))


def _new(actor: User, group: Group) -> Meeting:
    return Meeting(
        group=group,
        uid=f"{uuid.uuid4()}@collab",
        created_by=actor,
        status=Status.DRAFT,
        sequence=0,
        agenda_snapshot={},
    )


def _created(actor: User, meeting: Meeting) -> Meeting:
    db.session.add(meeting)
    db.session.flush()
    audit.record(
        actor, "meeting.create", meeting, group=meeting.group, title=meeting.title
    )
    return meeting


def create_meeting(actor: User, group: Group, fields: dict) -> Meeting:
    meeting = _new(actor, group)
    _apply(meeting, fields)
    return _created(actor, meeting)


def create_at(
    actor: User,
    group: Group,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    zone: str,
    description: str = "",
) -> Meeting:
    """A draft meeting at given instants (a time poll's chosen slot)."""
    meeting = _new(actor, group)
    meeting.title, meeting.description = title[:200], description
    meeting.starts_at, meeting.ends_at, meeting.timezone = starts_at, ends_at, zone
    return _created(actor, meeting)


def update_meeting(actor: User, meeting: Meeting, fields: dict) -> list[str]:
    """Change the details; members hear of a scheduled meeting's new time or place."""
    before = {name: getattr(meeting, name) for name in CALENDAR_FIELDS}
    old_description = meeting.description
    _apply(meeting, fields)
    changed = [
        name for name in CALENDAR_FIELDS if getattr(meeting, name) != before[name]
    ]
    if changed or meeting.description != old_description:
        touch(meeting)
    audit.record(actor, "meeting.update", meeting, group=meeting.group, changed=changed)
    if changed and meeting.status == Status.SCHEDULED:
        notify.meeting_changed(meeting, changed, before)
        if meeting.agenda_snapshot:
            # Told already: the next agenda notice need not repeat it.
            meeting.agenda_snapshot = {
                **meeting.agenda_snapshot,
                "starts_at": meeting.starts_at.isoformat(),
                "ends_at": meeting.ends_at.isoformat(),
                "location": meeting.location,
                "online_url": meeting.online_url,
            }
    return changed


def touch(meeting: Meeting) -> None:
    """Every change a calendar may show raises SEQUENCE (RFC 5545 3.8.7.4)."""
    meeting.sequence = (meeting.sequence or 0) + 1
    meeting.updated_at = utcnow()


def schedule(actor: User, meeting: Meeting) -> None:
    if meeting.status != Status.DRAFT:
        raise DomainError(_("Only a draft meeting can be scheduled."))
    meeting.status = Status.SCHEDULED
    touch(meeting)
    audit.record(actor, "meeting.schedule", meeting, group=meeting.group)
    notify.meeting_scheduled(meeting)


def mark_held(actor: User, meeting: Meeting) -> None:
    if meeting.status != Status.SCHEDULED:
        raise DomainError(_("Only a scheduled meeting can be marked as held."))
    if meeting.starts_at > utcnow():
        raise DomainError(_("The meeting has not started yet."))
    meeting.status = Status.HELD
    touch(meeting)
    audit.record(actor, "meeting.held", meeting, group=meeting.group)


def discard(actor: User, meeting: Meeting) -> None:
    """A draft nobody but the chairs saw goes away entirely."""
    if meeting.status != Status.DRAFT:
        raise DomainError(_("Only a draft can be deleted; cancel a scheduled meeting."))
    audit.record(actor, "meeting.discard", meeting, group=meeting.group)
    db.session.delete(meeting)


def cancel(actor: User, meeting: Meeting, reason: str) -> None:
    if meeting.status != Status.SCHEDULED:
        raise DomainError(_("Only a scheduled meeting can be cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Tell members why the meeting is cancelled."), "reason")
    meeting.status = Status.CANCELLED
    meeting.cancel_reason = reason
    touch(meeting)
    audit.record(actor, "meeting.cancel", meeting, group=meeting.group, reason=reason)
    notify.meeting_cancelled(meeting)


def has_ended(meeting: Meeting) -> bool:
    return meeting.ends_at < utcnow()


# --- answers and attendance --------------------------------------------------------


def rsvp_of(user: User, meeting: Meeting) -> Rsvp | None:
    return db.session.scalar(
        select(Rsvp).where(Rsvp.meeting_id == meeting.id, Rsvp.user_id == user.id)
    )


def answer(user: User, meeting: Meeting, value: str, comment: str) -> Rsvp:
    if meeting.status == Status.CANCELLED:
        raise DomainError(_("This meeting was cancelled: no answer is needed."))
    if meeting.status != Status.SCHEDULED or has_ended(meeting):
        raise DomainError(_("Answers are closed for this meeting."))
    if value not in set(Answer):
        raise DomainError(_("Choose attending, maybe or not attending."), "answer")
    rsvp = rsvp_of(user, meeting) or Rsvp(meeting_id=meeting.id, user_id=user.id)
    rsvp.answer = value
    rsvp.comment = (comment or "").strip()[:500]
    rsvp.answered_at = utcnow()
    db.session.add(rsvp)
    return rsvp


def rsvps(meeting: Meeting) -> dict[int, Rsvp]:
    return {
        r.user_id: r
        for r in db.session.scalars(select(Rsvp).where(Rsvp.meeting_id == meeting.id))
    }


def rsvp_tally(meeting: Meeting) -> dict[str, int]:
    """How many answered yes, maybe and no (counted by the database: a big group's
    meeting has hundreds of answers)."""
    counts = dict(
        db.session.execute(
            select(Rsvp.answer, func.count(Rsvp.id))
            .where(Rsvp.meeting_id == meeting.id)
            .group_by(Rsvp.answer)
        ).all()
    )
    return {answer: counts.get(answer, 0) for answer in ("yes", "maybe", "no")}


def attendance(meeting: Meeting) -> dict[int, Attendance]:
    return {
        a.user_id: a
        for a in db.session.scalars(
            select(Attendance)
            .options(joinedload(Attendance.user))
            .where(Attendance.meeting_id == meeting.id)
        )
    }


def meeting_records(user: User) -> dict:
    """The person's answers, attendance, actions and comments, for their export."""
    from collab.meetings.models import Action, MinutesComment

    def title(meeting_id):
        meeting = db.session.get(Meeting, meeting_id)
        return f"{meeting.group.slug}: {meeting.title}" if meeting else ""

    return {
        "answers": [
            {
                "meeting": title(r.meeting_id),
                "answer": r.answer,
                "comment": r.comment,
                "answered": r.answered_at.isoformat(),
            }
            for r in db.session.scalars(select(Rsvp).where(Rsvp.user_id == user.id))
        ],
        "attendance": [
            {"meeting": title(a.meeting_id), "presence": a.presence}
            for a in db.session.scalars(
                select(Attendance).where(Attendance.user_id == user.id)
            )
        ],
        "actions": [
            {
                "meeting": title(a.meeting_id),
                "action": a.text,
                "due": a.due_on.isoformat(),
                "status": a.status,
            }
            for a in db.session.scalars(
                select(Action).where(Action.owner_id == user.id)
            )
        ],
        "minutes_comments": [
            {
                "meeting": title(c.meeting_id),
                "written": c.created_at.isoformat(),
                "text": c.body,
            }
            for c in db.session.scalars(
                select(MinutesComment).where(MinutesComment.author_id == user.id)
            )
        ],
    }


def by_country(people: list[User]) -> list[tuple[str, list[User]]]:
    """People grouped by country code ("" last), each group in name order."""
    groups: dict[str, list[User]] = {}
    for person in sorted(people, key=lambda p: p.sort_name):
        groups.setdefault(person.country or "", []).append(person)
    return sorted(groups.items(), key=lambda pair: (pair[0] == "", pair[0]))


def record_attendance(actor: User, meeting: Meeting, presence: dict[int, str]) -> int:
    """Save the chair's one form: ``{user_id: present|excused|absent}`` for current
    participants. Returns how many were recorded."""
    allowed = {user.id for user in participants(meeting.group)}
    existing = attendance(meeting)
    count = 0
    for user_id, value in presence.items():
        if user_id not in allowed or value not in set(Presence):
            continue
        row = existing.get(user_id) or Attendance(
            meeting_id=meeting.id, user_id=user_id
        )
        row.presence = value
        db.session.add(row)
        count += 1
    audit.record(actor, "meeting.attendance", meeting, group=meeting.group, count=count)
    return count


def suggested_presence(rsvp: Rsvp | None) -> str:
    """Before attendance is taken: "attending" reads present, "not attending"
    excused."""
    if rsvp is None:
        return ""
    return {Answer.YES: Presence.PRESENT, Answer.NO: Presence.EXCUSED}.get(
        rsvp.answer, ""
    )


# --- the chair's defaults ---------------------------------------------------------


def default_fields(user: User) -> dict:
    """A new meeting's form: next week, 14:00–16:00 in the chair's zone."""
    zone = user.timezone if user.timezone in times.ZONES else "UTC"
    day = (utcnow() + timedelta(days=7)).astimezone(times.zone(zone)).date()
    return {
        "timezone": zone,
        "start_date": day,
        "start_time": time(14, 0),
        "end_time": time(16, 0),
    }


def local_fields(meeting: Meeting) -> dict:
    """The meeting as its edit form shows it: wall-clock times in its own zone."""
    span = times.span(meeting.starts_at, meeting.ends_at, meeting.timezone)
    return {
        "title": meeting.title,
        "description": meeting.description,
        "timezone": meeting.timezone,
        "start_date": span.start.date(),
        "start_time": span.start.time().replace(tzinfo=None),
        "end_date": span.end.date() if span.end.date() != span.start.date() else None,
        "end_time": span.end.time().replace(tzinfo=None),
        "location": meeting.location,
        "online_url": meeting.online_url,
    }


def today_in(zone_name: str) -> date:
    return utcnow().astimezone(times.zone(zone_name)).date()


def participant(group: Group, user_id: int | None) -> User | None:
    """The active participant with this id (an owner, presenter or minute taker),
    or None when they are not one."""
    if not user_id:
        return None
    return db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            User.id == user_id,
            Membership.group_id == group.id,
            Membership.status == MembershipStatus.ACTIVE,
            User.is_active.is_(True),
            User.erased_at.is_(None),
        )
    )
