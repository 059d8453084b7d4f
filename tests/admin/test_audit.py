"""The audit log page (newest first, filters, pages) and the append-only rule."""

import re

import pytest
from sqlalchemy import delete, select, update

from collab.audit import services as audit
from collab.audit.models import AuditEvent
from collab.extensions import db
from tests import factories
from tests.admin.pages import count, table_rows

WHO, ACTION, TARGET, GROUP = 1, 2, 3, 4  # columns of the audit table


def _log(console, **filters) -> tuple[str, list[list[str]]]:
    response = console.get("/admin/audit", query_string=filters)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return page, table_rows(page)


@pytest.fixture
def cast(secretariat):
    """Two people, two groups, and a few things that happened to them (oldest first)."""
    kadri = factories.make_user("Kadri Tamm", email="kadri@ria.example")
    jean = factories.make_user("Jean Dupont", email="jean@numerique.example")
    identity = factories.make_group("Digital Identity", slug="digital-identity")
    services = factories.make_group("Digital Services", slug="digital-services")
    audit.record(secretariat, "group.created", identity, group=identity)
    audit.record(secretariat, "membership.added", kadri, group=identity, role="chair")
    audit.record(
        kadri, "invitation.sent", None, group=identity, email="new@gov.example"
    )
    audit.record(secretariat, "membership.added", jean, group=services, role="member")
    audit.record(jean, "membership.left", jean, group=services)
    audit.record(secretariat, "auth.deactivated", jean)
    db.session.commit()
    return {"kadri": kadri, "jean": jean, "identity": identity, "services": services}


def test_audit_log_lists_events_newest_first(console, cast):
    _page, rows = _log(console)

    assert [row[ACTION] for row in rows] == [
        "auth.deactivated",
        "membership.left",
        "membership.added",
        "invitation.sent",
        "membership.added",
        "group.created",
        "auth.sign_in",
    ]
    assert rows[0][WHO] == "Sofia Secretariat"
    assert rows[0][TARGET] == "jean@numerique.example"
    assert rows[1][GROUP] == "digital-services"
    assert rows[2][5] == "role=member"


def test_audit_log_shows_console_actions_as_they_happen(console):
    group = factories.make_group("Digital Identity", slug="digital-identity")
    console.post(f"/admin/groups/{group.slug}/archive")
    console.post(f"/admin/groups/{group.slug}/unarchive")

    _page, rows = _log(console)

    assert [(row[WHO], row[ACTION], row[TARGET]) for row in rows[:2]] == [
        ("Sofia Secretariat", "group.unarchived", "digital-identity"),
        ("Sofia Secretariat", "group.archived", "digital-identity"),
    ]
    assert rows[0][6] == "127.0.0.1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[0][0])


def test_filter_by_person_finds_what_they_did_and_what_was_done_to_them(console, cast):
    _page, rows = _log(console, person="jean")

    assert [row[ACTION] for row in rows] == [
        "auth.deactivated",
        "membership.left",
        "membership.added",
    ]


def test_filter_by_person_matches_e_mail_addresses(console, cast):
    _page, rows = _log(console, person="KADRI@RIA")

    assert [row[ACTION] for row in rows] == ["invitation.sent", "membership.added"]


def test_filter_by_group(console, cast):
    _page, rows = _log(console, group="digital-identity")

    assert [row[ACTION] for row in rows] == [
        "invitation.sent",
        "membership.added",
        "group.created",
    ]
    assert {row[GROUP] for row in rows} == {"digital-identity"}


def test_filter_by_action_prefix(console, cast):
    _page, rows = _log(console, action="membership.")

    assert [row[ACTION] for row in rows] == [
        "membership.left",
        "membership.added",
        "membership.added",
    ]


def test_filters_combine(console, cast):
    page, rows = _log(
        console, person="jean", group="digital-services", action="membership.added"
    )

    assert [(row[ACTION], row[TARGET]) for row in rows] == [
        ("membership.added", "jean@numerique.example")
    ]
    assert 'value="jean"' in page and 'value="digital-services"' in page


def test_filter_matching_nothing_shows_no_events(console, cast):
    page, rows = _log(console, group="no-such-group")

    assert rows == []
    assert "0 events" in page


def test_audit_log_pages_through_events(console, secretariat):
    group = factories.make_group("Digital Identity", slug="digital-identity")
    for n in range(120):
        audit.record(secretariat, "membership.added", None, group=group, n=n)
    db.session.commit()

    page, rows = _log(console, action="membership.")
    assert "120 events" in page
    assert "Page 1 of 3" in page
    assert len(rows) == 50
    assert rows[0][5] == "n=119" and rows[-1][5] == "n=70"
    assert 'rel="prev"' not in page

    next_link = (
        re.search(r'<a href="([^"]+)" rel="next">', page).group(1).replace("&amp;", "&")
    )
    second = console.get(next_link).get_data(as_text=True)
    second_rows = table_rows(second)
    assert "Page 2 of 3" in second
    assert [second_rows[0][5], second_rows[-1][5]] == ["n=69", "n=20"]

    third = console.get(
        "/admin/audit", query_string={"action": "membership.", "page": 3}
    )
    third_rows = table_rows(third.get_data(as_text=True))
    assert [row[5] for row in third_rows] == [f"n={n}" for n in range(19, -1, -1)]
    assert 'rel="next"' not in third.get_data(as_text=True)


def test_page_past_the_end_is_empty_not_an_error(console, cast):
    response = console.get("/admin/audit", query_string={"page": 99})

    assert response.status_code == 200
    assert table_rows(response.get_data(as_text=True)) == []


# --- append-only ----------------------------------------------------------------------


@pytest.fixture
def event(secretariat):
    recorded = audit.record(secretariat, "auth.deactivated", secretariat)
    db.session.commit()
    return recorded


def test_audit_event_cannot_be_updated_through_the_orm(event):
    event.action = "nothing.happened"

    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.action)) == "auth.deactivated"


def test_audit_event_cannot_be_deleted_through_the_orm(event):
    db.session.delete(event)

    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    assert count(AuditEvent) == 1


def test_audit_events_cannot_be_bulk_updated_through_the_orm(event):
    with pytest.raises(PermissionError):
        db.session.execute(update(AuditEvent).values(action="nothing.happened"))
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.action)) == "auth.deactivated"


def test_audit_events_cannot_be_bulk_deleted_through_the_orm(event):
    with pytest.raises(PermissionError):
        db.session.execute(delete(AuditEvent))
    db.session.rollback()
    assert count(AuditEvent) == 1
