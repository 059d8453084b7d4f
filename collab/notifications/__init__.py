"""Notifications: in-app, e-mail through a durable outbox, and daily digests."""

from collab.notifications import cli, models, views  # noqa: F401
