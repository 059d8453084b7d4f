"""Putting a signed-in session into the browser's cookie and taking it out again."""

from flask import request, session
from flask_login import login_user, logout_user

from collab.auth import services


def begin_session(user) -> None:
    """Rotate everything in the cookie: a fresh session token, nothing carried over but
    the chosen language."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    session["sid"] = services.start_session(
        user, request.remote_addr or "", request.headers.get("User-Agent", "")
    )
    login_user(user)


def end_session() -> None:
    locale = session.get("locale")
    logout_user()
    session.clear()
    if locale:
        session["locale"] = locale
