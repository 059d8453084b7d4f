"""Accounts: sign-in, sessions, password reset and setup links."""

from collab.auth import cli, models, views  # noqa: F401
