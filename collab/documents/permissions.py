"""Who may read, upload to and manage a group's library."""

from collab.core.permissions import Role, can_view_group, is_signed_in, role_in


def can_read_library(user, group) -> bool:
    """Everyone who can see the group reads and downloads its documents."""
    return can_view_group(user, group)


def can_upload(user, group) -> bool:
    """Members and chairs upload documents and new versions; observers read only."""
    role = role_in(user, group)
    return role is not None and role >= Role.MEMBER and not group.is_archived


def can_manage_folders(user, group) -> bool:
    """Members and chairs organise folders (create, rename, move, delete empty)."""
    return can_upload(user, group)


def can_edit_document(user, document) -> bool:
    """Members edit the title, description, tags and folder of a document."""
    return document.deleted_at is None and can_upload(user, document.group)


def can_delete_document(user, document) -> bool:
    """Chairs, the secretariat and whoever uploaded it move a document to the trash."""
    if document.deleted_at is not None or not can_upload(user, document.group):
        return False
    return role_in(user, document.group) == Role.CHAIR or (
        is_signed_in(user) and document.created_by_id == user.id
    )


def can_restore_document(user, document) -> bool:
    """The same people bring it back from the trash within 30 days."""
    if document.deleted_at is None or not can_upload(user, document.group):
        return False
    return role_in(user, document.group) == Role.CHAIR or (
        is_signed_in(user) and document.created_by_id == user.id
    )
