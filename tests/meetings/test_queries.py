"""The meeting pages issue a fixed number of SQL queries, whatever the number of agenda
items, attached documents, answers, attendance rows, outcomes, comments or meetings."""

import re
from datetime import timedelta

from collab.core.db import utcnow
from collab.documents import services as documents
from collab.extensions import db
from collab.meetings import agenda, minutes, services
from collab.meetings.models import Attendance, Rsvp
from tests import factories
from tests.meetings.conftest import (
    clear_outbox,
    make_meeting,
    meeting_url,
    past_meeting,
    text,
)
from tests.query_count import counting_queries


def queries(browser, path: str) -> int:
    assert browser.get(path).status_code == 200  # warm: session touch, feed key
    with counting_queries() as seen:
        assert browser.get(path).status_code == 200, path
    return len(seen)


def _group(team, slug: str, people: int):
    group = factories.make_group(
        slug.title(), slug=slug, chair=team.chair, members=(team.member,)
    )
    others = []
    for n in range(people):
        person = factories.make_user(
            f"Delegate {slug} {n:02}",
            password=None,
            country=("EE", "FR", "KR", "NZ", "")[n % 5],
        )
        factories.add_member(group, person, commit=False)
        others.append(person)
    db.session.commit()
    return group, others


def _held_meeting(team, slug: str, items: int, docs_per_item: int, people: int):
    """A held meeting with its whole record, every part ``items``/``people`` long."""
    group, others = _group(team, slug, people)
    everyone = [team.chair, team.member, *others]
    earlier = past_meeting(team.chair, group, days_ago=40, items=("Earlier",))
    for n in range(max(1, items)):
        minutes.add_action(
            team.chair,
            earlier,
            earlier.items[0].id,
            f"Earlier action {n}",
            everyone[n % len(everyone)].id,
            utcnow().date() + timedelta(days=n),
        )
    meeting = make_meeting(
        team.chair,
        group,
        title="Plenary",
        day=(utcnow() - timedelta(days=2)).date(),
        items=[(f"Item {n}", 10) for n in range(items)],
    )
    agenda.add_review_item(team.chair, meeting)
    for n, item in enumerate(meeting.items):
        item.presenter_id = everyone[n % len(everyone)].id
        for d in range(docs_per_item):
            [document] = documents.upload(
                team.chair, group, [(f"Paper {n}-{d}.txt", f"Paper {n} {d}\n".encode())]
            )
            agenda.attach(team.chair, item, document.id, pin=d % 2 == 0)
        minutes.add_decision(team.chair, meeting, item.id, f"Decision on item {n}")
        minutes.add_action(
            team.chair,
            meeting,
            item.id,
            f"Action on item {n}",
            everyone[n % len(everyone)].id,
            utcnow().date() + timedelta(days=n),
        )
    agenda.publish(team.chair, meeting)
    services.mark_held(team.chair, meeting)
    for n, person in enumerate(everyone):
        db.session.add(
            Rsvp(
                meeting_id=meeting.id,
                user_id=person.id,
                answer=("yes", "maybe", "no")[n % 3],
                comment=f"Comment {n}",
            )
        )
        db.session.add(
            Attendance(
                meeting_id=meeting.id,
                user_id=person.id,
                presence=("present", "excused", "absent", "present")[n % 4],
            )
        )
    minutes.save(
        team.chair, meeting, {item.id: f"Minutes {item.id}" for item in meeting.items}
    )
    minutes.circulate(team.chair, meeting, utcnow() + timedelta(days=7))
    for person in everyone:
        minutes.comment(person, meeting, f"A comment by {person.display_name}")
    db.session.commit()
    clear_outbox()
    return meeting


def test_meeting_page_queries_do_not_grow_with_items_documents_or_people(login, team):
    small = _held_meeting(team, "small-group", items=1, docs_per_item=2, people=1)
    big = _held_meeting(team, "big-group", items=15, docs_per_item=3, people=40)

    for who in (team.member, team.chair):
        browser = login(who)
        baseline = queries(browser, meeting_url(small))
        assert baseline > 0
        assert queries(browser, meeting_url(big)) == baseline, who.display_name


def test_scheduled_meeting_page_queries_do_not_grow_with_answers(login, team):
    group, few = _group(team, "few", 1)
    small = make_meeting(team.chair, group, items=("Opening",), publish=True)
    big_group, people = _group(team, "crowd", 50)
    big = make_meeting(
        team.chair,
        big_group,
        items=[(f"Item {n}", 5) for n in range(20)],
        publish=True,
    )
    for meeting, answering in ((small, few), (big, people)):
        for n, person in enumerate(answering):
            services.answer(person, meeting, ("yes", "maybe", "no")[n % 3], "Note")
    db.session.commit()

    for who in (team.member, team.chair):
        browser = login(who)
        baseline = queries(browser, meeting_url(small))
        assert queries(browser, meeting_url(big)) == baseline, who.display_name
    chair = login(team.chair)
    for suffix in ("/responses", "/attendance"):
        assert queries(chair, meeting_url(big, suffix)) == queries(
            chair, meeting_url(small, suffix)
        ), suffix


def test_lists_registers_and_feeds_do_not_grow_with_meetings(login, team, app):
    group, _ = _group(team, "quiet", 0)
    busy, people = _group(team, "busy", 10)
    make_meeting(team.chair, group, items=("Opening",), publish=True)
    past = past_meeting(team.chair, group, items=("Opening",))
    minutes.add_action(
        team.chair, past, past.items[0].id, "One", team.member.id, utcnow().date()
    )
    for n in range(12):
        make_meeting(
            team.chair,
            busy,
            title=f"Meeting {n}",
            items=[(f"Item {i}", 5) for i in range(4)],
            publish=True,
            day=(utcnow() + timedelta(days=n + 1)).date(),
        )
    for n in range(12):
        held = past_meeting(
            team.chair, busy, days_ago=n + 2, title=f"Past {n}", items=("Opening",)
        )
        for person in people:
            minutes.add_action(
                team.chair,
                held,
                held.items[0].id,
                f"Action {n}",
                person.id,
                utcnow().date() + timedelta(days=n),
            )
    db.session.commit()
    browser = login(team.member)

    for suffix in (
        "meetings/",
        "actions/",
        "actions/?status=all",
        "meetings/calendar.ics",
    ):
        assert queries(browser, f"/groups/busy/{suffix}") == queries(
            browser, f"/groups/quiet/{suffix}"
        ), suffix


def test_dashboard_calendar_page_and_feed_do_not_grow_with_meetings(login, team, app):
    group, _ = _group(team, "first", 0)
    make_meeting(team.chair, group, items=("Opening",), publish=True)
    past = past_meeting(team.chair, group, items=("Opening",))
    minutes.add_action(
        team.chair, past, past.items[0].id, "One", team.member.id, utcnow().date()
    )
    db.session.commit()
    browser = login(team.member)
    page = text(browser.get("/calendar/"))
    feed = re.search(r'value="http://collab\.test(/calendar/[^"]+)"', page).group(1)
    anonymous = app.test_client()
    before = {
        "/": queries(browser, "/"),
        "/calendar/": queries(browser, "/calendar/"),
        feed: queries(anonymous, feed),
    }

    for n in range(8):
        other, _ = _group(team, f"more-{n}", 2)
        make_meeting(
            team.chair,
            other,
            items=[(f"Item {i}", 5) for i in range(3)],
            publish=True,
            day=(utcnow() + timedelta(days=n + 1)).date(),
        )
        held = past_meeting(team.chair, other, items=("Opening",))
        minutes.add_action(
            team.chair,
            held,
            held.items[0].id,
            f"Action {n}",
            team.member.id,
            utcnow().date() + timedelta(days=n),
        )
    db.session.commit()

    after = {
        "/": queries(browser, "/"),
        "/calendar/": queries(browser, "/calendar/"),
        feed: queries(anonymous, feed),
    }
    assert after == before
