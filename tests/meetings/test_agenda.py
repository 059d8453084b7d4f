"""The agenda: items with computed start times, reordering with and without
JavaScript, documents from the library, a draft members do not see, publication (and
every later change) e-mailed with the calendar file, and the review of open actions."""

import re
import uuid
from datetime import date, timedelta

import pytest

from collab.core.db import utcnow
from collab.extensions import db
from collab.meetings import agenda, minutes
from collab.meetings.models import AgendaItem
from tests.meetings.conftest import (
    add_document,
    add_version,
    agenda_times,
    agenda_titles,
    clear_outbox,
    count,
    emails,
    field_errors,
    flashes,
    follow,
    fresh,
    ics_attachment,
    item_url,
    location,
    make_meeting,
    meeting_url,
    only_event,
    past_meeting,
    plain,
    section,
    text,
)


def _item(title, minutes="15", kind="discussion", **extra):
    return {"title": title, "kind": kind, "duration_minutes": minutes, **extra}


def _items(meeting) -> list[AgendaItem]:
    return list(fresh(meeting).items)


@pytest.fixture
def meeting(team):
    """Scheduled, 10:00–12:00 Paris time (the chair is in Rome: same clock)."""
    return make_meeting(team.chair, team.group, day=date(2027, 3, 29))


# --- items ---------------------------------------------------------------------------


def test_chair_builds_an_agenda_and_sees_each_items_start(login, team, meeting):
    chair = login(team.chair)
    url = meeting_url(meeting, "/agenda/new")

    for data in (
        _item("Opening", "10", "information"),
        _item("Wallet pilots", "45", "decision", presenter_id=str(team.member.id)),
        _item("Guest talk", "20", presenter_name="Guest speaker, Estonia"),
    ):
        response = chair.post(url, data=data)
        assert location(response) == meeting_url(meeting, "#agenda")

    page = text(chair.get(meeting_url(meeting)))
    assert agenda_titles(page) == ["Opening", "Wallet pilots", "Guest talk"]
    assert agenda_times(page) == ["10:00", "10:10", "10:55"]
    words = plain(page)
    assert "Ends at 11:15." in words
    assert "For information · 10 minutes" in words
    assert "For decision · 45 minutes · presented by Kadri Tamm" in words
    assert "presented by Guest speaker, Estonia" in words
    assert "Draft agenda: members do not see it until you publish it." in words


def test_chair_edits_and_removes_items(login, team, meeting):
    chair = login(team.chair)
    for title in ("Opening", "Pilots", "Closing"):
        chair.post(meeting_url(meeting, "/agenda/new"), data=_item(title))
    opening, pilots, closing = _items(meeting)

    form = text(chair.get(item_url(meeting, pilots, "/edit")))
    assert 'value="Pilots"' in form
    chair.post(item_url(meeting, pilots, "/edit"), data=_item("Wallet pilots", "30"))
    response = chair.post(item_url(meeting, opening, "/delete"))

    page = follow(chair, response)
    assert "Item removed." in flashes(page)
    assert agenda_titles(page) == ["Wallet pilots", "Closing"]
    assert agenda_times(page) == ["10:00", "10:30"]
    assert [i.position for i in _items(meeting)] == [1, 2]


def test_an_item_needs_a_title_and_a_duration(login, team, meeting):
    chair = login(team.chair)

    no_title = chair.post(meeting_url(meeting, "/agenda/new"), data=_item(""))
    no_minutes = chair.post(meeting_url(meeting, "/agenda/new"), data=_item("X", ""))

    assert no_title.status_code == no_minutes.status_code == 400
    assert "title" in field_errors(text(no_title))
    assert "duration_minutes" in field_errors(text(no_minutes))
    assert count(AgendaItem) == 0


def test_a_presenter_must_be_in_the_group(login, team, meeting):
    response = login(team.chair).post(
        meeting_url(meeting, "/agenda/new"),
        data=_item("Talk", presenter_id=str(team.outsider.id)),
    )

    assert response.status_code == 400
    assert count(AgendaItem) == 0


@pytest.mark.parametrize("who", ["member", "observer", "outsider"])
def test_only_chairs_change_the_agenda(login, team, meeting, who):
    chair = login(team.chair)
    chair.post(meeting_url(meeting, "/agenda/new"), data=_item("Opening"))
    [item] = _items(meeting)
    browser = login(getattr(team, who))

    for path, data in (
        ("/agenda/new", _item("Mine")),
        (f"/agenda/{item.id}/edit", _item("Mine")),
        (f"/agenda/{item.id}/delete", {}),
        (f"/agenda/{item.id}/move", {"direction": "down"}),
        ("/agenda/order", {"order": str(item.id)}),
        ("/agenda/review", {}),
        ("/agenda/publish", {}),
        (f"/agenda/{item.id}/documents", {"document": "1"}),
    ):
        assert browser.post(meeting_url(meeting, path), data=data).status_code == 403
    assert [i.title for i in _items(meeting)] == ["Opening"]
    assert fresh(meeting).agenda_published_at is None


def test_the_agenda_of_a_held_meeting_no_longer_changes(login, team):
    held = past_meeting(team.chair, team.group, items=("Opening",))
    [item] = held.items

    response = login(team.chair).post(
        item_url(held, item, "/edit"), data=_item("Changed")
    )

    assert response.status_code == 409
    assert "The agenda of a held meeting no longer changes." in text(response)
    assert fresh(item).title == "Opening"


# --- order ---------------------------------------------------------------------------


def test_items_move_up_and_down_without_javascript(login, team, meeting):
    chair = login(team.chair)
    for title in ("A", "B", "C"):
        chair.post(meeting_url(meeting, "/agenda/new"), data=_item(title))
    a, b, c = _items(meeting)
    page = text(chair.get(meeting_url(meeting)))
    assert 'value="up"' in page and 'value="down"' in page  # plain forms

    response = chair.post(item_url(meeting, c, "/move"), data={"direction": "up"})
    assert location(response) == meeting_url(meeting, f"#item-{c.id}")
    assert agenda_titles(follow(chair, response)) == ["A", "C", "B"]
    chair.post(item_url(meeting, a, "/move"), data={"direction": "down"})
    assert agenda_titles(text(chair.get(meeting_url(meeting)))) == ["C", "A", "B"]
    # The first cannot go further up, nor the last further down.
    chair.post(item_url(meeting, c, "/move"), data={"direction": "up"})
    chair.post(item_url(meeting, b, "/move"), data={"direction": "down"})
    assert [i.title for i in _items(meeting)] == ["C", "A", "B"]
    assert agenda_times(text(chair.get(meeting_url(meeting)))) == [
        "10:00",
        "10:15",
        "10:30",
    ]


def test_items_reorder_from_dragging(login, team, meeting):
    chair = login(team.chair)
    for title, minutes_ in (("A", "5"), ("B", "10"), ("C", "20")):
        chair.post(meeting_url(meeting, "/agenda/new"), data=_item(title, minutes_))
    a, b, c = _items(meeting)

    response = chair.post(
        meeting_url(meeting, "/agenda/order"), data={"order": f"{c.id},{a.id},{b.id}"}
    )

    page = follow(chair, response)
    assert "New order saved." in flashes(page)
    assert agenda_titles(page) == ["C", "A", "B"]
    assert agenda_times(page) == ["10:00", "10:20", "10:25"]


@pytest.mark.parametrize("order", ["{a},{b}", "{a},{b},{c},{c}", "{a},{b},99999"])
def test_an_order_that_does_not_name_each_item_once_changes_nothing(
    login, team, meeting, order
):
    chair = login(team.chair)
    for title in ("A", "B", "C"):
        chair.post(meeting_url(meeting, "/agenda/new"), data=_item(title))
    a, b, c = _items(meeting)

    response = chair.post(
        meeting_url(meeting, "/agenda/order"),
        data={"order": order.format(a=a.id, b=b.id, c=c.id)},
    )

    assert "The agenda changed meanwhile: reload the page." in flashes(
        follow(chair, response)
    )
    assert [i.title for i in _items(meeting)] == ["A", "B", "C"]


# --- overflow -------------------------------------------------------------------------


def test_items_longer_than_the_meeting_warn_but_are_saved(login, team, meeting):
    chair = login(team.chair)
    chair.post(meeting_url(meeting, "/agenda/new"), data=_item("Long", "100"))

    response = chair.post(meeting_url(meeting, "/agenda/new"), data=_item("More", "50"))

    assert response.status_code == 302
    page = text(chair.get(meeting_url(meeting)))
    assert "The items take 30 minutes more than the meeting lasts." in plain(page)
    assert agenda_titles(page) == ["Long", "More"]


def test_no_overflow_warning_when_items_fit(login, team, meeting):
    chair = login(team.chair)
    chair.post(meeting_url(meeting, "/agenda/new"), data=_item("Exactly", "120"))

    assert "more than the meeting lasts" not in text(chair.get(meeting_url(meeting)))


# --- documents ---------------------------------------------------------------------


def test_documents_attach_pinned_to_a_version_or_as_latest(login, team, meeting):
    report = add_document(team.chair, team.group, "Pilot report.txt")
    minutes_doc = add_document(team.chair, team.group, "Draft note.txt")
    chair = login(team.chair)
    chair.post(meeting_url(meeting, "/agenda/new"), data=_item("Pilots"))
    [item] = _items(meeting)
    choose = text(chair.get(item_url(meeting, item, "/documents")))
    assert "Pilot report" in choose and "Draft note" in choose

    pinned = chair.post(
        item_url(meeting, item, "/documents"),
        data={"document": str(report.id), "pin": "y"},
    )
    latest = chair.post(
        item_url(meeting, item, "/documents"), data={"document": str(minutes_doc.id)}
    )
    assert pinned.status_code == latest.status_code == 302
    add_version(team.chair, report)
    add_version(team.chair, minutes_doc)
    login(team.chair).post(meeting_url(meeting, "/agenda/publish"))

    page = text(login(team.member).get(meeting_url(meeting)))
    docs = plain(section(page, "agenda"))
    assert "Pilot report version 1" in docs
    assert "Draft note latest version" in docs
    base = "/groups/digital-identity/documents"
    assert f'href="{base}/{report.id}/versions/1/download"' in page
    assert f'href="{base}/{minutes_doc.id}"' in page


def test_pinned_document_link_downloads_that_version(login, team, meeting):
    report = add_document(team.chair, team.group, "Pilot report.txt", b"First.\n")
    chair = login(team.chair)
    chair.post(meeting_url(meeting, "/agenda/new"), data=_item("Pilots"))
    [item] = _items(meeting)
    chair.post(
        item_url(meeting, item, "/documents"),
        data={"document": str(report.id), "pin": "y"},
    )
    add_version(team.chair, report, b"Second.\n")
    chair.post(meeting_url(meeting, "/agenda/publish"))
    member = login(team.member)

    page = text(member.get(meeting_url(meeting)))
    [link] = re.findall(
        r'<ul class="agenda-documents">.*?<a href="([^"]+)"', page, re.S
    )
    response = member.get(link)

    assert response.status_code == 200
    assert response.data == b"First.\n"


def test_a_document_of_another_group_cannot_be_attached(login, team, meeting):
    add_document(team.chair, team.group, "Pilot report.txt")
    other = add_document(team.other_chair, team.private_group, "Secret clause.txt")
    chair = login(team.chair)
    chair.post(meeting_url(meeting, "/agenda/new"), data=_item("Pilots"))
    [item] = _items(meeting)

    response = chair.post(
        item_url(meeting, item, "/documents"), data={"document": str(other.id)}
    )

    assert response.status_code == 400
    assert "Choose a document from the group's library." in plain(text(response))
    assert _items(meeting)[0].documents == []
    assert "Secret clause" not in text(chair.get(meeting_url(meeting)))


def test_a_document_is_attached_once_and_can_be_removed(login, team, meeting):
    report = add_document(team.chair, team.group)
    chair = login(team.chair)
    chair.post(meeting_url(meeting, "/agenda/new"), data=_item("Pilots"))
    [item] = _items(meeting)
    url = item_url(meeting, item, "/documents")
    chair.post(url, data={"document": str(report.id)})

    again = chair.post(url, data={"document": str(report.id)})
    assert again.status_code == 400
    assert "That document is already attached." in text(again)
    [attachment] = _items(meeting)[0].documents

    chair.post(item_url(meeting, item, f"/documents/{attachment.id}/delete"))

    assert _items(meeting)[0].documents == []


# --- draft agenda and publication -----------------------------------------------------


def test_a_draft_agenda_is_invisible_to_members_until_published(login, team, meeting):
    canary = f"CANARY-{uuid.uuid4().hex}"
    chair = login(team.chair)
    chair.post(meeting_url(meeting, "/agenda/new"), data=_item(f"Item {canary}"))

    for who in (team.member, team.observer, team.outsider):
        browser = login(who)
        page = text(browser.get(meeting_url(meeting)))
        assert "The agenda is not published yet." in page
        assert canary not in page
        assert canary.encode() not in browser.get(meeting_url(meeting, ".ics")).data
        assert canary not in text(browser.get("/groups/digital-identity/meetings/"))
        assert canary not in text(browser.get("/"))
    assert all(canary not in e.body_text + e.body_html for e in emails())

    chair.post(meeting_url(meeting, "/agenda/publish"))

    assert canary in text(login(team.member).get(meeting_url(meeting)))


def test_publishing_emails_members_the_agenda_with_the_calendar_file(
    login, team, meeting
):
    chair = login(team.chair)
    for data in (_item("Opening", "10"), _item("Wallet pilots", "45")):
        chair.post(meeting_url(meeting, "/agenda/new"), data=data)

    response = chair.post(meeting_url(meeting, "/agenda/publish"))

    assert "Agenda published: members were told." in flashes(follow(chair, response))
    sent = emails()
    assert sorted(e.to_addr for e in sent) == sorted(p.email for p in team.participants)
    for email in sent:
        assert email.subject == "Agenda: Spring plenary (Digital Identity)"
        assert "1. Opening (10 min)" in email.body_text
        assert "2. Wallet pilots (45 min)" in email.body_text
        event = only_event(ics_attachment(email)["text"])
        assert "2. Wallet pilots (45 min)" in str(event["description"])
    assert fresh(meeting).agenda_version == 1
    assert "Version 1, published" in text(login(team.member).get(meeting_url(meeting)))


def test_later_publications_list_what_changed(login, team, meeting):
    chair = login(team.chair)
    for data in (_item("Opening", "10"), _item("Pilots", "45"), _item("AOB", "10")):
        chair.post(meeting_url(meeting, "/agenda/new"), data=data)
    chair.post(meeting_url(meeting, "/agenda/publish"))
    opening, pilots, aob = _items(meeting)
    report = add_document(team.chair, team.group)
    clear_outbox()
    chair.post(item_url(meeting, pilots, "/edit"), data=_item("Wallet pilots", "30"))
    chair.post(item_url(meeting, opening, "/delete"))
    chair.post(meeting_url(meeting, "/agenda/new"), data=_item("Trust frameworks"))
    chair.post(item_url(meeting, aob, "/documents"), data={"document": report.id})
    page = text(chair.get(meeting_url(meeting)))
    assert "Members have not been told about these changes yet:" in page

    response = chair.post(meeting_url(meeting, "/agenda/publish"))

    assert "Changes published: members were told." in flashes(follow(chair, response))
    [email] = emails(to=team.member.email)
    assert email.subject == "Agenda updated: Spring plenary (Digital Identity)"
    body = email.body_text
    assert "The agenda changed since the last notice:" in body
    for line in (
        "- Renamed: Pilots → Wallet pilots",
        "- Wallet pilots now lasts 30 minutes.",
        "- Removed: Opening",
        "- New item: Trust frameworks",
        "- Documents changed for AOB.",
    ):
        assert line in body
    assert "reordered" not in body
    assert only_event(ics_attachment(email)["text"])["sequence"] >= 3
    assert fresh(meeting).agenda_version == 2


def test_replacing_the_last_item_is_listed_as_removed_and_new(login, team, meeting):
    chair = login(team.chair)
    for data in (_item("Opening", "10"), _item("AOB", "10")):
        chair.post(meeting_url(meeting, "/agenda/new"), data=data)
    chair.post(meeting_url(meeting, "/agenda/publish"))
    opening, aob = _items(meeting)
    clear_outbox()
    chair.post(item_url(meeting, aob, "/delete"))
    chair.post(meeting_url(meeting, "/agenda/new"), data=_item("Trust frameworks"))

    chair.post(meeting_url(meeting, "/agenda/publish"))

    [email] = emails(to=team.member.email)
    assert "- Removed: AOB" in email.body_text
    assert "- New item: Trust frameworks" in email.body_text
    assert "Renamed" not in email.body_text


def test_a_reordering_is_listed_as_a_change(login, team, meeting):
    chair = login(team.chair)
    for title in ("A", "B"):
        chair.post(meeting_url(meeting, "/agenda/new"), data=_item(title))
    chair.post(meeting_url(meeting, "/agenda/publish"))
    a, b = _items(meeting)
    clear_outbox()
    chair.post(item_url(meeting, b, "/move"), data={"direction": "up"})
    chair.post(meeting_url(meeting, "/agenda/publish"))

    [email] = emails(to=team.member.email)
    assert "- The items were reordered." in email.body_text


def test_publishing_again_without_changes_is_refused(login, team, meeting):
    chair = login(team.chair)
    chair.post(meeting_url(meeting, "/agenda/new"), data=_item("Opening"))
    chair.post(meeting_url(meeting, "/agenda/publish"))
    clear_outbox()

    response = chair.post(meeting_url(meeting, "/agenda/publish"))

    assert "Nothing changed since the agenda was last published." in flashes(
        follow(chair, response)
    )
    assert emails() == []
    assert fresh(meeting).agenda_version == 1


def test_an_empty_agenda_cannot_be_published(login, team, meeting):
    chair = login(team.chair)

    response = chair.post(meeting_url(meeting, "/agenda/publish"))

    assert "Add at least one item before publishing." in flashes(
        follow(chair, response)
    )
    assert fresh(meeting).agenda_published_at is None
    assert emails() == []


def test_an_agenda_published_on_a_draft_shows_once_scheduled(login, team):
    draft = make_meeting(team.chair, team.group, status="draft")
    chair = login(team.chair)
    chair.post(meeting_url(draft, "/agenda/new"), data=_item("Opening"))

    response = chair.post(meeting_url(draft, "/agenda/publish"))

    assert "Agenda published: members see it once the meeting is scheduled." in flashes(
        follow(chair, response)
    )
    assert emails() == []
    assert login(team.member).get(meeting_url(draft)).status_code == 404
    chair.post(meeting_url(draft, "/schedule"))
    assert "Opening" in text(login(team.member).get(meeting_url(draft)))


# --- review of open actions -----------------------------------------------------------


def test_review_item_lists_open_actions_from_earlier_meetings(login, team, meeting):
    earlier = past_meeting(team.chair, team.group, days_ago=30, items=("Pilots",))
    [item] = earlier.items
    due = utcnow().date() + timedelta(days=20)
    minutes.add_action(
        team.chair, earlier, item.id, "Draft the joint note", team.member.id, due
    )
    done = minutes.add_action(
        team.chair, earlier, item.id, "Share the slides", team.colleague.id, due
    )
    minutes.set_action_status(team.chair, done, "done")
    elsewhere = past_meeting(
        team.other_chair, team.private_group, days_ago=30, items=("Clauses",)
    )
    minutes.add_action(
        team.other_chair,
        elsewhere,
        elsewhere.items[0].id,
        "Other group's action",
        team.other_member.id,
        due,
    )
    db.session.commit()
    chair = login(team.chair)
    chair.post(meeting_url(meeting, "/agenda/new"), data=_item("Opening"))

    response = chair.post(meeting_url(meeting, "/agenda/review"))
    chair.post(meeting_url(meeting, "/agenda/publish"))

    assert "Added a review of open actions." in flashes(follow(chair, response))
    page = text(login(team.member).get(meeting_url(meeting)))
    assert agenda_titles(page) == ["Opening", "Review of open actions"]
    review = plain(page.split('class="action-review"')[1].split("</ul>")[0])
    assert "Draft the joint note — Kadri Tamm" in review
    assert "(Spring plenary)" in review
    assert "Share the slides" not in review
    assert "Other group's action" not in page


def test_review_item_of_a_past_meeting_does_not_list_later_meetings_actions(
    login, team
):
    earlier = past_meeting(team.chair, team.group, days_ago=30, items=("Pilots",))
    due = utcnow().date() + timedelta(days=20)
    minutes.add_action(
        team.chair, earlier, earlier.items[0].id, "From before", team.member.id, due
    )
    reviewed = make_meeting(
        team.chair,
        team.group,
        title="Reviewing",
        day=(utcnow() - timedelta(days=10)).date(),
        items=("Opening",),
    )
    agenda.add_review_item(team.chair, reviewed)
    agenda.publish(team.chair, reviewed)
    later = past_meeting(team.chair, team.group, days_ago=2, items=("Next steps",))
    minutes.add_action(
        team.chair, later, later.items[0].id, "From afterwards", team.member.id, due
    )
    db.session.commit()

    page = text(login(team.member).get(meeting_url(reviewed)))

    review = page.split('class="action-review"')[1].split("</ul>")[0]
    assert "From before" in review
    assert "From afterwards" not in review


def test_only_one_review_item(login, team, meeting):
    chair = login(team.chair)
    chair.post(meeting_url(meeting, "/agenda/review"))

    response = chair.post(meeting_url(meeting, "/agenda/review"))

    assert "The agenda already reviews open actions." in flashes(
        follow(chair, response)
    )
    assert len(_items(meeting)) == 1


def test_review_item_with_nothing_open_says_so(login, team, meeting):
    chair = login(team.chair)
    chair.post(meeting_url(meeting, "/agenda/review"))

    assert "No open actions." in text(chair.get(meeting_url(meeting)))


def test_agenda_items_belong_to_their_meeting(login, team, meeting):
    other = make_meeting(team.chair, team.group, title="Other", items=("Theirs",))
    [theirs] = other.items
    chair = login(team.chair)

    for path, data in (
        (f"/agenda/{theirs.id}/edit", _item("Hijacked")),
        (f"/agenda/{theirs.id}/delete", {}),
        (f"/agenda/{theirs.id}/move", {"direction": "up"}),
    ):
        assert chair.post(meeting_url(meeting, path), data=data).status_code == 404
    assert fresh(theirs).title == "Theirs"


def test_observers_see_the_published_agenda(login, team):
    meeting = make_meeting(
        team.chair, team.group, items=("Opening", "Pilots"), publish=True
    )

    page = text(login(team.observer).get(meeting_url(meeting)))

    assert agenda_titles(page) == ["Opening", "Pilots"]
    assert "Move up" not in page and "Publish" not in page
