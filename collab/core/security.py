"""Security headers with a per-request CSP nonce, and the production secret-key
guard."""

import secrets

from flask import Flask, g, request
from flask_login import current_user

DEFAULT_SECRET_KEYS = {
    "dev-only-insecure-key",
    "testing-secret-key-not-for-production",
    "",
}
MIN_SECRET_LENGTH = 32


class InsecureConfiguration(RuntimeError):
    pass


def check_secret_key(app: Flask) -> None:
    """Production refuses to start with a missing, short or default SECRET_KEY."""
    if app.config.get("TESTING") or not app.config.get("SESSION_COOKIE_SECURE"):
        return
    key = app.config.get("SECRET_KEY") or ""
    if key in DEFAULT_SECRET_KEYS or len(key) < MIN_SECRET_LENGTH:
        raise InsecureConfiguration(
            f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_LENGTH} "
            "characters in production "
            "(python -c 'import secrets; print(secrets.token_hex(32))')"
        )


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _headers(response):
        headers = response.headers
        from collab.auth.oidc import provider_origins

        # Browsers apply form-action to the redirect after a post too: "Sign in with
        # <provider>" posts here and is sent on to the provider.
        form_action = " ".join(["'self'", *provider_origins()])
        headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; script-src 'self' 'nonce-{csp_nonce()}'; "
            "style-src 'self'; img-src 'self' data: https:; object-src 'none'; "
            f"base-uri 'none'; frame-ancestors 'none'; form-action {form_action}",
        )
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Permissions-Policy"] = (
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        )
        if response.mimetype == "text/html":
            headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config.get("HSTS"):
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if (
            request.endpoint != "static"
            and current_user
            and current_user.is_authenticated
        ):
            headers["Cache-Control"] = "no-store"
            headers.add("Vary", "Cookie")
        return response
