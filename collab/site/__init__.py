"""Site-wide pages: the dashboard, the language switch, the health check."""

from collab.site import views  # noqa: F401
