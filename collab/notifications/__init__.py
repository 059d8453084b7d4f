"""Outgoing e-mail through a durable outbox (in-app notifications come later)."""

from collab.notifications import cli, models  # noqa: F401
