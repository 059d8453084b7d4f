"""Time poll fixtures: a public group whose members live in Paris, Toronto, Seoul and
Sydney (with an observer in Oslo), a private group next to it and people outside;
polls built through the services (setup only; tests act through the pages), and
readers for what a person sees on a poll page.

Slot dates are in November 2027, after today, so nothing depends on the clock: in the
week of 1–6 November 2027 Europe is back on winter time (since 31 October) while
North America is still on summer time (until 7 November) and Sydney is on summer time
(since 3 October)."""

import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from collab.auth.models import User
from collab.core.db import utcnow
from collab.extensions import db
from collab.groups.models import Group
from collab.meetings import times
from collab.notifications.models import Notification, OutboxEmail
from collab.polls import services
from collab.polls.models import Poll
from tests import factories

# The real SMTP server fixtures of the notification tests.
from tests.notifications.conftest import smtp_down, smtp_server  # noqa: F401

# Tuesday in the week when Europe has changed to winter time and North America not yet.
DST_WEEK = date(2027, 11, 2)
# Tuesday of the week after, when North America has changed too.
WEEK_AFTER = date(2027, 11, 9)
CLOSES_ON = date(2027, 10, 26)


@dataclass
class World:
    """A public group with members in four time zones, a private group, outsiders."""

    group: Group  # public, "digital-identity"
    private_group: Group  # private, "ict-procurement"
    secretariat: User  # Brussels, in no group
    chair: User  # Paris
    toronto: User  # member
    seoul: User  # member
    sydney: User  # member
    observer: User  # Oslo
    outsider: User  # New York, signed in, in no group
    other_chair: User  # chairs the private group
    other_member: User  # member of the private group only

    @property
    def participants(self) -> list[User]:
        """Everyone of the group: the default participants of a poll."""
        return [self.chair, self.toronto, self.seoul, self.sydney, self.observer]

    @property
    def members(self) -> list[User]:
        return [self.toronto, self.seoul, self.sydney]


@pytest.fixture
def world() -> World:
    secretariat = factories.make_user(
        "Sofia Secretariat",
        is_secretariat=True,
        country="BE",
        timezone="Europe/Brussels",
    )
    chair = factories.make_user("Claire Dubois", country="FR", timezone="Europe/Paris")
    toronto = factories.make_user(
        "Marc Tremblay", country="CA", timezone="America/Toronto"
    )
    seoul = factories.make_user("Park Min-jun", country="KR", timezone="Asia/Seoul")
    sydney = factories.make_user(
        "Olivia Brown", country="AU", timezone="Australia/Sydney"
    )
    observer = factories.make_user(
        "Olaf Observer", country="NO", timezone="Europe/Oslo"
    )
    outsider = factories.make_user(
        "Oscar Outsider", country="US", timezone="America/New_York"
    )
    other_chair = factories.make_user(
        "Ana Souza", country="BR", timezone="America/Sao_Paulo"
    )
    other_member = factories.make_user(
        "Aroha Ngata", country="NZ", timezone="Pacific/Auckland"
    )
    group = factories.make_group(
        "Digital Identity",
        slug="digital-identity",
        chair=chair,
        members=(toronto, seoul, sydney),
        observers=(observer,),
    )
    private_group = factories.make_group(
        "ICT Procurement",
        slug="ict-procurement",
        visibility="private",
        chair=other_chair,
        members=(other_member,),
    )
    return World(
        group,
        private_group,
        secretariat,
        chair,
        toronto,
        seoul,
        sydney,
        observer,
        outsider,
        other_chair,
        other_member,
    )


# --- the poll form and polls built through the services ---


def poll_form(
    title: str = "Autumn plenary",
    days: tuple = (DST_WEEK,),
    clocks: str = "14:00",
    zone: str = "Europe/Paris",
    closes_on: date | str = CLOSES_ON,
    closes_time: str = "17:00",
    participants: list[int] | None = None,
    duration: str = "60",
    description: str = "",
) -> dict:
    """The new-poll form as a browser posts it (participant boxes as repeated
    values)."""
    data = {
        "title": title,
        "duration_minutes": duration,
        "timezone": zone,
        "clocks": clocks,
        "closes_on": str(closes_on),
        "closes_time": closes_time,
        "description": description,
    }
    for n in range(7):
        data[f"days-{n}"] = str(days[n]) if n < len(days) and days[n] else ""
    if participants is not None:
        data["participants"] = [str(i) for i in participants]
    return data


def form_for(world: World, **kwargs) -> dict:
    """The form as the chair posts it without touching the participant boxes: everyone
    of the group ticked."""
    kwargs.setdefault("participants", [p.id for p in world.participants])
    return poll_form(**kwargs)


def selected_zone(page: str) -> str | None:
    select_tag = re.search(r'<select[^>]*name="timezone".*?</select>', page, re.S)
    assert select_tag, "no time zone list on the page"
    match = re.search(
        r'<option(?=[^>]*\bselected\b)[^>]*value="([^"]+)"', select_tag[0]
    )
    return match.group(1) if match else None


def make_poll(
    chair: User,
    group: Group,
    *,
    days: tuple = (DST_WEEK,),
    clocks: str = "14:00",
    zone: str = "Europe/Paris",
    closes_on: date = CLOSES_ON,
    closes_time: time = time(17, 0),
    people: list[User] | None = None,
    duration: int = 60,
    title: str = "Autumn plenary",
    description: str = "",
) -> Poll:
    """A poll created through the services, without the e-mails and in-app
    notifications it produced."""
    if people is None:
        people = list(services.meetings.participants(group))
    poll = services.create_poll(
        chair,
        group,
        {
            "title": title,
            "description": description,
            "duration_minutes": duration,
            "timezone": zone,
            "clocks": clocks,
            "days": list(days),
            "closes_on": closes_on,
            "closes_time": closes_time,
        },
        [p.id for p in people],
    )
    db.session.commit()
    forget_mail()
    return poll


def answer(user: User, poll: Poll, answers: list[str | None], comment: str = ""):
    """Record ``user``'s answers, one per slot in time order (None: no answer)."""
    services.vote(
        user,
        poll,
        {slot.id: a for slot, a in zip(poll.slots, answers, strict=True) if a},
        comment,
    )
    db.session.commit()


def close(poll: Poll, ago: timedelta = timedelta(minutes=1)) -> None:
    """Time passes: the poll's closing time is now behind us."""
    poll = fresh(poll)
    poll.closes_at = utcnow() - ago
    db.session.commit()


def forget_mail() -> None:
    db.session.execute(db.delete(OutboxEmail))
    db.session.execute(db.delete(Notification))
    db.session.commit()


def newest_poll() -> Poll | None:
    db.session.expire_all()
    return db.session.scalar(select(Poll).order_by(Poll.id.desc()).limit(1))


def poll_url(poll: Poll, suffix: str = "") -> str:
    return f"/groups/{poll.group.slug}/polls/{poll.id}{suffix}"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(day: date, clock: str, zone: str) -> datetime:
    """A wall-clock time somewhere, as a UTC instant."""
    return times.to_utc(day, time.fromisoformat(clock), zone, "x")


# --- the database ---


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def fresh(obj):
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


# --- reading what a person sees ---


def text(response) -> str:
    return response.get_data(as_text=True)


def plain(page: str) -> str:
    """The words as a reader sees them: no tags, entities decoded, every kind of space
    (CLDR puts narrow no-break spaces before AM/PM) a plain one."""
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    words = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"[\s\u202f\u00a0]+", " ", words).strip()


def location(response) -> str:
    parts = urlsplit(response.headers["Location"])
    return parts.path + (f"?{parts.query}" if parts.query else "")


def flashes(page: str) -> list[str]:
    return [
        plain(m)
        for m in re.findall(r'<p class="flash flash-\w+">(.*?)</p>', page, re.S)
    ]


def follow(browser, response) -> str:
    assert response.status_code in (302, 303), (response.status_code, text(response))
    return text(browser.get(location(response)))


def error_summary(page: str) -> list[str]:
    """The messages of every error summary on the page, as read."""
    return [
        plain(item)
        for block in re.findall(r'<div class="error-summary".*?</div>', page, re.S)
        for item in re.findall(r"<li>(.*?)</li>", block, re.S)
    ]


@dataclass
class SlotView:
    """One slot of the answer form as its reader sees it."""

    legend: str  # "Tuesday, November 2, 2027, 2:00 PM–3:00 PM" (+ out-of-hours note)
    elsewhere: str  # "Elsewhere: 9:00 AM Toronto · ..."
    burden: str  # "Out of hours for 2 participants."
    marked: bool  # the fieldset carries the out-of-hours class
    answer: str | None  # the ticked radio button


def answer_form(page: str) -> list[SlotView]:
    """The slots of the viewer's answer form, in time order."""
    found = []
    for attrs, body in re.findall(
        r'<fieldset class="slot([^"]*)">(.*?)</fieldset>', page, re.S
    ):
        legend = re.search(r"<legend>(.*?)</legend>", body, re.S).group(1)
        zones = re.search(r'<p class="zones">(.*?)</p>', body, re.S).group(1)
        burden = re.search(r'<p class="meta">(.*?)</p>', body, re.S).group(1)
        ticked = re.search(r'value="(\w+)" checked', body)
        found.append(
            SlotView(
                plain(legend),
                plain(zones),
                plain(burden),
                "out-of-hours" in attrs,
                ticked.group(1) if ticked else None,
            )
        )
    return found


def proposed_times(page: str) -> list[tuple[str, str]]:
    """(time, elsewhere) of the read-only slot list shown to non-participants."""
    block = re.search(
        r'<section aria-labelledby="slots-heading">(.*?)</section>', page, re.S
    )
    assert block, "no list of proposed times on the page"
    return [
        (plain(strong), plain(zones))
        for strong, zones in re.findall(
            r'<li><strong>(.*?)</strong>\s*<p class="zones">(.*?)</p></li>',
            block.group(1),
            re.S,
        )
    ]


def _rows(table: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    return [
        [plain(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def ranking(page: str) -> list[list[str]]:
    """The ranked results table: [rank, time, yes, if need be, no, out of hours]."""
    table = re.search(r'<table class="stack">.*?</table>', page, re.S)
    assert table, "no results table on the page"
    return _rows(table.group(0))


def who_said_what(page: str) -> dict[str, list[str]]:
    """Participant (with comment) → answers per slot in time order."""
    table = re.search(r'<table class="grid">.*?</table>', page, re.S)
    assert table, "no table of answers on the page"
    return {row[0]: row[1:] for row in _rows(table.group(0))}


def has_button(page: str, label: str) -> bool:
    return bool(re.search(rf"<button[^>]*>\s*{re.escape(label)}\s*</button>", page))
