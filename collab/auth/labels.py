"""Words for the account security page: a browser from its user agent, and each
security event."""

import re

from flask_babel import gettext as _

BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def device(user_agent: str | None) -> str:
    """ "Firefox on Windows" — enough to recognise one's own devices."""
    agent = user_agent or ""
    browser = next((name for key, name in BROWSERS if key in agent), "")
    system = next((name for key, name in SYSTEMS if key in agent), "")
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or re.sub(r"[^\w ./-]", "", agent)[:40]


def security_event(action: str) -> str:
    labels = {
        "auth.sign_in": _("Signed in"),
        "auth.sso_sign_in": _("Signed in with your organisation"),
        "auth.account_created": _("Account created"),
        "auth.reset_requested": _("Password reset asked for"),
        "auth.secretariat_created": _("Secretariat account created"),
        "auth.deactivated": _("Account deactivated"),
        "auth.reactivated": _("Account reactivated"),
        "auth.sign_in_failed": _("Failed sign-in"),
        "auth.sign_in_throttled": _("Sign-in refused: too many attempts"),
        "auth.sign_out": _("Signed out"),
        "auth.sessions_ended": _("Sessions ended"),
        "auth.session_ended": _("A session was ended"),
        "auth.password_changed": _("Password changed"),
        "auth.password_confirmation_failed": _("Wrong password when confirming"),
        "auth.2fa_enabled": _("Authenticator app set up"),
        "auth.2fa_disabled": _("Authenticator app removed"),
        "auth.2fa_reset": _("Second factor reset by the secretariat"),
        "auth.2fa_failed": _("Wrong code"),
        "auth.2fa_enrol_failed": _("Wrong code while setting up"),
        "auth.2fa_throttled": _("Code refused: too many attempts"),
        "auth.recovery_code_used": _("Recovery code used"),
        "auth.recovery_codes_renewed": _("New recovery codes"),
        "auth.identity_linked": _("Organisation sign-in linked"),
        "auth.identity_unlinked": _("Organisation sign-in unlinked"),
        "auth.sso_failed": _("Organisation sign-in failed"),
    }
    return labels.get(action, action)
