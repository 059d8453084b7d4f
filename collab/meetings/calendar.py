"""iCalendar (RFC 5545) files for meetings and the secret address of each person's
feed."""

import secrets
from datetime import timedelta

import icalendar
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from collab.auth.models import User
from collab.core.db import utcnow
from collab.core.urls import absolute_url
from collab.extensions import db
from collab.meetings import services, times
from collab.meetings.models import AgendaItem, CalendarKey, Meeting, Status

PRODID = "-//collab//Working group meetings//EN"
STATUS = {
    Status.DRAFT: "TENTATIVE",
    Status.SCHEDULED: "CONFIRMED",
    Status.HELD: "CONFIRMED",
    Status.CANCELLED: "CANCELLED",
}
FEED_PAST = timedelta(days=180)


def _description(meeting: Meeting, with_agenda: bool) -> str:
    lines = []
    if meeting.is_cancelled and meeting.cancel_reason:
        lines += [_("Cancelled: %(reason)s", reason=meeting.cancel_reason), ""]
    if meeting.description:
        lines += [meeting.description, ""]
    if with_agenda and meeting.agenda_is_published and meeting.items:
        lines.append(_("Agenda"))
        for item in meeting.items:
            lines.append(f"{item.position}. {item.title} ({item.duration_minutes} min)")
        lines.append("")
    if meeting.online_url:
        lines.append(_("Join online: %(url)s", url=meeting.online_url))
    lines.append(
        absolute_url("meetings.show", slug=meeting.group.slug, meeting_id=meeting.id)
    )
    return "\n".join(lines).strip()


def event(meeting: Meeting) -> icalendar.Event:
    tz = times.zone(meeting.timezone)
    vevent = icalendar.Event()
    vevent.add("uid", meeting.uid)
    vevent.add("dtstamp", utcnow())
    vevent.add("created", meeting.created_at)
    vevent.add("last-modified", meeting.updated_at)
    vevent.add("sequence", meeting.sequence)
    vevent.add("dtstart", meeting.starts_at.astimezone(tz))
    vevent.add("dtend", meeting.ends_at.astimezone(tz))
    vevent.add("summary", f"{meeting.group.name}: {meeting.title}")
    vevent.add("status", STATUS.get(meeting.status, "CONFIRMED"))
    place = ", ".join(p for p in (meeting.location, meeting.online_url) if p)
    if place:
        vevent.add("location", place)
    vevent.add(
        "url",
        meeting.online_url
        or absolute_url(
            "meetings.show", slug=meeting.group.slug, meeting_id=meeting.id
        ),
    )
    vevent.add("description", _description(meeting, with_agenda=True))
    return vevent


def calendar(meetings: list[Meeting], name: str | None = None) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    for meeting in meetings:
        cal.add_component(event(meeting))
    if meetings:
        # Only the years the events need: a VTIMEZONE from 1970 is mostly noise.
        first = min(m.starts_at for m in meetings).date() - timedelta(days=366)
        last = max(m.ends_at for m in meetings).date() + timedelta(days=366)
        cal.add_missing_timezones(first_date=first, last_date=last)
    return cal.to_ical()


def meeting_ics(meeting: Meeting) -> bytes:
    return calendar([meeting])


def _with_agenda(query):
    return query.options(
        joinedload(Meeting.group),
        selectinload(Meeting.items).joinedload(AgendaItem.presenter),
    )


def group_feed(group, include_drafts: bool) -> bytes:
    query = select(Meeting).where(
        Meeting.group_id == group.id, Meeting.ends_at >= utcnow() - FEED_PAST
    )
    if not include_drafts:
        query = query.where(Meeting.status != Status.DRAFT)
    meetings = list(db.session.scalars(_with_agenda(query).order_by(Meeting.starts_at)))
    return calendar(meetings, name=group.name)


def personal_feed(user: User) -> bytes:
    """Meetings of all the person's groups (never drafts), recent and to come."""
    query = select(Meeting).where(
        Meeting.group_id.in_(services.active_group_ids(user)),
        Meeting.status != Status.DRAFT,
        Meeting.ends_at >= utcnow() - FEED_PAST,
    )
    meetings = list(db.session.scalars(_with_agenda(query).order_by(Meeting.starts_at)))
    return calendar(meetings, name=_("collab: my meetings"))


# --- the secret feed address ---------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="calendar-feed")


def feed_token(user: User, regenerate: bool = False) -> str:
    """The token in the person's feed address: signed, so a copy of the database
    alone cannot produce it; regenerating changes the nonce and kills old ones."""
    key = db.session.scalar(select(CalendarKey).where(CalendarKey.user_id == user.id))
    if key is None:
        key = CalendarKey(user_id=user.id, nonce=secrets.token_urlsafe(16))
        db.session.add(key)
    elif regenerate:
        key.nonce = secrets.token_urlsafe(16)
        key.created_at = utcnow()
    return _serializer().dumps([user.id, key.nonce])


def user_for_token(token: str) -> User | None:
    try:
        user_id, nonce = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    key = db.session.scalar(select(CalendarKey).where(CalendarKey.user_id == user_id))
    if key is None or not secrets.compare_digest(key.nonce, str(nonce)):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or user.erased_at is not None:
        return None
    return user
