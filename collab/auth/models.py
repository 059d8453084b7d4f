"""People's accounts, their revocable sessions, password tokens and sign-in
throttling."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collab.core.db import TimestampMixin, utcnow
from collab.core.text import fold
from collab.extensions import db


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # display_name folded for ordering: "Émile" sorts with E, "anna" with A.
    sort_name: Mapped[str] = mapped_column(String(120), default="", index=True)
    # None for accounts that have not set a password yet (setup link) or use SSO only.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_secretariat: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    country: Mapped[str | None] = mapped_column(String(2))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    # Set when the person's data was erased; the row stays so their contributions
    # remain, attributed to "Former member".
    erased_at: Mapped[datetime | None]

    memberships = relationship("Membership", back_populates="user", lazy="raise")

    def __repr__(self) -> str:
        return f"<User {self.username}>"


def sort_key(name: str) -> str:
    return fold(name)[:120]


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _keep_sort_name(_mapper, _connection, user: User) -> None:
    user.sort_name = sort_key(user.display_name)


class UserSession(db.Model):
    """One signed-in browser; deleting or revoking the row signs it out at once."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    user: Mapped[User] = relationship(lazy="joined")


class PasswordToken(TimestampMixin, db.Model):
    """A single-use link to set a password: a reset, or a new secretariat's setup."""

    __tablename__ = "password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class ThrottleEvent(db.Model):
    """A counted event (a failed sign-in, a reset request) under a key, in the database
    so that limits hold across workers and hosts."""

    __tablename__ = "throttle_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(Text, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class TotpCredential(db.Model):
    """A person's authenticator app. Unconfirmed until they typed a first code."""

    __tablename__ = "totp_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    # The last time step accepted: a code is never accepted twice.
    last_counter: Mapped[int] = mapped_column(default=0)


class RecoveryCode(db.Model):
    """One of ten single-use codes for when the authenticator is lost."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None]


class UserIdentity(db.Model):
    """An account at an OpenID provider, bound by (issuer, subject): never by e-mail
    alone, since providers may reuse or let people change addresses."""

    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(40))
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]


class SsoState(db.Model):
    """A sign-in started at a provider, kept here rather than in the cookie: the
    cookie holds only the latest state, so abandoned starts never grow it."""

    __tablename__ = "sso_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    provider: Mapped[str] = mapped_column(String(40))
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_url: Mapped[str] = mapped_column(String(500), default="")
    # Set when a signed-in person links another identity.
    link_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
