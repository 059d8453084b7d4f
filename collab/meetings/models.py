"""Meetings, their agenda, answers and attendance, minutes with every revision,
decisions and actions, and the secret key of each person's calendar feed."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collab.auth.models import User
from collab.core.db import TimestampMixin, utcnow
from collab.extensions import db
from collab.groups.models import Group


class Status(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class MinutesStage(StrEnum):
    NONE = ""
    DRAFT = "draft"
    CIRCULATED = "circulated"
    ADOPTED = "adopted"


class ItemKind(StrEnum):
    INFORMATION = "information"
    DISCUSSION = "discussion"
    DECISION = "decision"
    # Lists the group's open actions, from earlier meetings, under the item.
    ACTIONS_REVIEW = "actions"


class Answer(StrEnum):
    YES = "yes"
    MAYBE = "maybe"
    NO = "no"


class Presence(StrEnum):
    PRESENT = "present"
    EXCUSED = "excused"
    ABSENT = "absent"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class Meeting(TimestampMixin, db.Model):
    __tablename__ = "meetings"
    __table_args__ = (Index("ix_meetings_group_starts", "group_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    # Stable across every change: calendar programs match updates by it.
    uid: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # The IANA zone the chair scheduled it in; times are stored in UTC.
    timezone: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(10), default=Status.DRAFT)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # RFC 5545 SEQUENCE: one more on every change members' calendars should see.
    sequence: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The agenda is a draft until published; members were last told about
    # ``agenda_snapshot`` (what the next notice lists changes against).
    agenda_published_at: Mapped[datetime | None]
    agenda_version: Mapped[int] = mapped_column(default=0)
    agenda_snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    minutes_stage: Mapped[str] = mapped_column(String(10), default=MinutesStage.NONE)
    minutes_deadline: Mapped[datetime | None]
    minutes_adopted_at: Mapped[datetime | None]
    # Someone the chair asked to take the minutes (besides the chairs).
    minute_taker_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    group: Mapped[Group] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    minute_taker: Mapped[User | None] = relationship(foreign_keys=[minute_taker_id])
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting",
        order_by="AgendaItem.position",
        cascade="all, delete-orphan",
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == Status.CANCELLED

    @property
    def agenda_is_published(self) -> bool:
        return self.agenda_published_at is not None


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"
    # Agenda notices compare items by id: SQLite must not hand a deleted item's id
    # to a new one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(12), default=ItemKind.DISCUSSION)
    presenter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # A presenter who is not a member ("Guest speaker, Estonia").
    presenter_name: Mapped[str] = mapped_column(String(120), default="")
    duration_minutes: Mapped[int] = mapped_column(default=10)
    minutes: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    presenter: Mapped[User | None] = relationship()
    documents: Mapped[list["AgendaDocument"]] = relationship(
        cascade="all, delete-orphan", order_by="AgendaDocument.id"
    )


class AgendaDocument(db.Model):
    """A library document attached to an agenda item: a fixed version, or the
    latest one when ``version_id`` is empty."""

    __tablename__ = "agenda_documents"
    __table_args__ = (UniqueConstraint("item_id", "document_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_versions.id", ondelete="CASCADE")
    )

    document = relationship("Document")
    version = relationship("DocumentVersion")


class Rsvp(db.Model):
    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(String(500), default="")
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class Attendance(db.Model):
    __tablename__ = "attendances"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    presence: Mapped[str] = mapped_column(String(8))

    user: Mapped[User] = relationship()


class MinutesRevision(db.Model):
    """The whole minutes (text per agenda item) as saved once; never changed."""

    __tablename__ = "minutes_revisions"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    # Stage when saved: draft, circulated, adopted, or correction (after adoption).
    stage: Mapped[str] = mapped_column(String(12))
    # [{"item": id, "title": …, "text": …}, …] in agenda order.
    content: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(500), default="")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class MinutesComment(db.Model):
    __tablename__ = "minutes_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class Decision(db.Model):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Action(TimestampMixin, db.Model):
    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_group_status", "group_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(8), default=ActionStatus.OPEN)
    status_changed_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]

    owner: Mapped[User | None] = relationship()
    meeting: Mapped[Meeting] = relationship()


class CalendarKey(db.Model):
    """The nonce in a person's secret calendar-feed address; a new one (regenerate)
    makes the old address stop working."""

    __tablename__ = "calendar_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
