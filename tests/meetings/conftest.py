"""Meeting fixtures: a group with one person in each role (in several time zones and
countries), a private group next to it, meetings built through the services, and
helpers that read pages, e-mails and calendar files the way a person (or a calendar
program) does."""

import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import icalendar
import pytest
from sqlalchemy import func, select

from collab.auth.models import User
from collab.core.db import utcnow
from collab.documents import services as documents
from collab.extensions import db
from collab.groups.models import Group
from collab.meetings import agenda, minutes, services
from collab.meetings.models import Meeting
from collab.notifications.models import OutboxEmail
from tests import factories

# The real SMTP server fixtures of the notification tests.
from tests.notifications.conftest import smtp_down, smtp_server  # noqa: F401


@dataclass
class Team:
    """A public group with one person in each role, a private group next to it, and
    people outside."""

    group: Group  # public: "digital-identity"
    private_group: Group  # private: "ict-procurement", chaired by ``other_chair``
    secretariat: User
    chair: User
    member: User
    observer: User
    colleague: User  # a second member
    outsider: User  # signed in, in no group
    other_chair: User
    other_member: User  # member of the private group only

    @property
    def participants(self) -> list[User]:
        return [self.chair, self.member, self.observer, self.colleague]


@pytest.fixture
def team() -> Team:
    secretariat = factories.make_user("Sofia Secretariat", is_secretariat=True)
    chair = factories.make_user("Chiara Rossi", country="IT", timezone="Europe/Rome")
    member = factories.make_user("Kadri Tamm", country="EE", timezone="Europe/Tallinn")
    observer = factories.make_user(
        "Olaf Observer", country="NO", timezone="Europe/Oslo"
    )
    colleague = factories.make_user(
        "Jan de Vries", country="NL", timezone="Europe/Amsterdam"
    )
    outsider = factories.make_user(
        "Oscar Outsider", country="CA", timezone="America/Toronto"
    )
    other_chair = factories.make_user(
        "Marc Tremblay", country="CA", timezone="America/Toronto"
    )
    other_member = factories.make_user(
        "Hye-jin Park", country="KR", timezone="Asia/Seoul"
    )
    group = factories.make_group(
        "Digital Identity",
        slug="digital-identity",
        chair=chair,
        members=(member, colleague),
        observers=(observer,),
    )
    private_group = factories.make_group(
        "ICT Procurement",
        slug="ict-procurement",
        visibility="private",
        chair=other_chair,
        members=(other_member,),
    )
    return Team(
        group,
        private_group,
        secretariat,
        chair,
        member,
        observer,
        colleague,
        outsider,
        other_chair,
        other_member,
    )


# --- building meetings through the services (setup; tests act through pages) ---------


def fields(
    title: str = "Spring plenary",
    day: date | None = None,
    start: str = "10:00",
    end: str = "12:00",
    zone: str = "Europe/Paris",
    end_day: date | None = None,
    **extra,
) -> dict:
    """The meeting form's fields as the services take them."""
    day = day or (utcnow() + timedelta(days=14)).date()
    return {
        "title": title,
        "start_date": day,
        "start_time": time.fromisoformat(start),
        "end_time": time.fromisoformat(end),
        "end_date": end_day,
        "timezone": zone,
        "location": extra.get("location", ""),
        "online_url": extra.get("online_url", ""),
        "description": extra.get("description", ""),
    }


def form(
    title: str = "Spring plenary",
    day: date | str | None = None,
    start: str = "10:00",
    end: str = "12:00",
    zone: str = "Europe/Paris",
    end_day: date | str | None = None,
    **extra,
) -> dict:
    """The meeting form as a browser posts it."""
    day = day or (utcnow() + timedelta(days=14)).date()
    data = {
        "title": title,
        "start_date": str(day),
        "start_time": start,
        "end_time": end,
        "end_date": str(end_day) if end_day else "",
        "timezone": zone,
        "location": "",
        "online_url": "",
        "description": "",
    }
    data.update(extra)
    return data


def make_meeting(
    chair: User,
    group: Group,
    *,
    status: str = "scheduled",
    items: tuple = (),
    publish: bool = False,
    **kwargs,
) -> Meeting:
    """A meeting created (and scheduled, published) through the services, without the
    e-mails it queued. ``items`` are titles or (title, minutes[, kind])."""
    meeting = services.create_meeting(chair, group, fields(**kwargs))
    for entry in items:
        title, duration, *kind = (entry, 15) if isinstance(entry, str) else entry
        agenda.add_item(
            chair,
            meeting,
            {
                "title": title,
                "duration_minutes": duration,
                "kind": kind[0] if kind else "discussion",
            },
        )
    if publish:
        agenda.publish(chair, meeting)
    if status in ("scheduled", "held"):
        services.schedule(chair, meeting)
    db.session.commit()
    clear_outbox()
    return meeting


def past_meeting(chair: User, group: Group, *, days_ago: int = 2, **kwargs) -> Meeting:
    """A meeting that took place ``days_ago`` days ago, marked as held."""
    day = (utcnow() - timedelta(days=days_ago)).date()
    meeting = make_meeting(chair, group, day=day, **kwargs)
    services.mark_held(chair, meeting)
    db.session.commit()
    return meeting


def write_minutes(chair: User, meeting: Meeting, text: str = "Discussed.") -> None:
    minutes.save(chair, meeting, {item.id: text for item in meeting.items})
    db.session.commit()


def add_document(actor: User, group: Group, name: str = "Pilot report.txt", data=None):
    [document] = documents.upload(
        actor, group, [(name, data or b"Wallet pilots: first results.\n")]
    )
    db.session.commit()
    return document


def add_version(actor: User, document, data: bytes = b"Second draft.\n"):
    version = documents.add_version(actor, document, "Pilot report.txt", data, "v2")
    db.session.commit()
    return version


def clear_outbox() -> None:
    db.session.execute(db.delete(OutboxEmail))
    db.session.commit()


# --- addresses ------------------------------------------------------------------------


def meeting_url(meeting: Meeting, suffix: str = "") -> str:
    return f"/groups/{meeting.group.slug}/meetings/{meeting.id}{suffix}"


def item_url(meeting: Meeting, item, suffix: str = "") -> str:
    return meeting_url(meeting, f"/agenda/{item.id}{suffix}")


def location(response) -> str:
    """Where a redirect goes: path, query and fragment."""
    parts = urlsplit(response.headers["Location"])
    return (
        parts.path
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )


# --- reading what a person sees -------------------------------------------------------


def text(response) -> str:
    return response.get_data(as_text=True)


def plain(page: str) -> str:
    """The page's words as a reader sees them: no tags, entities decoded, every kind of
    space (CLDR puts narrow no-break spaces before AM/PM) a plain one."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    words = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"[\s\u202f\u00a0]+", " ", words).strip()


def flashes(page: str) -> list[str]:
    return [
        html.unescape(m)
        for m in re.findall(r'<p class="flash flash-\w+">(.*?)</p>', page, re.S)
    ]


def follow(browser, response) -> str:
    """The page a redirect leads to, as text."""
    assert response.status_code in (302, 303), (response.status_code, text(response))
    return text(browser.get(location(response)))


def agenda_titles(page: str) -> list[str]:
    """The agenda items' titles in the order shown."""
    return [
        html.unescape(m).strip()
        for m in re.findall(
            r'<span class="agenda-time">[^<]*</span>([^<]*)</h3>', page, re.S
        )
    ]


def agenda_times(page: str) -> list[str]:
    return re.findall(r'<span class="agenda-time">([^<]*)</span>', page)


def section(page: str, anchor: str) -> str:
    match = re.search(rf'<section[^>]*id="{anchor}".*?</section>', page, re.S)
    assert match, f"no section #{anchor} on the page"
    return match.group(0)


# --- the database ------------------------------------------------------------------


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def fresh(obj):
    """The object as the database now holds it."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def emails(to: str | None = None, subject: str | None = None) -> list[OutboxEmail]:
    db.session.expire_all()
    query = select(OutboxEmail).order_by(OutboxEmail.id)
    if to:
        query = query.where(OutboxEmail.to_addr == to)
    found = list(db.session.scalars(query))
    if subject is not None:
        found = [e for e in found if subject in e.subject]
    return found


# --- calendars ---------------------------------------------------------------------


def parse_ics(data: bytes | str) -> icalendar.Calendar:
    if isinstance(data, str):
        data = data.encode()
    return icalendar.Calendar.from_ical(data)


def events(calendar: icalendar.Calendar) -> list[icalendar.Event]:
    return list(calendar.walk("VEVENT"))


def only_event(data) -> icalendar.Event:
    [event] = events(parse_ics(data))
    return event


def ics_attachment(email: OutboxEmail) -> dict:
    [attachment] = [
        a for a in email.attachments or [] if a["content_type"] == "text/calendar"
    ]
    return attachment


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- acting through the pages ------------------------------------------------------


def create(browser, group: Group, **kwargs):
    """POST the new-meeting form; returns the response."""
    return browser.post(f"/groups/{group.slug}/meetings/new", data=form(**kwargs))


def newest_meeting() -> Meeting | None:
    db.session.expire_all()
    return db.session.scalar(select(Meeting).order_by(Meeting.id.desc()).limit(1))


def when_lines(page: str) -> list[str]:
    """What the meeting page says about its time, one entry per paragraph."""
    return [plain(m) for m in re.findall(r'<p class="when[\w-]*">.*?</p>', page, re.S)]


def field_errors(page: str) -> dict[str, str]:
    """Errors shown under form fields, by field id."""
    return {
        name: plain(message)
        for name, message in re.findall(
            r'<p class="error" id="([\w-]+)-error">(.*?)</p>', page, re.S
        )
    }


def input_value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert tag, f"no input {name!r} on the page"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def has_button(page: str, label: str) -> bool:
    """Whether the page has a button with this visible label (screen-reader context
    after it aside)."""
    return bool(re.search(rf"<button[^>]*>{re.escape(label)}(<span|</button>)", page))
