"""Groups and membership: joining, requests, invitations, roles. Flush, never commit."""

import re
from itertools import groupby

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from collab.audit import services as audit
from collab.auth.models import User
from collab.auth.services import TokenError, create_user, normalize_email
from collab.core.db import utcnow
from collab.core.errors import DomainError
from collab.core.permissions import Role, forget_cached_roles, is_secretariat
from collab.core.text import render_markdown
from collab.core.tokens import hash_token, new_token
from collab.core.urls import absolute_url
from collab.extensions import db
from collab.groups.models import (
    Group,
    Invitation,
    JoinPolicy,
    Membership,
    MembershipStatus,
    Visibility,
)
from collab.notifications.services import queue_email

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# --- reading --------------------------------------------------------------------------


def groups_for(
    user, others_limit: int | None = None
) -> tuple[list[tuple[Group, Membership]], list[Group]]:
    """(my groups with my membership, other groups I may see), each sorted by name;
    the first ``others_limit`` other groups only, when given."""
    mine = db.session.execute(
        select(Group, Membership)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == user.id)
        .order_by(Group.name)
    ).all()
    mine_ids = [group.id for group, _m in mine]
    others = select(Group).where(
        Group.id.not_in(mine_ids), Group.is_archived.is_(False)
    )
    if not is_secretariat(user):
        others = others.where(Group.visibility == Visibility.PUBLIC)
    return [tuple(row) for row in mine], list(
        db.session.scalars(others.order_by(Group.name).limit(others_limit))
    )


def active_memberships(group: Group, role: Role | None = None) -> list[Membership]:
    """Active members (with their accounts) by name; only those of ``role`` if given."""
    query = (
        select(Membership)
        .options(joinedload(Membership.user))
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.group_id == group.id,
            Membership.status == MembershipStatus.ACTIVE,
            User.is_active.is_(True),
        )
        .order_by(User.display_name)
    )
    if role is not None:
        query = query.where(Membership.role == role.key)
    return list(db.session.scalars(query))


def member_counts(group: Group) -> list[tuple[str | None, int]]:
    """Active members per country (None: not given), largest first: what a big
    group's home page shows instead of every name."""
    count = func.count(Membership.id)
    rows = db.session.execute(
        select(User.country, count)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.group_id == group.id,
            Membership.status == MembershipStatus.ACTIVE,
            User.is_active.is_(True),
        )
        .group_by(User.country)
        .order_by(count.desc(), User.country)
    )
    return [tuple(row) for row in rows]


def members_by_country(
    memberships: list[Membership],
) -> list[tuple[str, list[Membership]]]:
    ordered = sorted(
        memberships, key=lambda m: (m.user.country or "~", m.user.display_name)
    )
    return [
        (country, list(rows))
        for country, rows in groupby(ordered, key=lambda m: m.user.country)
    ]


def pending_requests(group: Group) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .options(joinedload(Membership.user))
            .where(
                Membership.group_id == group.id,
                Membership.status == MembershipStatus.PENDING,
            )
            .order_by(Membership.created_at)
        )
    )


def pending_invitations(group: Group) -> list[Invitation]:
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.group_id == group.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def get_membership(group: Group, membership_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership)
        .options(joinedload(Membership.user), joinedload(Membership.group))
        .where(Membership.id == membership_id, Membership.group_id == group.id)
    )


def _chair_emails(group: Group) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.group_id == group.id,
                Membership.role == Role.CHAIR.key,
                Membership.status == MembershipStatus.ACTIVE,
                User.is_active.is_(True),
            )
        )
    )


def _count_chairs(group: Group) -> int:
    return db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.group_id == group.id,
            Membership.role == Role.CHAIR.key,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )


# --- groups ---------------------------------------------------------------------------


def create_group(
    actor: User,
    *,
    slug: str,
    name: str,
    description: str = "",
    visibility: str = Visibility.PUBLIC,
    join_policy: str = JoinPolicy.REQUEST,
) -> Group:
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise DomainError(
            _("Use lower-case letters, digits and hyphens only."), field="slug"
        )
    if db.session.scalar(select(Group.id).where(Group.slug == slug)) is not None:
        raise DomainError(_("Another group already uses this address."), field="slug")
    group = Group(
        slug=slug, name=name.strip(), visibility=visibility, join_policy=join_policy
    )
    set_description(group, description)
    db.session.add(group)
    db.session.flush()
    audit.record(actor, "group.created", group, group=group)
    return group


def set_description(group: Group, description: str) -> None:
    group.description = description
    group.description_html = render_markdown(description)


def update_group(
    actor: User,
    group: Group,
    *,
    name: str,
    description: str,
    visibility: str,
    join_policy: str,
) -> None:
    changes = {
        key: value
        for key, value in (
            ("name", name),
            ("visibility", visibility),
            ("join_policy", join_policy),
        )
        if getattr(group, key) != value
    }
    group.name, group.visibility, group.join_policy = (
        name.strip(),
        visibility,
        join_policy,
    )
    if description != group.description:
        set_description(group, description)
        changes["description"] = True
    audit.record(actor, "group.updated", group, group=group, changes=sorted(changes))


def set_archived(actor: User, group: Group, archived: bool) -> None:
    group.is_archived = archived
    audit.record(
        actor, "group.archived" if archived else "group.unarchived", group, group=group
    )


# --- membership -----------------------------------------------------------------------


def add_member(actor: User, group: Group, user: User, role: Role) -> Membership:
    """Make ``user`` an active member with ``role`` (creating or updating the row)."""
    membership = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.group_id == group.id
        )
    )
    if membership is None:
        membership = Membership(user_id=user.id, group_id=group.id, role=role.key)
        db.session.add(membership)
    else:
        membership.role, membership.status = role.key, MembershipStatus.ACTIVE
    db.session.flush()
    forget_cached_roles()
    audit.record(actor, "membership.added", user, group=group, role=role.key)
    return membership


def change_role(actor: User, membership: Membership, role: Role) -> None:
    group = membership.group
    if (
        membership.role == Role.CHAIR.key
        and role != Role.CHAIR
        and _count_chairs(group) <= 1
    ):
        raise DomainError(
            _("A group needs at least one chair. Appoint another chair first.")
        )
    old = membership.role
    membership.role = role.key
    forget_cached_roles()
    audit.record(
        actor,
        "membership.role_changed",
        membership.user,
        group=group,
        old=old,
        new=role.key,
    )


def remove_member(actor: User, membership: Membership) -> None:
    group, user = membership.group, membership.user
    if (
        membership.role == Role.CHAIR.key
        and membership.is_active
        and _count_chairs(group) <= 1
    ):
        raise DomainError(
            _("A group needs at least one chair. Appoint another chair first.")
        )
    db.session.delete(membership)
    db.session.flush()
    forget_cached_roles()
    action = "membership.left" if actor.id == user.id else "membership.removed"
    audit.record(actor, action, user, group=group)


def join(user: User, group: Group) -> Membership:
    if group.join_policy != JoinPolicy.OPEN or group.is_archived:
        raise DomainError(_("This group does not take members directly."))
    return add_member(user, group, user, Role.MEMBER)


def request_to_join(user: User, group: Group, message: str = "") -> Membership:
    membership = Membership(
        user_id=user.id,
        group_id=group.id,
        role=Role.MEMBER.key,
        status=MembershipStatus.PENDING,
        message=message.strip()[:2000],
    )
    db.session.add(membership)
    db.session.flush()
    forget_cached_roles()
    audit.record(user, "membership.requested", user, group=group)
    link = absolute_url("groups.members", slug=group.slug)
    for chair in _chair_emails(group):
        queue_email(
            chair.email,
            "join_request",
            chair.locale,
            group=group,
            requester=user,
            message=membership.message,
            link=link,
        )
    return membership


def decide_request(actor: User, membership: Membership, approve: bool) -> None:
    if membership.status != MembershipStatus.PENDING:
        raise DomainError(_("This request has already been answered."))
    group, user = membership.group, membership.user
    if approve:
        membership.status = MembershipStatus.ACTIVE
        audit.record(actor, "membership.approved", user, group=group)
    else:
        db.session.delete(membership)
        audit.record(actor, "membership.declined", user, group=group)
    db.session.flush()
    forget_cached_roles()
    link = (
        absolute_url("groups.home", slug=group.slug)
        if approve
        else absolute_url("groups.index")
    )
    queue_email(
        user.email,
        "join_decision",
        user.locale,
        group=group,
        approved=approve,
        link=link,
    )


# --- invitations ----------------------------------------------------------------------


def invite(actor: User, group: Group, email: str, role: Role) -> Invitation:
    email = normalize_email(email)
    existing = db.session.scalar(
        select(Membership)
        .join(User)
        .where(
            User.email == email,
            Membership.group_id == group.id,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )
    if existing is not None:
        raise DomainError(_("This person is already in the group."), field="email")
    # A new invitation replaces any earlier one still waiting for the same person.
    for earlier in db.session.scalars(
        select(Invitation).where(
            Invitation.email == email,
            Invitation.group_id == group.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        earlier.revoked_at = utcnow()
    raw, digest = new_token()
    invitation = Invitation(
        email=email,
        group_id=group.id,
        role=role.key,
        token_hash=digest,
        invited_by_id=actor.id,
        expires_at=utcnow() + current_app.config["INVITATION_TTL"],
    )
    db.session.add(invitation)
    db.session.flush()
    invitee = db.session.scalar(select(User).where(User.email == email))
    queue_email(
        email,
        "invitation",
        invitee.locale if invitee else actor.locale,
        group=group,
        inviter=actor,
        role=role,
        link=absolute_url("auth.accept_invitation", token=raw),
        expires_at=invitation.expires_at,
    )
    audit.record(
        actor, "invitation.sent", invitation, group=group, email=email, role=role.key
    )
    return invitation


def check_invitation(raw: str) -> Invitation:
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(raw))
    )
    if invitation is None:
        raise TokenError(
            _("This invitation link is not valid. Check that you copied all of it."),
            404,
        )
    if invitation.accepted_at is not None:
        raise TokenError(
            _("This invitation has already been used. Sign in to reach the group.")
        )
    if invitation.revoked_at is not None:
        raise TokenError(
            _("This invitation was withdrawn. Ask the group's chair for a new one.")
        )
    if invitation.expires_at < utcnow() or invitation.group.is_archived:
        raise TokenError(
            _("This invitation has expired. Ask the group's chair for a new one.")
        )
    return invitation


def accept_invitation(
    raw: str, user: User | None = None, **account
) -> tuple[User, Group]:
    """Accept as ``user`` (who must own the invited address), or create the account."""
    return accept(check_invitation(raw), user, **account)


def invitations_waiting_for(email: str) -> list[Invitation]:
    """Invitations to this address that can still be accepted."""
    return [
        invitation
        for invitation in db.session.scalars(
            select(Invitation).where(
                Invitation.email == email.strip().lower(),
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
        )
        if not invitation.group.is_archived
    ]


def accept(
    invitation: Invitation, user: User | None = None, **account
) -> tuple[User, Group]:
    if user is None:
        user = create_user(invitation.email, account.pop("display_name"), **account)
        audit.record(user, "auth.account_created", user, via="invitation")
    elif user.email != invitation.email:
        raise DomainError(_("This invitation was sent to another e-mail address."))
    current = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.group_id == invitation.group_id
        )
    )
    role = Role.parse(invitation.role)
    if current is not None and current.is_active and Role.parse(current.role) >= role:
        role = Role.parse(current.role)
    add_member(user, invitation.group, user, role)
    invitation.accepted_at, invitation.accepted_by_id = utcnow(), user.id
    audit.record(user, "invitation.accepted", invitation, group=invitation.group)
    return user, invitation.group


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    invitation.revoked_at = utcnow()
    audit.record(actor, "invitation.revoked", invitation, group=invitation.group)


def get_membership_of(user: User, group: Group) -> Membership | None:
    return db.session.scalar(
        select(Membership)
        .options(joinedload(Membership.user), joinedload(Membership.group))
        .where(Membership.user_id == user.id, Membership.group_id == group.id)
    )


def get_invitation(group: Group, invitation_id: int) -> Invitation | None:
    return db.session.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id, Invitation.group_id == group.id
        )
    )
