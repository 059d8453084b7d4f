"""Time polls: candidate slots for a meeting, who is asked, and their answers."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collab.auth.models import User
from collab.core.db import TimestampMixin, utcnow
from collab.extensions import db
from collab.groups.models import Group


class Vote(StrEnum):
    YES = "yes"
    MAYBE = "maybe"  # "if need be"
    NO = "no"


class Poll(TimestampMixin, db.Model):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int]
    # The zone the chair entered the slots in (and the meeting's zone once decided).
    timezone: Mapped[str] = mapped_column(String(64))
    closes_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Set once the chair turns a slot into a meeting.
    decided_at: Mapped[datetime | None]
    # No foreign key: slots and polls would reference each other, and a poll's
    # slots only ever go with it.
    decided_slot_id: Mapped[int | None]
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL")
    )
    # Non-voters are reminded once, a day before closing.
    reminded_at: Mapped[datetime | None]

    group: Mapped[Group] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    slots: Mapped[list["PollSlot"]] = relationship(
        order_by="PollSlot.starts_at",
        cascade="all, delete-orphan",
    )

    @property
    def is_open(self) -> bool:
        return self.decided_at is None and utcnow() < self.closes_at


class PollSlot(db.Model):
    __tablename__ = "poll_slots"
    __table_args__ = (UniqueConstraint("poll_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]


class PollParticipant(db.Model):
    __tablename__ = "poll_participants"
    __table_args__ = (UniqueConstraint("poll_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    comment: Mapped[str] = mapped_column(String(500), default="")
    voted_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class PollVote(db.Model):
    __tablename__ = "poll_votes"
    __table_args__ = (UniqueConstraint("slot_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), index=True
    )
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("poll_slots.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
