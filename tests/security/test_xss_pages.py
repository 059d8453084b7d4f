"""Plain-text values (names, messages, addresses, query arguments, thread titles, hide
reasons) shown on pages and in e-mails add no element or attribute: the page with a
payload has the shape of the page with harmless words. Markdown (bios, posts) renders
through core/text to allowed markup only; mentions add nothing but a profile link.
Document titles, descriptions, tags, folder and file names and version notes add
nothing to the library, document and trash pages, nor to the messages about them.
Meeting titles, places, links, agenda items, minutes, comments, decisions, actions and
answers add nothing to the meeting pages, the minutes' history, the action register,
the dashboard or the meeting e-mails; descriptions and minutes render through
core/text to allowed markup only; an online link is http(s) or refused."""

import csv
import io
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, select

from collab.audit import services as audit
from collab.auth.services import request_password_reset
from collab.core.db import utcnow
from collab.core.permissions import Role
from collab.core.text import render_markdown
from collab.documents import services as document_services
from collab.documents.models import Document, DocumentVersion
from collab.extensions import db
from collab.groups import services as group_services
from collab.groups.models import Membership
from collab.meetings import agenda as agenda_services
from collab.meetings import notify as meeting_notify
from collab.meetings.models import (
    Meeting,
    MinutesComment,
    MinutesRevision,
    Rsvp,
)
from collab.notifications import activity
from collab.notifications.models import OutboxEmail
from collab.threads import services as thread_services
from collab.threads.models import Post
from tests.security.routes import (
    document_form,
    document_url,
    item_form,
    item_url,
    library_url,
    meeting_form,
    meeting_url,
    post_form,
    post_url,
    profile_form,
    thread_url,
    upload_form,
    version_form,
)
from tests.security.test_xss import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    HAND_WRITTEN,
    parse,
    violations,
)

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


# --- member profiles: fields typed on the profile form --------------------------------

# The phone field takes 40 characters at most.
SHORT_PAYLOAD = "\"'><img src=x onerror=alert(1)>"
QUOTE_BREAKER = 'https://x"onmouseover=alert(1)'
PROFILE_VALUES = [
    ("display_name", HARMLESS, PAYLOAD),
    ("organisation", HARMLESS, PAYLOAD),
    ("position", HARMLESS, PAYLOAD),
    ("phone", "+33 1 23 45 67 89", SHORT_PAYLOAD),
    ("website", "https://harmless.example/", QUOTE_BREAKER),
    ("website", "https://harmless.example/", f"https://x.example/{PAYLOAD}"),
    ("expertise", f"{HARMLESS}, other words", f"{PAYLOAD}, <b onclick=x>tag</b>"),
]
PROFILE_PAGES = ["profile", "/members/", "/groups/alpha/members"]


@pytest.fixture
def p2_client(world, login):
    return login(world.users["P2"])


@pytest.fixture
def p2_saves(world, p2_client):
    """``p2_saves(field=value)``: P2 saves their profile through the form, which must
    succeed."""

    def save(**changes):
        form = profile_form(**{"phone_visibility": "everyone", **changes})
        url = f"/members/{world.users['P2'].username}/edit"
        response = p2_client.post(url, data=form)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        with p2_client.session_transaction() as session:
            session.pop("_flashes", None)  # as if the browser had shown "saved"
        return response

    return save


def _profile_url(world, url: str) -> str:
    return f"/members/{world.users['P2'].username}" if url == "profile" else url


@pytest.mark.parametrize(
    ("field", "harmless", "payload"),
    PROFILE_VALUES,
    ids=[f"{f}:{p[:24]}" for f, _h, p in PROFILE_VALUES],
)
@pytest.mark.parametrize("url", PROFILE_PAGES)
def test_profile_field_with_markup_adds_no_element(
    world, client_as, p2_saves, field, harmless, payload, url
):
    viewer = client_as("P4")  # shares A with P2: sees e-mail, phone, everything
    pages = []
    for value in (harmless, payload):
        p2_saves(**{field: value})
        db.session.rollback()
        stored = world.users["P2"]
        db.session.refresh(stored)
        if field == "expertise":
            assert value.split(",")[0].strip() in [e.tag for e in stored.expertise]
        elif field in ("phone", "website"):
            assert getattr(stored.profile, field) == value
        else:
            assert getattr(stored, field) == value
        response = viewer.get(_profile_url(world, url))
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
    if field != "website" or url == "profile":
        assert payload.split(",")[0] not in pages[1], "shown unescaped"
    assert_same_shape(*pages)


def test_quote_breaking_website_stays_one_href_attribute(world, client_as, p2_saves):
    p2_saves(website=QUOTE_BREAKER)
    page = client_as("P4").get(f"/members/{world.users['P2'].username}")
    links = [
        dict(attrs)
        for tag, attrs in parse(page.get_data(as_text=True)).elements
        if tag == "a" and dict(attrs).get("href", "").startswith("https://x")
    ]
    assert links == [{"href": QUOTE_BREAKER, "rel": "nofollow noopener noreferrer ugc"}]


REFUSED_WEBSITES = [
    "javascript:alert(1)",
    " JavaScript:alert(document.domain)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "javascript://https://x.example/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/",
    "https:/\\evil.example",
    'x" onmouseover="alert(1)',
]


@pytest.mark.parametrize("website", REFUSED_WEBSITES, ids=repr)
def test_website_other_than_http_is_refused_and_not_stored(
    world, p2_client, p2_saves, website
):
    p2_saves(website="https://kept.example/")
    client = p2_client
    url = f"/members/{world.users['P2'].username}/edit"
    pages = []
    for value in ("ftp://harmless.example/", website):
        response = client.post(url, data=profile_form(website=value))
        assert response.status_code == 400
        assert "https://" in response.get_data(as_text=True)  # the message says how
        pages.append(response.get_data(as_text=True))
    assert_same_shape(*pages)
    db.session.rollback()
    profile = db.session.get(type(world.users["P2"].profile), world.users["P2"].id)
    assert profile.website == "https://kept.example/"


@pytest.mark.parametrize(
    "languages",
    [PAYLOAD, "en, <script>alert(1)</script>", 'fr"><img src=x onerror=alert(1)>'],
    ids=repr,
)
def test_language_codes_with_markup_are_refused_and_not_stored(
    world, p2_client, p2_saves, languages
):
    p2_saves(languages="en, fr")
    client = p2_client
    url = f"/members/{world.users['P2'].username}/edit"
    pages = []
    for value in ("en, zz", languages):
        response = client.post(url, data=profile_form(languages=value))
        assert response.status_code == 400
        pages.append(response.get_data(as_text=True))
    assert_same_shape(*pages)
    db.session.rollback()
    profile = db.session.get(type(world.users["P2"].profile), world.users["P2"].id)
    assert profile.languages == ["en", "fr"]


def test_edit_form_sent_back_with_markup_in_every_field_adds_no_element(
    world, p2_client, p2_saves
):
    """A refused form echoes what was typed: as values, not as markup."""
    p2_saves()
    client = p2_client
    url = f"/members/{world.users['P2'].username}/edit"
    pages = []
    for value, short in ((HARMLESS, "harmless"), (PAYLOAD, SHORT_PAYLOAD)):
        form = {
            name: value for name in ("display_name", "organisation", "position", "bio")
        }
        form.update(expertise=value, phone=short, languages=value, website=value)
        response = client.post(url, data=profile_form(**form))
        assert response.status_code == 400
        pages.append(response.get_data(as_text=True))
    assert_same_shape(*pages)


# --- member profiles: the bio is markdown ---------------------------------------------

BIO_CHUNK = 50
BIO_CHUNKS = range(0, len(HAND_WRITTEN), BIO_CHUNK)


@pytest.mark.parametrize("start", BIO_CHUNKS, ids=lambda s: f"vectors-{s}-")
def test_bio_markdown_renders_through_the_text_module_to_allowed_markup(
    world, client_as, p2_saves, start
):
    viewer = client_as("P4")
    profile_url = f"/members/{world.users['P2'].username}"
    p2_saves(bio=HARMLESS)
    baseline = page_shape(viewer.get(profile_url).get_data(as_text=True))
    problems = []
    for number, vector in enumerate(HAND_WRITTEN[start : start + BIO_CHUNK], start):
        p2_saves(bio=vector)
        db.session.rollback()
        profile = db.session.get(type(world.users["P2"].profile), world.users["P2"].id)
        if profile.bio_html != render_markdown(profile.bio):
            problems.append(f"#{number}: bio_html is not render_markdown(bio)")
        problems += [f"#{number}: {v}" for v in violations(profile.bio_html)]
        added = page_shape(viewer.get(profile_url).get_data(as_text=True)) - baseline
        for key in added:
            tag, attribute = key if isinstance(key, tuple) else (key, None)
            if tag not in ALLOWED_TAGS or (
                attribute and attribute not in ALLOWED_ATTRIBUTES.get(tag, ())
            ):
                problems.append(f"#{number} {vector!r}: the page gained {key}")
    assert not problems, "\n".join(problems[:40])


# --- contact exports: cells and vCard properties --------------------------------------


def test_contact_exports_neither_run_formulas_nor_gain_vcard_properties(
    world, client_as
):
    """What P3 types on their profile reaches B's CSV as inert cells (no formula) and
    B's vCards as values (no extra line, so no extra property)."""
    client = client_as("P3")
    url = f"/members/{world.users['P3'].username}/edit"
    with_line_breaks = profile_form(
        "Plain Name",
        organisation="x\r\nEMAIL:org@evil.example",
        phone="-1\r\nEMAIL:tel@evil.example",
    )
    assert client.post(url, data=with_line_breaks).status_code == 400
    form = profile_form(
        '=HYPERLINK("https://evil.example","x")',
        organisation="+cmd|' /C calc'!A0",
        position="@SUM(1+1)*cmd|' /C calc'!A0",
        phone="-1+1",
        phone_visibility="everyone",
    )
    response = client.post(url, data=form)
    assert response.status_code == 302
    rows = list(
        csv.DictReader(io.StringIO(client.get("/groups/bravo/members.csv").text))
    )
    formula = re.compile(r"^[=+\-@\t\r]")
    assert not [(k, v) for row in rows for k, v in row.items() if formula.match(v)]
    assert any(row["name"] == "'" + form["display_name"] for row in rows)
    vcards = client.get("/groups/bravo/members.vcf").text
    properties = [line.split(":")[0] for line in vcards.splitlines() if ":" in line]
    assert properties.count("EMAIL") <= len(rows), "a field added an EMAIL line"
    assert "evil.example" not in "".join(
        line for line in vcards.splitlines() if line.startswith("EMAIL")
    )


# --- discussions: titles, names and hide reasons on pages and in e-mails --------------


def _set_in_discussion(world, field: str, value: str) -> None:
    talk = world.talk
    if field == "thread title":
        talk.thread_a.title = value
    elif field == "author name":  # P4: opening post, last poster, P2's notification
        world.users["P4"].display_name = value
    elif field == "hide reason":
        talk.reply_a_p2.hidden_at = utcnow()
        talk.reply_a_p2.hidden_reason = value
    db.session.commit()


def _discussion_page(world, page: str) -> str:
    talk = world.talk
    return {
        "thread": thread_url(talk.thread_a),
        "quote": thread_url(talk.thread_a, f"?quote={talk.opening_a.id}"),
        "history": post_url(talk.reply_a_p2, "history"),
        "edit": post_url(talk.reply_a_p2, "edit"),
        "hide": post_url(talk.reply_a_p2, "hide"),
        "move": thread_url(talk.thread_a, "/move"),
    }.get(page, page)


DISCUSSION_PAGES = [
    ("thread title", "P2", "/groups/alpha/threads/"),
    ("thread title", "P2", "thread"),
    ("thread title", "P2", "/groups/alpha/"),
    ("thread title", "P2", "/"),
    ("thread title", "P2", "/notifications/"),
    ("thread title", "P2", "history"),
    ("thread title", "P2", "edit"),
    ("thread title", "P5", "move"),
    ("author name", "P2", "/groups/alpha/threads/"),
    ("author name", "P2", "thread"),
    ("author name", "P2", "quote"),
    ("author name", "P2", "/"),
    ("author name", "P2", "/notifications/"),
    ("author name", "P2", "/groups/alpha/"),
    ("hide reason", "P2", "thread"),
    ("hide reason", "P4", "thread"),
]


@pytest.mark.parametrize(
    ("field", "principal", "page"),
    DISCUSSION_PAGES,
    ids=[f"{f}-{p}-{u}" for f, p, u in DISCUSSION_PAGES],
)
def test_discussion_text_with_markup_adds_no_element_to_the_page(
    world, client_as, field, principal, page
):
    client = client_as(principal)
    url = _discussion_page(world, page)
    pages = []
    for value in (HARMLESS, PAYLOAD):
        _set_in_discussion(world, field, value)
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(response.get_data(as_text=True))
        assert value in pages[-1] or "&lt;img" in pages[-1], "the value is not shown"
    assert_same_shape(*pages)


def _reply_as_p4(world, value: str) -> None:
    """P4 replies in thread A (P2 follows it) after the title, P4's name and the body
    took ``value``."""
    world.talk.thread_a.title = value
    world.users["P4"].display_name = value
    db.session.commit()
    thread_services.reply(world.users["P4"], world.talk.thread_a, value)
    db.session.commit()


def test_post_email_with_markup_in_title_name_and_body_adds_no_element(world):
    emails = []
    for value in (HARMLESS, PAYLOAD):
        _reply_as_p4(world, value)
        emails.append(_last_email_html(world.users["P2"].email))
        assert value in emails[-1] or "&lt;img" in emails[-1]
    assert_same_shape(*emails)


def test_digest_with_markup_in_title_name_and_body_adds_no_element(world):
    activity.set_preference(world.users["P2"], None, "digest", False)
    db.session.commit()
    emails = []
    for value in (HARMLESS, PAYLOAD):
        _reply_as_p4(world, value)
        assert activity.send_digests() >= 1
        db.session.commit()
        emails.append(_last_email_html(world.users["P2"].email))
        assert value in emails[-1] or "&lt;img" in emails[-1]
    assert_same_shape(*emails)


# --- discussions: post bodies are markdown --------------------------------------------

POST_CHUNK = 50


@pytest.mark.parametrize("start", BIO_CHUNKS, ids=lambda s: f"vectors-{s}-")
def test_post_markdown_renders_through_the_text_module_to_allowed_markup(
    world, client_as, start
):
    """Each vector as a reply through the form: the stored HTML is what the pipeline
    makes of the source, breaks no rule, and is what the thread page and the e-mail
    show (the page and e-mail add nothing of their own around it)."""
    client = client_as("P2")
    thread, group = world.talk.thread_a, world.group_a
    problems = []
    for number, vector in enumerate(HAND_WRITTEN[start : start + POST_CHUNK], start):
        response = client.post(thread_url(thread, "/reply"), data=post_form(vector))
        if response.status_code == 400:  # e.g. nothing left once stripped
            continue
        assert response.status_code == 302, f"#{number}: {response.status_code}"
        post_id = int(response.headers["Location"].rpartition("#post-")[2])
        db.session.rollback()
        post = db.session.get(Post, post_id)
        if post.body != vector.strip():
            problems.append(f"#{number}: the source was not stored as written")
        if post.body_html != thread_services.render(post.body, group)[0]:
            problems.append(f"#{number}: body_html is not the pipeline's output")
        problems += [f"#{number} {vector!r}: {v}" for v in violations(post.body_html)]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        if post.body_html not in page:
            problems.append(f"#{number}: the page does not show body_html as stored")
        mail = _last_email_html(world.users["P4"].email)
        if post.body_html not in mail:
            problems.append(f"#{number}: the e-mail does not show body_html as stored")
    assert not problems, "\n".join(problems[:40])


PREVIEW = re.compile(
    r'id="preview-heading">[^<]*</h2>\s*<div class="prose">(.*?)</div>\s*</section>',
    re.S,
)


def test_post_preview_renders_to_allowed_markup(world, client_as):
    """The preview (no JavaScript: a round trip) goes through the same pipeline."""
    client = client_as("P2")
    url = thread_url(world.talk.thread_a, "/reply")
    problems = []
    for number, vector in enumerate(HAND_WRITTEN[::5]):
        page = client.post(url, data=post_form(vector, preview="y"))
        if page.status_code != 200:
            continue
        match = PREVIEW.search(page.get_data(as_text=True))
        assert match, f"#{number}: no preview on the page"
        problems += [f"#{number} {vector!r}: {v}" for v in violations(match.group(1))]
    assert not problems, "\n".join(problems[:40])


# --- mentions: a display name is text, never markup or another link ------------------

MENTION_NAMES = [
    "x](javascript:alert(1))",
    "x](https://evil.example/phish)",
    "Eve](/auth/sign-out)",
    "[x](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">Ann</a>',
    'x" onmouseover="alert(1)',
    "**Boss** _Lady_",
    "Mallory ![i](https://evil.example/t.png)",
    "<https://evil.example>",
    "Zed `code` [ref]: https://evil.example",
]


def _links(html: str) -> list[str]:
    return [
        dict(attrs).get("href") or ""
        for tag, attrs in parse(html).elements
        if tag == "a"
    ]


@pytest.mark.parametrize("name", MENTION_NAMES, ids=repr)
def test_mention_of_a_display_name_with_markup_adds_only_a_profile_link(
    world, client_as, name
):
    """Ed (a member of A) takes a display name with markdown or HTML in it, and P4
    mentions him by that name. Against the same text without mention handling, the post
    gains at most one element, a link to Ed's profile: no javascript: or other link,
    no new tags. (Markup of the name shown as plain text instead is fine: a name is
    text.)"""
    ed = world.extra_member
    ed.display_name = name
    db.session.commit()
    body = f"Welcome @{name} to the group."
    response = client_as("P4").post(
        thread_url(world.talk.thread_a, "/reply"), data=post_form(body)
    )
    assert response.status_code == 302
    db.session.rollback()
    post = db.session.get(Post, int(response.headers["Location"].rpartition("-")[2]))
    plain = render_markdown(post.body)
    assert violations(post.body_html) == []
    gained = page_shape(post.body_html) - page_shape(plain)
    new_links = [h for h in _links(post.body_html) if h not in _links(plain)]
    assert set(new_links) <= {f"/members/{ed.username}"}, f"{post.body_html!r}"
    assert gained <= Counter({"a": 1, ("a", "href"): 1}), f"{post.body_html!r}"


def test_mention_oracle_sees_a_profile_link(world, client_as):
    """The control: a plain name gains exactly the profile link."""
    ed = world.extra_member
    response = client_as("P4").post(
        thread_url(world.talk.thread_a, "/reply"),
        data=post_form(f"Welcome @{ed.display_name} to the group."),
    )
    db.session.rollback()
    post = db.session.get(Post, int(response.headers["Location"].rpartition("-")[2]))
    gained = page_shape(post.body_html) - page_shape(render_markdown(post.body))
    assert gained == Counter({"a": 1, ("a", "href"): 1})
    assert _links(post.body_html) == [f"/members/{ed.username}"]


# --- documents: titles, descriptions, tags, folder and file names, notes -------------

# What survives the cleaning of folder and file names (no "/": the part after it is
# the name), so that it can also go through the forms.
NAME_PAYLOAD = "<img src=x onerror=alert(1)>\"'><svg onload=alert(1)><b onclick=x>"


def _set_in_library(world, field: str, value: str) -> None:
    library = world.library
    documents = (library.document_a, library.trashed_a, library.document_b)
    if field == "document title":
        for document in documents:
            document.title = value
    elif field == "description":
        for document in documents:
            document.description = value
    elif field == "tag":
        for document in documents:
            document_services.set_tags(document, f"{value}, wallet")
    elif field == "folder name":
        library.folder_a.name = value
        library.empty_folder_a.name = f"{value} (drafts)"
        library.folder_b.name = value
    elif field in ("file name", "version note"):
        versions = db.session.scalars(select(DocumentVersion)).all()
        for version in versions:
            if field == "file name":
                version.filename = f"{value}.{version.kind}"
            else:
                version.note = value
    db.session.commit()


def _library_page(world, page: str) -> str:
    library = world.library
    return {
        "library": library_url("alpha", f"?folder={library.folder_a.id}"),
        "all": library_url("alpha", "?all=1"),
        "empty folder": library_url("alpha", f"?folder={library.empty_folder_a.id}"),
        "library B": library_url("bravo", f"?folder={library.folder_b.id}"),
        "document": document_url(library.document_a),
        "document B": document_url(library.document_b),  # a PNG: shown with alt text
        "trash": library_url("alpha", "trash"),
        "trashed": document_url(library.trashed_a),
    }[page]


LIBRARY_PAGES = [
    ("document title", "P2", "library"),
    ("document title", "P2", "all"),
    ("document title", "P2", "document"),
    ("document title", "P3", "document B"),
    ("document title", "P3", "library B"),
    ("document title", "P4", "trash"),
    ("document title", "P4", "trashed"),
    ("description", "P2", "document"),
    ("description", "P3", "document B"),
    ("description", "P4", "trashed"),
    ("tag", "P2", "library"),
    ("tag", "P2", "all"),
    ("tag", "P2", "tag filter"),
    ("tag", "P2", "document"),
    ("tag", "P3", "document B"),
    ("folder name", "P2", "library"),
    ("folder name", "P2", "empty folder"),
    ("folder name", "P2", "all"),
    ("folder name", "P2", "document"),
    ("folder name", "P3", "library B"),
    ("folder name", "P3", "document B"),
    ("file name", "P2", "document"),
    ("file name", "P3", "document B"),
    ("file name", "P4", "trashed"),
    ("version note", "P2", "document"),
    ("version note", "P4", "trashed"),
]


@pytest.mark.parametrize(
    ("field", "principal", "page"),
    LIBRARY_PAGES,
    ids=[f"{f}-{p}-{u}" for f, p, u in LIBRARY_PAGES],
)
@pytest.mark.parametrize("payload", [PAYLOAD, NAME_PAYLOAD], ids=["payload", "name"])
def test_library_text_with_markup_adds_no_element_to_the_page(
    world, client_as, field, principal, page, payload
):
    client = client_as(principal)
    pages = []
    for value in (HARMLESS, payload):
        _set_in_library(world, field, value)
        if page == "tag filter":
            response = client.get(library_url("alpha"), query_string={"tag": value})
        else:
            response = client.get(_library_page(world, page))
        assert response.status_code == 200, page
        pages.append(response.get_data(as_text=True))
        assert value in pages[-1] or "&lt;img" in pages[-1], "the value is not shown"
    assert_same_shape(*pages)


def _flashes_after(client, method: str, url: str, **kwargs) -> str:
    response = getattr(client, method)(url, follow_redirects=True, **kwargs)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_library_messages_naming_a_file_or_document_add_no_element(world, client_as):
    """The messages after a refused upload (they name the file), a trashed and a
    restored document (they name it) show the names as text."""
    client = client_as("P4")
    document = world.library.document_a
    pages = []
    for value in (HARMLESS, NAME_PAYLOAD):
        refused = _flashes_after(
            client,
            "post",
            library_url("alpha", "upload"),
            data=upload_form(f"{value}.exe", b"MZ\x90\x00", "application/pdf"),
        )
        assert "is not an allowed type" in refused
        document.title = value
        db.session.commit()
        trashed = _flashes_after(client, "post", document_url(document, "/delete"))
        restored = _flashes_after(client, "post", document_url(document, "/restore"))
        pages.append("\n".join((refused, trashed, restored)))
        assert value in pages[-1] or "&lt;img" in pages[-1]
    assert_same_shape(*pages)


def test_library_forms_store_markup_as_text_and_show_it_as_text(world, client_as):
    """Through the forms: a folder, an upload (file name, tags), details (title,
    description, tags) and a version note, first harmless, then with markup, then
    harmless again. Each round adds the same elements to the pages (one more version
    row on the document page), so the markup added none."""
    client = client_as("P2")
    library = world.library
    document = library.document_a
    versions = document.version_count
    shapes = {"document": [], "library": []}
    for value in (HARMLESS, NAME_PAYLOAD, f"{HARMLESS} again"):
        edited_folder = client.post(
            library_url("alpha", f"folders/{library.empty_folder_a.id}"),
            data={"name": value, "parent": str(library.folder_a.id)},
        )
        version = client.post(
            document_url(document, "/versions"),
            data=version_form(f"{value}.pdf", note=value),
        )
        details = client.post(
            document_url(document, "/edit"),
            data=document_form(
                value,
                description=value,
                tags=f"{value}, wallet",
                folder=str(library.empty_folder_a.id),
            ),
        )
        assert [r.status_code for r in (edited_folder, version, details)] == [302] * 3
        db.session.rollback()
        assert db.session.get(Document, document.id).title == value, "saved"
        listing = library_url("alpha", f"?folder={library.empty_folder_a.id}")
        client.get(listing)  # the "new since your last visit" marks: seen once
        listed = client.get(listing).get_data(as_text=True)
        page = client.get(document_url(document)).get_data(as_text=True)
        assert value in page or "&lt;img" in page
        shapes["document"].append(page_shape(page))
        shapes["library"].append(page_shape(listed))
    db.session.rollback()
    assert db.session.get(Document, document.id).version_count == versions + 3
    for name, (first, attacked, last) in shapes.items():
        assert attacked - first == last - attacked, name
        assert first - attacked == attacked - last, name


# --- meetings: titles, places, agenda items, minutes, comments, decisions, actions ----


def _rewrite_revisions(meeting, key: str, value: str, item_id: int) -> None:
    """Put ``value`` as ``key`` (title, text) of the item in every saved revision."""
    for revision in db.session.scalars(
        select(MinutesRevision).where(MinutesRevision.meeting_id == meeting.id)
    ):
        revision.content = [
            {**part, key: value} if part["item"] == item_id else part
            for part in revision.content
        ]


def _set_in_meetings(world, field: str, value: str) -> None:
    m = world.meetings
    if field == "meeting title":
        m.meeting_a.title = value
        m.past_a.title = value
    elif field == "location":
        m.meeting_a.location = value
    elif field == "meeting description":
        m.meeting_a.description = value
    elif field == "item title":  # after publication: also a change the chair sees
        m.item_a.title = value
        _rewrite_revisions(m.meeting_a, "title", value, m.item_a.id)
    elif field == "item description":
        m.item_a.description = value
    elif field == "presenter name":
        m.item_a.presenter_name = value
    elif field == "minutes text":
        m.item_a.minutes = value
        _rewrite_revisions(m.meeting_a, "text", value, m.item_a.id)
    elif field == "decision":
        m.decision_a.text = value
    elif field == "action text":
        m.action_a.text = value
    elif field == "comment":
        for comment in db.session.scalars(
            select(MinutesComment).where(MinutesComment.meeting_id == m.past_a.id)
        ):
            comment.body = value
    elif field == "cancel reason":
        m.meeting_a.status = "cancelled"
        m.meeting_a.cancel_reason = value
    elif field == "answer comment":
        rsvp = db.session.scalar(
            select(Rsvp).where(
                Rsvp.meeting_id == m.meeting_a.id,
                Rsvp.user_id == world.users["P2"].id,
            )
        ) or Rsvp(meeting_id=m.meeting_a.id, user_id=world.users["P2"].id)
        rsvp.answer, rsvp.comment = "maybe", value
        db.session.add(rsvp)
    elif field == "revision note":
        for revision in db.session.scalars(
            select(MinutesRevision).where(MinutesRevision.meeting_id == m.meeting_a.id)
        ):
            revision.note = value
    db.session.commit()


def _meeting_page(world, page: str) -> str:
    m = world.meetings
    return {
        "meeting": meeting_url(m.meeting_a),
        "past meeting": meeting_url(m.past_a),
        "meetings": "/groups/alpha/meetings/",
        "register": "/groups/alpha/actions/?status=all",
        "history": meeting_url(m.meeting_a, "/minutes/history"),
        "past history": meeting_url(m.past_a, "/minutes/history"),
        "edit": meeting_url(m.meeting_a, "/edit"),
        "cancel": meeting_url(m.meeting_a, "/cancel"),
        "answers": meeting_url(m.meeting_a, "/responses"),
        "attendance": meeting_url(m.meeting_a, "/attendance"),
        "minutes form": meeting_url(m.meeting_a, "/minutes"),
        "item form": item_url(m.item_a, "/edit"),
        "attach": item_url(m.item_a, "/documents"),
    }.get(page, page)


MEETING_PAGES = [
    ("meeting title", "P2", "meeting"),
    ("meeting title", "P4", "meeting"),
    ("meeting title", "P2", "meetings"),
    ("meeting title", "P2", "/"),
    ("meeting title", "P2", "/calendar/"),
    ("meeting title", "P2", "/groups/alpha/"),
    ("meeting title", "P2", "register"),
    ("meeting title", "P2", "past history"),
    ("meeting title", "P4", "history"),
    ("meeting title", "P4", "edit"),
    ("meeting title", "P4", "cancel"),
    ("meeting title", "P4", "answers"),
    ("meeting title", "P4", "attendance"),
    ("meeting title", "P4", "minutes form"),
    ("meeting title", "P4", "item form"),
    ("meeting title", "P4", "attach"),
    ("location", "P2", "meeting"),
    ("location", "P4", "edit"),
    ("meeting description", "P2", "meeting"),
    ("meeting description", "P4", "edit"),
    ("item title", "P2", "meeting"),
    ("item title", "P4", "meeting"),  # with "Renamed: … → …" for the chair
    ("item title", "P4", "minutes form"),
    ("item title", "P4", "item form"),
    ("item title", "P4", "attach"),
    ("item title", "P4", "history"),
    ("item description", "P2", "meeting"),
    ("item description", "P4", "item form"),
    ("presenter name", "P2", "meeting"),
    ("presenter name", "P4", "item form"),
    ("minutes text", "P4", "meeting"),
    ("minutes text", "P4", "minutes form"),
    ("minutes text", "P4", "history"),
    ("decision", "P4", "meeting"),
    ("decision", "P4", "minutes form"),
    ("action text", "P2", "meeting"),
    ("action text", "P2", "register"),
    ("action text", "P2", "/"),
    ("action text", "P2", "/calendar/"),
    ("action text", "P4", "minutes form"),
    ("comment", "P2", "past meeting"),
    ("cancel reason", "P2", "meeting"),
    ("answer comment", "P4", "answers"),
    ("revision note", "P4", "history"),
]


@pytest.mark.parametrize(
    ("field", "principal", "page"),
    MEETING_PAGES,
    ids=[f"{f}-{p}-{u}" for f, p, u in MEETING_PAGES],
)
def test_meeting_text_with_markup_adds_no_element_to_the_page(
    world, client_as, field, principal, page
):
    client = client_as(principal)
    url = _meeting_page(world, page)
    pages = []
    for value in (HARMLESS, PAYLOAD):
        _set_in_meetings(world, field, value)
        response = client.get(url)
        assert response.status_code == 200, url
        pages.append(response.get_data(as_text=True))
        assert value in pages[-1] or "&lt;img" in pages[-1], "the value is not shown"
    assert_same_shape(*pages)


# Markdown: descriptions and minutes, on the pages that render them.
MEETING_MARKDOWN = [
    ("meeting description", "P2", "meeting"),
    ("item description", "P2", "meeting"),
    ("minutes text", "P4", "meeting"),
    ("minutes text", "P4", "history"),
]
MARKDOWN_CHUNK = 50


def _gains_only_allowed_markup(baseline: Counter, html: str) -> list[str]:
    found = []
    for key in page_shape(html) - baseline:
        tag, attribute = key if isinstance(key, tuple) else (key, None)
        if tag not in ALLOWED_TAGS or (
            attribute and attribute not in ALLOWED_ATTRIBUTES.get(tag, ())
        ):
            found.append(f"gained {key}")
    return found


@pytest.mark.parametrize(
    ("field", "principal", "page"),
    MEETING_MARKDOWN,
    ids=[f"{f}-{p}-{u}" for f, p, u in MEETING_MARKDOWN],
)
@pytest.mark.parametrize(
    "start", range(0, len(HAND_WRITTEN), MARKDOWN_CHUNK), ids=lambda s: f"vectors-{s}-"
)
def test_meeting_markdown_renders_through_the_text_module_to_allowed_markup(
    world, client_as, field, principal, page, start
):
    """Each vector as the field's source: the page shows what core/text makes of it
    (and nothing else), which breaks no rule, and gains no other markup."""
    client = client_as(principal)
    url = _meeting_page(world, page)
    _set_in_meetings(world, field, HARMLESS)
    baseline = page_shape(client.get(url).get_data(as_text=True))
    problems = []
    for number, vector in enumerate(
        HAND_WRITTEN[start : start + MARKDOWN_CHUNK], start
    ):
        _set_in_meetings(world, field, vector)
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


# --- meetings: the e-mails ---------------------------------------------------------


def _meeting_email(world, template: str) -> str:
    """Send ``template`` about A's meeting (or P2's action) and return P2's copy."""
    m = world.meetings
    meeting = m.meeting_a
    send = {
        "meeting_scheduled": lambda: meeting_notify.meeting_scheduled(meeting),
        "meeting_changed": lambda: meeting_notify.meeting_changed(
            meeting, ["title", "location"], {}
        ),
        "meeting_cancelled": lambda: meeting_notify.meeting_cancelled(meeting),
        "agenda_published": lambda: meeting_notify.agenda_published(
            meeting, agenda_services.changes(meeting)
        ),
        "minutes_circulated": lambda: meeting_notify.minutes_circulated(meeting),
        "minutes_adopted": lambda: meeting_notify.minutes_adopted(meeting),
        "minutes_corrected": lambda: meeting_notify.minutes_corrected(
            meeting, meeting.cancel_reason
        ),
        "action_assigned": lambda: meeting_notify.action_assigned(m.action_a),
        "action_reminder": lambda: meeting_notify.action_reminder(m.action_a),
    }[template]
    send()
    db.session.commit()
    return _last_email_html(world.users["P2"].email)


def _everything_says(world, value: str) -> None:
    """Every text of A's meeting a message may quote: title, place, link, reason (and
    correction note), item titles and presenters, minutes, P2's action."""
    m = world.meetings
    meeting = m.meeting_a
    meeting.title = meeting.location = meeting.cancel_reason = value
    meeting.online_url = f"https://meet.example.org/{value}"
    meeting.minutes_deadline = utcnow() + timedelta(days=7)
    for item in meeting.items:
        item.title = item.presenter_name = item.minutes = value
    m.action_a.text = value
    db.session.commit()


MEETING_EMAILS = [
    "meeting_scheduled",
    "meeting_changed",
    "meeting_cancelled",
    "agenda_published",  # lists the changes: "Renamed: … → …"
    "minutes_circulated",
    "minutes_adopted",
    "minutes_corrected",
    "action_assigned",
    "action_reminder",
]


@pytest.mark.parametrize("template", MEETING_EMAILS)
def test_meeting_email_with_markup_in_every_text_adds_no_element(world, template):
    emails = []
    for value in (HARMLESS, PAYLOAD):
        _everything_says(world, value)
        emails.append(_meeting_email(world, template))
        assert value in emails[-1] or "&lt;img" in emails[-1], "the value is not shown"
    assert_same_shape(*emails)


def test_adopted_minutes_email_renders_markdown_to_allowed_markup(world):
    """The adopted minutes go out in full: through core/text, like the page."""
    item = world.meetings.item_a
    _everything_says(world, HARMLESS)
    baseline = page_shape(_meeting_email(world, "minutes_adopted"))
    problems = []
    for number, vector in enumerate(HAND_WRITTEN[::3]):
        item.minutes = vector
        db.session.commit()
        html = _meeting_email(world, "minutes_adopted")
        if render_markdown(vector) not in html:
            problems.append(f"#{number}: the e-mail does not show core/text's output")
        problems += [
            f"#{number} {vector!r}: {v}"
            for v in _gains_only_allowed_markup(baseline, html)
        ]
    assert not problems, "\n".join(problems[:40])


# --- meetings: through the forms ---------------------------------------------------


def _meeting_round(world, client_as, value: str) -> Meeting:
    """A's chair runs a meeting whose every text is ``value``: created, an item,
    scheduled, agenda published, minutes, a decision, an action for P2, circulated;
    P2 answers and comments with ``value``."""
    chair, member = client_as("P4"), client_as("P2")
    created = chair.post(
        "/groups/alpha/meetings/new",
        data=meeting_form(value, location=value, description=value),
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    meeting_id = int(created.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    base = f"/groups/alpha/meetings/{meeting_id}"
    added = chair.post(
        f"{base}/agenda/new",
        data=item_form(value, presenter_name=value, description=value),
    )
    assert added.status_code == 302
    db.session.rollback()
    meeting = db.session.get(Meeting, meeting_id)
    item_id = meeting.items[0].id
    due = (date.today() + timedelta(days=9)).isoformat()
    steps = [
        (chair, f"{base}/schedule", {}),
        (chair, f"{base}/agenda/publish", {}),
        (chair, f"{base}/minutes", {f"minutes-{item_id}": value, "note": ""}),
        (chair, f"{base}/agenda/{item_id}/decisions", {"text": value}),
        (
            chair,
            f"{base}/agenda/{item_id}/actions",
            {"text": value, "owner": str(world.users["P2"].id), "due_on": due},
        ),
        (chair, f"{base}/minutes/circulate", {"deadline": due}),
        (member, f"{base}/rsvp", {"answer": "maybe", "comment": value}),
        (member, f"{base}/minutes/comments", {"body": value}),
    ]
    for client, url, form in steps:
        response = client.post(url, data=form)
        assert response.status_code == 302, f"{url} → {response.status_code}"
    db.session.rollback()
    meeting = db.session.get(Meeting, meeting_id)
    assert (meeting.title, meeting.location, meeting.description) == (value,) * 3
    assert meeting.items[0].title == value and meeting.items[0].minutes == value
    return meeting


def test_meeting_forms_store_markup_as_text_and_show_it_as_text(world, client_as):
    """Three meetings through the forms: harmless words, markup, harmless words again.
    Each adds the same elements to every page and e-mail, so the markup added none."""
    member, chair = client_as("P2"), client_as("P4")
    rounds = []
    for value in (HARMLESS, NAME_PAYLOAD, f"{HARMLESS} again"):
        cutoff = db.session.scalar(select(func.max(OutboxEmail.id))) or 0
        meeting = _meeting_round(world, client_as, value)
        pages = {
            "meeting (member)": member.get(meeting_url(meeting)),
            "meeting (chair)": chair.get(meeting_url(meeting)),
            "meetings": member.get("/groups/alpha/meetings/"),
            "history": member.get(meeting_url(meeting, "/minutes/history")),
            "register": member.get("/groups/alpha/actions/?status=all"),
            "dashboard": member.get("/"),
            "calendar": member.get("/calendar/"),
            "notifications": member.get("/notifications/"),
            "answers": chair.get(meeting_url(meeting, "/responses")),
        }
        shapes = {}
        for name, response in pages.items():
            assert response.status_code == 200, name
            html = response.get_data(as_text=True)
            shapes[name] = page_shape(html)
        db.session.rollback()
        emails = db.session.scalars(
            select(OutboxEmail)
            .where(
                OutboxEmail.to_addr == world.users["P2"].email,
                OutboxEmail.id > cutoff,
            )
            .order_by(OutboxEmail.id)
        ).all()
        assert len(emails) >= 4, [e.subject for e in emails]
        for email in emails:
            shapes[f"e-mail {email.subject.split(':')[0]}"] = page_shape(
                email.body_html
            )
        page = pages["meeting (member)"].get_data(as_text=True)
        assert value in page or "&lt;img" in page
        rounds.append(shapes)
    first, attacked, last = rounds
    assert first.keys() == attacked.keys() == last.keys()
    for name in first:
        assert attacked[name] - first[name] == last[name] - attacked[name], name
        assert first[name] - attacked[name] == attacked[name] - last[name], name


REFUSED_LINKS = [
    "javascript:alert(1)",
    " JavaScript:alert(document.domain)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "javascript://https://x.example/%0aalert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/",
    "https:/\\evil.example",
    'x" onmouseover="alert(1)',
]


@pytest.mark.parametrize("link", REFUSED_LINKS, ids=repr)
def test_online_link_other_than_http_is_refused_and_not_stored(world, client_as, link):
    """On a new meeting and on an existing one: a form error that says how (and
    shows the link as a value only), nothing saved."""
    client = client_as("P4")
    meeting = world.meetings.meeting_a
    kept = meeting.online_url
    count = db.session.scalar(select(func.count(Meeting.id)))
    pages = []
    for url in ("/groups/alpha/meetings/new", meeting_url(meeting, "/edit")):
        for value in ("ftp://harmless.example/", link):
            response = client.post(url, data=meeting_form(online_url=value))
            assert response.status_code == 400, (url, value)
            assert "https://" in response.get_data(as_text=True)
            pages.append(response.get_data(as_text=True))
    assert_same_shape(pages[0], pages[1])
    assert_same_shape(pages[2], pages[3])
    db.session.rollback()
    assert db.session.get(Meeting, meeting.id).online_url == kept
    assert db.session.scalar(select(func.count(Meeting.id))) == count


def test_quote_breaking_online_link_stays_one_href_attribute(world, client_as):
    """An http(s) link with a quote in it is accepted: it stays one attribute."""
    meeting = world.meetings.meeting_a
    chair = client_as("P4")
    response = chair.post(
        meeting_url(meeting, "/edit"), data=meeting_form(online_url=QUOTE_BREAKER)
    )
    assert response.status_code == 302
    page = client_as("P2").get(meeting_url(meeting)).get_data(as_text=True)
    links = [
        dict(attrs)
        for tag, attrs in parse(page).elements
        if tag == "a" and (dict(attrs).get("href") or "").startswith("https://x")
    ]
    assert links == [{"href": QUOTE_BREAKER, "rel": "noopener noreferrer nofollow"}]
