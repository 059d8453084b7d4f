"""Demo meetings, in every group: a past one with its whole record (agenda,
attendance, adopted minutes, decisions, actions) and a coming one with a published
agenda and documents. Written directly, so loading the demo sends no e-mail."""

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from collab.auth.models import User
from collab.core.db import utcnow
from collab.documents.models import Document, DocumentVersion
from collab.extensions import db
from collab.groups.models import Group, Membership
from collab.meetings import agenda, times
from collab.meetings.models import (
    Action,
    AgendaDocument,
    AgendaItem,
    Answer,
    Attendance,
    Decision,
    Meeting,
    MinutesComment,
    MinutesRevision,
    Presence,
    Rsvp,
    Status,
)

# slug: (zone, local start hour, place, topic items of the past meeting, of the next)
PLANS = {
    "digital-identity": (
        "Europe/Tallinn",
        15,
        "",
        [
            (
                "Wallet pilots: progress reports",
                "decision",
                "Estonia and Korea reported on their pilots; both reached the "
                "user-testing phase. Take-up is highest where the wallet replaces "
                "a paper document outright.",
                "The group will publish a joint note on pilot lessons by the "
                "next plenary.",
                ("Draft the joint note on wallet pilot lessons", 10),
            ),
            (
                "Cross-border recognition of identities",
                "discussion",
                "Members compared trust frameworks. Several noted that assurance "
                "levels map poorly across regions.",
                "",
                ("Circulate the assurance-level mapping table", -5),
            ),
        ],
        [
            ("Joint note on wallet pilots: first draft", "decision", 40),
            ("Trust frameworks: mapping assurance levels", "discussion", 30),
        ],
    ),
    "digital-services": (
        "Europe/London",
        13,
        "OECD Conference Centre, Room CC7, Paris",
        [
            (
                "Service standards across members",
                "discussion",
                "The secretariat presented the comparison of national service "
                "standards. Most share user research and accessibility criteria.",
                "The comparison will be published as a working paper.",
                ("Send national comments on the service-standard comparison", 12),
            ),
            (
                "Measuring take-up of digital services",
                "information",
                "New Zealand shared its take-up dashboard.",
                "",
                ("Share take-up metrics definitions", -3),
            ),
        ],
        [
            ("Working paper on service standards", "decision", 45),
            ("Life-event services: call for case studies", "discussion", 30),
        ],
    ),
    "ict-procurement": (
        "America/Toronto",
        9,
        "",
        [
            (
                "Model clauses for open-source release",
                "decision",
                "Canada presented draft 2 of the open-source clause.",
                "Draft 2 of the open-source clause is the basis for consultation.",
                ("Collect legal review of the open-source clause", 14),
            ),
            (
                "Cloud framework agreements",
                "discussion",
                "Members discussed exit clauses and data portability.",
                "",
                ("Summarise exit-clause practices", -2),
            ),
        ],
        [
            ("Open-source clause: consultation results", "decision", 40),
            ("Cloud exit clauses: good practice", "discussion", 35),
        ],
    ),
}


def _at(day, hour: int, zone: str) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=times.zone(zone)).astimezone(UTC)


def _people(group: Group) -> list[tuple[User, str]]:
    return list(
        db.session.execute(
            select(User, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.group_id == group.id, Membership.status == "active")
            .order_by(User.sort_name)
        )
    )


def _meeting(group, chair, title, zone, start, hours, place, status) -> Meeting:
    meeting = Meeting(
        group=group,
        uid=f"{uuid.uuid4()}@collab",
        title=title,
        description="",
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        timezone=zone,
        location=place,
        online_url="https://meet.example.org/" + group.slug,
        status=status,
        sequence=1,
        created_by=chair,
        agenda_snapshot={},
    )
    db.session.add(meeting)
    return meeting


def _item(meeting, position, title, kind, minutes, presenter=None, text=""):
    item = AgendaItem(
        position=position,
        title=title,
        kind=kind,
        duration_minutes=minutes,
        presenter=presenter,
        minutes=text,
    )
    meeting.items.append(item)
    return item


def _publish(meeting: Meeting, when: datetime) -> None:
    db.session.flush()
    meeting.agenda_published_at = when
    meeting.agenda_version = 1
    meeting.agenda_snapshot = agenda.snapshot(meeting)


def load() -> int:
    if db.session.scalar(select(Meeting.id).limit(1)) is not None:
        return 0
    created = 0
    today = utcnow().date()
    for slug, (zone, hour, place, past_topics, next_topics) in PLANS.items():
        group = db.session.scalar(select(Group).where(Group.slug == slug))
        people = _people(group)
        chair = next(user for user, role in people if role == "chair")
        others = [user for user, role in people if user is not chair]
        documents = list(
            db.session.scalars(
                select(Document)
                .where(Document.group_id == group.id)
                .order_by(Document.id)
            )
        )

        # --- the past meeting, with its whole record ---
        past_day = today - timedelta(days=24)
        past = _meeting(
            group,
            chair,
            "Autumn plenary",
            zone,
            _at(past_day, hour, zone),
            2,
            place,
            Status.HELD,
        )
        _item(
            past,
            1,
            "Opening and adoption of the agenda",
            "decision",
            5,
            chair,
            "The agenda was adopted without changes.",
        )
        items = []
        for position, (title, kind, text, decision, _action) in enumerate(
            past_topics, start=2
        ):
            presenter = others[(position - 2) % len(others)] if others else chair
            items.append(
                (
                    _item(past, position, title, kind, 45, presenter, text),
                    decision,
                    _action,
                )
            )
        _item(
            past,
            len(past_topics) + 2,
            "Any other business",
            "information",
            10,
            None,
            "None.",
        )
        _publish(past, _at(past_day - timedelta(days=10), 9, zone))
        for index, (user, _role) in enumerate(people):
            presence = Presence.ABSENT if index % 5 == 4 else Presence.PRESENT
            if index % 7 == 6:
                presence = Presence.EXCUSED
            db.session.add(
                Attendance(meeting_id=past.id, user_id=user.id, presence=presence)
            )
        for index, (item, decision, (action_text, due_in)) in enumerate(items):
            if decision:
                db.session.add(
                    Decision(meeting_id=past.id, item_id=item.id, text=decision)
                )
            owner = others[index % len(others)] if others else chair
            done = index == 0 and due_in < 0
            db.session.add(
                Action(
                    group_id=group.id,
                    meeting=past,
                    item_id=item.id,
                    text=action_text,
                    owner=owner,
                    due_on=today + timedelta(days=due_in),
                    status="done" if done else "open",
                    status_changed_at=utcnow() if done else None,
                )
            )
        # An action already done, so the register shows more than open ones.
        db.session.add(
            Action(
                group_id=group.id,
                meeting=past,
                item_id=items[0][0].id,
                text="Share the meeting slides in the library",
                owner=chair,
                due_on=past_day + timedelta(days=3),
                status="done",
                status_changed_at=utcnow() - timedelta(days=20),
            )
        )
        adopted_at = _at(past_day + timedelta(days=14), 10, zone)
        content = [
            {"item": item.id, "title": item.title, "text": item.minutes}
            for item in past.items
        ]
        for number, stage, when in (
            (1, "draft", past_day + timedelta(days=1)),
            (2, "circulated", past_day + timedelta(days=2)),
            (3, "adopted", past_day + timedelta(days=14)),
        ):
            db.session.add(
                MinutesRevision(
                    meeting_id=past.id,
                    number=number,
                    stage=stage,
                    content=content,
                    author=chair,
                    created_at=_at(when, 10, zone),
                )
            )
        if others:
            db.session.add(
                MinutesComment(
                    meeting_id=past.id,
                    author=others[0],
                    body="Thank you. Please note: our pilot report is in the library.",
                    created_at=_at(past_day + timedelta(days=5), 11, zone),
                )
            )
        past.minutes_stage = "adopted"
        past.minutes_deadline = _at(past_day + timedelta(days=12), 0, zone)
        past.minutes_adopted_at = adopted_at

        # --- the next meeting, agenda published with documents ---
        next_day = today + timedelta(days=10)
        coming = _meeting(
            group,
            chair,
            "Winter plenary",
            zone,
            _at(next_day, hour, zone),
            2,
            place,
            Status.SCHEDULED,
        )
        _item(coming, 1, "Opening and adoption of the agenda", "decision", 5, chair)
        _item(coming, 2, "Review of open actions", "actions", 15, chair)
        for position, (title, kind, minutes) in enumerate(next_topics, start=3):
            presenter = others[position % len(others)] if others else chair
            item = _item(coming, position, title, kind, minutes, presenter)
            document = documents[(position - 3) % len(documents)] if documents else None
            if document is not None:
                pinned = db.session.scalar(
                    select(DocumentVersion)
                    .where(DocumentVersion.document_id == document.id)
                    .order_by(DocumentVersion.number.desc())
                    .limit(1)
                )
                item.documents.append(
                    AgendaDocument(
                        document=document, version=pinned if position == 3 else None
                    )
                )
        _item(coming, len(next_topics) + 3, "Any other business", "information", 10)
        _publish(coming, utcnow() - timedelta(days=2))
        for index, (user, _role) in enumerate(people[:-1]):
            answer = (Answer.YES, Answer.YES, Answer.MAYBE, Answer.NO)[index % 4]
            comment = (
                "Joining online." if answer == Answer.YES and index % 3 == 1 else ""
            )
            db.session.add(
                Rsvp(
                    meeting_id=coming.id,
                    user_id=user.id,
                    answer=answer,
                    comment=comment,
                )
            )
        created += 2
    db.session.flush()
    return created
