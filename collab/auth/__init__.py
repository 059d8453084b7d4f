"""Accounts: sign-in, sessions, password reset and setup links."""
