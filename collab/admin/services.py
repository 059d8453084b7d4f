"""Secretariat operations: applying an import, exporting memberships, reading the
audit log."""

import csv
import io

from flask import current_app
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from collab.admin.importer import RowPlan, plan_import
from collab.audit import services as audit
from collab.audit.models import AuditEvent
from collab.auth.models import User
from collab.auth.services import create_user, issue_password_token
from collab.core.errors import DomainError
from collab.core.permissions import Role
from collab.core.spreadsheet import safe_cell
from collab.core.urls import absolute_url
from collab.extensions import db
from collab.groups import services as group_services
from collab.groups.models import Group, Membership
from collab.notifications.services import queue_email

AUDIT_PAGE_SIZE = 50


def apply_import(actor: User, text: str) -> list[RowPlan]:
    """Apply every row or none: any row with a problem raises before anything
    changes."""
    from flask_babel import gettext as _

    plans = plan_import(text)
    bad = [plan for plan in plans if plan.errors]
    if bad:
        raise DomainError(
            _("%(n)d row(s) have problems; nothing was imported.", n=len(bad))
        )
    created: dict[str, User] = {}
    for plan in plans:
        user = plan.existing_user or created.get(plan.email)
        if user is None:
            user = create_user(
                plan.email,
                plan.name,
                country=plan.country or None,
                organisation=plan.organisation,
                position=plan.position,
            )
            created[plan.email] = user
            raw = issue_password_token(
                user, "setup", current_app.config["INVITATION_TTL"]
            )
            queue_email(
                user.email,
                "account_created",
                None,
                user=user,
                inviter=actor,
                link=absolute_url("auth.setup_account", token=raw),
            )
            audit.record(actor, "auth.account_created", user, via="import")
        group_services.add_member(actor, plan.group_obj, user, Role.parse(plan.role))
    audit.record(
        actor, "admin.import_applied", None, rows=len(plans), accounts=len(created)
    )
    return plans


def membership_csv() -> str:
    rows = db.session.execute(
        select(Group, Membership, User)
        .join(Membership, Membership.group_id == Group.id)
        .join(User, User.id == Membership.user_id)
        .order_by(Group.slug, User.display_name)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "group",
            "group_name",
            "email",
            "name",
            "country",
            "organisation",
            "position",
            "role",
            "status",
            "since",
            "account_active",
        ]
    )
    for group, membership, user in rows:
        writer.writerow(
            [
                safe_cell(value)
                for value in (
                    group.slug,
                    group.name,
                    user.email,
                    user.display_name,
                    user.country or "",
                    user.organisation,
                    user.position,
                    membership.role,
                    membership.status,
                    membership.created_at.date().isoformat(),
                    "yes" if user.is_active else "no",
                )
            ]
        )
    return out.getvalue()


def search_people(query: str) -> Select:
    statement = select(User).where(User.erased_at.is_(None)).order_by(User.display_name)
    if query:
        like = f"%{query.strip().lower()}%"
        statement = statement.where(
            or_(
                User.email.ilike(like),
                User.display_name.ilike(like),
                User.organisation.ilike(like),
                User.username.ilike(like),
            )
        )
    return statement


def audit_query(person: str = "", group: str = "", action: str = "") -> Select:
    statement = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
    )
    if person:
        like = f"%{person.strip().lower()}%"
        people = select(User.id).where(
            or_(User.email.ilike(like), User.display_name.ilike(like))
        )
        statement = statement.where(
            or_(
                AuditEvent.actor_id.in_(people),
                (AuditEvent.target_type == "user") & AuditEvent.target_id.in_(people),
                AuditEvent.target_label.ilike(like),
            )
        )
    if group:
        statement = statement.where(
            AuditEvent.group_id.in_(
                select(Group.id).where(Group.slug == group.strip().lower())
            )
        )
    if action:
        statement = statement.where(AuditEvent.action.startswith(action.strip()))
    return statement
