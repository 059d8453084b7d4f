"""Default deny: every view is either explicitly public (and listed here) or refuses an
anonymous visitor with a redirect to the sign-in page."""

import pytest
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from tests.security.routes import SKIPPED_METHODS, is_login_redirect

# Reviewed: each of these is meant to be reachable without signing in.
PUBLIC_VIEWS = {
    "auth.sign_in",
    "auth.sign_out",
    "auth.request_reset",
    "auth.reset_password",
    "auth.setup_account",
    "auth.accept_invitation",
    "site.set_language",
    "site.healthz",
    # One-click unsubscribe (RFC 8058): the link in every notification e-mail and the
    # List-Unsubscribe header. A mail client POSTs it without a session (and without a
    # CSRF token: it is exempt too, see test_csrf.py); the signed token in the address
    # is the authorisation, and it only mutes its owner's thread or turns off its
    # owner's e-mail. Forged or foreign tokens get 404 (test_unsubscribe.py).
    "notifications.unsubscribe",
    # The personal calendar feed (/calendar/<token>.ics): calendar programs fetch it
    # without a session. The token is signed and carries the person's current nonce
    # (regenerating it kills the old address); it lists only meetings of the groups
    # the person is an active member of, never drafts. Bad or replaced tokens get 404
    # (test_route_matrix.py, test_canary.py).
    "meetings.personal_feed",
    # The second step of signing in (/auth/two-factor): the person is not signed in
    # yet. Only a fixed-size note in the cookie (user id, time, next) set by a correct
    # password makes it ask for a code, for five minutes; without one it sends the
    # visitor back to sign-in. Codes are throttled like passwords.
    "auth.two_factor",
    # Organisation sign-in (OpenID Connect): the start (POST, with a CSRF token) sends
    # the browser to a configured provider with state, nonce and PKCE; the callback is
    # where the provider sends the browser back, before anyone is signed in. It
    # accepts only this browser's latest state for that provider, once, and an ID
    # token signed by the issuer for this client. Unknown providers are 404.
    "sso.start",
    "sso.callback",
}


def _sample_url(app, rule) -> str:
    """The rule filled in with made-up values (the view is never reached
    anonymously)."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = min(converter.items)
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        else:
            values[name] = "made-up"
    return app.url_map.bind("localhost").build(rule.endpoint, values)


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _public_endpoints(app) -> set[str]:
    return {
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and getattr(view, "is_public", False)
    }


def test_public_views_are_exactly_the_reviewed_allowlist(app):
    public = _public_endpoints(app)
    assert not public - PUBLIC_VIEWS, (
        f"views marked @public but not reviewed: {public - PUBLIC_VIEWS}"
    )
    assert not PUBLIC_VIEWS - public, (
        f"allowlisted views no longer public: {PUBLIC_VIEWS - public}"
    )


def test_every_view_function_is_reachable_through_a_rule(app):
    routed = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(app.view_functions) <= routed


def test_every_non_public_view_sends_anonymous_visitors_to_sign_in(app, client):
    public = _public_endpoints(app)
    refused_to_deny = []
    for rule in _rules(app):
        if rule.endpoint in public:
            continue
        url = _sample_url(app, rule)
        for method in sorted(rule.methods - SKIPPED_METHODS):
            response = (
                client.open(url, method=method)
                if method != "POST"
                else client.post(url)
            )
            if not is_login_redirect(response):
                refused_to_deny.append((method, url, response.status_code))
    assert not refused_to_deny, (
        f"protected views answering anonymous visitors: {refused_to_deny}"
    )


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_unknown_address_is_404_not_a_sign_in_redirect(client, method):
    response = client.open("/no/such/page", method=method)
    assert response.status_code == 404
