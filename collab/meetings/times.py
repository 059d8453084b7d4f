"""Meeting times: a wall-clock time in the meeting's zone to UTC, and back out as the
viewer's time beside the meeting's own, labelled with the zones' cities."""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from babel.dates import format_date, format_time, get_timezone_location
from flask_babel import get_locale, gettext

from collab.core.errors import DomainError

ZONES = frozenset(zoneinfo.available_timezones())


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name if name in ZONES else "UTC")


def to_utc(day: date, clock: time, zone_name: str, field: str) -> datetime:
    """The UTC instant of a wall-clock time in ``zone_name``.

    A time skipped by the spring change (02:30 in Paris on the last Sunday of March)
    does not exist: refuse it rather than guess. In the autumn hour that happens
    twice, the first one is meant.
    """
    if zone_name not in ZONES:
        raise DomainError(
            gettext("Choose a time zone from the list, e.g. Europe/Paris."), "timezone"
        )
    tz = zoneinfo.ZoneInfo(zone_name)
    local = datetime.combine(day, clock, tzinfo=tz)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise DomainError(
            gettext(
                "%(time)s does not exist in %(zone)s that day: the clocks change. "
                "Choose another time.",
                time=clock.strftime("%H:%M"),
                zone=city(zone_name),
            ),
            field,
        )
    return instant


def city(zone_name: str) -> str:
    """ "Seoul", "Paris", "New York" in the reader's language ("UTC" stays)."""
    if zone_name in ("UTC", "Etc/UTC"):
        return "UTC"
    try:
        return get_timezone_location(
            zone(zone_name), locale=get_locale() or "en", return_city=True
        )
    except (LookupError, ValueError):
        return zone_name


@dataclass
class Span:
    """A meeting's start and end seen from one zone."""

    zone: str
    start: datetime
    end: datetime

    @property
    def city(self) -> str:
        return city(self.zone)

    @property
    def crosses_midnight(self) -> bool:
        """Ends on a later day (ending at midnight exactly does not count)."""
        return (self.end - timedelta(microseconds=1)).date() != self.start.date()

    def day(self, fmt: str = "full") -> str:
        return format_date(self.start.date(), fmt, locale=get_locale() or "en")

    def end_day(self, fmt: str = "full") -> str:
        return format_date(self.end.date(), fmt, locale=get_locale() or "en")

    def clock(self, value: datetime) -> str:
        return format_time(value, "short", tzinfo=value.tzinfo, locale=_locale())

    @property
    def start_clock(self) -> str:
        return self.clock(self.start)

    @property
    def end_clock(self) -> str:
        return self.clock(self.end)


def _locale():
    return get_locale() or "en"


def span(starts_at: datetime, ends_at: datetime, zone_name: str | None) -> Span:
    tz = zone(zone_name)
    return Span(
        zone=zone_name if zone_name in ZONES else "UTC",
        start=starts_at.astimezone(tz),
        end=ends_at.astimezone(tz),
    )


@dataclass
class When:
    """What a meeting page says about time: the viewer's span first and, when the
    meeting's zone shows a different clock, the meeting's own."""

    mine: Span
    theirs: Span | None

    @property
    def day_differs(self) -> bool:
        return bool(self.theirs) and self.theirs.start.date() != self.mine.start.date()


def when(meeting, viewer_zone: str | None) -> When:
    mine = span(meeting.starts_at, meeting.ends_at, viewer_zone or "UTC")
    theirs = span(meeting.starts_at, meeting.ends_at, meeting.timezone)
    same_clock = (
        mine.start.utcoffset() == theirs.start.utcoffset()
        and mine.end.utcoffset() == theirs.end.utcoffset()
    )
    return When(mine=mine, theirs=None if same_clock else theirs)
