"""Groups, memberships (with join requests as pending ones) and invitations."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collab.auth.models import User
from collab.core.db import TimestampMixin
from collab.extensions import db


class Visibility(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class JoinPolicy(StrEnum):
    OPEN = "open"
    REQUEST = "request"
    INVITE = "invite"


class MembershipStatus(StrEnum):
    ACTIVE = "active"
    PENDING = "pending"


class Group(TimestampMixin, db.Model):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(10), default=Visibility.PUBLIC)
    join_policy: Mapped[str] = mapped_column(String(10), default=JoinPolicy.REQUEST)
    is_archived: Mapped[bool] = mapped_column(default=False)

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    def __repr__(self) -> str:
        return f"<Group {self.slug}>"


class Membership(TimestampMixin, db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=MembershipStatus.ACTIVE)
    # A join request's message to the chairs.
    message: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(back_populates="memberships", lazy="raise")
    # Many-to-one: served from the identity map when the group is already loaded.
    group: Mapped[Group] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE


class Invitation(TimestampMixin, db.Model):
    """An e-mailed, single-use link that brings someone into a group with a role."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None]

    group: Mapped[Group] = relationship(lazy="joined")
    invited_by: Mapped[User | None] = relationship(
        foreign_keys=[invited_by_id], lazy="joined"
    )
