"""Profile details beyond the account, and areas of expertise."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collab.auth.models import User
from collab.core.db import utcnow
from collab.extensions import db


class ContactVisibility(StrEnum):
    """Who may see a person's e-mail address or phone number."""

    SECRETARIAT = "secretariat"
    GROUPS = "groups"
    EVERYONE = "everyone"


class Profile(db.Model):
    __tablename__ = "profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    bio: Mapped[str] = mapped_column(Text, default="")
    bio_html: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    # ISO 639-1 codes, e.g. ["en", "fr", "et"].
    languages: Mapped[list] = mapped_column(JSON, default=list)
    email_visibility: Mapped[str] = mapped_column(
        String(12), default=ContactVisibility.GROUPS
    )
    phone_visibility: Mapped[str] = mapped_column(
        String(12), default=ContactVisibility.SECRETARIAT
    )
    photo_key: Mapped[str | None] = mapped_column(String(220))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="profile")


class Expertise(db.Model):
    """One area of expertise of one person; indexed so the directory can filter."""

    __tablename__ = "expertise"
    __table_args__ = (UniqueConstraint("user_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    tag: Mapped[str] = mapped_column(String(60), index=True)


User.profile = relationship(
    Profile, back_populates="user", uselist=False, lazy="select"
)
User.expertise = relationship(
    Expertise, order_by=Expertise.tag, lazy="select", cascade="all, delete-orphan"
)
