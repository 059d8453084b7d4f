"""The console is the secretariat's alone."""

from collab.core.permissions import is_secretariat


def can_use_console(user) -> bool:
    """Only secretariat accounts open /admin/."""
    return is_secretariat(user)
