"""Roles, the group loader decorator and ``require``: every view authorises through
here."""

from enum import IntEnum
from functools import wraps

from flask import abort, g
from flask_login import current_user
from sqlalchemy import select


class Role(IntEnum):
    """Group roles, ordered so that ``role >= Role.MEMBER`` reads as the policy."""

    OBSERVER = 1
    MEMBER = 2
    CHAIR = 3

    @classmethod
    def parse(cls, name: str | None) -> "Role | None":
        try:
            return cls[name.upper()] if name else None
        except KeyError:
            return None

    @property
    def key(self) -> str:
        return self.name.lower()


def public(view):
    """Mark a view as reachable without signing in (everything else requires it)."""
    view.is_public = True
    return view


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def is_signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def is_secretariat(user) -> bool:
    return is_signed_in(user) and bool(user.is_secretariat)


def membership_of(user, group):
    """The user's membership row in ``group`` (active or pending), cached per
    request."""
    if not is_signed_in(user):
        return None
    from collab.extensions import db
    from collab.groups.models import Membership

    cache = g.setdefault("_memberships", {})
    key = (user.id, group.id)
    if key not in cache:
        cache[key] = db.session.scalar(
            select(Membership).where(
                Membership.user_id == user.id, Membership.group_id == group.id
            )
        )
    return cache[key]


def role_in(user, group) -> Role | None:
    """The user's effective role: the secretariat acts as chair in every group."""
    if is_secretariat(user):
        return Role.CHAIR
    membership = membership_of(user, group)
    if membership is None or not membership.is_active:
        return None
    return Role.parse(membership.role)


def can_view_group(user, group) -> bool:
    """Signed-in people see public groups; private ones only their members and the
    secretariat."""
    if not is_signed_in(user):
        return False
    return group.is_public or role_in(user, group) is not None


def forget_cached_roles() -> None:
    g.pop("_memberships", None)


def group_view(min_role: Role | None = None):
    """Load ``<slug>`` into ``group``: 404 if missing or hidden from the user, 403 if
    the user's role is below ``min_role``."""

    def decorator(view):
        @wraps(view)
        def wrapper(slug, **kwargs):
            from collab.extensions import db
            from collab.groups.models import Group

            group = db.session.scalar(select(Group).where(Group.slug == slug))
            if group is None or not can_view_group(current_user, group):
                abort(404)
            role = role_in(current_user, group)
            if min_role is not None and (role is None or role < min_role):
                abort(403)
            g.group, g.role = group, role
            return view(group=group, **kwargs)

        return wrapper

    return decorator


def install_default_deny(app) -> None:
    """Every view requires sign-in unless marked ``@public``: a forgotten decorator
    cannot open a hole."""
    from flask import request

    @app.before_request
    def _require_sign_in():
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "is_public", False) or is_signed_in(current_user):
            return None
        return app.login_manager.unauthorized()


def role_label(role) -> str:
    from flask_babel import gettext as _

    labels = {"chair": _("Chair"), "member": _("Member"), "observer": _("Observer")}
    key = role.key if isinstance(role, Role) else str(role)
    return labels.get(key, key)
