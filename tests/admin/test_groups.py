"""Creating, editing, archiving and restoring groups from the console."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from collab.audit.models import AuditEvent
from collab.extensions import db
from collab.groups.models import Group
from tests import factories
from tests.admin.pages import (
    count,
    field_error,
    flashes,
    fresh,
    input_value,
    table_rows,
    textarea_value,
)


def _group_form(**changes) -> dict:
    form = {
        "name": "ICT Procurement",
        "slug": "ict-procurement",
        "description": "Shared **procurement** practice.",
        "visibility": "public",
        "join_policy": "request",
    }
    form.update(changes)
    return form


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))
    )


def _group(slug: str) -> Group | None:
    db.session.expire_all()
    return db.session.scalar(select(Group).where(Group.slug == slug))


# --- create ---------------------------------------------------------------------------


def test_create_group_saves_it_and_sends_the_secretariat_to_appoint_chairs(
    console, secretariat
):
    response = console.post(
        "/admin/groups/new",
        data=_group_form(visibility="private", join_policy="invite"),
    )

    assert response.status_code == 302
    assert (
        urlsplit(response.headers["Location"]).path == "/groups/ict-procurement/members"
    )
    group = _group("ict-procurement")
    assert (group.name, group.visibility, group.join_policy, group.is_archived) == (
        "ICT Procurement",
        "private",
        "invite",
        False,
    )
    page = console.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "success",
        "Group ICT Procurement created. Now appoint its chairs.",
    ) in flashes(page)


def test_create_group_records_an_audit_event(console, secretariat):
    console.post("/admin/groups/new", data=_group_form())

    [event] = _events("group.created")
    group = _group("ict-procurement")
    assert (event.actor_id, event.target_id, event.group_id) == (
        secretariat.id,
        group.id,
        group.id,
    )
    assert event.target_label == "ict-procurement"
    assert event.ip == "127.0.0.1"


def test_create_group_without_a_name_keeps_everything_typed(console):
    response = console.post(
        "/admin/groups/new",
        data=_group_form(
            name="",
            description="Our remit: *open* standards & more",
            visibility="private",
            join_policy="open",
        ),
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert field_error(page, "name") == "This field is required."
    assert input_value(page, "slug") == "ict-procurement"
    assert textarea_value(page, "description") == "Our remit: *open* standards & more"
    assert re.search(
        r'<input[^>]*checked[^>]*value="private"|<input[^>]*value="private"[^>]*checked',
        page,
    )
    assert re.search(
        r'<input[^>]*checked[^>]*value="open"|<input[^>]*value="open"[^>]*checked', page
    )
    assert count(Group) == 0


@pytest.mark.parametrize(
    "slug",
    [
        "ICT Procurement",
        "ict_procurement",
        "-ict",
        "ict-",
        "ict--procurement",
        "procurement/ict",
        "achats-publics-é",
        "Upper-Case",
    ],
)
def test_create_group_with_a_bad_slug_explains_the_rule_and_keeps_the_form(
    console, slug
):
    response = console.post("/admin/groups/new", data=_group_form(slug=slug))

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert (
        field_error(page, "slug") == "Use lower-case letters, digits and hyphens only."
    )
    assert input_value(page, "name") == "ICT Procurement"
    assert input_value(page, "slug") == slug
    assert count(Group) == 0


def test_create_group_with_a_slug_in_use_is_refused_and_keeps_the_form(console):
    factories.make_group("Digital Identity", slug="digital-identity")

    response = console.post(
        "/admin/groups/new",
        data=_group_form(name="Digital ID bis", slug="digital-identity"),
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert field_error(page, "slug") == "Another group already uses this address."
    assert input_value(page, "name") == "Digital ID bis"
    assert count(Group) == 1
    assert _group("digital-identity").name == "Digital Identity"
    assert _events("group.created") == []


def test_group_remit_markdown_is_rendered_and_sanitised(console):
    remit = (
        "We work on **open standards**.\n\n"
        "<script>alert('remit')</script>\n\n"
        "[docs](javascript:alert(1)) and [site](https://example.org/)\n\n"
        '<img src="x" onerror="alert(2)">'
    )
    console.post("/admin/groups/new", data=_group_form(description=remit))

    page = console.get("/groups/ict-procurement/").get_data(as_text=True)
    prose = re.search(r'<div class="prose">(.*?)</div>', page, re.DOTALL).group(1)
    assert "<strong>open standards</strong>" in prose
    elements = _elements(prose)
    assert {tag for tag, _attrs in elements} == {"p", "strong", "a"}
    assert [attrs for tag, attrs in elements if tag == "a"] == [
        {"href": "https://example.org/", "rel": "nofollow noopener noreferrer ugc"}
    ]
    # The raw HTML is shown as text, not run.
    assert "&lt;script&gt;alert('remit')&lt;/script&gt;" in prose
    assert _group("ict-procurement").description == remit  # the source is kept as typed


def _elements(html: str) -> list[tuple[str, dict]]:
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collector().feed(html)
    return found


# --- edit -----------------------------------------------------------------------------


def test_edit_group_saves_changes_and_records_them(console, secretariat):
    group = factories.make_group("Digital Identity", slug="digital-identity")

    response = console.post(
        "/admin/groups/digital-identity/edit",
        data=_group_form(
            name="Digital Identity and Trust",
            slug="digital-identity",
            description="eIDAS and wallets.",
            visibility="private",
        ),
    )

    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/admin/"
    group = fresh(group)
    assert (group.name, group.description, group.visibility, group.join_policy) == (
        "Digital Identity and Trust",
        "eIDAS and wallets.",
        "private",
        "request",
    )
    [event] = _events("group.updated")
    assert (event.actor_id, event.group_id) == (secretariat.id, group.id)
    assert event.detail["changes"] == ["description", "name", "visibility"]


def test_edit_form_shows_current_values(console):
    factories.make_group(
        "Digital Identity", slug="digital-identity", description="eID work."
    )

    page = console.get("/admin/groups/digital-identity/edit").get_data(as_text=True)

    assert input_value(page, "name") == "Digital Identity"
    assert textarea_value(page, "description") == "eID work."
    assert "/groups/digital-identity/" in page


def test_edit_group_cannot_change_the_slug_even_if_posted(console):
    group = factories.make_group("Digital Identity", slug="digital-identity")

    response = console.post(
        "/admin/groups/digital-identity/edit",
        data=_group_form(name="Digital Identity", slug="stolen-address"),
    )

    assert response.status_code == 302
    assert fresh(group).slug == "digital-identity"
    assert _group("stolen-address") is None
    assert console.get("/groups/digital-identity/").status_code == 200
    assert console.get("/groups/stolen-address/").status_code == 404


def test_edit_group_with_an_empty_name_changes_nothing(console):
    group = factories.make_group("Digital Identity", slug="digital-identity")

    response = console.post(
        "/admin/groups/digital-identity/edit",
        data=_group_form(name="", slug="digital-identity", description="Changed"),
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert field_error(page, "name") == "This field is required."
    assert textarea_value(page, "description") == "Changed"
    assert fresh(group).name == "Digital Identity"
    assert _events("group.updated") == []


def test_edit_unknown_group_is_not_found(console):
    assert console.get("/admin/groups/nowhere/edit").status_code == 404
    assert (
        console.post("/admin/groups/nowhere/edit", data=_group_form()).status_code
        == 404
    )


# --- archive and restore --------------------------------------------------------------


def test_archive_group_marks_it_archived_and_records_it(console, secretariat):
    group = factories.make_group("Digital Identity", slug="digital-identity")

    response = console.post("/admin/groups/digital-identity/archive")

    assert response.status_code == 302
    assert fresh(group).is_archived is True
    page = console.get("/admin/").get_data(as_text=True)
    assert ("success", "Group archived.") in flashes(page)
    [row] = table_rows(page)
    assert row[0] == "Digital Identity Archived"
    assert "Restore" in row[3]
    [event] = _events("group.archived")
    assert (event.actor_id, event.group_id) == (secretariat.id, group.id)


def test_restore_group_unarchives_it_and_records_it(console, secretariat):
    group = factories.make_group(
        "Digital Identity", slug="digital-identity", archived=True
    )

    response = console.post("/admin/groups/digital-identity/unarchive")

    assert response.status_code == 302
    assert fresh(group).is_archived is False
    page = console.get("/admin/").get_data(as_text=True)
    assert ("success", "Group restored.") in flashes(page)
    [row] = table_rows(page)
    assert row[0] == "Digital Identity"
    assert "Archive" in row[3]
    [event] = _events("group.unarchived")
    assert (event.actor_id, event.group_id) == (secretariat.id, group.id)


def test_archive_without_a_csrf_token_is_refused(console):
    group = factories.make_group("Digital Identity", slug="digital-identity")

    response = console.post("/admin/groups/digital-identity/archive", csrf=False)

    assert response.status_code == 400
    assert fresh(group).is_archived is False
    assert _events("group.archived") == []


# --- lists ----------------------------------------------------------------------------


def test_private_group_is_listed_for_the_secretariat(console, login):
    factories.make_group("Cyber Crisis Cell", slug="cyber-crisis", visibility="private")
    factories.make_group("Digital Services", slug="digital-services")
    outsider = factories.make_user("Olga Outsider")

    console_rows = table_rows(console.get("/admin/").get_data(as_text=True))
    assert [(row[0], row[1]) for row in console_rows] == [
        ("Cyber Crisis Cell", "Private"),
        ("Digital Services", "Public"),
    ]
    assert "Cyber Crisis Cell" in console.get("/groups/").get_data(as_text=True)
    assert "Cyber Crisis Cell" not in login(outsider).get("/groups/").get_data(
        as_text=True
    )


def test_console_lists_member_counts_and_archived_groups_last(console):
    people = [factories.make_user() for _ in range(3)]
    factories.make_group(
        "Archived Board",
        slug="archived-board",
        archived=True,
        members=tuple(people[:1]),
    )
    factories.make_group(
        "Zeta Group", slug="zeta", chair=people[0], members=tuple(people[1:])
    )

    rows = table_rows(console.get("/admin/").get_data(as_text=True))

    assert [(row[0], row[2]) for row in rows] == [
        ("Zeta Group", "3"),
        ("Archived Board Archived", "1"),
    ]
