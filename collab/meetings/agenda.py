"""The agenda: ordered items with computed start times, attached library documents,
publication, and what changed since members were last told. Flush, never commit."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from collab.audit import services as audit
from collab.auth.models import User
from collab.core.db import utcnow
from collab.core.errors import DomainError
from collab.documents.models import Document, DocumentVersion
from collab.extensions import db
from collab.meetings import notify, services
from collab.meetings.models import AgendaDocument, AgendaItem, ItemKind, Meeting

MAX_ITEMS = 60


@dataclass
class Slot:
    item: AgendaItem
    starts_at: datetime
    ends_at: datetime


def timetable(meeting: Meeting) -> list[Slot]:
    """Each item's start: the meeting's start plus the durations before it."""
    slots, clock = [], meeting.starts_at
    for item in meeting.items:
        end = clock + timedelta(minutes=item.duration_minutes)
        slots.append(Slot(item, clock, end))
        clock = end
    return slots


def overflow_minutes(meeting: Meeting) -> int:
    """How far the items run past the meeting's end (0 when they fit)."""
    total = sum(item.duration_minutes for item in meeting.items)
    length = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    return max(0, total - length)


def _item_fields(item: AgendaItem, meeting: Meeting, fields: dict) -> None:
    title = (fields.get("title") or "").strip()
    if not title:
        raise DomainError(_("Give the item a title."), "title")
    duration = fields.get("duration_minutes")
    if duration is None or not 1 <= duration <= 24 * 60:
        raise DomainError(
            _("A duration is between 1 and 1440 minutes."), "duration_minutes"
        )
    kind = fields.get("kind") or ItemKind.DISCUSSION
    if kind not in set(ItemKind):
        raise DomainError(_("Choose what the item is for."), "kind")
    presenter = services.participant(meeting.group, fields.get("presenter_id"))
    if fields.get("presenter_id") and presenter is None:
        raise DomainError(_("Choose a member of the group."), "presenter_id")
    item.title = title[:200]
    item.description = (fields.get("description") or "").strip()
    item.kind = kind
    item.duration_minutes = duration
    item.presenter = presenter
    item.presenter_name = (
        "" if presenter else (fields.get("presenter_name") or "")[:120]
    )


def add_item(actor: User, meeting: Meeting, fields: dict) -> AgendaItem:
    if len(meeting.items) >= MAX_ITEMS:
        raise DomainError(_("An agenda has at most %(n)d items.", n=MAX_ITEMS))
    item = AgendaItem(position=len(meeting.items) + 1)
    _item_fields(item, meeting, fields)
    meeting.items.append(item)
    db.session.flush()
    audit.record(actor, "agenda.add", meeting, group=meeting.group, item=item.title)
    return item


def update_item(actor: User, item: AgendaItem, fields: dict) -> None:
    _item_fields(item, item.meeting, fields)
    audit.record(actor, "agenda.edit", item.meeting, group=item.meeting.group)


def remove_item(actor: User, item: AgendaItem) -> None:
    meeting = item.meeting
    meeting.items.remove(item)
    _renumber(meeting)
    audit.record(actor, "agenda.remove", meeting, group=meeting.group, item=item.title)


def _renumber(meeting: Meeting) -> None:
    for position, item in enumerate(meeting.items, start=1):
        item.position = position


def move(item: AgendaItem, direction: str) -> None:
    items = list(item.meeting.items)
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        for position, each in enumerate(items, start=1):
            each.position = position


def reorder(meeting: Meeting, ids: list[int]) -> None:
    """Put the items in the given order (from dragging); it must name each once."""
    by_id = {item.id: item for item in meeting.items}
    if sorted(ids) != sorted(by_id):
        raise DomainError(_("The agenda changed meanwhile: reload the page."))
    for position, item_id in enumerate(ids, start=1):
        by_id[item_id].position = position


def add_review_item(actor: User, meeting: Meeting) -> AgendaItem:
    """The "review of open actions" item, listing the group's open actions."""
    if any(item.kind == ItemKind.ACTIONS_REVIEW for item in meeting.items):
        raise DomainError(_("The agenda already reviews open actions."))
    item = add_item(
        actor,
        meeting,
        {
            "title": _("Review of open actions"),
            "kind": ItemKind.ACTIONS_REVIEW,
            "duration_minutes": 10,
        },
    )
    # Right after the opening items: reviewing actions comes first in most groups.
    items = list(meeting.items)
    items.remove(item)
    items.insert(min(1, len(items)), item)
    for position, each in enumerate(items, start=1):
        each.position = position
    return item


# --- documents ---------------------------------------------------------------------


def documents_for_choice(meeting: Meeting) -> list[Document]:
    return list(
        db.session.scalars(
            select(Document)
            .where(Document.group_id == meeting.group_id, Document.deleted_at.is_(None))
            .order_by(func.lower(Document.title))
            .limit(500)
        )
    )


def attach(actor: User, item: AgendaItem, document_id: int, pin: bool) -> None:
    document = db.session.get(Document, document_id)
    if (
        document is None
        or document.group_id != item.meeting.group_id
        or document.deleted_at is not None
    ):
        raise DomainError(_("Choose a document from the group's library."), "document")
    if any(a.document_id == document.id for a in item.documents):
        raise DomainError(_("That document is already attached."), "document")
    version = None
    if pin:
        version = db.session.scalar(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document.id)
            .order_by(DocumentVersion.number.desc())
            .limit(1)
        )
    item.documents.append(AgendaDocument(document=document, version=version))
    audit.record(
        actor,
        "agenda.attach",
        item.meeting,
        group=item.meeting.group,
        document=document.id,
    )


def detach(actor: User, item: AgendaItem, attachment_id: int) -> None:
    attachment = next((a for a in item.documents if a.id == attachment_id), None)
    if attachment is None:
        raise DomainError(_("That document is not attached."))
    item.documents.remove(attachment)


# --- publication -------------------------------------------------------------------


def snapshot(meeting: Meeting) -> dict:
    """What members were told: the agenda and the meeting's time and place."""
    return {
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "location": meeting.location,
        "online_url": meeting.online_url,
        "items": [
            {
                "id": item.id,
                "title": item.title,
                "kind": item.kind,
                "duration": item.duration_minutes,
                "presenter": item.presenter.display_name
                if item.presenter
                else item.presenter_name,
                "description": item.description,
                "documents": sorted(a.document_id for a in item.documents),
            }
            for item in meeting.items
        ],
    }


def changes(meeting: Meeting) -> list[tuple[str, dict]]:
    """What differs from the last notice, as (kind, details) for ``describe`` to
    word in each reader's language."""
    old = meeting.agenda_snapshot or {}
    if not old:
        return []
    new = snapshot(meeting)
    out: list[tuple[str, dict]] = []
    if old.get("starts_at") != new["starts_at"] or old.get("ends_at") != new["ends_at"]:
        out.append(("time", {}))
    if (old.get("location"), old.get("online_url")) != (
        new["location"],
        new["online_url"],
    ):
        out.append(("place", {}))
    before = {item["id"]: item for item in old.get("items", [])}
    after = {item["id"]: item for item in new["items"]}
    for item in new["items"]:
        previous, title = before.get(item["id"]), item["title"]
        if previous is None:
            out.append(("added", {"title": title}))
            continue
        if previous["title"] != title:
            out.append(("renamed", {"old": previous["title"], "new": title}))
        if previous["duration"] != item["duration"]:
            out.append(("duration", {"title": title, "minutes": item["duration"]}))
        if previous["presenter"] != item["presenter"]:
            out.append(("presenter", {"title": title}))
        if (previous["description"], previous.get("kind")) != (
            item["description"],
            item["kind"],
        ):
            out.append(("updated", {"title": title}))
        if previous.get("documents") != item["documents"]:
            out.append(("documents", {"title": title}))
    for item_id, item in before.items():
        if item_id not in after:
            out.append(("removed", {"title": item["title"]}))
    if [i for i in before if i in after] != [i for i in after if i in before]:
        out.append(("reordered", {}))
    return out


def describe(change: tuple[str, dict]) -> str:
    kind, details = change
    texts = {
        "time": lambda: _("The meeting's time changed."),
        "place": lambda: _("The meeting's place or online link changed."),
        "added": lambda: _("New item: %(title)s", **details),
        "renamed": lambda: _("Renamed: %(old)s → %(new)s", **details),
        "duration": lambda: _("%(title)s now lasts %(minutes)d minutes.", **details),
        "presenter": lambda: _("%(title)s has a new presenter.", **details),
        "updated": lambda: _("%(title)s was updated.", **details),
        "documents": lambda: _("Documents changed for %(title)s.", **details),
        "removed": lambda: _("Removed: %(title)s", **details),
        "reordered": lambda: _("The items were reordered."),
    }
    return texts[kind]()


def has_unsent_changes(meeting: Meeting) -> bool:
    return meeting.agenda_is_published and snapshot(meeting) != (
        meeting.agenda_snapshot or {}
    )


def publish(actor: User, meeting: Meeting) -> list[tuple[str, dict]]:
    """Publish the agenda (or its changes) and tell members, with the .ics."""
    if meeting.status not in ("draft", "scheduled"):
        raise DomainError(_("Only the agenda of a coming meeting can be published."))
    if not meeting.items:
        raise DomainError(_("Add at least one item before publishing."))
    first = not meeting.agenda_is_published
    listed = [] if first else changes(meeting)
    if not first and not listed:
        raise DomainError(_("Nothing changed since the agenda was last published."))
    meeting.agenda_published_at = utcnow()
    meeting.agenda_version = (meeting.agenda_version or 0) + 1
    meeting.agenda_snapshot = snapshot(meeting)
    services.touch(meeting)
    audit.record(
        actor,
        "agenda.publish",
        meeting,
        group=meeting.group,
        version=meeting.agenda_version,
    )
    if meeting.status == "scheduled":
        notify.agenda_published(meeting, listed)
    return listed
