"""Notifications: in-app, e-mail through a durable outbox, and daily digests."""
