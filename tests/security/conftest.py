"""The world the security tests run in, and a client for each principal P0–P6.

Group A is private (P2 member, P4 chair, a pending request, two invitations), group B is
public and takes requests (P3 member), a third group is open to anyone who joins. P2
has a profile photo; each test has a storage folder of its own.

Discussions: A has a thread by P4 (title and posts carry the canary) with an edited
reply by P2 and a reply by P4 that names P3 (by username and by display name), and a
locked thread; B has a thread by its chair with a reply by P3. P2 and P3 each have a
notification, and P2 an e-mail with a one-click unsubscribe link.

Documents: A and B each have a folder holding a document with two versions, and an
empty folder inside it; A has a document in the trash. A's folder name and its
documents' titles, descriptions, tags, file names, version note and file contents carry
the canary.

Meetings: A and B each have a meeting next week with a published agenda of two items
(the group's document attached to the first), minutes, a decision and an action, and a
draft meeting. A's meeting, its items, decision and action carry the canary; its
minutes are a draft (their text carries a word of their own); A also has a scheduled
meeting whose agenda is not published (its item carries a word of its own) and a held
one with circulated minutes that P2 commented on. B's minutes are circulated, with a
comment by P3. A's draft meeting's title carries a word of its own too: the three
words stay with A's chairs. P2 and P4 have a calendar feed address (P4's first one was
replaced).

Time polls (made on first use, like meetings): A and B each have an open poll of four
slots. A's title, description and P2's comment carry the canary; P2 and P4 answered
it, Ed did not. B's poll was asked by B's chair; P3 answered it.

Accounts (made on first use): P2 has a second session (another device), a sign-in at
the organisation's provider and an authenticator app (client_as passes the second
step); P3 has a sign-in at the provider too. The provider "agency" is configured only
for the test that asks for it (world.sso), its discovery document already cached.
"""

import re
import shutil
import time as clock
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import time, timedelta
from functools import cached_property
from pathlib import Path

import pyotp
import pytest
from flask import current_app
from sqlalchemy import event, select
from sqlalchemy import inspect as sa_inspect

from collab.auth import oidc, second_factor
from collab.auth.models import TotpCredential, User, UserIdentity, UserSession
from collab.auth.services import issue_password_token, start_session
from collab.core.db import utcnow
from collab.core.permissions import Role, forget_cached_roles
from collab.core.storage import LocalStorage
from collab.documents import services as document_services
from collab.documents.models import Document, Folder
from collab.extensions import db
from collab.groups import services as group_services
from collab.groups.models import Group, Invitation, Membership
from collab.meetings import agenda as agenda_services
from collab.meetings import calendar as calendar_services
from collab.meetings import minutes as minutes_services
from collab.meetings import services as meeting_services
from collab.meetings.models import (
    Action,
    AgendaDocument,
    AgendaItem,
    Decision,
    Meeting,
)
from collab.members import services as member_services
from collab.notifications import activity
from collab.notifications.models import Notification, OutboxEmail
from collab.polls import services as poll_services
from collab.polls.models import Poll, PollSlot
from collab.threads import services as thread_services
from collab.threads.models import Post, Thread
from tests import factories
from tests.conftest import delete_rows, filled_tables
from tests.security.routes import (
    CANARY,
    DRAFT_ITEM_WORD,
    DRAFT_MEETING_WORD,
    DRAFT_MINUTES_WORD,
    pdf_bytes,
    png_bytes,
)


@dataclass
class Discussions:
    thread_a: Thread  # in A, by P4: title and every post carry the canary
    locked_a: Thread  # in A, by P4, locked
    thread_b: Thread  # in B, by B's chair
    opening_a: Post  # P4's opening post of thread_a
    reply_a_p2: Post  # P2's reply in thread_a, edited once (it has a history)
    reply_a_p4: Post  # P4's reply naming P2, and P3 (who cannot read A)
    reply_b_p3: Post  # P3's reply in thread_b
    reply_b_chair: Post  # B's chair answering P3
    notification_p2: Notification  # P2's, about P4's reply in thread_a
    notification_p3: Notification  # P3's, about the chair's reply in thread_b
    unsubscribe_thread_p2: str  # the token of P2's e-mail about thread_a
    unsubscribe_all_p2: str  # the token of a digest to P2 (all e-mail off)

    def post_ids_of_a(self) -> list[int]:
        return [self.opening_a.id, self.reply_a_p2.id, self.reply_a_p4.id]


@dataclass
class Library:
    folder_a: Folder  # holds document_a; its name carries the canary
    empty_folder_a: Folder  # inside folder_a
    document_a: Document  # uploaded by P2 (v1, text), new version by P4 (v2, PDF)
    trashed_a: Document  # uploaded by Ed (a plain member of A), trashed by P4
    folder_b: Folder
    empty_folder_b: Folder
    document_b: Document  # uploaded by P3 (v1, Markdown); v2 by B's chair (PNG)

    def ids_of_a(self) -> tuple[list[int], list[int]]:
        """(document ids, folder ids) of A."""
        return (
            [self.document_a.id, self.trashed_a.id],
            [self.folder_a.id, self.empty_folder_a.id],
        )


@dataclass
class Meetings:
    meeting_a: Meeting  # scheduled, next week; agenda published; minutes a draft
    item_a: AgendaItem  # first item: A's document attached, minutes, decision, action
    item_a2: AgendaItem
    attachment_a: AgendaDocument  # document_a (latest version) on item_a
    decision_a: Decision
    action_a: Action  # P2's, open
    draft_a: Meeting  # a draft (title: DRAFT_MEETING_WORD), one item
    unpublished_a: Meeting  # scheduled; its agenda (DRAFT_ITEM_WORD) not published
    past_a: Meeting  # held two weeks ago; minutes circulated; P2 commented
    meeting_b: Meeting  # scheduled, next week; agenda published; minutes circulated
    item_b: AgendaItem
    item_b2: AgendaItem
    attachment_b: AgendaDocument  # document_b, pinned to its latest version
    decision_b: Decision
    action_b: Action  # P3's, open
    draft_b: Meeting
    feed_p2: str  # the token of P2's calendar feed
    feed_old: str  # P4's first feed token: replaced, so dead

    def meetings_of_a(self) -> list[Meeting]:
        return [self.meeting_a, self.draft_a, self.unpublished_a, self.past_a]


# What A's documents carry: each must stay inside A.
A_DOCUMENT_TITLE = f"{CANARY} wallet pilot report"
A_FILE_TEXT = f"Internal draft: the {CANARY} wallet pilot costs 2.4 million.\n"


@dataclass
class Polls:
    poll_a: Poll  # by P4; title, description and P2's comment carry the canary
    poll_b: Poll  # by B's chair; P3 answered

    def slots(self, side: str) -> list[PollSlot]:
        return list({"A": self.poll_a, "B": self.poll_b}[side].slots)


@dataclass
class Accounts:
    other_session_p2: UserSession  # P2's session on another device
    identity_p2: UserIdentity  # P2's sign-in at the provider "agency"
    identity_p3: UserIdentity
    totp_p2: TotpCredential  # P2's authenticator app (confirmed)


# The provider the SSO rows of the matrix use: its discovery document is cached, so
# starting a sign-in asks no server.
SSO_PROVIDER = {
    "name": "agency",
    "title": "Agency ID",
    "issuer": "https://id.agency.example",
    "client_id": "collab",
    "client_secret": "not-a-real-secret",
}
SSO_METADATA = {
    "issuer": SSO_PROVIDER["issuer"],
    "authorization_endpoint": "https://id.agency.example/authorize",
    "token_endpoint": "https://id.agency.example/token",
    "jwks_uri": "https://id.agency.example/jwks",
}


@dataclass
class World:
    users: dict[str, User]  # "P1".."P6"
    group_a: Group
    group_b: Group
    group_open: Group
    chair_b: User
    extra_member: User  # a plain member of A: the target of role changes and removals
    extra_membership: Membership
    applicant: User  # has a pending request to join A
    pending: Membership
    outsider: User  # in no group; target of secretariat actions and password links
    invitation: Invitation  # to A, for an address without an account
    invitation_token: str
    invitation_p1: Invitation  # to A, for P1's address
    invitation_p1_token: str
    reset_token: str
    setup_token: str
    talk: Discussions
    library: Library
    build_meetings: Callable[[], Meetings] = field(repr=False)
    build_polls: Callable[[], Polls] = field(repr=False, default=None)
    build_accounts: Callable[[], Accounts] = field(repr=False, default=None)
    configure_sso: Callable[[], None] = field(repr=False, default=None)

    @cached_property
    def meetings(self) -> Meetings:
        """Made on first use (most tests never look at a meeting), before any request
        of the test that uses them."""
        return self.build_meetings()

    @cached_property
    def polls(self) -> Polls:
        """Made on first use, like meetings."""
        return self.build_polls()

    @cached_property
    def accounts(self) -> Accounts:
        """Made on first use, before P2 signs in (P2 then passes the second step)."""
        return self.build_accounts()

    @cached_property
    def sso(self) -> dict:
        """The provider "agency", configured for this test only."""
        self.configure_sso()
        return SSO_PROVIDER


def _invite(actor, group, email) -> tuple[Invitation, str]:
    invitation = group_services.invite(actor, group, email, Role.MEMBER)
    db.session.commit()
    body = db.session.scalars(
        select(OutboxEmail.body_text).where(OutboxEmail.to_addr == email)
    ).all()[-1]
    return invitation, re.search(r"/auth/invitations/([\w-]+)", body).group(1)


@pytest.fixture(autouse=True)
def storage_root(app, tmp_path, monkeypatch) -> Path:
    """A storage folder per test: uploads never land in instance/, and a test can
    compare the folder before and after."""
    root = tmp_path / "storage"
    root.mkdir()
    monkeypatch.setitem(app.extensions, "collab_storage", LocalStorage(str(root)))
    return root


@pytest.fixture(scope="session")
def world_snapshots(app, tmp_path_factory):
    """This worker's copies of the world (see _Snapshots), dropped at the end."""
    with app.app_context():
        snapshots = _Snapshots(db.engine, tmp_path_factory.mktemp("world-files"))
    yield snapshots
    with app.app_context():
        snapshots.drop()


@pytest.fixture
def world(app, world_snapshots, storage_root, monkeypatch) -> World:
    return world_snapshots.world(storage_root, lambda: _configure_sso(app, monkeypatch))


def _build_world() -> World:
    """The world, made through the services (see the module's docstring)."""
    make = factories.make_user
    users = {
        "P1": make("Pia Noone"),
        "P2": make("Paul Member"),
        "P3": make("Petra Bravo"),
        "P4": make("Priya Chair"),
        "P5": make("Sam Secretariat", is_secretariat=True),
        "P6": make("Dan Deactivated"),
    }
    chair_b, extra = make("Bea Chair"), make("Ed Extra")
    applicant, outsider = make("Ada Applicant"), make("Otto Outsider")
    group_a = factories.make_group(
        f"Digital Identity {CANARY}",
        slug="alpha",
        visibility="private",
        chair=users["P4"],
        members=(users["P2"], extra, users["P6"]),
    )
    group_b = factories.make_group(
        "Digital Services", slug="bravo", chair=chair_b, members=(users["P3"],)
    )
    group_open = factories.make_group(
        "Open Data", slug="open-data", join_policy="open", chair=chair_b
    )
    pending = factories.add_member(group_a, applicant, Role.MEMBER, status="pending")
    pending.message = "I run the national eID programme."
    db.session.commit()
    extra_membership = db.session.scalar(
        select(Membership).where(
            Membership.user_id == extra.id, Membership.group_id == group_a.id
        )
    )
    invitation, token = _invite(users["P4"], group_a, "newcomer@gov.example")
    invitation_p1, token_p1 = _invite(users["P4"], group_a, users["P1"].email)
    reset = issue_password_token(outsider, "reset", current_app.config["RESET_TTL"])
    setup = issue_password_token(outsider, "setup", current_app.config["SETUP_TTL"])
    member_services.set_photo(users["P2"], users["P2"], png_bytes())
    db.session.commit()
    talk = _discussions(users, group_a, group_b, chair_b)
    library = _library(users, group_a, group_b, chair_b, extra)
    return World(
        users=users,
        group_a=group_a,
        group_b=group_b,
        group_open=group_open,
        chair_b=chair_b,
        extra_member=extra,
        extra_membership=extra_membership,
        applicant=applicant,
        pending=pending,
        outsider=outsider,
        invitation=invitation,
        invitation_token=token,
        invitation_p1=invitation_p1,
        invitation_p1_token=token_p1,
        reset_token=reset,
        setup_token=setup,
        talk=talk,
        library=library,
        build_meetings=lambda: _meetings(users, group_a, group_b, chair_b, library),
        build_polls=lambda: _polls(users, group_a, group_b, chair_b, extra),
        build_accounts=lambda: _accounts(users),
    )


# Building the world through the services takes most of a security test's time, so
# each worker builds it once, copies its rows into tables of its own (_snap<n>_<table>)
# and its files into a folder, and each test gets a copy: the rows put back with one
# INSERT … SELECT per table, the files copied, the objects loaded again into the
# test's session. Tests see the world the services made, row for row and file for
# file. The parts made on first use (meetings, polls, accounts) are copied the same
# way, keyed by the order they were asked for, and only put back while the test has
# written nothing yet; otherwise they are made through the services, as before.
# A world older than WORLD_MAX_AGE is made again (its links and codes would age).
WORLD_MAX_AGE = 300  # seconds
_SNAPSHOT_PREFIX = "_snap"
_READS = ("SELECT", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SHOW")


@dataclass(frozen=True)
class _Ref:
    """An ORM object, by class and primary key."""

    model: type
    key: tuple


@dataclass(frozen=True)
class _Frozen:
    """A dataclass of the world (World, Library…), its objects as _Refs."""

    cls: type
    values: dict


def _freeze(value):
    if isinstance(value, World | Discussions | Library | Meetings | Polls | Accounts):
        return _Frozen(
            type(value),
            {
                f.name: _freeze(getattr(value, f.name))
                for f in fields(value)
                if not f.name.startswith(("build_", "configure_"))
            },
        )
    if isinstance(value, dict):
        return {k: _freeze(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_freeze(v) for v in value)
    if hasattr(value, "_sa_instance_state"):
        return _Ref(type(value), sa_inspect(value).identity)
    return value


def _refs(frozen, found: dict) -> dict:
    if isinstance(frozen, _Frozen):
        _refs(frozen.values, found)
    elif isinstance(frozen, dict):
        for v in frozen.values():
            _refs(v, found)
    elif isinstance(frozen, list | tuple):
        for v in frozen:
            _refs(v, found)
    elif isinstance(frozen, _Ref):
        found.setdefault(frozen.model, set()).add(frozen.key)
    return found


def _thaw(frozen, **more):
    """The frozen objects, loaded into the test's session (one query per class)."""
    loaded = []
    for model, keys in _refs(frozen, {}).items():
        (column,) = sa_inspect(model).primary_key
        ids = [key[0] for key in keys]
        loaded += db.session.scalars(select(model).where(column.in_(ids))).all()

    def thaw(value):
        if isinstance(value, _Frozen):
            return value.cls(**{k: thaw(v) for k, v in value.values.items()})
        if isinstance(value, dict):
            return {k: thaw(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(thaw(v) for v in value)
        if isinstance(value, _Ref):
            found = db.session.get(value.model, value.key)
            assert found is not None, f"{value} is not in the restored world"
            return found
        return value

    if more:
        frozen = _Frozen(frozen.cls, {**frozen.values, **more})
    result = thaw(frozen)
    del loaded
    return result


def _files(root: Path) -> list[tuple[str, int]]:
    return sorted(
        (str(path.relative_to(root)), path.stat().st_size)
        for path in root.rglob("*")
        if path.is_file()
    )


def _counters(conn) -> list[tuple[str, tuple]]:
    """The statements that set the id counters back to where they are now, so that
    the rows a test adds get the ids they would get after the services: PostgreSQL's
    sequences, SQLite's sqlite_sequence (AUTOINCREMENT tables)."""
    if conn.dialect.name == "postgresql":
        found = conn.exec_driver_sql(
            "SELECT schemaname, sequencename, last_value FROM pg_sequences"
            " WHERE schemaname = current_schema()"
        ).all()
        if not found:
            return []
        quote = conn.dialect.identifier_preparer.quote
        calls = ", ".join(
            f"setval('{quote(schema)}.{quote(name)}', %s, %s)"
            for schema, name, _last in found
        )
        values = []
        for _schema, _name, last in found:
            values += [last or 1, last is not None]
        return [(f"SELECT {calls}", tuple(values))]
    has_sequence = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
    ).scalar()
    if not has_sequence:
        return []
    rows = conn.exec_driver_sql("SELECT name, seq FROM sqlite_sequence").all()
    return [("DELETE FROM sqlite_sequence", ())] + [
        ("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", tuple(row))
        for row in rows
    ]


@dataclass
class _Snapshot:
    index: int
    tables: list[str]  # those that hold rows, parents first
    frozen: _Frozen
    counters: list[tuple[str, tuple]]


class _Snapshots:
    """One worker's copies of the world: the base world (key ()) and the base with
    the parts made on first use, in the order asked (("meetings",), ("meetings",
    "polls")…)."""

    def __init__(self, engine, files: Path):
        self.engine = engine
        self.files = files  # the base world's storage folder
        self.saved: dict[tuple, _Snapshot] = {}
        self.built_at = 0.0
        self.next_index = 0
        self.writes = 0  # statements that may have written, counted by the engine
        self.clean_at = -1  # self.writes when the database last was a snapshot
        self.key: tuple = ()  # which one, then
        self.touches_files: set[str] = set()  # parts whose making stores a file
        event.listen(engine, "before_cursor_execute", self._count)
        self._drop_tables(lambda name: name.startswith(_SNAPSHOT_PREFIX))

    def _count(self, _conn, _cursor, statement, *_args):
        if not statement.lstrip()[:9].upper().startswith(_READS):
            self.writes += 1

    def _untouched(self) -> bool:
        """The database still is the snapshot self.key, and the session holds no
        change either."""
        session = db.session
        return self.writes == self.clean_at and not (
            session.new or session.dirty or session.deleted
        )

    def world(self, storage_root: Path, configure_sso) -> World:
        with self.engine.connect() as conn:
            empty = not filled_tables(conn)
        if not empty:
            # Something (a fixture of the test) wrote before the world was asked
            # for: make the world on top of it, through the services.
            world = _build_world()
            world.configure_sso = configure_sso
            return world
        fresh = () in self.saved and clock.monotonic() - self.built_at < WORLD_MAX_AGE
        if fresh:
            self._restore(())
            shutil.copytree(self.files, storage_root, dirs_exist_ok=True)
        else:
            self.drop()
            self.built_at = clock.monotonic()
            built = _build_world()
            db.session.commit()
            self._save((), built)
            shutil.rmtree(self.files)
            shutil.copytree(storage_root, self.files)
            self.clean_at, self.key = self.writes, ()
        db.session.expire_all()
        forget_cached_roles()
        world = _thaw(self.saved[()].frozen, build_meetings=None)
        world.configure_sso = configure_sso
        world.build_meetings = lambda: self._part(
            "meetings",
            lambda: _meetings(
                world.users, world.group_a, world.group_b, world.chair_b, world.library
            ),
        )
        world.build_polls = lambda: self._part(
            "polls",
            lambda: _polls(
                world.users,
                world.group_a,
                world.group_b,
                world.chair_b,
                world.extra_member,
            ),
        )
        world.build_accounts = lambda: self._part(
            "accounts", lambda: _accounts(world.users)
        )
        return world

    def _part(self, name: str, build):
        if name in self.touches_files or not self._untouched():
            return build()
        key = (*self.key, name)
        if key in self.saved:
            db.session.commit()  # ends the session's transaction; nothing to write
            self._restore(key)
            db.session.expire_all()
            forget_cached_roles()
            return _thaw(self.saved[key].frozen)
        storage = current_app.extensions["collab_storage"]
        before = _files(Path(storage.root))
        part = build()
        db.session.commit()
        if _files(Path(storage.root)) != before:
            self.touches_files.add(name)
            return part
        self._save(key, part)
        self.clean_at, self.key = self.writes, key
        return part

    def _save(self, key: tuple, part) -> None:
        """Copy the rows into _snap<n>_<table> tables."""
        index = self.next_index
        self.next_index += 1
        with self.engine.begin() as conn:
            tables = filled_tables(conn)
            quote = conn.dialect.identifier_preparer.quote
            for name in tables:
                copy = quote(f"{_SNAPSHOT_PREFIX}{index}_{name}")
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {copy}")
                conn.exec_driver_sql(
                    f"CREATE TABLE {copy} AS SELECT * FROM {quote(name)}"
                )
            counters = _counters(conn)
        self.saved[key] = _Snapshot(index, tables, _freeze(part), counters)

    def _restore(self, key: tuple) -> None:
        saved = self.saved[key]
        with self.engine.begin() as conn:
            delete_rows(conn, filled_tables(conn))
            quote = conn.dialect.identifier_preparer.quote
            for name in saved.tables:
                copy = quote(f"{_SNAPSHOT_PREFIX}{saved.index}_{name}")
                conn.exec_driver_sql(f"INSERT INTO {quote(name)} SELECT * FROM {copy}")
            for statement, values in saved.counters:
                conn.exec_driver_sql(statement, values)
        self.clean_at, self.key = self.writes, key

    def drop(self) -> None:
        """Forget every snapshot and drop its tables."""
        self.saved.clear()
        self._drop_tables(lambda name: name.startswith(_SNAPSHOT_PREFIX))

    def _drop_tables(self, which) -> None:
        with self.engine.begin() as conn:
            quote = conn.dialect.identifier_preparer.quote
            for name in sa_inspect(conn).get_table_names():
                if which(name):
                    conn.exec_driver_sql(f"DROP TABLE {quote(name)}")


def poll_fields(title: str, description: str = "", days: int = 14) -> dict:
    """A poll as the services take it: two days ``days`` from today, 10:00 and
    15:00 Paris time, answers closing in a week."""
    today = utcnow().date()
    return {
        "title": title,
        "description": description,
        "duration_minutes": 60,
        "timezone": "Europe/Paris",
        "clocks": "10:00, 15:00",
        "days": [today + timedelta(days=days), today + timedelta(days=days + 1)],
        "closes_on": today + timedelta(days=7),
        "closes_time": time(17, 0),
    }


def _polls(users, group_a, group_b, chair_b, extra) -> Polls:
    """Made through the services, A's and B's in turn (their ids are neighbours)."""
    p2, p3, p4 = users["P2"], users["P3"], users["P4"]
    poll_a = poll_services.create_poll(
        p4,
        group_a,
        poll_fields(f"{CANARY} steering call", f"Before the {CANARY} pilot report."),
        [p2.id, p4.id, extra.id],
    )
    poll_b = poll_services.create_poll(
        chair_b, group_b, poll_fields("Registries call"), [p3.id, chair_b.id]
    )
    db.session.commit()
    answers = ("yes", "maybe", "no", "yes")
    for user, poll, comment in (
        (p2, poll_a, f"Only after the {CANARY} review."),
        (p4, poll_a, ""),
        (p3, poll_b, "Mornings suit me."),
    ):
        poll_services.vote(
            user,
            poll,
            {slot.id: a for slot, a in zip(poll.slots, answers, strict=True)},
            comment,
        )
    db.session.commit()
    forget_cached_roles()
    return Polls(poll_a=poll_a, poll_b=poll_b)


def _accounts(users) -> Accounts:
    p2, p3 = users["P2"], users["P3"]
    start_session(p2, "192.0.2.7", "Mozilla/5.0 (iPhone) Safari/604.1")
    identities = [
        UserIdentity(
            user_id=user.id,
            provider=SSO_PROVIDER["name"],
            issuer=SSO_PROVIDER["issuer"],
            subject=f"agency-{user.username}",
            email=user.email,
        )
        for user in (p2, p3)
    ]
    db.session.add_all(identities)
    totp = TotpCredential(
        user_id=p2.id, secret=pyotp.random_base32(), confirmed_at=utcnow()
    )
    db.session.add(totp)
    second_factor.new_recovery_codes(p2)
    db.session.commit()
    other = db.session.scalar(select(UserSession).where(UserSession.user_id == p2.id))
    return Accounts(
        other_session_p2=other,
        identity_p2=identities[0],
        identity_p3=identities[1],
        totp_p2=totp,
    )


def _configure_sso(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "OIDC_PROVIDERS", [dict(SSO_PROVIDER)])
    monkeypatch.setitem(
        oidc._metadata_cache, SSO_PROVIDER["issuer"], (clock.monotonic(), SSO_METADATA)
    )


def pass_second_factor(client, user) -> None:
    """The second step of signing in, with the next code of the person's app."""
    found = second_factor.credential(user)
    db.session.refresh(found)
    totp = pyotp.TOTP(found.secret)
    counter = max(found.last_counter + 1, int(clock.time()) // totp.interval - 1)
    response = client.post(
        "/auth/two-factor", data={"code": totp.generate_otp(counter)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "/auth/" not in response.headers["Location"], "the code was refused"


def _library(users, group_a, group_b, chair_b, extra) -> Library:
    """Made through the services, in the order that interleaves ids: A's folders and
    documents have B's as neighbours."""
    p2, p3, p4 = users["P2"], users["P3"], users["P4"]
    new_folder = document_services.create_folder
    folder_a = new_folder(p4, group_a, f"{CANARY} reports", None)
    empty_a = new_folder(p4, group_a, "Drafts", folder_a)
    folder_b = new_folder(chair_b, group_b, "Registries", None)
    empty_b = new_folder(chair_b, group_b, "Drafts", folder_b)
    db.session.commit()
    (document_a,) = document_services.upload(
        p2,
        group_a,
        [(f"{CANARY} wallet report.txt", A_FILE_TEXT.encode())],
        folder=folder_a,
        tags=f"{CANARY}, wallet",
    )
    db.session.commit()
    document_services.add_version(
        p4,
        document_a,
        f"{CANARY} wallet report v2.pdf",
        pdf_bytes(f"{CANARY} wallet report", A_FILE_TEXT.strip()),
        f"{CANARY} budget figures added",
    )
    document_services.update_document(
        p4,
        document_a,
        title=A_DOCUMENT_TITLE,
        description=f"Not for circulation: the {CANARY} pilot budget.",
        tags=f"{CANARY}, wallet",
        folder=folder_a,
    )
    db.session.commit()
    (trashed_a,) = document_services.upload(
        extra, group_a, [(f"{CANARY} old budget.txt", A_FILE_TEXT.encode())]
    )
    db.session.commit()
    document_services.trash(p4, trashed_a)
    db.session.commit()
    (document_b,) = document_services.upload(
        p3,
        group_b,
        [("Base registries.md", b"# Base registries\n\nWho links what, and how.\n")],
        folder=folder_b,
        tags="registries",
    )
    db.session.commit()
    document_services.add_version(
        chair_b, document_b, "Base registries chart.png", png_bytes((120, 80)), ""
    )
    db.session.commit()
    forget_cached_roles()
    return Library(
        folder_a=folder_a,
        empty_folder_a=empty_a,
        document_a=document_a,
        trashed_a=trashed_a,
        folder_b=folder_b,
        empty_folder_b=empty_b,
        document_b=document_b,
    )


def meeting_fields(title: str, days: int = 7, **more) -> dict:
    """A meeting's form data as the services take it: 10:00–12:00 Paris time,
    ``days`` from today."""
    day = (utcnow() + timedelta(days=days)).date()
    return {
        "title": title,
        "start_date": day,
        "start_time": time(10, 0),
        "end_time": time(12, 0),
        "end_date": None,
        "timezone": "Europe/Paris",
        "location": "Château de la Muette, Room 2",
        "online_url": "https://meet.example.org/plenary",
        "description": "Two items; papers are **attached**.",
        **more,
    }


def _add_item(actor, meeting, title: str, **more) -> AgendaItem:
    fields = {
        "title": title,
        "kind": "discussion",
        "duration_minutes": 30,
        "presenter_id": 0,
        "presenter_name": "",
        "description": "",
        **more,
    }
    return agenda_services.add_item(actor, meeting, fields)


def _meetings(users, group_a, group_b, chair_b, library) -> Meetings:
    """Made through the services, A's and B's rows interleaved so that their ids are
    neighbours."""
    p2, p3, p4 = users["P2"], users["P3"], users["P4"]
    create = meeting_services.create_meeting
    meeting_a = create(p4, group_a, meeting_fields(f"{CANARY} wallet plenary"))
    meeting_b = create(chair_b, group_b, meeting_fields("Registries plenary", 8))
    item_a = _add_item(
        p4, meeting_a, f"{CANARY} pilot results", description=f"The {CANARY} pilot."
    )
    item_b = _add_item(chair_b, meeting_b, "Base registries: state of play")
    item_a2 = _add_item(p4, meeting_a, "Any other business", kind="information")
    item_b2 = _add_item(chair_b, meeting_b, "Any other business")
    agenda_services.attach(p4, item_a, library.document_a.id, False)
    agenda_services.attach(chair_b, item_b, library.document_b.id, True)
    for actor, meeting in ((p4, meeting_a), (chair_b, meeting_b)):
        agenda_services.publish(actor, meeting)
        meeting_services.schedule(actor, meeting)
    minutes_services.save(
        p4, meeting_a, {item_a.id: f"Draft: the {DRAFT_MINUTES_WORD} figures."}
    )
    minutes_services.save(
        chair_b, meeting_b, {item_b.id: "Registries are linked in most members."}
    )
    due = (utcnow() + timedelta(days=21)).date()
    decision_a = minutes_services.add_decision(
        p4, meeting_a, item_a.id, f"The {CANARY} pilot goes on."
    )
    decision_b = minutes_services.add_decision(
        chair_b, meeting_b, item_b.id, "A survey of registries."
    )
    action_a = minutes_services.add_action(
        p4, meeting_a, item_a.id, f"Send the {CANARY} pilot figures", p2.id, due
    )
    action_b = minutes_services.add_action(
        chair_b, meeting_b, item_b.id, "Send the registry survey", p3.id, due
    )
    minutes_services.circulate(chair_b, meeting_b, utcnow() + timedelta(days=14))
    minutes_services.comment(p3, meeting_b, "Add Estonia to the list, please.")
    draft_a = create(p4, group_a, meeting_fields(f"{DRAFT_MEETING_WORD} retreat", 10))
    draft_b = create(chair_b, group_b, meeting_fields("Registries retreat", 10))
    _add_item(p4, draft_a, "Where we stand")
    _add_item(chair_b, draft_b, "Where we stand")
    unpublished_a = create(p4, group_a, meeting_fields("Budget workshop", 14))
    _add_item(p4, unpublished_a, f"{DRAFT_ITEM_WORD} budget cuts")
    meeting_services.schedule(p4, unpublished_a)
    past_a = create(p4, group_a, meeting_fields("Spring plenary", -14))
    past_item = _add_item(p4, past_a, "Pilot planning")
    agenda_services.publish(p4, past_a)
    meeting_services.schedule(p4, past_a)
    meeting_services.mark_held(p4, past_a)
    minutes_services.save(p4, past_a, {past_item.id: "Pilots start in May."})
    minutes_services.circulate(p4, past_a, utcnow() + timedelta(days=7))
    minutes_services.comment(p2, past_a, "Two ministries join, not one.")
    feed_p2 = calendar_services.feed_token(p2)
    feed_old = calendar_services.feed_token(p4)
    calendar_services.feed_token(p4, regenerate=True)
    db.session.commit()
    forget_cached_roles()
    return Meetings(
        meeting_a=meeting_a,
        item_a=item_a,
        item_a2=item_a2,
        attachment_a=item_a.documents[0],
        decision_a=decision_a,
        action_a=action_a,
        draft_a=draft_a,
        unpublished_a=unpublished_a,
        past_a=past_a,
        meeting_b=meeting_b,
        item_b=item_b,
        item_b2=item_b2,
        attachment_b=item_b.documents[0],
        decision_b=decision_b,
        action_b=action_b,
        draft_b=draft_b,
        feed_p2=feed_p2,
        feed_old=feed_old,
    )


def _last_notification(user) -> Notification:
    return db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
    ).first()


def _discussions(users, group_a, group_b, chair_b) -> Discussions:
    p2, p3, p4 = users["P2"], users["P3"], users["P4"]
    opening_a = thread_services.start_thread(
        p4,
        group_a,
        f"{CANARY} EUDI wallet pilots",
        f"The {CANARY} wallet pilot starts in May. Who is in?",
    )
    db.session.commit()
    thread_a = opening_a.thread
    reply_a_p2 = thread_services.reply(p2, thread_a, f"We join the {CANARY} pilot.")
    db.session.commit()
    thread_services.edit_post(
        p2, reply_a_p2, f"We join the {CANARY} pilot, with two ministries."
    )
    db.session.commit()
    reply_a_p4 = thread_services.reply(
        p4,
        thread_a,
        f"Thanks @{p2.username}. @{p3.username} and @{p3.display_name} should hear "
        f"nothing of the {CANARY} pilot.",
    )
    db.session.commit()
    locked_a = thread_services.start_thread(
        p4, group_a, f"{CANARY} budget (closed)", f"The {CANARY} budget is agreed."
    ).thread
    locked_a.is_locked = True
    db.session.commit()
    opening_b = thread_services.start_thread(
        chair_b, group_b, "Once-only principle", "Where do registries stand?"
    )
    db.session.commit()
    thread_b = opening_b.thread
    reply_b_p3 = thread_services.reply(p3, thread_b, "Our base registries are linked.")
    db.session.commit()
    reply_b_chair = thread_services.reply(chair_b, thread_b, "Thank you, Petra.")
    db.session.commit()
    email = db.session.scalars(
        select(OutboxEmail)
        .where(OutboxEmail.to_addr == p2.email)
        .order_by(OutboxEmail.id.desc())
    ).first()
    unsubscribe = re.search(
        r"/notifications/unsubscribe/([^>/]+)>", email.headers["List-Unsubscribe"]
    ).group(1)
    # Requests run in contexts of their own; the services above cached roles here.
    forget_cached_roles()
    return Discussions(
        thread_a=thread_a,
        locked_a=locked_a,
        thread_b=thread_b,
        opening_a=opening_a,
        reply_a_p2=reply_a_p2,
        reply_a_p4=reply_a_p4,
        reply_b_p3=reply_b_p3,
        reply_b_chair=reply_b_chair,
        notification_p2=_last_notification(p2),
        notification_p3=_last_notification(p3),
        unsubscribe_thread_p2=unsubscribe,
        unsubscribe_all_p2=activity.unsubscribe_token(p2.id, None),
    )


@pytest.fixture
def client_as(app, login, world):
    """``client_as("P4")`` → a client acting as that principal."""

    def _client_as(principal: str):
        if principal == "P0":
            return app.test_client()
        user = world.users[principal]
        client = login(user)
        if second_factor.is_enrolled(user):
            pass_second_factor(client, user)
        if principal == "P6":
            # Deactivated behind the app's back: the session row is still valid.
            user.is_active = False
            db.session.commit()
        return client

    return _client_as
