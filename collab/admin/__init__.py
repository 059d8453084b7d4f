"""The secretariat console under /admin/."""

from collab.admin import views  # noqa: F401
