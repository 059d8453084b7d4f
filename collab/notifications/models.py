"""OutboxEmail: every e-mail is a row first, so nothing is lost when SMTP is down."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from collab.core.db import TimestampMixin, utcnow
from collab.extensions import db


class OutboxEmail(TimestampMixin, db.Model):
    __tablename__ = "outbox_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    # [{"filename": …, "content_type": "text/calendar", "text": …}]: small text files
    # such as a meeting's .ics.
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    # pending -> sent, or failed after MAIL_MAX_ATTEMPTS (kept, and `flask outbox retry`
    # puts it back in the queue).
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")


class Notification(db.Model):
    """One in-app notification, linking to the exact post; also the digest's source."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # About a post: reply, mention, new_thread, group_mention. About something else
    # (poll, poll_result, meeting): ``subject`` names it and ``path`` leads to it.
    kind: Mapped[str] = mapped_column(String(20))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE")
    )
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE")
    )
    subject: Mapped[str] = mapped_column(String(300), default="")
    path: Mapped[str] = mapped_column(String(500), default="")
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # Waiting for the daily digest (e-mail mode "digest"), then when it went out.
    in_digest: Mapped[bool] = mapped_column(default=False)
    digested_at: Mapped[datetime | None]

    user = relationship("User", foreign_keys=[user_id])
    actor = relationship("User", foreign_keys=[actor_id])
    post = relationship("Post")
    group = relationship("Group")


class EmailPreference(db.Model):
    """E-mail for group activity: immediately, in a daily digest, or off. The row with
    no group is the person's default; a group row overrides it."""

    __tablename__ = "email_preferences"
    __table_args__ = (UniqueConstraint("user_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE")
    )
    mode: Mapped[str] = mapped_column(String(10), default="immediate")
    watch_new_threads: Mapped[bool] = mapped_column(default=False)
