"""The audit log: who changed what, when, from where. Append-only."""

from collab.audit import models, services  # noqa: F401
