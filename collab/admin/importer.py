"""Bulk CSV import of people: a per-row plan first, then all-or-nothing application."""

import csv
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select

from collab.auth.models import User
from collab.core.permissions import Role, role_label
from collab.core.templating import COUNTRY_CODES
from collab.extensions import db
from collab.groups.models import Group, Membership

COLUMNS = ["email", "name", "country", "organisation", "position", "group", "role"]
MAX_ROWS = 2000


@dataclass
class RowPlan:
    line: int
    email: str = ""
    name: str = ""
    country: str = ""
    organisation: str = ""
    position: str = ""
    group: str = ""
    role: str = ""
    actions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    existing_user: User | None = None
    group_obj: Group | None = None


class ImportError_(ValueError):
    """The file itself cannot be read (not a row-level problem)."""


def read_rows(text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("email", "name", "group", "role") if c not in headers]
    if missing:
        raise ImportError_(
            _(
                "The first line must name the columns; missing: %(cols)s.",
                cols=", ".join(missing),
            )
        )
    reader.fieldnames = headers
    rows = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise ImportError_(
                _("At most %(n)d rows can be imported at once.", n=MAX_ROWS)
            )
        values = {k: (v or "").strip() for k, v in row.items() if k in COLUMNS}
        # The file's own line number (blank lines count), so people find the row to fix.
        values["line"] = reader.line_num
        rows.append(values)
    if not rows:
        raise ImportError_(_("The file has no rows under its header."))
    return rows


def plan_import(text: str) -> list[RowPlan]:
    """What would happen to each row, with its problems. Reads only."""
    rows = read_rows(text)
    emails = {r.get("email", "").lower() for r in rows}
    users = {
        u.email: u
        for u in db.session.scalars(select(User).where(User.email.in_(emails)))
    }
    groups = {g.slug: g for g in db.session.scalars(select(Group))}
    memberships = {
        (m.user_id, m.group_id): m
        for m in db.session.scalars(
            select(Membership).where(
                Membership.user_id.in_([u.id for u in users.values()])
            )
        )
    }
    seen: set[tuple[str, str]] = set()
    plans = []
    for row in rows:
        plan = RowPlan(line=row["line"], **{k: row.get(k, "") for k in COLUMNS})
        plan.email = plan.email.lower()
        plan.country = plan.country.upper()
        plan.role = plan.role.lower()
        try:
            validate_email(plan.email, check_deliverability=False)
        except EmailNotValidError:
            plan.errors.append(
                _("“%(value)s” is not a valid e-mail address.", value=plan.email)
            )
        if not plan.name:
            plan.errors.append(_("The name is missing."))
        if (
            len(plan.name) > 120
            or len(plan.organisation) > 200
            or len(plan.position) > 200
        ):
            plan.errors.append(_("A value is too long."))
        if plan.country and plan.country not in COUNTRY_CODES:
            plan.errors.append(
                _(
                    "“%(value)s” is not a two-letter ISO country code.",
                    value=plan.country,
                )
            )
        plan.group_obj = groups.get(plan.group)
        if plan.group_obj is None:
            plan.errors.append(_("There is no group “%(value)s”.", value=plan.group))
        if Role.parse(plan.role) is None:
            plan.errors.append(_("The role must be chair, member or observer."))
        if (plan.email, plan.group) in seen:
            plan.errors.append(_("This person appears twice for the same group."))
        seen.add((plan.email, plan.group))
        if plan.errors:
            plans.append(plan)
            continue
        plan.existing_user = users.get(plan.email)
        if plan.existing_user is None:
            plan.actions.append(
                _("create an account and e-mail a link to set a password")
            )
            membership = None
        else:
            membership = memberships.get((plan.existing_user.id, plan.group_obj.id))
        if membership is None or not membership.is_active:
            plan.actions.append(
                _(
                    "add to %(group)s as %(role)s",
                    group=plan.group_obj.name,
                    role=role_label(plan.role),
                )
            )
        elif membership.role != plan.role:
            plan.actions.append(
                _(
                    "change role in %(group)s from %(old)s to %(new)s",
                    group=plan.group_obj.name,
                    old=role_label(membership.role),
                    new=role_label(plan.role),
                )
            )
        else:
            plan.actions.append(
                _(
                    "nothing: already %(role)s of %(group)s",
                    role=role_label(plan.role),
                    group=plan.group_obj.name,
                )
            )
        plans.append(plan)
    return plans
