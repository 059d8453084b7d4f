"""Who searches, and where: everyone signed in, each within what they may read (the
query itself applies ``services.scope_of``; these rules guard the page)."""

from collab.core.permissions import can_view_group, is_signed_in


def can_search(user) -> bool:
    return is_signed_in(user)


def can_search_group(user, group) -> bool:
    """Searching inside a group is for those who see the group."""
    return can_view_group(user, group)
