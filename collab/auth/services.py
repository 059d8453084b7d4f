"""Signing in and out, revocable sessions, throttling, password tokens."""

import re
import unicodedata
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from collab.audit import services as audit
from collab.auth.models import PasswordToken, ThrottleEvent, User, UserSession
from collab.auth.passwords import (
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from collab.core.db import execute_small_write, utcnow
from collab.core.errors import DomainError
from collab.core.tokens import hash_token, new_token
from collab.core.urls import absolute_url
from collab.extensions import db


class Throttled(DomainError):
    pass


class TokenError(DomainError):
    """A bad link: ``status`` is 404 for an unknown token, 410 for a spent one."""

    def __init__(self, message: str, status: int = 410):
        super().__init__(message)
        self.status = status


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


# --- throttling -----------------------------------------------------------------------


def count_recent(key: str, window: timedelta) -> int:
    return db.session.scalar(
        select(func.count(ThrottleEvent.id)).where(
            ThrottleEvent.key == key, ThrottleEvent.created_at > utcnow() - window
        )
    )


def note_event(key: str) -> None:
    db.session.add(ThrottleEvent(key=key))


def prune_throttle(older_than: timedelta = timedelta(days=1)) -> None:
    db.session.execute(
        delete(ThrottleEvent).where(ThrottleEvent.created_at < utcnow() - older_than)
    )


# --- signing in -----------------------------------------------------------------------


def authenticate(email: str, password: str, ip: str) -> User:
    """The active user with this e-mail and password, or DomainError. Unknown account,
    wrong password and deactivated account look the same from outside."""
    config = current_app.config
    email = normalize_email(email)
    window = config["LOGIN_THROTTLE_WINDOW"]
    account_key, ip_key = f"login:account:{email}", f"login:ip:{ip}"
    if (
        count_recent(account_key, window) >= config["LOGIN_FAILURES_PER_ACCOUNT"]
        or count_recent(ip_key, window) >= config["LOGIN_FAILURES_PER_IP"]
    ):
        audit.record(None, "auth.sign_in_throttled", None, email=email)
        raise Throttled(
            _("Too many failed attempts. Please wait 15 minutes and try again.")
        )
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not (ok and user and user.is_active):
        note_event(account_key)
        note_event(ip_key)
        audit.record(None, "auth.sign_in_failed", user, email=email)
        raise DomainError(_("That e-mail and password do not match an active account."))
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_session(user: User, ip: str = "", user_agent: str = "") -> str:
    """Create a server-side session row; the returned raw token goes in the cookie."""
    raw, digest = new_token()
    db.session.add(
        UserSession(
            user_id=user.id, token_hash=digest, ip=ip[:45], user_agent=user_agent[:300]
        )
    )
    audit.record(user, "auth.sign_in", user)
    return raw


def load_session(raw: str | None) -> UserSession | None:
    """The live session for this cookie token, or None if revoked, expired or the
    account is deactivated."""
    if not raw:
        return None
    found = db.session.scalar(
        select(UserSession).where(UserSession.token_hash == hash_token(raw))
    )
    if found is None or found.revoked_at is not None or not found.user.is_active:
        return None
    config = current_app.config
    now = utcnow()
    if now - found.created_at > config["SESSION_ABSOLUTE_TIMEOUT"]:
        return None
    if now - found.last_seen_at > config["SESSION_IDLE_TIMEOUT"]:
        return None
    if now - found.last_seen_at > config["SESSION_TOUCH_INTERVAL"]:
        execute_small_write(
            db.session,
            update(UserSession)
            .where(UserSession.id == found.id)
            .values(last_seen_at=now),
        )
    return found


def end_session(raw: str | None, actor: User | None = None) -> None:
    if not raw:
        return
    db.session.execute(
        update(UserSession)
        .where(
            UserSession.token_hash == hash_token(raw), UserSession.revoked_at.is_(None)
        )
        .values(revoked_at=utcnow())
    )
    if actor is not None:
        audit.record(actor, "auth.sign_out", actor)


def end_all_sessions(user: User, actor: User, *, keep_raw: str | None = None) -> int:
    query = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep_raw:
        query = query.where(UserSession.token_hash != hash_token(keep_raw))
    result = db.session.execute(query.values(revoked_at=utcnow()))
    audit.record(actor, "auth.sessions_ended", user, count=result.rowcount)
    return result.rowcount


# --- password tokens (reset, first setup) ---------------------------------------------


def issue_password_token(user: User, purpose: str, ttl: timedelta) -> str:
    raw, digest = new_token()
    db.session.add(
        PasswordToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=digest,
            expires_at=utcnow() + ttl,
        )
    )
    return raw


def check_password_token(raw: str, purpose: str) -> PasswordToken:
    token = db.session.scalar(
        select(PasswordToken).where(
            PasswordToken.token_hash == hash_token(raw),
            PasswordToken.purpose == purpose,
        )
    )
    if token is None:
        raise TokenError(
            _("This link is not valid. Check that you copied all of it."), 404
        )
    if token.used_at is not None:
        raise TokenError(
            _("This link has already been used. Ask for a new one if you need it.")
        )
    if token.expires_at < utcnow() or not token.user.is_active:
        raise TokenError(_("This link has expired. Ask for a new one."))
    return token


def redeem_password_token(raw: str, purpose: str, password: str) -> User:
    token = check_password_token(raw, purpose)
    user = token.user
    set_password(user, password, actor=user)
    token.used_at = utcnow()
    # Other outstanding links of the same kind die with this one.
    db.session.execute(
        update(PasswordToken)
        .where(PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    end_all_sessions(user, user)
    return user


def set_password(user: User, password: str, *, actor: User) -> None:
    problem = password_problem(password, email=user.email, name=user.display_name)
    if problem:
        raise DomainError(problem, field="password")
    user.password_hash = hash_password(password)
    audit.record(actor, "auth.password_changed", user)


def request_password_reset(email: str) -> None:
    """Queue a reset e-mail if an active account has this address. Says nothing either
    way, and caps how many mails one address can trigger."""
    from collab.notifications.services import queue_email

    email = normalize_email(email)
    key = f"reset:{email}"
    if count_recent(key, timedelta(hours=1)) >= 3:
        return
    note_event(key)
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    raw = issue_password_token(user, "reset", current_app.config["RESET_TTL"])
    link = absolute_url("auth.reset_password", token=raw)
    queue_email(user.email, "password_reset", user.locale, user=user, link=link)
    audit.record(None, "auth.reset_requested", user)


# --- accounts -------------------------------------------------------------------------


def unique_username(seed: str) -> str:
    base = (
        unicodedata.normalize("NFKD", seed).encode("ascii", "ignore").decode().lower()
    )
    base = re.sub(r"[^a-z0-9]+", "-", base).strip("-")[:30] or "member"
    candidate, n = base, 1
    while (
        db.session.scalar(select(User.id).where(User.username == candidate)) is not None
    ):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def create_user(
    email: str, display_name: str, *, password: str | None = None, **fields
) -> User:
    email = normalize_email(email)
    if find_user_by_email(email) is not None:
        raise DomainError(
            _("An account with this e-mail address already exists."), field="email"
        )
    user = User(
        email=email,
        display_name=display_name.strip(),
        username=unique_username(display_name or email.partition("@")[0]),
        **fields,
    )
    if password is not None:
        problem = password_problem(password, email=email, name=display_name)
        if problem:
            raise DomainError(problem, field="password")
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def create_secretariat(email: str) -> tuple[User, str]:
    """A secretariat account with no password yet, and its one-time setup link."""
    user = find_user_by_email(email)
    if user is None:
        user = create_user(email, email.partition("@")[0], is_secretariat=True)
    else:
        user.is_secretariat = True
    raw = issue_password_token(user, "setup", current_app.config["SETUP_TTL"])
    audit.record(None, "auth.secretariat_created", user)
    return user, absolute_url("auth.setup_account", token=raw)


def set_active(user: User, active: bool, *, actor: User) -> None:
    """Deactivation ends every session at once; the account and its history remain."""
    if user.id == actor.id and not active:
        raise DomainError(_("You cannot deactivate your own account."))
    user.is_active = active
    if not active:
        end_all_sessions(user, actor)
    audit.record(actor, "auth.reactivated" if active else "auth.deactivated", user)
