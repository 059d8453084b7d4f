"""Which language and time zone a request is shown in."""

from flask import current_app, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if (
        current_user
        and current_user.is_authenticated
        and current_user.locale in languages
    ):
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or languages[0]


def select_timezone() -> str | None:
    if current_user and current_user.is_authenticated:
        return current_user.timezone
    return None


def _translations():
    """Flask-Babel's catalog for the current locale, found once per locale per
    request: its own lookup (context, locale, cache key) runs for each of the
    hundreds of strings a page translates. A changed locale (force_locale, as for
    e-mails in the recipient's language) is a new Locale object, so it is seen."""
    from flask import g
    from flask_babel import get_translations

    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return get_translations()
    found = getattr(state, "collab_translations", None)
    if found is None or found[0] is not locale:
        found = (locale, get_translations())
        state.collab_translations = found
    return found[1]


def install_fast_gettext(app) -> None:
    """The templates' _(), ngettext() and friends, as Flask-Babel installs them but
    with the catalog looked up once per request."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
