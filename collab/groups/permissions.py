"""Who may do what in a group. Each rule reads as the policy; templates use them too."""

from collab.core.permissions import (
    Role,
    is_secretariat,
    is_signed_in,
    membership_of,
    role_in,
)


def can_manage_members(user, group) -> bool:
    """Chairs of the group and the secretariat manage its membership."""
    return role_in(user, group) == Role.CHAIR and not group.is_archived


def can_invite(user, group, role: Role = Role.MEMBER) -> bool:
    """Chairs invite members and observers; only the secretariat invites chairs."""
    if role == Role.CHAIR:
        return is_secretariat(user) and not group.is_archived
    return can_manage_members(user, group)


def can_change_membership(user, membership) -> bool:
    """Chairs manage members and observers but not other chairs; the secretariat
    manages everyone."""
    group = membership.group
    if is_secretariat(user):
        return not group.is_archived
    return can_manage_members(user, group) and membership.role != Role.CHAIR.key


def can_join(user, group) -> bool:
    """Anyone signed in joins an open, public group they are not in."""
    return (
        is_signed_in(user)
        and group.join_policy == "open"
        and group.is_public
        and not group.is_archived
        and membership_of(user, group) is None
    )


def can_request_to_join(user, group) -> bool:
    """Signed-in non-members may ask to join a public group that takes requests."""
    return (
        is_signed_in(user)
        and group.join_policy == "request"
        and group.is_public
        and not group.is_archived
        and membership_of(user, group) is None
    )


def can_leave(user, group) -> bool:
    """Members may leave, including a pending request they withdraw."""
    return membership_of(user, group) is not None
