"""Route × principal matrix: every rule of the URL map, for P0–P6, kept as data.

"allow" means the route did its work or answered with a page, a redirect back or a form
error (not 401/403/404, not a sign-in redirect, never 5xx); "login" is the default-deny
redirect to /auth/sign-in?next=…. Non-members get 404 for anything of private group A.
Targets: "A" private group A, "B" public group B, "open" an open public group, "new" an
invitation to an address without an account, "P1" an invitation to P1's address; for
members.* routes "P2"/"P4"/"P6" name whose profile (P2 has a photo, P4 none), and for
contact exports "A.csv", "B.vcf"… name the group and the format. Discussions: "A"/"B"
name the group's thread (posts: P2's reply in A, P3's reply in B), "A-locked" A's
locked thread; notifications.open_one "P2" is P2's notification; unsubscribe "thread"
and "all" are P2's signed tokens, "forged" one with a made-up signature. Documents:
"A"/"B" name the group's document (two versions, in a folder; uploaded by P2 in A and
by P3 in B) or folder (delete_folder: an empty one), "A-trashed" a document of A in the
trash (uploaded by another member, trashed by P4), "-v1" a first version (B's is
Markdown: never previewed inline). Meetings: "A"/"B" name the group's meeting next
week (published agenda; minutes a draft in A, circulated in B) and its first item,
attachment, decision and action (P2's in A, P3's in B); "A-draft"/"B-draft" the group's
draft meeting; "A-unpublished" A's scheduled meeting with an agenda not yet published;
"A-past" A's held meeting with circulated minutes; personal_feed "P2" is P2's token,
"old" P4's replaced token, "forged" one with a made-up signature. Time polls: "A"/"B"
name the group's open poll (A's asks P2, P4 and Ed; B's asks P3 and B's chair).
Account: "-" the person's own page or form; "P2" P2's other session, P2's sign-in at
the provider, P2's authenticator app (then P2 has one: the secretariat's "reset-2fa"
aims at it); "P5-enrolling" P5's app set up but not confirmed, with its current code.
Organisation sign-in: "unknown" names no configured provider, "agency" one configured
for the test (discovery cached, no server asked). Search: "-" everything the principal
may see, "A"/"B" inside that group (/search?group=alpha).
"""

import pytest

from tests.security.routes import (
    CANARY,
    DRAFT_WORDS,
    PRINCIPAL_NAMES,
    PRINCIPALS,
    ROUTES,
    is_login_redirect,
    route_methods,
    send,
)

ALLOW, LOGIN = "allow", "login"
A, L = ALLOW, LOGIN


def row(*outcomes) -> dict:
    assert len(outcomes) == len(PRINCIPALS)
    return dict(zip(PRINCIPALS, outcomes, strict=True))


EVERYONE = row(A, A, A, A, A, A, A)
SIGNED_IN = row(L, A, A, A, A, A, L)
CONSOLE = row(L, 403, 403, 403, 403, A, L)
# Chair-level work in A: outsiders of A do not learn it exists, members are refused.
CHAIR_OF_A = row(L, 404, 403, 404, A, A, L)
# A person's own profile, photo and data: nobody else, not even the secretariat.
SELF_P2 = row(L, 403, A, 403, 403, 403, L)
SELF_P4 = row(L, 403, 403, 403, A, 403, L)
# Erasure: the person, or the secretariat for someone else (actor's password).
ERASE_P2 = row(L, 403, A, 403, 403, A, L)
ERASE_P4 = row(L, 403, 403, 403, A, A, L)
# Contact lists: active members of the group and the secretariat; A is private.
EXPORT_A = row(L, 404, A, 404, A, A, L)
EXPORT_B = row(L, 403, 403, A, 403, A, L)
# Discussions. Reading: whoever can view the group (A is private: outsiders get 404).
READ_A = row(L, 404, A, 404, A, A, L)
READ_B = SIGNED_IN
# Writing: members and chairs of the group, and the secretariat.
WRITE_A = READ_A
WRITE_B = row(L, 403, 403, A, 403, A, L)
# Editing and removing a post: its author only (P2 in A, P3 in B).
AUTHOR_A = row(L, 404, A, 404, 403, 403, L)
AUTHOR_B = row(L, 403, 403, A, 403, 403, L)
# Moderation: chairs of the group and the secretariat.
MODERATE_A = CHAIR_OF_A
MODERATE_B = row(L, 403, 403, 403, 403, A, L)
# One's own notification: nobody else, not even the secretariat.
OWN_P2 = row(L, 404, A, 404, 404, 404, L)
NOBODY = row(404, 404, 404, 404, 404, 404, 404)
# Documents. Reading (list, page, downloads, previews) as for discussions; uploads,
# versions, details and folders: members, chairs and the secretariat (observers are
# refused: test_documents_access.py). To the trash: chairs, the secretariat and the
# uploader (P2 in A, P3 in B). Back from the trash: the same people (in A: P4, P5).
LIBRARY_A, LIBRARY_B = READ_A, READ_B
FILES_A = WRITE_A
FILES_B = WRITE_B
RESTORE_A = CHAIR_OF_A
# A trashed document: its page only for those who may restore it, its files for nobody,
# and no changes until it is restored.
TRASHED_PAGE_A = row(L, 404, 404, 404, A, A, L)
TRASHED_FILE_A = row(L, 404, 404, 404, 404, 404, L)
TRASHED_EDIT_A = row(L, 404, 403, 404, 403, 403, L)
NOT_INLINE_B = row(L, 404, 404, 404, 404, 404, L)
# Meetings. Reading (lists, pages, calendars, the action register): whoever can view
# the group; a draft meeting only its chairs and the secretariat (404 for the others).
MEETINGS_A, MEETINGS_B = READ_A, READ_B
DRAFT_MEETING_A = row(L, 404, 404, 404, A, A, L)
DRAFT_MEETING_B = row(L, 404, 404, 404, 404, A, L)
# Running meetings (details, status, agenda, minutes, outcomes, attendance): chairs of
# the group and the secretariat. Routes that require the chair's role refuse members
# (403) before looking the meeting up, so a draft's existence is not told either.
RUN_A, RUN_B = CHAIR_OF_A, MODERATE_B
# Answering, commenting on circulated minutes, marking one's own action done: members
# (the owner: P2 in A, P3 in B), chairs and the secretariat.
TAKE_PART_A, TAKE_PART_B = READ_A, WRITE_B
# Draft minutes: the meeting is visible to members, its minutes are not (403).
DRAFT_MINUTES_A = CHAIR_OF_A
# Time polls. Reading (list, page with results): whoever can view the group. Asking
# and deciding: chairs of the group and the secretariat. Answering: the people asked
# (P2 and P4 in A, P3 in B); the secretariat was not asked (403).
POLLS_A, POLLS_B = READ_A, READ_B
ASK_A, ASK_B = CHAIR_OF_A, MODERATE_B
ANSWER_A = row(L, 404, A, 404, A, 403, L)
ANSWER_B = row(L, 403, 403, A, 403, 403, L)
# One's own session or sign-in at a provider (P2's): nobody else, not even the
# secretariat; another person's id is 404, like one that does not exist.
OWN_ACCOUNT_P2 = OWN_P2

# (endpoint, method, target) → row(P0, P1, P2, P3, P4, P5, P6).
MATRIX = {
    ("auth.sign_in", "GET", "-"): EVERYONE,
    ("auth.sign_in", "POST", "-"): EVERYONE,
    ("auth.sign_out", "POST", "-"): EVERYONE,
    ("auth.sign_out_everywhere", "POST", "-"): SIGNED_IN,
    ("auth.request_reset", "GET", "-"): EVERYONE,
    ("auth.request_reset", "POST", "-"): EVERYONE,
    ("auth.reset_password", "GET", "-"): EVERYONE,
    ("auth.reset_password", "POST", "-"): EVERYONE,
    ("auth.setup_account", "GET", "-"): EVERYONE,
    ("auth.setup_account", "POST", "-"): EVERYONE,
    ("auth.accept_invitation", "GET", "new"): EVERYONE,
    ("auth.accept_invitation", "POST", "new"): EVERYONE,
    ("auth.accept_invitation", "GET", "P1"): row(L, A, 403, 403, 403, 403, L),
    ("auth.accept_invitation", "POST", "P1"): row(L, A, 403, 403, 403, 403, L),
    ("groups.index", "GET", "-"): SIGNED_IN,
    ("groups.home", "GET", "A"): row(L, 404, A, 404, A, A, L),
    ("groups.home", "GET", "B"): SIGNED_IN,
    ("groups.members", "GET", "A"): row(L, 404, A, 404, A, A, L),
    ("groups.members", "GET", "B"): SIGNED_IN,
    ("groups.join", "POST", "A"): row(L, 404, 403, 404, 403, 403, L),
    ("groups.join", "POST", "open"): SIGNED_IN,
    ("groups.request_to_join", "POST", "A"): row(L, 404, 403, 404, 403, 403, L),
    ("groups.request_to_join", "POST", "B"): row(L, A, A, 403, A, A, L),
    # The last chair may press "leave": the answer is a redirect with an explanation.
    ("groups.leave", "POST", "A"): row(L, 404, A, 404, A, 403, L),
    ("groups.leave", "POST", "B"): row(L, 403, 403, A, 403, 403, L),
    ("groups.decide", "POST", "A"): CHAIR_OF_A,
    ("groups.invite", "POST", "A"): CHAIR_OF_A,
    ("groups.revoke_invitation", "POST", "A"): CHAIR_OF_A,
    ("groups.change_role", "POST", "A"): CHAIR_OF_A,
    ("groups.remove", "POST", "A"): CHAIR_OF_A,
    ("groups.add_member", "POST", "A"): row(L, 404, 403, 404, 403, A, L),
    ("admin.index", "GET", "-"): CONSOLE,
    ("admin.new_group", "GET", "-"): CONSOLE,
    ("admin.new_group", "POST", "-"): CONSOLE,
    ("admin.edit_group", "GET", "A"): CONSOLE,
    ("admin.edit_group", "POST", "A"): CONSOLE,
    ("admin.archive_group", "POST", "A"): CONSOLE,
    ("admin.people", "GET", "-"): CONSOLE,
    ("admin.person_action", "POST", "-"): CONSOLE,
    ("admin.person_action", "POST", "reset-2fa"): CONSOLE,
    ("admin.import_people", "GET", "-"): CONSOLE,
    ("admin.import_people", "POST", "-"): CONSOLE,
    ("admin.apply_import", "POST", "-"): CONSOLE,
    ("admin.export_memberships", "GET", "-"): CONSOLE,
    ("admin.audit_log", "GET", "-"): CONSOLE,
    ("site.dashboard", "GET", "-"): SIGNED_IN,
    ("site.set_language", "POST", "-"): EVERYONE,
    ("site.healthz", "GET", "-"): EVERYONE,
    ("members.directory", "GET", "-"): SIGNED_IN,
    ("members.profile", "GET", "P2"): SIGNED_IN,
    ("members.profile", "GET", "P6"): SIGNED_IN,
    ("members.edit", "GET", "P2"): SELF_P2,
    ("members.edit", "POST", "P2"): SELF_P2,
    ("members.edit", "GET", "P4"): SELF_P4,
    ("members.edit", "POST", "P4"): SELF_P4,
    ("members.upload_photo", "POST", "P2"): SELF_P2,
    ("members.remove_photo", "POST", "P2"): SELF_P2,
    ("members.photo", "GET", "P2"): SIGNED_IN,
    ("members.photo", "GET", "P4"): row(L, 404, 404, 404, 404, 404, L),
    ("members.download_data", "GET", "P2"): SELF_P2,
    ("members.erase", "GET", "P2"): ERASE_P2,
    ("members.erase", "POST", "P2"): ERASE_P2,
    ("members.erase", "GET", "P4"): ERASE_P4,
    ("members.erase", "POST", "P4"): ERASE_P4,
    ("groups.export_contacts", "GET", "A.csv"): EXPORT_A,
    ("groups.export_contacts", "GET", "A.vcf"): EXPORT_A,
    ("groups.export_contacts", "GET", "B.csv"): EXPORT_B,
    ("groups.export_contacts", "GET", "B.vcf"): EXPORT_B,
    # Discussions.
    ("threads.index", "GET", "A"): READ_A,
    ("threads.index", "GET", "B"): READ_B,
    ("threads.new", "GET", "A"): WRITE_A,
    ("threads.new", "POST", "A"): WRITE_A,
    ("threads.new", "GET", "B"): WRITE_B,
    ("threads.new", "POST", "B"): WRITE_B,
    ("threads.show", "GET", "A"): READ_A,
    ("threads.show", "GET", "B"): READ_B,
    ("threads.first_unread", "GET", "A"): READ_A,
    ("threads.first_unread", "GET", "B"): READ_B,
    ("threads.reply", "POST", "A"): WRITE_A,
    ("threads.reply", "POST", "B"): WRITE_B,
    # Locked: P2 is sent back with a message and nothing is posted (the matrix counts a
    # redirect back as an answer; test_discussion_rules.py checks that nothing is).
    ("threads.reply", "POST", "A-locked"): WRITE_A,
    ("threads.edit", "GET", "A"): AUTHOR_A,
    ("threads.edit", "POST", "A"): AUTHOR_A,
    ("threads.edit", "GET", "B"): AUTHOR_B,
    ("threads.edit", "POST", "B"): AUTHOR_B,
    ("threads.history", "GET", "A"): READ_A,
    ("threads.history", "GET", "B"): READ_B,
    ("threads.delete", "POST", "A"): AUTHOR_A,
    ("threads.delete", "POST", "B"): AUTHOR_B,
    ("threads.hide", "GET", "A"): MODERATE_A,
    ("threads.hide", "POST", "A"): MODERATE_A,
    ("threads.hide", "GET", "B"): MODERATE_B,
    ("threads.hide", "POST", "B"): MODERATE_B,
    ("threads.moderate", "POST", "A"): MODERATE_A,
    ("threads.moderate", "POST", "A-locked"): MODERATE_A,
    ("threads.moderate", "POST", "B"): MODERATE_B,
    ("threads.move", "GET", "A"): MODERATE_A,
    ("threads.move", "POST", "A"): MODERATE_A,
    ("threads.move", "GET", "B"): MODERATE_B,
    ("threads.move", "POST", "B"): MODERATE_B,
    ("threads.subscription", "POST", "A"): READ_A,
    ("threads.subscription", "POST", "B"): READ_B,
    ("notifications.index", "GET", "-"): SIGNED_IN,
    ("notifications.open_one", "GET", "P2"): OWN_P2,
    ("notifications.read_all", "POST", "-"): SIGNED_IN,
    ("notifications.settings", "GET", "-"): SIGNED_IN,
    ("notifications.settings", "POST", "-"): SIGNED_IN,
    # Public on purpose (RFC 8058 one-click): the signed token is the authorisation.
    ("notifications.unsubscribe", "GET", "thread"): EVERYONE,
    ("notifications.unsubscribe", "POST", "thread"): EVERYONE,
    ("notifications.unsubscribe", "GET", "all"): EVERYONE,
    ("notifications.unsubscribe", "POST", "all"): EVERYONE,
    ("notifications.unsubscribe", "GET", "forged"): NOBODY,
    ("notifications.unsubscribe", "POST", "forged"): NOBODY,
    # Documents.
    ("documents.index", "GET", "A"): LIBRARY_A,
    ("documents.index", "GET", "B"): LIBRARY_B,
    ("documents.show", "GET", "A"): LIBRARY_A,
    ("documents.show", "GET", "B"): LIBRARY_B,
    ("documents.show", "GET", "A-trashed"): TRASHED_PAGE_A,
    ("documents.download", "GET", "A"): LIBRARY_A,
    ("documents.download", "GET", "A-v1"): LIBRARY_A,
    ("documents.download", "GET", "B"): LIBRARY_B,
    ("documents.download", "GET", "B-v1"): LIBRARY_B,
    ("documents.download", "GET", "A-trashed"): TRASHED_FILE_A,
    ("documents.preview", "GET", "A"): LIBRARY_A,
    ("documents.preview", "GET", "B"): LIBRARY_B,
    ("documents.preview", "GET", "B-v1"): NOT_INLINE_B,
    ("documents.preview", "GET", "A-trashed"): TRASHED_FILE_A,
    ("documents.upload", "POST", "A"): FILES_A,
    ("documents.upload", "POST", "B"): FILES_B,
    ("documents.add_version", "POST", "A"): FILES_A,
    ("documents.add_version", "POST", "B"): FILES_B,
    ("documents.add_version", "POST", "A-trashed"): TRASHED_EDIT_A,
    ("documents.edit", "POST", "A"): FILES_A,
    ("documents.edit", "POST", "B"): FILES_B,
    ("documents.edit", "POST", "A-trashed"): TRASHED_EDIT_A,
    ("documents.create_folder", "POST", "A"): FILES_A,
    ("documents.create_folder", "POST", "B"): FILES_B,
    ("documents.edit_folder", "POST", "A"): FILES_A,
    ("documents.edit_folder", "POST", "B"): FILES_B,
    ("documents.delete_folder", "POST", "A"): FILES_A,
    ("documents.delete_folder", "POST", "B"): FILES_B,
    # P2 uploaded A's document, P3 B's: each may trash their own.
    ("documents.trash_or_restore", "POST", "A"): FILES_A,
    ("documents.trash_or_restore", "POST", "B"): FILES_B,
    ("documents.trash_or_restore", "POST", "A-trashed"): RESTORE_A,
    ("documents.trash", "GET", "A"): FILES_A,
    ("documents.trash", "GET", "B"): FILES_B,
    # Meetings.
    ("meetings.index", "GET", "A"): MEETINGS_A,
    ("meetings.index", "GET", "B"): MEETINGS_B,
    ("meetings.new", "GET", "A"): RUN_A,
    ("meetings.new", "POST", "A"): RUN_A,
    ("meetings.new", "GET", "B"): RUN_B,
    ("meetings.new", "POST", "B"): RUN_B,
    ("meetings.show", "GET", "A"): MEETINGS_A,
    ("meetings.show", "GET", "B"): MEETINGS_B,
    ("meetings.show", "GET", "A-draft"): DRAFT_MEETING_A,
    ("meetings.show", "GET", "B-draft"): DRAFT_MEETING_B,
    ("meetings.edit", "GET", "A"): RUN_A,
    ("meetings.edit", "POST", "A"): RUN_A,
    ("meetings.edit", "GET", "A-draft"): RUN_A,
    ("meetings.edit", "POST", "A-draft"): RUN_A,
    ("meetings.edit", "GET", "B"): RUN_B,
    ("meetings.edit", "POST", "B"): RUN_B,
    ("meetings.schedule", "POST", "A-draft"): RUN_A,
    ("meetings.schedule", "POST", "B-draft"): RUN_B,
    # Not started yet: the chair is sent back with a message.
    ("meetings.held", "POST", "A"): RUN_A,
    ("meetings.held", "POST", "B"): RUN_B,
    ("meetings.cancel", "GET", "A"): RUN_A,
    ("meetings.cancel", "POST", "A"): RUN_A,
    ("meetings.cancel", "GET", "B"): RUN_B,
    ("meetings.cancel", "POST", "B"): RUN_B,
    ("meetings.rsvp", "POST", "A"): TAKE_PART_A,
    ("meetings.rsvp", "POST", "B"): TAKE_PART_B,
    ("meetings.responses", "GET", "A"): RUN_A,
    ("meetings.responses", "GET", "B"): RUN_B,
    ("meetings.attendance", "GET", "A"): RUN_A,
    ("meetings.attendance", "POST", "A"): RUN_A,
    ("meetings.attendance", "GET", "B"): RUN_B,
    ("meetings.attendance", "POST", "B"): RUN_B,
    ("meetings.actions", "GET", "A"): MEETINGS_A,
    ("meetings.actions", "GET", "B"): MEETINGS_B,
    ("meetings.meeting_ics", "GET", "A"): MEETINGS_A,
    ("meetings.meeting_ics", "GET", "B"): MEETINGS_B,
    ("meetings.meeting_ics", "GET", "A-draft"): DRAFT_MEETING_A,
    ("meetings.meeting_ics", "GET", "B-draft"): DRAFT_MEETING_B,
    ("meetings.group_ics", "GET", "A"): MEETINGS_A,
    ("meetings.group_ics", "GET", "B"): MEETINGS_B,
    ("meetings.my_calendar", "GET", "-"): SIGNED_IN,
    ("meetings.my_calendar", "POST", "-"): SIGNED_IN,
    # Public on purpose (calendar programs send no cookie): the signed token with the
    # person's current nonce is the authorisation; a replaced or forged one is 404.
    ("meetings.personal_feed", "GET", "P2"): EVERYONE,
    ("meetings.personal_feed", "GET", "old"): NOBODY,
    ("meetings.personal_feed", "GET", "forged"): NOBODY,
    # Agenda.
    ("agenda.add_item", "GET", "A"): RUN_A,
    ("agenda.add_item", "POST", "A"): RUN_A,
    ("agenda.add_item", "GET", "A-draft"): RUN_A,
    ("agenda.add_item", "POST", "A-draft"): RUN_A,
    ("agenda.add_item", "GET", "B"): RUN_B,
    ("agenda.add_item", "POST", "B"): RUN_B,
    ("agenda.edit_item", "GET", "A"): RUN_A,
    ("agenda.edit_item", "POST", "A"): RUN_A,
    ("agenda.edit_item", "GET", "B"): RUN_B,
    ("agenda.edit_item", "POST", "B"): RUN_B,
    ("agenda.delete_item", "POST", "A"): RUN_A,
    ("agenda.delete_item", "POST", "B"): RUN_B,
    ("agenda.move_item", "POST", "A"): RUN_A,
    ("agenda.move_item", "POST", "B"): RUN_B,
    ("agenda.reorder", "POST", "A"): RUN_A,
    ("agenda.reorder", "POST", "B"): RUN_B,
    ("agenda.add_review", "POST", "A"): RUN_A,
    ("agenda.add_review", "POST", "B"): RUN_B,
    ("agenda.attach", "GET", "A"): RUN_A,
    ("agenda.attach", "POST", "A"): RUN_A,
    ("agenda.attach", "GET", "B"): RUN_B,
    ("agenda.attach", "POST", "B"): RUN_B,
    ("agenda.detach", "POST", "A"): RUN_A,
    ("agenda.detach", "POST", "B"): RUN_B,
    ("agenda.publish", "POST", "A-unpublished"): RUN_A,
    ("agenda.publish", "POST", "B-draft"): RUN_B,
    # Minutes and outcomes.
    ("minutes.write", "GET", "A"): RUN_A,
    ("minutes.write", "POST", "A"): RUN_A,
    ("minutes.write", "GET", "B"): RUN_B,
    ("minutes.write", "POST", "B"): RUN_B,
    ("minutes.delegate", "POST", "A"): RUN_A,
    ("minutes.delegate", "POST", "B"): RUN_B,
    ("minutes.circulate", "POST", "A"): RUN_A,
    ("minutes.adopt", "POST", "A"): RUN_A,
    ("minutes.adopt", "POST", "B"): RUN_B,
    ("minutes.comment", "POST", "A-past"): TAKE_PART_A,
    ("minutes.comment", "POST", "B"): TAKE_PART_B,
    ("minutes.history", "GET", "A"): DRAFT_MINUTES_A,
    ("minutes.history", "GET", "A-past"): MEETINGS_A,
    ("minutes.history", "GET", "B"): MEETINGS_B,
    ("minutes.add_decision", "POST", "A"): RUN_A,
    ("minutes.add_decision", "POST", "B"): RUN_B,
    ("minutes.delete_decision", "POST", "A"): RUN_A,
    ("minutes.delete_decision", "POST", "B"): RUN_B,
    ("minutes.add_action", "POST", "A"): RUN_A,
    ("minutes.add_action", "POST", "B"): RUN_B,
    ("minutes.action_status", "POST", "A"): TAKE_PART_A,
    ("minutes.action_status", "POST", "B"): TAKE_PART_B,
    # Time polls.
    ("polls.index", "GET", "A"): POLLS_A,
    ("polls.index", "GET", "B"): POLLS_B,
    ("polls.new", "GET", "A"): ASK_A,
    ("polls.new", "POST", "A"): ASK_A,
    ("polls.new", "GET", "B"): ASK_B,
    ("polls.new", "POST", "B"): ASK_B,
    ("polls.show", "GET", "A"): POLLS_A,
    ("polls.show", "GET", "B"): POLLS_B,
    ("polls.vote", "POST", "A"): ANSWER_A,
    ("polls.vote", "POST", "B"): ANSWER_B,
    ("polls.decide", "POST", "A"): ASK_A,
    ("polls.decide", "POST", "B"): ASK_B,
    # My account.
    ("account.security", "GET", "-"): SIGNED_IN,
    ("account.change_password", "POST", "-"): SIGNED_IN,
    ("account.end_one_session", "POST", "P2"): OWN_ACCOUNT_P2,
    ("account.two_factor", "GET", "-"): SIGNED_IN,
    ("account.two_factor", "POST", "P5-enrolling"): SIGNED_IN,
    # P2 removes its app; the others have none, and removing nothing is harmless.
    ("account.remove_two_factor", "POST", "P2"): SIGNED_IN,
    # Only P2 has an app: the others have no recovery codes to renew (404).
    ("account.new_recovery_codes", "POST", "P2"): OWN_ACCOUNT_P2,
    # Public: the second step of signing in; with no first step, back to sign-in.
    ("auth.two_factor", "GET", "-"): EVERYONE,
    ("auth.two_factor", "POST", "-"): EVERYONE,
    # Search: everyone signed in, within what they may read; inside a group, those
    # who can view it (A is private: outsiders get 404, as for its pages).
    ("search.results", "GET", "-"): SIGNED_IN,
    ("search.results", "GET", "A"): READ_A,
    ("search.results", "GET", "B"): READ_B,
    # Organisation sign-in. Public: starting and coming back happen before signing
    # in; an unknown provider is 404 for everyone.
    ("sso.start", "POST", "unknown"): NOBODY,
    ("sso.start", "POST", "agency"): EVERYONE,
    ("sso.callback", "GET", "unknown"): NOBODY,
    ("sso.callback", "GET", "agency"): EVERYONE,
    ("sso.identities_page", "GET", "-"): SIGNED_IN,
    ("sso.unlink", "POST", "P2"): OWN_ACCOUNT_P2,
}

CASES = [
    pytest.param(
        endpoint,
        method,
        target,
        principal,
        expected,
        id=f"{endpoint}-{method}-{target}-{PRINCIPAL_NAMES[principal]}",
    )
    for (endpoint, method, target), outcomes in MATRIX.items()
    for principal, expected in outcomes.items()
]


def outcome(response):
    if response.status_code in (401, 403, 404):
        return response.status_code
    if is_login_redirect(response):
        return LOGIN
    return ALLOW


def test_every_route_has_a_matrix_entry(app):
    missing = route_methods(app) - {(e, m) for e, m, _t in MATRIX}
    assert not missing, f"new route without a matrix entry: {sorted(missing)}"


def test_matrix_has_no_entry_for_a_route_that_is_gone(app):
    stale = {(e, m) for e, m, _t in MATRIX} - route_methods(app)
    assert not stale, f"matrix entries for routes that no longer exist: {sorted(stale)}"


def test_every_matrix_entry_has_a_request_to_send():
    assert {(e, t) for e, _m, t in MATRIX} <= set(ROUTES)


@pytest.mark.parametrize(
    ("endpoint", "method", "target", "principal", "expected"), CASES
)
def test_route_answers_principal_as_the_matrix_says(
    world, client_as, endpoint, method, target, principal, expected
):
    url, data = ROUTES[(endpoint, target)](world)
    client = client_as(principal)
    response = send(client, method, url, data)
    body = response.get_data().decode("utf-8", "replace")  # photos and ZIPs too
    assert response.status_code < 500, body[:500]
    assert outcome(response) == expected, (
        f"{method} {url} as {PRINCIPAL_NAMES[principal]}: got {response.status_code} "
        f"{response.headers.get('Location', '')}, expected {expected}"
    )
    if expected in (403, 404, LOGIN):
        assert CANARY not in body, "a refused answer names private group A"
        assert not [w for w in DRAFT_WORDS if w in body], "a refusal shows a draft"
