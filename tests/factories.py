"""Plain functions that build realistic records; they commit so requests see them."""

import itertools

from collab.auth.models import User
from collab.auth.passwords import hash_password
from collab.core.permissions import Role
from collab.core.text import render_markdown
from collab.extensions import db
from collab.groups.models import Group, Membership

PASSWORD = "violet tractor harbour 1987"
_seq = itertools.count(1)


def make_user(
    name: str | None = None,
    *,
    email: str | None = None,
    password: str | None = PASSWORD,
    is_secretariat: bool = False,
    is_active: bool = True,
    country: str = "FR",
    locale: str | None = None,
    organisation: str = "Ministry of Digital Affairs",
    timezone: str = "Europe/Paris",
) -> User:
    n = next(_seq)
    name = name or f"Person {n}"
    user = User(
        email=email or f"person{n}@gov.example",
        username=f"person{n}",
        display_name=name,
        password_hash=hash_password(password) if password else None,
        is_secretariat=is_secretariat,
        is_active=is_active,
        country=country,
        locale=locale,
        organisation=organisation,
        position="Head of Unit",
        timezone=timezone,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_group(
    name: str | None = None,
    *,
    slug: str | None = None,
    visibility: str = "public",
    join_policy: str = "request",
    description: str = "Works on **shared** digital government questions.",
    chair: User | None = None,
    members: tuple[User, ...] = (),
    observers: tuple[User, ...] = (),
    archived: bool = False,
) -> Group:
    n = next(_seq)
    group = Group(
        slug=slug or f"group-{n}",
        name=name or f"Group {n}",
        description=description,
        description_html=render_markdown(description),
        visibility=visibility,
        join_policy=join_policy,
        is_archived=archived,
    )
    db.session.add(group)
    db.session.flush()
    if chair is not None:
        add_member(group, chair, Role.CHAIR, commit=False)
    for user in members:
        add_member(group, user, Role.MEMBER, commit=False)
    for user in observers:
        add_member(group, user, Role.OBSERVER, commit=False)
    db.session.commit()
    return group


def add_member(
    group: Group,
    user: User,
    role: Role = Role.MEMBER,
    *,
    status: str = "active",
    commit: bool = True,
) -> Membership:
    membership = Membership(
        user_id=user.id, group_id=group.id, role=role.key, status=status
    )
    db.session.add(membership)
    if commit:
        db.session.commit()
    return membership
