"""The principals, one realistic request for every route, and helpers that classify
answers and compare the database and the storage folder before and after."""

import hashlib
import secrets
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyotp
from PIL import Image
from sqlalchemy import select

from collab.auth import second_factor
from collab.demo.documents import pdf
from collab.extensions import db
from tests.factories import PASSWORD  # every principal's password

PRINCIPALS = ("P0", "P1", "P2", "P3", "P4", "P5", "P6")
PRINCIPAL_NAMES = {
    "P0": "P0_anonymous",
    "P1": "P1_signed_in_no_groups",
    "P2": "P2_member_of_A",
    "P3": "P3_member_of_B_only",
    "P4": "P4_chair_of_A",
    "P5": "P5_secretariat",
    "P6": "P6_deactivated_with_cookie",
}
# A unique string in group A's name: it must never appear on a page refused to someone.
CANARY = "Canary-7f3e9b"
# Words of A's drafts: a draft meeting's title, an item of an agenda not yet published,
# minutes not yet circulated. Only A's chairs (and the secretariat) may ever read them.
DRAFT_MEETING_WORD = "Hushmeet-3c1d"
DRAFT_ITEM_WORD = "Hushitem-8a2e"
DRAFT_MINUTES_WORD = "Hushnote-5b7f"
DRAFT_WORDS = (DRAFT_MEETING_WORD, DRAFT_ITEM_WORD, DRAFT_MINUTES_WORD)
NEW_PASSWORD = "quantum ferret lighthouse 2048 maple"
SKIPPED_METHODS = frozenset({"HEAD", "OPTIONS"})  # Flask answers both from the GET/rule

IMPORT_CSV = (
    "email,name,country,organisation,position,group,role\n"
    "imported@gov.example,Ines Imported,DE,Federal Chancellery,Adviser,bravo,member\n"
)


def _accept_form(name="Nora Newcomer"):
    return {
        "display_name": name,
        "country": "FR",
        "organisation": "DINUM",
        "position": "Architect",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }


def _group_form(name="Digital Identity", visibility="private"):
    return {
        "name": name,
        "description": "Works on **eID**.",
        "visibility": visibility,
        "join_policy": "request",
    }


def png_bytes(size=(320, 320)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, (20, 110, 160)).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(size=(64, 48)) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, (200, 90, 30)).save(out, "JPEG")
    return out.getvalue()


def pdf_bytes(title: str = "Wallet pilot report", *lines: str) -> bytes:
    """A one-page PDF with real text (its extraction finds ``title`` and ``lines``)."""
    return pdf(title, list(lines) or ["Twelve countries took part in the pilot."])


TEXT_FILE = b"Minutes of the June meeting.\nAction: send the survey by Friday.\n"


def browser_filename(name: str) -> str:
    """A file name as a browser writes it in a multipart form (HTML's rules: quotes
    and line breaks percent-encoded); Werkzeug's test client would send it raw."""
    return name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def upload_form(
    name: str = "June minutes.txt",
    data: bytes = TEXT_FILE,
    content_type: str = "text/plain",
    **fields,
) -> dict:
    """The library's upload form with one file, as the browser sends it."""
    files = [(BytesIO(data), browser_filename(name), content_type)]
    return {"files": files, "tags": "", **fields}


def version_form(
    name: str = "Wallet pilot report v3.pdf",
    data: bytes | None = None,
    note: str = "Figures for Q3 added.",
    **fields,
) -> dict:
    data = pdf_bytes() if data is None else data
    file = (BytesIO(data), browser_filename(name), "application/pdf")
    return {"file": file, "note": note, **fields}


def document_form(title: str = "Wallet pilot report (final)", **fields) -> dict:
    return {
        "title": title,
        "description": "Final figures, as presented in June.",
        "tags": "wallet, pilot",
        "folder": "",
        **fields,
    }


def document_url(document, suffix: str = "", slug: str | None = None) -> str:
    """A document's address, through its own group or through ``slug``."""
    return f"/groups/{slug or document.group.slug}/documents/{document.id}{suffix}"


def library_url(slug: str, suffix: str = "") -> str:
    return f"/groups/{slug}/documents/{suffix}"


def profile_form(name="Paul Member", **changes) -> dict:
    """Everything the profile edit form sends, valid."""
    return {
        "display_name": name,
        "country": "FR",
        "organisation": "DINUM",
        "position": "Architect",
        "bio": "Works on **eID** wallets.",
        "expertise": "eID, wallets",
        "languages": "en, fr",
        "phone": "+33 1 23 45 67 89",
        "website": "https://www.numerique.gouv.fr/",
        "timezone": "Europe/Paris",
        "locale": "",
        "email_visibility": "groups",
        "phone_visibility": "secretariat",
        **changes,
    }


def _members(world, who: str, path: str = "") -> str:
    return f"/members/{world.users[who].username}{path}"


def thread_url(thread, suffix: str = "", slug: str | None = None) -> str:
    """A thread's address, through its own group or through ``slug``."""
    return f"/groups/{slug or thread.group.slug}/threads/{thread.id}{suffix}"


def post_url(post, suffix: str, slug: str | None = None) -> str:
    return thread_url(post.thread, f"/posts/{post.id}/{suffix}", slug)


def post_form(body: str = "Agreed: the pilot reports in June.", **more) -> dict:
    """A reply or a new thread as the browser sends it (with its one-time token)."""
    return {"body": body, "form_token": secrets.token_urlsafe(12), **more}


def _thread(w, target: str):
    return {"A": w.talk.thread_a, "A-locked": w.talk.locked_a, "B": w.talk.thread_b}[
        target
    ]


def _own_reply(w, target: str):
    """Targets of the post routes: P2's reply in A, P3's reply in B."""
    return {"A": w.talk.reply_a_p2, "B": w.talk.reply_b_p3}[target]


_SLUG = {"A": "alpha", "B": "bravo"}
FORGED_UNSUBSCRIBE = "eyJ1IjoxLCJ0IjpudWxsfQ.forged-signature"


# (endpoint, target) → world → (url, form data used when the method is POST).
# A fresh form (and upload stream) at every call: send each one once.
ROUTES = {
    ("auth.sign_in", "-"): lambda w: (
        "/auth/sign-in",
        {"email": "nobody@gov.example", "password": "not the password"},
    ),
    ("auth.sign_out", "-"): lambda w: ("/auth/sign-out", {}),
    ("auth.sign_out_everywhere", "-"): lambda w: ("/auth/sign-out-everywhere", {}),
    ("auth.request_reset", "-"): lambda w: ("/auth/reset", {"email": w.outsider.email}),
    ("auth.reset_password", "-"): lambda w: (
        f"/auth/reset/{w.reset_token}",
        {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    ),
    ("auth.setup_account", "-"): lambda w: (
        f"/auth/setup/{w.setup_token}",
        {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    ),
    ("auth.accept_invitation", "new"): lambda w: (
        f"/auth/invitations/{w.invitation_token}",
        _accept_form(),
    ),
    ("auth.accept_invitation", "P1"): lambda w: (
        f"/auth/invitations/{w.invitation_p1_token}",
        {},
    ),
    ("groups.index", "-"): lambda w: ("/groups/", {}),
    ("groups.home", "A"): lambda w: ("/groups/alpha/", {}),
    ("groups.home", "B"): lambda w: ("/groups/bravo/", {}),
    ("groups.members", "A"): lambda w: ("/groups/alpha/members", {}),
    ("groups.members", "B"): lambda w: ("/groups/bravo/members", {}),
    ("groups.join", "A"): lambda w: ("/groups/alpha/join", {}),
    ("groups.join", "open"): lambda w: ("/groups/open-data/join", {}),
    ("groups.request_to_join", "A"): lambda w: (
        "/groups/alpha/request",
        {"message": "I lead our eID work."},
    ),
    ("groups.request_to_join", "B"): lambda w: (
        "/groups/bravo/request",
        {"message": "I lead our eID work."},
    ),
    ("groups.leave", "A"): lambda w: ("/groups/alpha/leave", {}),
    ("groups.leave", "B"): lambda w: ("/groups/bravo/leave", {}),
    ("groups.decide", "A"): lambda w: (
        f"/groups/alpha/requests/{w.pending.id}/approve",
        {},
    ),
    ("groups.invite", "A"): lambda w: (
        "/groups/alpha/invitations",
        {"email": "delegate@gov.example", "role": "member"},
    ),
    ("groups.revoke_invitation", "A"): lambda w: (
        f"/groups/alpha/invitations/{w.invitation.id}/revoke",
        {},
    ),
    ("groups.change_role", "A"): lambda w: (
        f"/groups/alpha/members/{w.extra_membership.id}/role",
        {"role": "observer"},
    ),
    ("groups.remove", "A"): lambda w: (
        f"/groups/alpha/members/{w.extra_membership.id}/remove",
        {},
    ),
    ("groups.add_member", "A"): lambda w: (
        "/groups/alpha/members",
        {"email": w.outsider.email, "role": "member"},
    ),
    ("admin.index", "-"): lambda w: ("/admin/", {}),
    ("admin.new_group", "-"): lambda w: (
        "/admin/groups/new",
        {**_group_form("Cloud Policy", "public"), "slug": "cloud-policy"},
    ),
    ("admin.edit_group", "A"): lambda w: ("/admin/groups/alpha/edit", _group_form()),
    ("admin.archive_group", "A"): lambda w: ("/admin/groups/alpha/archive", {}),
    ("admin.people", "-"): lambda w: ("/admin/people", {}),
    ("admin.person_action", "-"): lambda w: (
        f"/admin/people/{w.outsider.id}/deactivate",
        {},
    ),
    ("admin.import_people", "-"): lambda w: ("/admin/import", {"text": IMPORT_CSV}),
    ("admin.apply_import", "-"): lambda w: (
        "/admin/import/apply",
        {"text": IMPORT_CSV},
    ),
    ("admin.export_memberships", "-"): lambda w: ("/admin/memberships.csv", {}),
    ("admin.audit_log", "-"): lambda w: ("/admin/audit", {}),
    ("site.dashboard", "-"): lambda w: ("/", {}),
    ("site.set_language", "-"): lambda w: (
        "/language",
        {"locale": "fr", "next": "/groups/"},
    ),
    ("site.healthz", "-"): lambda w: ("/healthz", {}),
    # Member profiles: targets name whose profile (P2 has a photo, P4 has none).
    ("members.directory", "-"): lambda w: ("/members/?q=eID&country=FR", {}),
    ("members.profile", "P2"): lambda w: (_members(w, "P2"), {}),
    ("members.profile", "P6"): lambda w: (_members(w, "P6"), {}),
    ("members.edit", "P2"): lambda w: (_members(w, "P2", "/edit"), profile_form()),
    ("members.edit", "P4"): lambda w: (
        _members(w, "P4", "/edit"),
        profile_form("Priya Chair"),
    ),
    ("members.upload_photo", "P2"): lambda w: (
        _members(w, "P2", "/photo"),
        {"photo": (BytesIO(png_bytes()), "me.png", "image/png")},
    ),
    ("members.remove_photo", "P2"): lambda w: (_members(w, "P2", "/photo/remove"), {}),
    ("members.photo", "P2"): lambda w: (_members(w, "P2", "/photo"), {}),
    ("members.photo", "P4"): lambda w: (_members(w, "P4", "/photo"), {}),
    ("members.download_data", "P2"): lambda w: (_members(w, "P2", "/data.zip"), {}),
    # Every principal has the same password: it is the actor's own in every case.
    ("members.erase", "P2"): lambda w: (
        _members(w, "P2", "/erase"),
        {"password": PASSWORD},
    ),
    ("members.erase", "P4"): lambda w: (
        _members(w, "P4", "/erase"),
        {"password": PASSWORD},
    ),
    ("groups.export_contacts", "A.csv"): lambda w: ("/groups/alpha/members.csv", {}),
    ("groups.export_contacts", "A.vcf"): lambda w: ("/groups/alpha/members.vcf", {}),
    ("groups.export_contacts", "B.csv"): lambda w: ("/groups/bravo/members.csv", {}),
    ("groups.export_contacts", "B.vcf"): lambda w: ("/groups/bravo/members.vcf", {}),
}

# Discussions: "A" and "B" name the group; for thread routes the thread of that group
# ("A-locked": A's locked thread), for post routes P2's reply in A or P3's reply in B.
for _t in ("A", "B"):
    ROUTES |= {
        ("threads.index", _t): lambda w, t=_t: (f"/groups/{_SLUG[t]}/threads/", {}),
        ("threads.new", _t): lambda w, t=_t: (
            f"/groups/{_SLUG[t]}/threads/new",
            post_form("Shall we compare notes?", title="Interoperability testing"),
        ),
        ("threads.show", _t): lambda w, t=_t: (thread_url(_thread(w, t)), {}),
        ("threads.first_unread", _t): lambda w, t=_t: (
            thread_url(_thread(w, t), "/unread"),
            {},
        ),
        ("threads.edit", _t): lambda w, t=_t: (
            post_url(_own_reply(w, t), "edit"),
            {"body": "Corrected: the pilot reports in July."},
        ),
        ("threads.history", _t): lambda w, t=_t: (
            post_url(_own_reply(w, t), "history"),
            {},
        ),
        ("threads.delete", _t): lambda w, t=_t: (
            post_url(_own_reply(w, t), "delete"),
            {},
        ),
        ("threads.hide", _t): lambda w, t=_t: (
            post_url(_own_reply(w, t), "hide"),
            {"reason": "Off topic: moved to the budget thread."},
        ),
        ("threads.subscription", _t): lambda w, t=_t: (
            thread_url(_thread(w, t), "/subscription"),
            {"level": "mute" if t == "A" else "watch"},
        ),
    }
ROUTES |= {
    ("threads.reply", "A"): lambda w: (
        thread_url(w.talk.thread_a, "/reply"),
        post_form(),
    ),
    ("threads.reply", "A-locked"): lambda w: (
        thread_url(w.talk.locked_a, "/reply"),
        post_form(),
    ),
    ("threads.reply", "B"): lambda w: (
        thread_url(w.talk.thread_b, "/reply"),
        post_form(),
    ),
    ("threads.moderate", "A"): lambda w: (thread_url(w.talk.thread_a, "/pin"), {}),
    ("threads.moderate", "A-locked"): lambda w: (
        thread_url(w.talk.locked_a, "/unlock"),
        {},
    ),
    ("threads.moderate", "B"): lambda w: (thread_url(w.talk.thread_b, "/lock"), {}),
    # P4 chairs no other group: its form has no choice (a form error); P5 moves it.
    ("threads.move", "A"): lambda w: (
        thread_url(w.talk.thread_a, "/move"),
        {"group": "bravo"},
    ),
    ("threads.move", "B"): lambda w: (
        thread_url(w.talk.thread_b, "/move"),
        {"group": "open-data"},
    ),
    ("notifications.index", "-"): lambda w: ("/notifications/", {}),
    ("notifications.open_one", "P2"): lambda w: (
        f"/notifications/{w.talk.notification_p2.id}",
        {},
    ),
    ("notifications.read_all", "-"): lambda w: ("/notifications/read", {}),
    ("notifications.settings", "-"): lambda w: (
        "/notifications/settings",
        {"mode-default": "digest", "watch-default": "on"},
    ),
    # Tokens: P2's e-mail about A's thread, P2's digest ("all"), and a forged one.
    ("notifications.unsubscribe", "thread"): lambda w: (
        f"/notifications/unsubscribe/{w.talk.unsubscribe_thread_p2}",
        {},
    ),
    ("notifications.unsubscribe", "all"): lambda w: (
        f"/notifications/unsubscribe/{w.talk.unsubscribe_all_p2}",
        {},
    ),
    ("notifications.unsubscribe", "forged"): lambda w: (
        f"/notifications/unsubscribe/{FORGED_UNSUBSCRIBE}",
        {},
    ),
}


# Documents: "A"/"B" name the group's document (two versions, in a folder) or folder,
# "A-trashed" A's document in the trash; "-v1" the first version of the document.
def _document(w, target: str):
    library = w.library
    return {
        "A": library.document_a,
        "A-trashed": library.trashed_a,
        "B": library.document_b,
    }[target]


def _folder(w, target: str, empty: bool = False):
    library = w.library
    if empty:
        return {"A": library.empty_folder_a, "B": library.empty_folder_b}[target]
    return {"A": library.folder_a, "B": library.folder_b}[target]


for _t in ("A", "B"):
    ROUTES |= {
        ("documents.index", _t): lambda w, t=_t: (
            library_url(_SLUG[t], f"?folder={_folder(w, t).id}&sort=title"),
            {},
        ),
        ("documents.upload", _t): lambda w, t=_t: (
            library_url(_SLUG[t], "upload"),
            upload_form(folder=str(_folder(w, t).id), tags="minutes, June"),
        ),
        ("documents.create_folder", _t): lambda w, t=_t: (
            library_url(_SLUG[t], "folders"),
            {"name": "Minutes", "parent": str(_folder(w, t).id)},
        ),
        ("documents.edit_folder", _t): lambda w, t=_t: (
            library_url(_SLUG[t], f"folders/{_folder(w, t).id}"),
            {"name": "Reports 2025", "parent": ""},
        ),
        ("documents.delete_folder", _t): lambda w, t=_t: (
            library_url(_SLUG[t], f"folders/{_folder(w, t, empty=True).id}/delete"),
            {},
        ),
        ("documents.trash", _t): lambda w, t=_t: (library_url(_SLUG[t], "trash"), {}),
        ("documents.download", f"{_t}-v1"): lambda w, t=_t: (
            document_url(_document(w, t), "/versions/1/download"),
            {},
        ),
        # The latest version: A's is a PDF, B's a PNG (both shown inline).
        ("documents.preview", _t): lambda w, t=_t: (
            document_url(_document(w, t), "/versions/2/preview"),
            {},
        ),
    }
for _t in ("A", "A-trashed", "B"):
    ROUTES |= {
        ("documents.show", _t): lambda w, t=_t: (document_url(_document(w, t)), {}),
        ("documents.download", _t): lambda w, t=_t: (
            document_url(_document(w, t), "/download"),
            {},
        ),
        ("documents.add_version", _t): lambda w, t=_t: (
            document_url(_document(w, t), "/versions"),
            version_form(),
        ),
        ("documents.edit", _t): lambda w, t=_t: (
            document_url(_document(w, t), "/edit"),
            document_form(folder=str(_folder(w, t).id) if t != "A-trashed" else ""),
        ),
        # Live documents go to the trash; the trashed one comes back.
        ("documents.trash_or_restore", _t): lambda w, t=_t: (
            document_url(
                _document(w, t), "/restore" if t == "A-trashed" else "/delete"
            ),
            {},
        ),
    }
ROUTES |= {
    # B's first version is Markdown: never shown inline.
    ("documents.preview", "B-v1"): lambda w: (
        document_url(w.library.document_b, "/versions/1/preview"),
        {},
    ),
    ("documents.preview", "A-trashed"): lambda w: (
        document_url(w.library.trashed_a, "/versions/1/preview"),
        {},
    ),
}


# Meetings: "A"/"B" name the group's meeting next week (published agenda, minutes: a
# draft in A, circulated in B), its first item, attachment, decision and action (P2's in
# A, P3's in B); "A-draft"/"B-draft" the group's draft meeting; "A-unpublished" A's
# scheduled meeting whose agenda is not published; "A-past" A's held meeting with
# circulated minutes. Feeds: "P2" P2's token, "old" P4's replaced one, "forged" one
# with a made-up signature.
def meeting_url(meeting, suffix: str = "", slug: str | None = None) -> str:
    """A meeting's address, through its own group or through ``slug``."""
    return f"/groups/{slug or meeting.group.slug}/meetings/{meeting.id}{suffix}"


def item_url(item, suffix: str = "", slug: str | None = None) -> str:
    return meeting_url(item.meeting, f"/agenda/{item.id}{suffix}", slug)


def meeting_form(title: str = "Autumn plenary", **fields) -> dict:
    """The meeting form as the browser sends it: a fortnight from today, Paris time."""
    day = (date.today() + timedelta(days=14)).isoformat()
    return {
        "title": title,
        "start_date": day,
        "start_time": "14:00",
        "end_time": "16:00",
        "end_date": "",
        "timezone": "Europe/Paris",
        "location": "Château de la Muette, Room 1",
        "online_url": "https://meet.example.org/autumn",
        "description": "Papers are **attached**.",
        **fields,
    }


def item_form(title: str = "Interoperability testing", **fields) -> dict:
    return {
        "title": title,
        "kind": "decision",
        "duration_minutes": "20",
        "presenter_id": "0",
        "presenter_name": "Guest speaker, Estonia",
        "description": "Results of the **spring** tests.",
        **fields,
    }


def _meeting(w, target: str):
    m = w.meetings
    return {
        "A": m.meeting_a,
        "A-draft": m.draft_a,
        "A-unpublished": m.unpublished_a,
        "A-past": m.past_a,
        "B": m.meeting_b,
        "B-draft": m.draft_b,
    }[target]


def _of(w, target: str, name: str):
    """The meeting's ``name`` (item, item2, attachment, decision, action) of A or B."""
    side = target.lower()
    attribute = f"item_{side}2" if name == "item2" else f"{name}_{side}"
    return getattr(w.meetings, attribute)


def _in_a_week() -> str:
    return (date.today() + timedelta(days=7)).isoformat()


FORGED_FEED = "WzEsImZvcmdlZCJd.forged-signature"

for _t in ("A", "B"):
    ROUTES |= {
        ("meetings.index", _t): lambda w, t=_t: (f"/groups/{_SLUG[t]}/meetings/", {}),
        ("meetings.new", _t): lambda w, t=_t: (
            f"/groups/{_SLUG[t]}/meetings/new",
            meeting_form(),
        ),
        ("meetings.edit", _t): lambda w, t=_t: (
            meeting_url(_meeting(w, t), "/edit"),
            meeting_form("Wallet plenary (moved)"),
        ),
        ("meetings.held", _t): lambda w, t=_t: (
            meeting_url(_meeting(w, t), "/held"),
            {},
        ),
        ("meetings.cancel", _t): lambda w, t=_t: (
            meeting_url(_meeting(w, t), "/cancel"),
            {"reason": "The rooms are closed for works."},
        ),
        ("meetings.rsvp", _t): lambda w, t=_t: (
            meeting_url(_meeting(w, t), "/rsvp"),
            {"answer": "yes", "comment": "Joining online."},
        ),
        ("meetings.responses", _t): lambda w, t=_t: (
            meeting_url(_meeting(w, t), "/responses"),
            {},
        ),
        ("meetings.attendance", _t): lambda w, t=_t: (
            meeting_url(_meeting(w, t), "/attendance"),
            {f"presence-{w.users['P2' if t == 'A' else 'P3'].id}": "present"},
        ),
        ("meetings.actions", _t): lambda w, t=_t: (
            f"/groups/{_SLUG[t]}/actions/?status=all",
            {},
        ),
        ("meetings.group_ics", _t): lambda w, t=_t: (
            f"/groups/{_SLUG[t]}/meetings/calendar.ics",
            {},
        ),
        ("agenda.add_item", _t): lambda w, t=_t: (
            meeting_url(_meeting(w, t), "/agenda/new"),
            item_form(),
        ),
        ("agenda.edit_item", _t): lambda w, t=_t: (
            item_url(_of(w, t, "item"), "/edit"),
            item_form("Pilot results (revised)"),
        ),
        ("agenda.delete_item", _t): lambda w, t=_t: (
            item_url(_of(w, t, "item2"), "/delete"),
            {},
        ),
        ("agenda.move_item", _t): lambda w, t=_t: (
            item_url(_of(w, t, "item"), "/move"),
            {"direction": "down"},
        ),
        ("agenda.reorder", _t): lambda w, t=_t: (
            meeting_url(_meeting(w, t), "/agenda/order"),
            {"order": f"{_of(w, t, 'item2').id},{_of(w, t, 'item').id}"},
        ),
        ("agenda.add_review", _t): lambda w, t=_t: (
            meeting_url(_meeting(w, t), "/agenda/review"),
            {},
        ),
        # The group's document goes on the second item (the first has it already).
        ("agenda.attach", _t): lambda w, t=_t: (
            item_url(_of(w, t, "item2"), "/documents"),
            {"document": str(_document(w, t).id), "pin": "y"},
        ),
        ("agenda.detach", _t): lambda w, t=_t: (
            item_url(
                _of(w, t, "item"), f"/documents/{_of(w, t, 'attachment').id}/delete"
            ),
            {},
        ),
        ("minutes.write", _t): lambda w, t=_t: (
            meeting_url(_meeting(w, t), "/minutes"),
            {f"minutes-{_of(w, t, 'item').id}": "Agreed, see the annex.", "note": ""},
        ),
        ("minutes.delegate", _t): lambda w, t=_t: (
            meeting_url(_meeting(w, t), "/minutes/taker"),
            {"user": str(w.users["P2" if t == "A" else "P3"].id)},
        ),
        ("minutes.adopt", _t): lambda w, t=_t: (
            meeting_url(_meeting(w, t), "/minutes/adopt"),
            {},
        ),
        ("minutes.add_decision", _t): lambda w, t=_t: (
            item_url(_of(w, t, "item"), "/decisions"),
            {"text": "The survey goes out in June."},
        ),
        ("minutes.delete_decision", _t): lambda w, t=_t: (
            meeting_url(
                _meeting(w, t), f"/decisions/{_of(w, t, 'decision').id}/delete"
            ),
            {},
        ),
        ("minutes.add_action", _t): lambda w, t=_t: (
            item_url(_of(w, t, "item"), "/actions"),
            {
                "text": "Circulate the survey",
                "owner": str(w.users["P2" if t == "A" else "P3"].id),
                "due_on": _in_a_week(),
            },
        ),
        # The owner's own action, marked done (P2's in A, P3's in B).
        ("minutes.action_status", _t): lambda w, t=_t: (
            f"/groups/{_SLUG[t]}/actions/{_of(w, t, 'action').id}/status",
            {"status": "done"},
        ),
    }
for _t in ("A", "A-draft", "B", "B-draft"):
    ROUTES |= {
        ("meetings.show", _t): lambda w, t=_t: (meeting_url(_meeting(w, t)), {}),
        ("meetings.meeting_ics", _t): lambda w, t=_t: (
            f"/groups/{_meeting(w, t).group.slug}/meetings/{_meeting(w, t).id}.ics",
            {},
        ),
    }
ROUTES |= {
    ("meetings.edit", "A-draft"): lambda w: (
        meeting_url(w.meetings.draft_a, "/edit"),
        meeting_form("Retreat"),
    ),
    ("meetings.schedule", "A-draft"): lambda w: (
        meeting_url(w.meetings.draft_a, "/schedule"),
        {},
    ),
    ("meetings.schedule", "B-draft"): lambda w: (
        meeting_url(w.meetings.draft_b, "/schedule"),
        {},
    ),
    ("agenda.add_item", "A-draft"): lambda w: (
        meeting_url(w.meetings.draft_a, "/agenda/new"),
        item_form(),
    ),
    ("agenda.publish", "A-unpublished"): lambda w: (
        meeting_url(w.meetings.unpublished_a, "/agenda/publish"),
        {},
    ),
    ("agenda.publish", "B-draft"): lambda w: (
        meeting_url(w.meetings.draft_b, "/agenda/publish"),
        {},
    ),
    # A's minutes are a draft: circulated with a deadline next week.
    ("minutes.circulate", "A"): lambda w: (
        meeting_url(w.meetings.meeting_a, "/minutes/circulate"),
        {"deadline": _in_a_week()},
    ),
    ("minutes.comment", "A-past"): lambda w: (
        meeting_url(w.meetings.past_a, "/minutes/comments"),
        {"body": "Please add Korea to the list."},
    ),
    ("minutes.comment", "B"): lambda w: (
        meeting_url(w.meetings.meeting_b, "/minutes/comments"),
        {"body": "Please add Korea to the list."},
    ),
    ("minutes.history", "A"): lambda w: (
        meeting_url(w.meetings.meeting_a, "/minutes/history"),
        {},
    ),
    ("minutes.history", "A-past"): lambda w: (
        meeting_url(w.meetings.past_a, "/minutes/history"),
        {},
    ),
    ("minutes.history", "B"): lambda w: (
        meeting_url(w.meetings.meeting_b, "/minutes/history"),
        {},
    ),
    ("meetings.my_calendar", "-"): lambda w: ("/calendar/", {}),
    ("meetings.personal_feed", "P2"): lambda w: (
        f"/calendar/{w.meetings.feed_p2}.ics",
        {},
    ),
    ("meetings.personal_feed", "old"): lambda w: (
        f"/calendar/{w.meetings.feed_old}.ics",
        {},
    ),
    ("meetings.personal_feed", "forged"): lambda w: (
        f"/calendar/{FORGED_FEED}.ics",
        {},
    ),
}

# Search: "-" everything the principal may see, "A"/"B" inside that group only.
ROUTES |= {
    ("search.results", "-"): lambda w: ("/search?q=wallet+pilot", {}),
    ("search.results", "A"): lambda w: ("/search?q=wallet&group=alpha", {}),
    ("search.results", "B"): lambda w: ("/search?q=registries&group=bravo", {}),
}


def route_methods(app) -> set[tuple[str, str]]:
    """Every (endpoint, method) the app answers, but static and HEAD/OPTIONS."""
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - SKIPPED_METHODS
    }


def send(client, method: str, url: str, data: dict, **kwargs):
    if method == "GET":
        return client.get(url, **kwargs)
    return client.post(url, data=data, **kwargs)


def is_login_redirect(response) -> bool:
    """A 302 to the sign-in page that carries ``next``: the default-deny answer."""
    if response.status_code != 302:
        return False
    parts = urlsplit(response.headers.get("Location", ""))
    return parts.path == "/auth/sign-in" and "next" in parse_qs(parts.query)


def storage_snapshot(root) -> dict[str, str]:
    """Every file under the storage folder, with a digest of its content."""
    root = Path(root)
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (a session's last-seen time excepted), read afresh."""
    db.session.rollback()  # end the test's own transaction: see what requests committed
    tables = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name != "last_seen_at"]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns))
        tables[table.name] = [tuple(row) for row in rows]
    return tables


# Time polls: "A"/"B" name the group's open poll (A's asked by P4 of P2, P4 and Ed;
# B's by B's chair of P3 and itself). Answers and the decision name the poll's slots.
def poll_url(poll, suffix: str = "", slug: str | None = None) -> str:
    """A poll's address, through its own group or through ``slug``."""
    return f"/groups/{slug or poll.group.slug}/polls/{poll.id}{suffix}"


def poll_form(title: str = "Autumn plenary", participants=(), **fields) -> dict:
    """The new-poll form as the browser sends it: two days a fortnight away, answers
    closing in a week, Paris time."""
    today = date.today()
    data = {
        "title": title,
        "duration_minutes": "90",
        "timezone": "Europe/Paris",
        "clocks": "09:00, 14:00",
        "closes_on": (today + timedelta(days=7)).isoformat(),
        "closes_time": "17:00",
        "description": "Two hours, **online**.",
        "participants": [str(i) for i in participants],
    }
    for n in range(7):
        data[f"days-{n}"] = (
            (today + timedelta(days=14 + n)).isoformat() if n < 2 else ""
        )
    return {**data, **fields}


def vote_form(poll, answers=("yes", "maybe", "no", "yes"), comment="") -> dict:
    """Answers for the poll's slots, in time order."""
    form = {f"slot-{slot.id}": a for slot, a in zip(poll.slots, answers, strict=False)}
    return {**form, "comment": comment}


def _poll(w, target: str):
    return {"A": w.polls.poll_a, "B": w.polls.poll_b}[target]


def _people_of(w, target: str) -> list[int]:
    if target == "A":
        return [w.users["P2"].id, w.users["P4"].id]
    return [w.users["P3"].id, w.chair_b.id]


for _t in ("A", "B"):
    ROUTES |= {
        ("polls.index", _t): lambda w, t=_t: (f"/groups/{_SLUG[t]}/polls/", {}),
        ("polls.new", _t): lambda w, t=_t: (
            f"/groups/{_SLUG[t]}/polls/new",
            poll_form(participants=_people_of(w, t)),
        ),
        ("polls.show", _t): lambda w, t=_t: (poll_url(_poll(w, t)), {}),
        ("polls.vote", _t): lambda w, t=_t: (
            poll_url(_poll(w, t), "/vote"),
            vote_form(_poll(w, t), comment="Any morning works."),
        ),
        ("polls.decide", _t): lambda w, t=_t: (
            poll_url(_poll(w, t), "/decide"),
            {"slot": str(_poll(w, t).slots[0].id), "invite": ""},
        ),
    }


def _enrolling_code(user) -> str:
    """The current code of the person's app, set up but not confirmed yet."""
    found = second_factor.credential(user)
    if found is None:
        found = second_factor.start_enrolment(user)
        db.session.commit()
    return pyotp.TOTP(found.secret).now()


def _accounts_made(w, url: str) -> str:
    """``url``, once P2's sessions, sign-ins and authenticator app exist."""
    assert w.accounts is not None
    return url


# My account: "-" the signed-in person's own; "P2" P2's own things (P2's other
# session, P2's sign-in at the provider; with "P2" P2 has an authenticator app).
ROUTES |= {
    ("account.security", "-"): lambda w: ("/account/security", {}),
    ("account.change_password", "-"): lambda w: (
        "/account/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    ),
    ("account.end_one_session", "P2"): lambda w: (
        f"/account/sessions/{w.accounts.other_session_p2.id}/end",
        {},
    ),
    ("account.two_factor", "-"): lambda w: ("/account/two-factor", {}),
    # P5 has started setting up an app: P5's current code confirms it (the others
    # have no app started: the code is a form error for them).
    ("account.two_factor", "P5-enrolling"): lambda w: (
        "/account/two-factor",
        {"code": _enrolling_code(w.users["P5"])},
    ),
    ("account.remove_two_factor", "P2"): lambda w: (
        _accounts_made(w, "/account/two-factor/remove"),
        {"password": PASSWORD},
    ),
    ("account.new_recovery_codes", "P2"): lambda w: (
        _accounts_made(w, "/account/two-factor/recovery-codes"),
        {"password": PASSWORD},
    ),
    # The second step of signing in, with no first step behind it: back to sign-in.
    ("auth.two_factor", "-"): lambda w: ("/auth/two-factor", {"code": "000000"}),
    ("admin.person_action", "reset-2fa"): lambda w: (
        _accounts_made(w, f"/admin/people/{w.users['P2'].id}/reset-2fa"),
        {},
    ),
    # Organisation sign-in: "unknown" names no configured provider, "agency" the one
    # configured for the test (its discovery document cached: no server is asked).
    ("sso.start", "unknown"): lambda w: (
        "/auth/sso/unknown/start",
        {"next": "/groups/"},
    ),
    ("sso.start", "agency"): lambda w: (
        f"/auth/sso/{w.sso['name']}/start",
        {"next": "/groups/"},
    ),
    ("sso.callback", "unknown"): lambda w: (
        "/auth/sso/unknown/callback?state=made-up&code=made-up",
        {},
    ),
    # A state this browser never started: refused with a message (400).
    ("sso.callback", "agency"): lambda w: (
        f"/auth/sso/{w.sso['name']}/callback?state=made-up&code=made-up",
        {},
    ),
    ("sso.identities_page", "-"): lambda w: ("/auth/sso/identities", {}),
    ("sso.unlink", "P2"): lambda w: (
        f"/auth/sso/identities/{w.accounts.identity_p2.id}/unlink",
        {},
    ),
}
