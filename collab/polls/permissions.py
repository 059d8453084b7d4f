"""Who proposes, answers and decides time polls."""

from collab.core.permissions import Role, can_view_group, is_signed_in, role_in


def can_create_poll(user, group) -> bool:
    """Chairs and the secretariat look for a meeting time."""
    return role_in(user, group) == Role.CHAIR and not group.is_archived


def can_view_poll(user, poll) -> bool:
    """Everyone who sees the group sees its polls and their results."""
    return can_view_group(user, poll.group)


def can_vote(user, poll, participant_ids) -> bool:
    """Participants answer while the poll is open and they are still in the group."""
    return (
        is_signed_in(user)
        and poll.is_open
        and user.id in participant_ids
        and role_in(user, poll.group) is not None
        and not poll.group.is_archived
    )


def can_decide_poll(user, poll) -> bool:
    """Chairs turn a slot into a meeting, once."""
    return poll.decided_at is None and can_create_poll(user, poll.group)
