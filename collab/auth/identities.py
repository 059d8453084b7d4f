"""Binding provider identities to accounts: by (issuer, subject) once bound; the
first time, through a pending invitation or a verified e-mail address of an existing
account; otherwise only if self-registration is open for the address's domain."""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from collab.audit import services as audit
from collab.auth.models import User, UserIdentity
from collab.auth.oidc import Provider, SsoError
from collab.auth.services import create_user, find_user_by_email, normalize_email
from collab.core.db import utcnow
from collab.extensions import db


class NoAccount(SsoError):
    """Nobody to bind to: the person should ask the secretariat."""


def identities_of(user: User) -> list[UserIdentity]:
    return list(
        db.session.scalars(
            select(UserIdentity)
            .where(UserIdentity.user_id == user.id)
            .order_by(UserIdentity.created_at)
        )
    )


def _find(p: Provider, subject: str) -> UserIdentity | None:
    return db.session.scalar(
        select(UserIdentity).where(
            UserIdentity.issuer == p.issuer, UserIdentity.subject == subject
        )
    )


def _verified_email(claims: dict) -> str | None:
    email = normalize_email(claims.get("email") or "")
    return email if email and claims.get("email_verified") is True else None


def _bind(user: User, p: Provider, claims: dict) -> UserIdentity:
    identity = UserIdentity(
        user_id=user.id,
        provider=p.name,
        issuer=p.issuer,
        subject=str(claims["sub"]),
        email=normalize_email(claims.get("email") or ""),
        last_used_at=utcnow(),
    )
    db.session.add(identity)
    audit.record(user, "auth.identity_linked", user, provider=p.name)
    from collab.notifications.services import queue_email

    queue_email(user.email, "identity_linked", user.locale, user=user, provider=p)
    return identity


def account_for(p: Provider, claims: dict) -> User:
    """The account these claims sign in to, binding the identity on first use."""
    identity = _find(p, str(claims["sub"]))
    if identity is not None:
        user = db.session.get(User, identity.user_id)
        if user is None or not user.is_active or user.erased_at is not None:
            raise NoAccount(_("This account cannot sign in. Ask the secretariat."))
        identity.last_used_at = utcnow()
        return user
    email = _verified_email(claims)
    if email is None:
        raise NoAccount(
            _("Your organisation did not confirm your e-mail address to collab.")
        )
    user = find_user_by_email(email)
    if user is not None:
        if not user.is_active or user.erased_at is not None:
            raise NoAccount(_("This account cannot sign in. Ask the secretariat."))
        if any(i.issuer == p.issuer for i in identities_of(user)):
            # The account already has its person at this provider: a new subject
            # showing the same address (a reassigned mailbox) must not take it over.
            raise NoAccount(
                _("This address belongs to another sign-in. Ask the secretariat.")
            )
        _bind(user, p, claims)
        return user
    from collab.groups import services as groups

    invitations = groups.invitations_waiting_for(email)
    domain = email.rpartition("@")[2]
    open_domains = {
        d.lower() for d in current_app.config.get("OIDC_SELF_REGISTRATION_DOMAINS", [])
    }
    if not invitations and domain not in open_domains:
        raise NoAccount(_("There is no collab account for %(email)s.", email=email))
    name = (claims.get("name") or email.partition("@")[0]).strip()[:120]
    user = create_user(email, name)
    audit.record(
        user,
        "auth.account_created",
        user,
        via="invitation" if invitations else "self-registration",
        provider=p.name,
    )
    for invitation in invitations:
        groups.accept(invitation, user)
    _bind(user, p, claims)
    return user


def link(user: User, p: Provider, claims: dict) -> UserIdentity:
    """A signed-in person adds another way to sign in."""
    existing = _find(p, str(claims["sub"]))
    if existing is not None:
        if existing.user_id == user.id:
            raise SsoError(_("This sign-in is already linked to your account."))
        raise SsoError(_("This sign-in belongs to another collab account."))
    return _bind(user, p, claims)


def unlink(user: User, identity_id: int) -> None:
    """Remove a way to sign in, never the last one."""
    identity = db.session.get(UserIdentity, identity_id)
    if identity is None or identity.user_id != user.id:
        raise LookupError(identity_id)
    others = [i for i in identities_of(user) if i.id != identity.id]
    if not others and not user.password_hash:
        raise SsoError(
            _(
                "This is your only way to sign in: set a password or link another "
                "sign-in first."
            )
        )
    db.session.delete(identity)
    audit.record(user, "auth.identity_unlinked", user, provider=identity.provider)
