"""Proposing slots, answering, ranking and deciding time polls. Flush, never
commit."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from collab.audit import services as audit
from collab.auth.models import User
from collab.core.db import utcnow
from collab.core.errors import DomainError
from collab.extensions import db
from collab.groups.models import Group
from collab.meetings import services as meetings
from collab.meetings import times
from collab.polls import notify
from collab.polls.models import Poll, PollParticipant, PollSlot, PollVote, Vote

MAX_SLOTS = 60
# Outside these hours, a slot is "out of hours" for someone.
DAY_STARTS, DAY_ENDS = time(8, 0), time(20, 0)
CLOCK = re.compile(r"^(\d{1,2})(?:[:h.](\d{2}))?$")


# --- reading -----------------------------------------------------------------------


def get_poll(group: Group, poll_id: int) -> Poll | None:
    return db.session.scalar(
        select(Poll)
        .options(selectinload(Poll.slots))
        .where(Poll.id == poll_id, Poll.group_id == group.id)
    )


def polls_of(group: Group):
    return select(Poll).where(Poll.group_id == group.id).order_by(Poll.closes_at.desc())


def waiting_for(user: User, limit: int = 5) -> list[Poll]:
    """Open polls the person has not answered yet, for the dashboard."""
    return list(
        db.session.scalars(
            select(Poll)
            .options(joinedload(Poll.group))
            .join(PollParticipant, PollParticipant.poll_id == Poll.id)
            .where(
                PollParticipant.user_id == user.id,
                PollParticipant.voted_at.is_(None),
                Poll.decided_at.is_(None),
                Poll.closes_at > utcnow(),
                Poll.group_id.in_(meetings.active_group_ids(user)),
                Poll.group.has(Group.is_archived.is_(False)),
            )
            .order_by(Poll.closes_at)
            .limit(limit)
        )
    )


def participants(poll: Poll) -> list[PollParticipant]:
    return list(
        db.session.scalars(
            select(PollParticipant)
            .options(joinedload(PollParticipant.user))
            .join(User, User.id == PollParticipant.user_id)
            .where(PollParticipant.poll_id == poll.id)
            .order_by(User.sort_name)
        )
    )


def votes(poll: Poll) -> dict[tuple[int, int], str]:
    """{(user_id, slot_id): answer}"""
    return {
        (user_id, slot_id): answer
        for user_id, slot_id, answer in db.session.execute(
            select(PollVote.user_id, PollVote.slot_id, PollVote.answer).where(
                PollVote.poll_id == poll.id
            )
        )
    }


def answers_of(user: User) -> list[dict]:
    """The person's poll answers and comments, for their data export."""
    out = []
    for participant, poll in db.session.execute(
        select(PollParticipant, Poll)
        .join(Poll, Poll.id == PollParticipant.poll_id)
        .where(PollParticipant.user_id == user.id)
    ):
        answers = db.session.execute(
            select(PollSlot.starts_at, PollVote.answer)
            .join(PollVote, PollVote.slot_id == PollSlot.id)
            .where(PollVote.poll_id == poll.id, PollVote.user_id == user.id)
            .order_by(PollSlot.starts_at)
        )
        out.append(
            {
                "poll": poll.title,
                "comment": participant.comment,
                "answers": [
                    {"slot": start.isoformat(), "answer": answer}
                    for start, answer in answers
                ],
            }
        )
    return out


# --- out of hours and zones --------------------------------------------------------


def out_of_hours(starts_at: datetime, minutes: int, zone_name: str) -> bool:
    """True when the slot starts before 08:00 or ends after 20:00 where the person
    lives (a slot running past midnight always is)."""
    tz = times.zone(zone_name)
    start = starts_at.astimezone(tz)
    end = (starts_at + timedelta(minutes=minutes)).astimezone(tz)
    day_end = datetime.combine(start.date(), DAY_ENDS, tzinfo=tz)
    return start.time() < DAY_STARTS or end > day_end


@dataclass
class ZoneTime:
    """One local clock reading of a slot, shared by the zones showing it."""

    start: datetime
    cities: list[str]
    out_of_hours: bool


def zone_times(slot: PollSlot, minutes: int, zones: list[str]) -> list[ZoneTime]:
    """The slot's local time in each zone, zones with the same clock together,
    earliest clock first."""
    by_clock: dict[tuple, ZoneTime] = {}
    for name in zones:
        local = slot.starts_at.astimezone(times.zone(name))
        key = (local.date(), local.time())
        entry = by_clock.get(key)
        if entry is None:
            entry = by_clock[key] = ZoneTime(
                local, [], out_of_hours(slot.starts_at, minutes, name)
            )
        entry.cities.append(times.city(name))
    for entry in by_clock.values():
        entry.cities.sort()
    return sorted(by_clock.values(), key=lambda e: e.start.replace(tzinfo=None))


def group_zones(group: Group) -> list[str]:
    """Every time zone someone in the group lives in."""
    return sorted({person.timezone or "UTC" for person in meetings.participants(group)})


# --- results -----------------------------------------------------------------------


@dataclass
class SlotResult:
    slot: PollSlot
    yes: list[User] = field(default_factory=list)
    maybe: list[User] = field(default_factory=list)
    no: list[User] = field(default_factory=list)
    out_of_hours: int = 0

    @property
    def score(self) -> float:
        """Availability: a yes counts fully, an "if need be" half."""
        return len(self.yes) + len(self.maybe) / 2


def results(
    poll: Poll, people: list[PollParticipant], answers: dict
) -> list[SlotResult]:
    """Slots ranked by availability, then by fewest people out of hours, then by
    time."""
    out = []
    for slot in poll.slots:
        result = SlotResult(slot)
        for participant in people:
            user = participant.user
            answer = answers.get((user.id, slot.id))
            if answer in (Vote.YES, Vote.MAYBE, Vote.NO):
                getattr(result, answer).append(user)
            if out_of_hours(slot.starts_at, poll.duration_minutes, user.timezone):
                result.out_of_hours += 1
        out.append(result)
    return sorted(out, key=lambda r: (-r.score, r.out_of_hours, r.slot.starts_at))


# --- proposing ---------------------------------------------------------------------


def parse_clocks(text: str) -> list[time]:
    """ "9:00, 14:30 16h" → [09:00, 14:30, 16:00]."""
    clocks = []
    for part in re.split(r"[,;\s]+", (text or "").strip()):
        if not part:
            continue
        match = CLOCK.match(part)
        hour, minute = (int(match[1]), int(match[2] or 0)) if match else (99, 0)
        if hour > 23 or minute > 59:
            raise DomainError(
                _(
                    "“%(value)s” is not a time: write times like 09:00, 14:30.",
                    value=part,
                ),
                "clocks",
            )
        clocks.append(time(hour, minute))
    if not clocks:
        raise DomainError(_("Give at least one time, e.g. 09:00, 14:30."), "clocks")
    return clocks


def build_slots(days: list[date], clocks: list[time], zone: str) -> list[datetime]:
    """Every time on every day, in the chair's zone, as UTC instants."""
    days = [day for day in days if day]
    if not days:
        raise DomainError(_("Give at least one day."), "days")
    instants = []
    for day in days:
        for clock in clocks:
            instant = times.to_utc(day, clock, zone, "clocks")
            if instant in instants:
                raise DomainError(
                    _(
                        "%(day)s at %(time)s is listed twice.",
                        day=day.isoformat(),
                        time=clock.strftime("%H:%M"),
                    ),
                    "days",
                )
            instants.append(instant)
    if len(instants) > MAX_SLOTS:
        raise DomainError(_("A poll has at most %(n)d slots.", n=MAX_SLOTS), "clocks")
    return sorted(instants)


def create_poll(actor: User, group: Group, fields: dict, people_ids: list[int]) -> Poll:
    zone = fields["timezone"]
    if zone not in times.ZONES:
        raise DomainError(
            _("Choose a time zone from the list, e.g. Europe/Paris."), "timezone"
        )
    title = (fields.get("title") or "").strip()
    if not title:
        raise DomainError(_("Give the poll a title."), "title")
    minutes = fields.get("duration_minutes") or 0
    if not 15 <= minutes <= 12 * 60:
        raise DomainError(
            _("A meeting lasts between 15 minutes and 12 hours."), "duration_minutes"
        )
    instants = build_slots(fields["days"], parse_clocks(fields["clocks"]), zone)
    now = utcnow()
    if instants[0] <= now:
        raise DomainError(_("Every slot must be in the future."), "days")
    closes_at = times.to_utc(
        fields["closes_on"], fields["closes_time"], zone, "closes_on"
    )
    if closes_at <= now:
        raise DomainError(_("The poll must close in the future."), "closes_on")
    if closes_at > instants[0]:
        raise DomainError(_("The poll must close before the first slot."), "closes_on")
    allowed = {person.id: person for person in meetings.participants(group)}
    chosen = [allowed[i] for i in dict.fromkeys(people_ids) if i in allowed]
    if not chosen:
        raise DomainError(_("Choose at least one participant."), "participants")
    poll = Poll(
        group=group,
        title=title[:200],
        description=(fields.get("description") or "").strip(),
        duration_minutes=minutes,
        timezone=zone,
        closes_at=closes_at,
        created_by=actor,
    )
    poll.slots = [PollSlot(starts_at=instant) for instant in instants]
    db.session.add(poll)
    db.session.flush()
    for person in chosen:
        db.session.add(PollParticipant(poll_id=poll.id, user_id=person.id))
    audit.record(actor, "poll.create", poll, group=group, slots=len(instants))
    notify.poll_opened(poll, chosen, actor)
    return poll


# --- answering ---------------------------------------------------------------------


def participant(poll: Poll, user: User) -> PollParticipant | None:
    return db.session.scalar(
        select(PollParticipant).where(
            PollParticipant.poll_id == poll.id, PollParticipant.user_id == user.id
        )
    )


def vote(user: User, poll: Poll, answers: dict[int, str], comment: str) -> int:
    """Save the person's answers (slot id → yes|maybe|no); returns how many."""
    if not poll.is_open or poll.group.is_archived:
        raise DomainError(_("This poll is closed: answers can no longer change."))
    row = participant(poll, user)
    if row is None:
        raise DomainError(_("You are not a participant of this poll."))
    slot_ids = {slot.id for slot in poll.slots}
    valid = {
        slot_id: answer
        for slot_id, answer in answers.items()
        if slot_id in slot_ids and answer in set(Vote)
    }
    if not valid:
        raise DomainError(_("Answer at least one slot."), "answers")
    existing = {
        v.slot_id: v
        for v in db.session.scalars(
            select(PollVote).where(
                PollVote.poll_id == poll.id, PollVote.user_id == user.id
            )
        )
    }
    for slot_id, answer in valid.items():
        current = existing.get(slot_id) or PollVote(
            poll_id=poll.id, slot_id=slot_id, user_id=user.id
        )
        current.answer, current.updated_at = answer, utcnow()
        db.session.add(current)
    row.comment = (comment or "").strip()[:500]
    row.voted_at = utcnow()
    return len(valid)


# --- deciding ----------------------------------------------------------------------


def decide(actor: User, poll: Poll, slot_id: int, invite: bool):
    """Turn a slot into a draft meeting (scheduled, with invitations, if ``invite``)
    and tell the voters."""
    if poll.decided_at is not None:
        raise DomainError(_("This poll was already decided."))
    slot = next((s for s in poll.slots if s.id == slot_id), None)
    if slot is None:
        raise DomainError(_("Choose one of the poll's slots."), "slot")
    meeting = meetings.create_at(
        actor,
        poll.group,
        poll.title,
        slot.starts_at,
        slot.starts_at + timedelta(minutes=poll.duration_minutes),
        poll.timezone,
        poll.description,
    )
    poll.decided_at = utcnow()
    poll.decided_slot_id = slot.id
    poll.meeting_id = meeting.id
    audit.record(actor, "poll.decide", poll, group=poll.group, meeting=meeting.id)
    if invite:
        meetings.schedule(actor, meeting)
    voters = [p.user for p in participants(poll) if p.voted_at is not None]
    notify.poll_decided(poll, meeting, voters)
    return meeting


def send_reminders(now: datetime | None = None) -> int:
    """Remind those who have not answered, once, in the last day before closing."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Poll).where(
            Poll.decided_at.is_(None),
            Poll.reminded_at.is_(None),
            Poll.closes_at > now,
            Poll.closes_at <= now + timedelta(days=1),
        )
    ).all()
    count = 0
    for poll in due:
        members = {user.id for user in meetings.participants(poll.group)}
        silent = [
            p.user
            for p in participants(poll)
            if p.voted_at is None and p.user_id in members
        ]
        notify.poll_reminder(poll, silent)
        poll.reminded_at = now
        count += len(silent)
    return count
