"""The TOTP second factor: enrolment with a QR code made here, codes that work once,
recovery codes, throttling like passwords, and who must have one."""

import secrets
import time

import pyotp
import segno
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from collab.audit import services as audit
from collab.auth.models import RecoveryCode, TotpCredential, User
from collab.auth.services import Throttled, count_recent, note_event
from collab.core.db import utcnow
from collab.core.errors import DomainError
from collab.core.text import own_svg
from collab.core.tokens import hash_token
from collab.extensions import db

RECOVERY_CODES = 10
ISSUER = "collab"


def credential(user: User) -> TotpCredential | None:
    return db.session.scalar(
        select(TotpCredential).where(TotpCredential.user_id == user.id)
    )


def is_enrolled(user: User) -> bool:
    found = credential(user)
    return found is not None and found.confirmed_at is not None


def is_required(user: User) -> bool:
    """The secretariat (REQUIRE_2FA_FOR_SECRETARIAT, on by default); chairs when
    REQUIRE_2FA_FOR_CHAIRS is set."""
    config = current_app.config
    if user.is_secretariat:
        return bool(config.get("REQUIRE_2FA_FOR_SECRETARIAT"))
    if not config.get("REQUIRE_2FA_FOR_CHAIRS"):
        return False
    from collab.groups.models import Membership

    return (
        db.session.scalar(
            select(Membership.id).where(
                Membership.user_id == user.id,
                Membership.role == "chair",
                Membership.status == "active",
            )
        )
        is not None
    )


def enrolled_ids(user_ids: list[int]) -> set[int]:
    return set(
        db.session.scalars(
            select(TotpCredential.user_id).where(
                TotpCredential.user_id.in_(user_ids),
                TotpCredential.confirmed_at.is_not(None),
            )
        )
    )


# --- enrolment ---------------------------------------------------------------------


def start_enrolment(user: User) -> TotpCredential:
    """A new secret, unconfirmed (an enrolled person keeps theirs)."""
    found = credential(user)
    if found is not None and found.confirmed_at is not None:
        raise DomainError(_("You already use an authenticator app."))
    if found is None:
        found = TotpCredential(user_id=user.id, secret=pyotp.random_base32())
        db.session.add(found)
    return found


def provisioning_uri(user: User, found: TotpCredential) -> str:
    return pyotp.TOTP(found.secret).provisioning_uri(
        name=user.email, issuer_name=ISSUER
    )


def qr_svg(uri: str):
    """An inline SVG QR code, made locally (the secret never leaves the server)."""
    return own_svg(segno.make(uri, error="m").svg_inline(scale=5, title="QR code"))


def grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Check the first code; returns the recovery codes to show once."""
    found = credential(user)
    if found is None or found.confirmed_at is not None:
        raise DomainError(_("Start again: open the enrolment page."))
    _check_throttle(user)
    counter = _matching_counter(found, code)
    if counter is None:
        _failed(user, "auth.2fa_enrol_failed")
        raise DomainError(_("That code is not right. Check the time on your phone."))
    found.confirmed_at = utcnow()
    found.last_counter = counter
    codes = new_recovery_codes(user)
    audit.record(user, "auth.2fa_enabled", user)
    tell(user, "second_factor_added")
    return codes


def new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)
    ]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_token(code)))
    return codes


def remove(user: User, *, actor: User) -> None:
    """Forget the authenticator and recovery codes (the person, or a secretariat
    reset when the phone is lost)."""
    db.session.execute(delete(TotpCredential).where(TotpCredential.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(
        actor,
        "auth.2fa_reset" if actor.id != user.id else "auth.2fa_disabled",
        user,
    )
    tell(user, "second_factor_removed")


# --- sign-in -----------------------------------------------------------------------


def verify(user: User, code: str) -> bool:
    """A current TOTP code (once) or an unused recovery code; throttled."""
    _check_throttle(user)
    found = credential(user)
    code = (code or "").strip().replace(" ", "").lower()
    if found is not None and found.confirmed_at is not None:
        counter = _matching_counter(found, code)
        if counter is not None:
            found.last_counter = counter
            return True
    if "-" in code or len(code) == 12:
        normal = code if "-" in code else f"{code[:6]}-{code[6:]}"
        row = db.session.scalar(
            select(RecoveryCode).where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == hash_token(normal),
                RecoveryCode.used_at.is_(None),
            )
        )
        if row is not None:
            row.used_at = utcnow()
            audit.record(user, "auth.recovery_code_used", user)
            return True
    _failed(user, "auth.2fa_failed")
    return False


def remaining_recovery_codes(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def _matching_counter(found: TotpCredential, code: str) -> int | None:
    """The time step the code belongs to (this one or its neighbours, for clock
    drift), if later than the last accepted one."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(found.secret)
    now = int(time.time()) // totp.interval
    for counter in (now - 1, now, now + 1):
        if counter > found.last_counter and secrets.compare_digest(
            totp.generate_otp(counter), code
        ):
            return counter
    return None


def _key(user: User) -> str:
    return f"2fa:{user.id}"


def _check_throttle(user: User) -> None:
    config = current_app.config
    if (
        count_recent(_key(user), config["LOGIN_THROTTLE_WINDOW"])
        >= config["LOGIN_FAILURES_PER_ACCOUNT"]
    ):
        audit.record(user, "auth.2fa_throttled", user)
        raise Throttled(
            _("Too many wrong codes. Please wait 15 minutes and try again.")
        )


def _failed(user: User, action: str) -> None:
    note_event(_key(user))
    audit.record(user, action, user)


def tell(user: User, template: str) -> None:
    from collab.notifications.services import queue_email

    queue_email(user.email, template, user.locale, user=user)
