"""Member profiles, the directory, and people's control over their own data."""

from collab.members import models, views  # noqa: F401
