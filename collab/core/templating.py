"""Jinja filters and globals: times in the viewer's zone, country names, can_* rules."""

import inspect

from babel import Locale
from babel.dates import format_time
from flask import Flask, current_app, request, url_for
from flask_babel import format_date, format_datetime, get_locale, gettext
from flask_babel import format_time as format_time_user
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from collab.core import permissions, text


def country_name(code: str | None) -> str:
    if not code:
        return ""
    locale = get_locale() or Locale("en")
    return locale.territories.get(code.upper(), code.upper())


NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"}
# ISO 3166 alpha-2 country codes (CLDR's territories minus regions and placeholders).
COUNTRY_CODES = frozenset(
    code
    for code in Locale("en").territories
    if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
)


def country_choices() -> list[SelectChoice]:
    """ISO 3166 alpha-2 codes with names in the reader's language, sorted by name."""
    locale = get_locale() or Locale("en")
    countries = [
        (name, code)
        for code, name in locale.territories.items()
        if code in COUNTRY_CODES
    ]
    return [SelectChoice(code, name) for name, code in sorted(countries)]


def initials(name: str) -> str:
    parts = [part for part in (name or "").split() if part[:1].isalpha()]
    return "".join(part[0] for part in parts[:2]).upper() or "?"


def person_name(user) -> str:
    """A name to show; an erased account reads "Former member", translated."""
    if user is None:
        return ""
    if getattr(user, "erased_at", None) is not None:
        return gettext("Former member")
    return user.display_name


def language_name(code: str) -> str:
    locale = get_locale() or Locale("en")
    return locale.languages.get(code, code)


def local_day(value) -> str:
    """The day of a time in its own zone ("Fri 18 Dec"), for times shown beside
    the reader's."""
    from babel.dates import format_date as babel_date

    return babel_date(value.date(), "EEE d MMM", locale=get_locale() or "en")


def local_time(value) -> str:
    """A time in its own zone (e.g. someone's local time), not the viewer's."""
    return format_time(value, "short", tzinfo=value.tzinfo, locale=get_locale() or "en")


def datetime_in(value, zone_name: str, fmt: str = "short") -> str:
    """A time in a given person's zone (an e-mail's recipient, not the viewer)."""
    from babel.dates import format_datetime as babel_datetime

    from collab.meetings.times import zone

    return babel_datetime(
        value, fmt, tzinfo=zone(zone_name), locale=get_locale() or "en"
    )


def filesize(size: int) -> str:
    from babel.numbers import format_decimal

    locale = get_locale() or "en"
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{format_decimal(round(size / scale, 1), locale=locale)} {unit}"
    return f"{size} B"


def register_permissions(app: Flask, module) -> None:
    """Expose a feature's ``can_*`` rules to templates, so buttons match endpoints."""
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if name.startswith("can_"):
            app.jinja_env.globals[name] = function


def url_for_self(**changes) -> str:
    """The current page's URL with some query arguments changed (for pagination,
    filters)."""
    args = request.args.to_dict()
    args.update({key: value for key, value in changes.items()})
    args = {key: value for key, value in args.items() if value not in (None, "")}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    from collab.admin import permissions as admin_permissions
    from collab.auth import labels, oidc
    from collab.documents import permissions as document_permissions
    from collab.groups import permissions as group_permissions
    from collab.meetings import permissions as meeting_permissions
    from collab.meetings.times import when
    from collab.members import permissions as member_permissions
    from collab.notifications.activity import unread_count
    from collab.polls import permissions as poll_permissions
    from collab.search import permissions as search_permissions
    from collab.threads import permissions as thread_permissions

    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
    app.jinja_env.filters["time"] = lambda value, fmt="short": (
        format_time_user(value, fmt) if value else ""
    )
    app.jinja_env.filters["country"] = country_name
    app.jinja_env.filters["initials"] = initials
    app.jinja_env.filters["person_name"] = person_name
    app.jinja_env.filters["language"] = language_name
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_day"] = local_day
    app.jinja_env.filters["filesize"] = filesize
    app.jinja_env.filters["datetime_in"] = datetime_in
    app.jinja_env.globals["sso_providers"] = oidc.providers
    app.jinja_env.filters["device"] = labels.device
    app.jinja_env.filters["security_event"] = labels.security_event
    app.jinja_env.filters["markdown"] = lambda source: text.as_markup(
        text.render_markdown_cached(source or "")
    )
    app.jinja_env.filters["highlight"] = text.highlight
    app.jinja_env.globals["url_for_self"] = url_for_self
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "en")
    app.jinja_env.globals["languages"] = lambda: current_app.config["LANGUAGES"]
    for module in (
        permissions,
        group_permissions,
        admin_permissions,
        member_permissions,
        thread_permissions,
        document_permissions,
        meeting_permissions,
        poll_permissions,
        search_permissions,
    ):
        register_permissions(app, module)
    app.jinja_env.globals["unread_notifications"] = lambda: unread_count(current_user)
    app.jinja_env.globals["is_secretariat"] = permissions.is_secretariat
    app.jinja_env.globals["role_label"] = permissions.role_label
    app.jinja_env.globals["role_in"] = permissions.role_in
    app.jinja_env.globals["meeting_when"] = lambda meeting: when(
        meeting, current_user.timezone if current_user.is_authenticated else "UTC"
    )
