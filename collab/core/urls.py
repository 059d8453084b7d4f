"""Absolute links for e-mails and the CLI, and the guard that keeps `next` on our
host."""

from urllib.parse import urlsplit

from flask import current_app, url_for


def absolute_url(endpoint: str, **values) -> str:
    """Always built on BASE_URL, never on the request's Host header (which an attacker
    chooses when asking for a password reset)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    with current_app.test_request_context("/", base_url=base):
        return url_for(endpoint, _external=True, **values)


def site_path(endpoint: str, **values) -> str:
    """The path of a page (no host), built without a request, e.g. for links stored
    in the database."""
    return urlsplit(absolute_url(endpoint, **values)).path


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default``."""
    if not target or not isinstance(target, str):
        return default
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
