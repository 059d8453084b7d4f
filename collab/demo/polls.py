"""A demo time poll: Digital Services looks for a slot across Auckland, Seoul,
London and the Americas, with a few answers already in."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from collab.auth.models import User
from collab.core.db import utcnow
from collab.extensions import db
from collab.groups.models import Group
from collab.meetings import services as meetings
from collab.meetings import times
from collab.polls.models import Poll, PollParticipant, PollSlot, PollVote

ZONE = "Europe/London"
CLOCKS = (time(8, 0), time(13, 0), time(16, 0))
# e-mail: answers per slot, in slot order (3 days × 3 times), and a comment
ANSWERS = {
    "aroha.ngata@example.org": (
        "yes",
        "no",
        "no",
        "yes",
        "no",
        "no",
        "maybe",
        "no",
        "no",
        "Mornings in London are evenings in Auckland.",
    ),
    "member@example.org": (
        "yes",
        "maybe",
        "no",
        "yes",
        "maybe",
        "no",
        "yes",
        "no",
        "no",
        "",
    ),
    "ana.souza@example.org": (
        "no",
        "yes",
        "yes",
        "maybe",
        "yes",
        "yes",
        "no",
        "yes",
        "yes",
        "Before 10:00 in Brasília is hard for me.",
    ),
    "marc.tremblay@example.org": (
        "no",
        "yes",
        "yes",
        "no",
        "yes",
        "maybe",
        "no",
        "yes",
        "yes",
        "",
    ),
}


def load() -> int:
    if db.session.scalar(select(Poll.id).limit(1)) is not None:
        return 0
    group = db.session.scalar(select(Group).where(Group.slug == "digital-services"))
    people = meetings.participants(group)
    chair = db.session.scalar(
        select(User).where(User.email == "sarah.thompson@example.org")
    )
    today = utcnow().date()
    poll = Poll(
        group=group,
        title="Extra meeting on life-event services",
        description="We need 90 minutes before the end of the year to agree the "
        "call for case studies. Please say which times work for you.",
        duration_minutes=90,
        timezone=ZONE,
        closes_at=datetime.combine(
            today + timedelta(days=7), time(17), tzinfo=times.zone(ZONE)
        ).astimezone(UTC),
        created_by=chair,
    )
    poll.slots = [
        PollSlot(
            starts_at=datetime.combine(
                today + timedelta(days=day), clock, tzinfo=times.zone(ZONE)
            ).astimezone(UTC)
        )
        for day in (20, 21, 22)
        for clock in CLOCKS
    ]
    db.session.add(poll)
    db.session.flush()
    for person in people:
        answers = ANSWERS.get(person.email)
        participant = PollParticipant(poll_id=poll.id, user_id=person.id)
        db.session.add(participant)
        if answers is None:
            continue
        participant.comment = answers[-1]
        participant.voted_at = utcnow() - timedelta(hours=5)
        for slot, answer in zip(poll.slots, answers[:-1], strict=True):
            db.session.add(
                PollVote(
                    poll_id=poll.id, slot_id=slot.id, user_id=person.id, answer=answer
                )
            )
    db.session.flush()
    return 1
