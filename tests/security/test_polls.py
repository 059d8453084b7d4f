"""Time polls. Canary: A's poll title, description and P2's comment carry the canary;
nothing P0, P1 or P3 can fetch (lists, poll pages through A's and B's address, the
dashboard, notifications, refusals) or receives by e-mail shows them, even after A's
chair reminds, decides and schedules; a person removed from A stops seeing the poll at
once. IDOR: a poll of one group under the other's address is 404 for its chairs and
the secretariat, answers naming another poll's slots are ignored, a decision naming
another poll's slot is refused; nothing changes. XSS: title, description and comment
add no element to the poll page, the list, the dashboard, notifications and e-mails;
the description renders through core/text to allowed markup only."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from collab.core.db import utcnow
from collab.core.permissions import Role, forget_cached_roles
from collab.core.text import render_markdown
from collab.extensions import db
from collab.meetings.models import Meeting
from collab.notifications.models import Notification, OutboxEmail
from collab.polls import notify as poll_notify
from collab.polls import services as poll_services
from collab.polls.models import Poll, PollParticipant, PollVote
from tests import factories
from tests.security.routes import (
    CANARY,
    PRINCIPAL_NAMES,
    poll_form,
    poll_url,
    send,
    snapshot,
    vote_form,
)
from tests.security.test_canary import _email_text, _emails, _fetch_all, _outbox_ids
from tests.security.test_xss import HAND_WRITTEN, violations
from tests.security.test_xss_pages import (
    HARMLESS,
    NAME_PAYLOAD,
    PAYLOAD,
    _gains_only_allowed_markup,
    _last_email_html,
    assert_same_shape,
    page_shape,
)

POLL_WORDS = "steering call"  # the plain part of A's poll title


# --- canary -------------------------------------------------------------------------


def poll_urls(world) -> list[str]:
    """Every address around A's and B's polls, through A's address and B's."""
    polls = world.polls
    urls = ["/", "/notifications/", "/groups/", "/calendar/", "/no/such/page"]
    for slug in ("alpha", "bravo"):
        urls += [
            f"/groups/{slug}/",
            f"/groups/{slug}/polls/",
            f"/groups/{slug}/polls/?page=2",
            f"/groups/{slug}/polls/new",
            f"/groups/{slug}/meetings/",
        ]
        for poll in (polls.poll_a, polls.poll_b):
            urls += [poll_url(poll, slug=slug), poll_url(poll, "/vote", slug)]
    return urls


def poll_posts(world) -> list[tuple[str, dict]]:
    """Forms an outsider might send at A's poll, through A's address and B's."""
    poll_a = world.polls.poll_a
    posts = []
    for slug in ("alpha", "bravo"):
        posts += [
            (poll_url(poll_a, "/vote", slug), vote_form(poll_a, comment="Me too")),
            (
                poll_url(poll_a, "/decide", slug),
                {"slot": str(poll_a.slots[0].id), "invite": "1"},
            ),
            (f"/groups/{slug}/polls/new", poll_form("Sneaky")),
        ]
    return posts


def _chair_works_on_the_poll(world, client_as) -> None:
    """The day before closing, Ed (who has not answered) is reminded; then A's chair
    picks a time and invites the group: a meeting under the poll's title."""
    poll = world.polls.poll_a
    assert poll_services.send_reminders(
        poll.closes_at - (poll.closes_at - utcnow()) / 8
    )
    db.session.commit()
    response = client_as("P4").post(
        poll_url(poll, "/decide"), data={"slot": str(poll.slots[0].id), "invite": "1"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


@pytest.mark.parametrize(
    "principal", ["P0", "P1", "P3"], ids=lambda p: PRINCIPAL_NAMES[p]
)
def test_poll_of_a_never_reaches_outsiders_of_a(world, client_as, principal):
    polls = world.polls
    client = client_as(principal)
    _chair_works_on_the_poll(world, client_as)
    crashes, texts = _fetch_all(client, poll_urls(world))
    assert not crashes, crashes
    leaks = [where for where, text in texts if CANARY in text]
    refused = []
    for url, form in poll_posts(world):
        response = client.post(url, data=form)
        body = response.get_data(as_text=True)
        if response.status_code not in (302, 403, 404) or (
            response.status_code == 302 and "/auth/sign-in" not in response.location
        ):
            refused.append(f"POST {url} → {response.status_code}")
        if CANARY in body:
            leaks.append(f"POST {url}")
    assert not leaks, f"{PRINCIPAL_NAMES[principal]} reads A's poll: {leaks}"
    assert not refused, refused
    db.session.rollback()
    assert (
        db.session.scalar(
            select(PollParticipant.comment).where(
                PollParticipant.poll_id == polls.poll_a.id,
                PollParticipant.comment == "Me too",
            )
        )
        is None
    )
    if principal != "P0":
        person = world.users[principal]
        invitation = f"/auth/invitations/{world.invitation_p1_token}"
        leaked = [
            e.subject
            for e in _emails(person.email)
            if CANARY in _email_text(e) and invitation not in e.body_text
        ]
        assert not leaked, f"e-mails to {principal}: {leaked}"


def test_poll_canary_test_can_see_a_leak(world, client_as, login):
    """The control: members of A do read A's poll where it is."""
    polls = world.polls
    ed = login(world.extra_member)
    dashboard = ed.get("/").get_data(as_text=True)
    assert POLL_WORDS in dashboard, "Ed has not answered: the dashboard lists it"
    assert POLL_WORDS in ed.get("/notifications/").get_data(as_text=True)
    p2 = client_as("P2")
    page = p2.get(poll_url(polls.poll_a)).get_data(as_text=True)
    assert f"Only after the {CANARY} review." in page
    assert POLL_WORDS in p2.get("/groups/alpha/polls/").get_data(as_text=True)
    assert any(POLL_WORDS in e.subject + e.body_text for e in _emails(ed_mail(world)))


def ed_mail(world) -> str:
    return world.extra_member.email


def test_removed_member_stops_seeing_the_poll_at_once(world, client_as, login):
    """Ed was asked and has not answered; A's chair removes Ed from A. Ed's
    dashboard, notifications and the poll page show the poll no more, and the
    reminder the day before closing does not go to Ed."""
    polls = world.polls
    ed = login(world.extra_member)
    assert POLL_WORDS in ed.get("/").get_data(as_text=True)
    response = client_as("P4").post(
        f"/groups/alpha/members/{world.extra_membership.id}/remove"
    )
    assert response.status_code == 302
    cutoff = _outbox_ids()
    poll = polls.poll_a
    poll_services.send_reminders(poll.closes_at - (poll.closes_at - utcnow()) / 8)
    db.session.commit()
    crashes, texts = _fetch_all(
        ed, ["/", "/notifications/", poll_url(poll), "/groups/alpha/polls/"]
    )
    assert not crashes, crashes
    leaks = [where for where, text in texts if POLL_WORDS in text or CANARY in text]
    assert not leaks, f"Ed, removed from A, still reads A's poll: {leaks}"
    mail = _emails(ed_mail(world), cutoff)
    assert not [e.subject for e in mail if POLL_WORDS in _email_text(e)]


# --- IDOR ---------------------------------------------------------------------------

MADE_UP = 999_999


def poll_attacks(world, home: str, other: str) -> list[tuple[str, str, dict]]:
    """``other``'s poll under ``home``'s address: its page, an answer, a decision."""
    theirs = {"A": world.polls.poll_a, "B": world.polls.poll_b}[other]
    slug = {"A": "alpha", "B": "bravo"}[home]
    return [
        ("GET", poll_url(theirs, slug=slug), {}),
        ("POST", poll_url(theirs, "/vote", slug), vote_form(theirs)),
        (
            "POST",
            poll_url(theirs, "/decide", slug),
            {"slot": str(theirs.slots[0].id), "invite": "1"},
        ),
    ]


# The chairs of the home group and the secretariat pass every role check there.
POLL_ATTACKERS = [("A", "B", "P4"), ("A", "B", "P5"), ("B", "A", "chair_b")]
POLL_ATTACKERS += [("B", "A", "P5")]


@pytest.mark.parametrize(
    ("home", "other", "attacker"),
    POLL_ATTACKERS,
    ids=[f"{o}-poll-under-{h}-by-{a}" for h, o, a in POLL_ATTACKERS],
)
def test_poll_of_one_group_under_the_other_is_404_and_changes_nothing(
    world, client_as, login, home, other, attacker
):
    client = login(world.chair_b) if attacker == "chair_b" else client_as(attacker)
    attacks = poll_attacks(world, home, other)
    before = snapshot()
    wrong = [
        f"{method} {url} → {response.status_code}"
        for method, url, form in attacks
        if (response := send(client, method, url, form)).status_code != 404
    ]
    theirs = {"A": world.polls.poll_a, "B": world.polls.poll_b}[other]
    for method, url, form in attacks:  # the control: an id that exists nowhere
        made_up = url.replace(f"/polls/{theirs.id}", f"/polls/{MADE_UP}")
        assert send(client, method, made_up, form).status_code == 404, made_up
    assert snapshot() == before
    assert not wrong, "\n".join(wrong)


def test_poll_ids_are_neighbours(world):
    polls = world.polls
    assert polls.poll_b.id == polls.poll_a.id + 1
    assert polls.poll_b.slots[0].id == polls.poll_a.slots[-1].id + 1


def _votes_on(poll) -> list[tuple]:
    db.session.rollback()
    return list(
        db.session.execute(
            select(PollVote.user_id, PollVote.slot_id, PollVote.answer)
            .where(PollVote.poll_id == poll.id)
            .order_by(PollVote.id)
        )
    )


def test_answers_for_another_polls_slots_are_ignored(world, client_as):
    """P2 answers A's poll naming B's slots: refused, nothing saved; with A's slots
    among them, only A's are saved and B's poll is untouched."""
    polls = world.polls
    client = client_as("P2")
    foreign = {f"slot-{slot.id}": "yes" for slot in polls.poll_b.slots}
    before = snapshot()
    response = client.post(
        poll_url(polls.poll_a, "/vote"), data={**foreign, "comment": "B's slots"}
    )
    assert response.status_code == 400
    assert snapshot() == before
    b_votes = _votes_on(polls.poll_b)
    response = client.post(
        poll_url(polls.poll_a, "/vote"),
        data={**foreign, **vote_form(polls.poll_a, ("no", "no", "no", "no"))},
    )
    assert response.status_code == 302
    assert _votes_on(polls.poll_b) == b_votes
    a_slots = {slot.id for slot in polls.poll_a.slots}
    mine = [v for v in _votes_on(polls.poll_a) if v[0] == world.users["P2"].id]
    assert {v[1] for v in mine} == a_slots and {v[2] for v in mine} == {"no"}


def test_poll_of_b_ignores_slots_of_a(world, client_as):
    """P3 answers B's poll naming A's slots (which P3 must not even know)."""
    polls = world.polls
    client = client_as("P3")
    a_votes = _votes_on(polls.poll_a)
    response = client.post(
        poll_url(polls.poll_b, "/vote"),
        data={f"slot-{slot.id}": "maybe" for slot in polls.poll_a.slots},
    )
    assert response.status_code == 400
    assert CANARY not in response.get_data(as_text=True)
    assert _votes_on(polls.poll_a) == a_votes


@pytest.mark.parametrize("principal", ["P4", "P5"], ids=lambda p: PRINCIPAL_NAMES[p])
def test_deciding_on_another_polls_slot_is_refused_and_changes_nothing(
    world, client_as, principal
):
    polls = world.polls
    client = client_as(principal)
    before = snapshot()
    response = client.post(
        poll_url(polls.poll_a, "/decide"),
        data={"slot": str(polls.poll_b.slots[0].id), "invite": "1"},
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_new_poll_ignores_participants_from_outside_the_group(world, client_as):
    """A's chair ticks P3 (not in A): P3 is not asked and hears nothing."""
    p3 = world.users["P3"]
    cutoff = _outbox_ids()
    form = poll_form(
        f"{CANARY} budget call", participants=[world.users["P2"].id, p3.id]
    )
    response = client_as("P4").post("/groups/alpha/polls/new", data=form)
    assert response.status_code == 302
    db.session.rollback()
    poll = db.session.scalar(select(Poll).order_by(Poll.id.desc()).limit(1))
    asked = set(
        db.session.scalars(
            select(PollParticipant.user_id).where(PollParticipant.poll_id == poll.id)
        )
    )
    assert asked == {world.users["P2"].id}
    assert not _emails(p3.email, cutoff)
    assert not db.session.scalar(
        select(Notification.id).where(
            Notification.user_id == p3.id, Notification.kind == "poll"
        )
    )


# --- XSS ----------------------------------------------------------------------------


def _set_in_polls(world, field: str, value: str) -> None:
    poll = world.polls.poll_a
    if field == "poll title":
        poll.title = value
        # In-app notifications keep the title they were sent with.
        for note in db.session.scalars(
            select(Notification).where(Notification.kind.in_(("poll", "poll_result")))
        ):
            note.subject = value
    elif field == "poll description":
        poll.description = value
    elif field == "comment":
        row = poll_services.participant(poll, world.users["P2"])
        row.comment = value
    db.session.commit()


def _poll_page(world, page: str) -> str:
    return {
        "poll": poll_url(world.polls.poll_a),
        "polls": "/groups/alpha/polls/",
    }.get(page, page)


POLL_PAGES = [
    ("poll title", "P2", "poll"),
    ("poll title", "P4", "poll"),
    ("poll title", "P2", "polls"),
    ("poll title", "Ed", "/"),  # Ed has not answered: listed on the dashboard
    ("poll title", "Ed", "/notifications/"),
    ("poll title", "P2", "/notifications/"),
    ("poll description", "P2", "poll"),
    ("poll description", "P4", "poll"),
    ("comment", "P2", "poll"),  # P2's own: in the answer form's input too
    ("comment", "P4", "poll"),
]


@pytest.mark.parametrize(
    ("field", "principal", "page"),
    POLL_PAGES,
    ids=[f"{f}-{p}-{u}" for f, p, u in POLL_PAGES],
)
@pytest.mark.parametrize("payload", [PAYLOAD, NAME_PAYLOAD], ids=["payload", "name"])
def test_poll_text_with_markup_adds_no_element_to_the_page(
    world, client_as, login, field, principal, page, payload
):
    world.polls  # noqa: B018 - made before anyone signs in
    client = login(world.extra_member) if principal == "Ed" else client_as(principal)
    url = _poll_page(world, page)
    pages = []
    for value in (HARMLESS, payload):
        _set_in_polls(world, field, value)
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        pages.append(html)
        if field != "poll description":
            assert value in html or "&lt;img" in html, "the value is not shown"
    if field == "poll description":
        # Markdown: the page shows core/text's output, which breaks no rule.
        assert render_markdown(payload) in pages[1]
        assert not violations(render_markdown(payload))
        assert not _gains_only_allowed_markup(page_shape(pages[0]), pages[1])
    else:
        assert_same_shape(*pages)


@pytest.mark.parametrize("start", range(0, len(HAND_WRITTEN), 50), ids=str)
def test_poll_description_renders_through_the_text_module_to_allowed_markup(
    world, client_as, start
):
    client = client_as("P2")
    url = poll_url(world.polls.poll_a)
    _set_in_polls(world, "poll description", HARMLESS)
    baseline = page_shape(client.get(url).get_data(as_text=True))
    problems = []
    for number, vector in enumerate(HAND_WRITTEN[start : start + 50], start):
        _set_in_polls(world, "poll description", vector)
        html = client.get(url).get_data(as_text=True)
        rendered = render_markdown(vector)
        if rendered not in html:
            problems.append(f"#{number}: the page does not show core/text's output")
        problems += [f"#{number} {vector!r}: {v}" for v in violations(rendered)]
        problems += [
            f"#{number} {vector!r}: {v}"
            for v in _gains_only_allowed_markup(baseline, html)
        ]
    assert not problems, "\n".join(problems[:40])


def test_poll_forms_store_markup_as_text_and_show_it_as_text(world, client_as):
    """The chair asks with a payload title and description, P2 answers with a
    payload comment: the poll page and P2's e-mail show the text, and add nothing
    (the list and notifications: test_poll_text_with_markup_adds_no_element…)."""
    p2 = world.users["P2"]
    chair, member = client_as("P4"), client_as("P2")
    pages = {}
    for value in (HARMLESS, PAYLOAD):
        response = chair.post(
            "/groups/alpha/polls/new",
            data=poll_form(value, participants=[p2.id], description=value),
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        url = response.location
        db.session.rollback()
        poll = db.session.scalar(select(Poll).order_by(Poll.id.desc()).limit(1))
        assert poll.title == value
        response = member.post(f"{url}/vote", data=vote_form(poll, comment=value))
        assert response.status_code == 302
        pages.setdefault("poll", []).append(member.get(url).get_data(as_text=True))
        pages.setdefault("mail", []).append(_last_email_html(p2.email))
        assert value in pages["poll"][-1] or "&lt;img" in pages["poll"][-1]
    assert_same_shape(*pages["mail"])
    assert not _gains_only_allowed_markup(
        page_shape(pages["poll"][0]), pages["poll"][1]
    )


def _poll_email(world, template: str, meeting: Meeting) -> str:
    """Send ``template`` about A's poll to P2 and return its HTML."""
    poll, p2 = world.polls.poll_a, world.users["P2"]
    {
        "poll_opened": lambda: poll_notify.poll_opened(poll, [p2], world.users["P4"]),
        "poll_reminder": lambda: poll_notify.poll_reminder(poll, [p2]),
        "poll_decided": lambda: poll_notify.poll_decided(poll, meeting, [p2]),
    }[template]()
    db.session.commit()
    return _last_email_html(p2.email)


@pytest.mark.parametrize("template", ["poll_opened", "poll_reminder", "poll_decided"])
@pytest.mark.parametrize("payload", [PAYLOAD, NAME_PAYLOAD], ids=["payload", "name"])
def test_poll_email_with_markup_in_every_text_adds_no_element(world, template, payload):
    poll = world.polls.poll_a
    meeting = poll_services.meetings.create_at(
        world.users["P4"],
        poll.group,
        "Steering call",
        poll.slots[0].starts_at,
        poll.slots[0].starts_at + timedelta(minutes=60),
        poll.timezone,
        "",
    )
    db.session.commit()
    forget_cached_roles()
    emails = []
    for value in (HARMLESS, payload):
        _set_in_polls(world, "poll title", value)
        _set_in_polls(world, "poll description", value)
        world.users["P4"].display_name = value
        db.session.commit()
        emails.append(_poll_email(world, template, meeting))
        assert value in emails[-1] or "&lt;img" in emails[-1], "the value is not shown"
    assert_same_shape(*emails)
    db.session.rollback()
    text = db.session.scalars(
        select(OutboxEmail.body_text)
        .where(OutboxEmail.to_addr == world.users["P2"].email)
        .order_by(OutboxEmail.id.desc())
    ).first()
    assert payload in text, "the text part shows the title as written"


def test_observer_of_a_reads_but_does_not_answer(world, client_as, login):
    """An observer of A was not asked: the page shows, answering is refused."""
    olga = factories.make_user("Olga Observer")
    factories.add_member(world.group_a, olga, Role.OBSERVER)
    poll = world.polls.poll_a
    client = login(olga)
    assert client.get(poll_url(poll)).status_code == 200
    before = snapshot()
    response = client.post(poll_url(poll, "/vote"), data=vote_form(poll))
    assert response.status_code == 403
    assert snapshot() == before
