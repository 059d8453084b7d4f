"""Plain-text values (names, messages, addresses, query arguments) shown on pages and in
e-mails add no element or attribute: the page with a payload has the shape of the page
with harmless words."""

import csv
import io
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select

from collab.audit import services as audit
from collab.auth.services import request_password_reset
from collab.core.permissions import Role
from collab.extensions import db
from collab.groups import services as group_services
from collab.groups.models import Membership
from collab.notifications.models import OutboxEmail
from tests.security.test_xss import parse

PAYLOAD = "<img src=x onerror=alert(1)>\"'><script>alert(1)</script>"
HARMLESS = "Harmless plain words"
ROOT = Path(__file__).parents[2]


def page_shape(html: str) -> Counter:
    """How many of each element and each (element, attribute) the page has."""
    shape = Counter()
    for tag, attrs in parse(html).elements:
        shape[tag] += 1
        shape.update((tag, name) for name, _value in attrs)
    return shape


def assert_same_shape(harmless: str, attacked: str) -> None:
    added = page_shape(attacked) - page_shape(harmless)
    removed = page_shape(harmless) - page_shape(attacked)
    assert (added, removed) == (Counter(), Counter()), "the payload changed the markup"


def _set(world, field: str, value: str) -> None:
    if field == "group name":
        world.group_a.name = value
    elif field == "group description":
        group_services.set_description(world.group_a, value)
    elif field == "display name":
        world.extra_member.display_name = value
    elif field == "own display name":
        world.users["P2"].display_name = value
    elif field == "organisation":
        world.extra_member.organisation = value
    elif field == "position":
        world.extra_member.position = value
    elif field == "join-request message":
        world.pending.message = value
    elif field == "invitation email":
        world.invitation.email = f"{value}@gov.example"
    db.session.commit()


PAGES = [
    ("group name", "P2", "/groups/alpha/"),
    ("group name", "P4", "/groups/alpha/members"),
    ("group name", "P2", "/groups/"),
    ("group name", "P2", "/"),
    ("group name", "P5", "/admin/"),
    ("group name", "P5", "/admin/groups/alpha/edit"),
    ("group name", "P0", "invitation link"),
    ("group description", "P2", "/groups/alpha/"),
    ("group description", "P5", "/admin/groups/alpha/edit"),
    ("display name", "P2", "/groups/alpha/"),
    ("display name", "P4", "/groups/alpha/members"),
    ("display name", "P5", "/admin/people"),
    ("own display name", "P2", "/"),
    ("organisation", "P2", "/groups/alpha/"),
    ("organisation", "P4", "/groups/alpha/members"),
    ("organisation", "P5", "/admin/people"),
    ("position", "P4", "/groups/alpha/members"),
    ("join-request message", "P4", "/groups/alpha/members"),
    ("invitation email", "P4", "/groups/alpha/members"),
    ("invitation email", "P0", "invitation link"),
]


@pytest.mark.parametrize(
    ("field", "principal", "url"), PAGES, ids=[f"{f}-{p}-{u}" for f, p, u in PAGES]
)
def test_plain_text_field_with_markup_adds_no_element_to_the_page(
    world, client_as, field, principal, url
):
    client = client_as(principal)
    if url == "invitation link":
        url = f"/auth/invitations/{world.invitation_token}"
    pages = []
    for value in (HARMLESS, PAYLOAD):
        _set(world, field, value)
        response = client.get(url)
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
    assert_same_shape(*pages)


def test_page_shape_notices_markup_that_does_get_through(world, client_as):
    client = client_as("P2")
    _set(world, "group description", HARMLESS)
    before = page_shape(client.get("/groups/alpha/").get_data(as_text=True))
    _set(world, "group description", "**bold** [link](https://ok.example)")
    after = page_shape(client.get("/groups/alpha/").get_data(as_text=True))
    assert after - before == Counter(
        {"strong": 1, "a": 1, ("a", "href"): 1, ("a", "rel"): 1}
    )


REFLECTED = [
    ("P5", "/admin/people", "q"),
    ("P5", "/admin/audit", "person"),
    ("P5", "/admin/audit", "group"),
    ("P5", "/admin/audit", "action"),
    ("P0", "/auth/sign-in", "next"),
    ("P2", "/groups/", "page"),  # echoed by the language form's hidden `next`
    ("P2", "/groups/alpha/members", "x"),
]


@pytest.mark.parametrize(
    ("principal", "url", "name"), REFLECTED, ids=[f"{u}?{n}=" for _p, u, n in REFLECTED]
)
def test_query_argument_with_markup_adds_no_element_to_the_page(
    world, client_as, principal, url, name
):
    client = client_as(principal)
    pages = [
        client.get(url, query_string={name: value}) for value in (HARMLESS, PAYLOAD)
    ]
    assert [page.status_code for page in pages] == [200, 200]
    assert_same_shape(*(page.get_data(as_text=True) for page in pages))


def test_flash_message_naming_a_person_adds_no_element(world, client_as):
    client = client_as("P5")
    pages = []
    for value in (HARMLESS, PAYLOAD):
        _set(world, "display name", value)
        world.extra_member.is_active = True
        db.session.commit()
        response = client.post(
            f"/admin/people/{world.extra_member.id}/deactivate", follow_redirects=True
        )
        pages.append(response.get_data(as_text=True))
        assert value in pages[-1] or "&lt;img" in pages[-1]
    assert_same_shape(*pages)


def test_flash_message_naming_a_group_adds_no_element(world, client_as):
    client = client_as("P1")
    pages = []
    for value in (HARMLESS, PAYLOAD):
        world.group_open.name = value
        db.session.execute(
            delete(Membership).where(
                Membership.user_id == world.users["P1"].id,
                Membership.group_id == world.group_open.id,
            )
        )
        db.session.commit()
        pages.append(
            client.post("/groups/open-data/join", follow_redirects=True).get_data(
                as_text=True
            )
        )
    assert_same_shape(*pages)


def _csv(value: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["email", "name", "country", "organisation", "position", "group", "role"]
    )
    writer.writerow([value] * 7)
    return out.getvalue()


def test_import_preview_of_a_csv_with_markup_adds_no_element(world, client_as):
    client = client_as("P5")
    pages = [
        client.post("/admin/import", data={"text": _csv(value)})
        for value in (HARMLESS, PAYLOAD)
    ]
    assert_same_shape(*(page.get_data(as_text=True) for page in pages))


def test_audit_row_with_markup_adds_the_same_elements_as_a_harmless_row(
    world, client_as
):
    """Audit rows cannot be changed, so compare what each new row adds to the log."""
    client = client_as("P5")
    shapes = []
    for value in (HARMLESS, PAYLOAD, HARMLESS):
        world.extra_member.display_name = value
        audit.record(
            world.extra_member,
            "membership.requested",
            SimpleNamespace(id=None, name=value),
            message=value,
        )
        db.session.commit()
        shapes.append(page_shape(client.get("/admin/audit").get_data(as_text=True)))
    assert shapes[1] - shapes[0] == shapes[2] - shapes[1]


# --- e-mails --------------------------------------------------------------------------


def _last_email_html(to: str) -> str:
    db.session.rollback()
    return db.session.scalars(
        select(OutboxEmail.body_html)
        .where(OutboxEmail.to_addr == to)
        .order_by(OutboxEmail.id)
    ).all()[-1]


def test_invitation_email_with_markup_in_names_adds_no_element(world):
    emails = []
    for n, value in enumerate((HARMLESS, PAYLOAD)):
        world.users["P4"].display_name = value
        world.group_a.name = value
        group_services.invite(
            world.users["P4"], world.group_a, f"guest{n}@gov.example", Role.MEMBER
        )
        db.session.commit()
        emails.append(_last_email_html(f"guest{n}@gov.example"))
    assert_same_shape(*emails)


def test_join_request_email_with_markup_adds_no_element(world):
    emails = []
    for value in (HARMLESS, PAYLOAD):
        user = world.users["P1"]
        user.display_name, user.organisation, world.group_b.name = value, value, value
        db.session.execute(
            delete(Membership).where(
                Membership.user_id == user.id, Membership.group_id == world.group_b.id
            )
        )
        group_services.request_to_join(user, world.group_b, value)
        db.session.commit()
        emails.append(_last_email_html(world.chair_b.email))
    assert_same_shape(*emails)


def test_password_reset_email_with_markup_in_the_name_adds_no_element(world):
    emails = []
    for key, value in (("P1", HARMLESS), ("P3", PAYLOAD)):
        world.users[key].display_name = value
        db.session.commit()
        request_password_reset(world.users[key].email)
        db.session.commit()
        emails.append(_last_email_html(world.users[key].email))
    assert_same_shape(*emails)


# --- |safe only on sanitised fields ---------------------------------------------------


def test_safe_filter_is_used_only_on_sanitised_html_fields():
    offenders = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        for expression in re.findall(
            r"{{(.*?)}}", template.read_text(), flags=re.DOTALL
        ):
            if re.search(r"\|\s*safe\b", expression):
                subject = expression.split("|")[0].strip()
                if not re.fullmatch(r"[\w.]+_html", subject):
                    offenders.append(
                        f"{template.relative_to(ROOT)}: {{{{{expression}}}}}"
                    )
    assert not offenders, offenders


def test_markup_is_built_only_by_the_text_module():
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "collab").rglob("*.py"))
        if re.search(r"\bMarkup\(", path.read_text()) and path.name != "text.py"
    ]
    assert not offenders, offenders
