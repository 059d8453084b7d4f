"""The principals, one realistic request for every route, and helpers that classify
answers and compare the database and the storage folder before and after."""

import hashlib
import secrets
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from PIL import Image
from sqlalchemy import select

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
