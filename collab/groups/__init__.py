"""Working groups, membership, join requests and invitations."""

from collab.groups import models, views  # noqa: F401
