"""Who may read, write and moderate discussions. Observers read but never write."""

from collab.core.permissions import Role, can_view_group, is_signed_in, role_in


def can_start_thread(user, group) -> bool:
    """Members and chairs (and the secretariat) start threads in a live group."""
    role = role_in(user, group)
    return role is not None and role >= Role.MEMBER and not group.is_archived


def can_reply(user, thread) -> bool:
    """Members reply unless the thread is locked; chairs may still reply when locked."""
    if not can_start_thread(user, thread.group):
        return False
    return not thread.is_locked or can_moderate(user, thread.group)


def can_edit_post(user, post) -> bool:
    """Authors edit their own visible posts while they may still write in the thread."""
    return (
        is_signed_in(user)
        and post.author_id == user.id
        and post.is_visible
        and can_reply(user, post.thread)
    )


def can_delete_post(user, post) -> bool:
    """Authors remove their own posts (the opening post stays: remove the thread's
    replies or ask a chair)."""
    return can_edit_post(user, post) and post.number > 1


def can_moderate(user, group) -> bool:
    """Chairs of the group and the secretariat pin, lock, move and hide."""
    return role_in(user, group) == Role.CHAIR and not group.is_archived


def can_hide_post(user, post) -> bool:
    """Moderators hide any visible post, with a reason shown in its place."""
    return (
        post.hidden_at is None
        and post.deleted_at is None
        and can_moderate(user, post.thread.group)
    )


def can_view_history(user, post) -> bool:
    """Everyone who can read the group sees how a post was edited."""
    return can_view_group(user, post.thread.group)


def can_mention_group(user, group) -> bool:
    """Only chairs (and the secretariat) may notify the whole group with @group."""
    return role_in(user, group) == Role.CHAIR
