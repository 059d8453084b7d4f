"""One search box: /search?q=, over everything the person may see."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from collab.auth.models import User
from collab.core.permissions import require
from collab.extensions import db
from collab.groups.models import Group
from collab.search import permissions, query, services

bp = Blueprint("search", __name__)
# Dates outside these years are typing mistakes (and year 1 or 9999 would overflow
# when moved between time zones).
FIRST_YEAR, LAST_YEAR = 1900, 2999


@bp.get("/search")
def results():
    require(permissions.can_search(current_user))
    # NUL is not text any database accepts; it never matches anything.
    args = {
        key: request.args.get(key, "").replace("\x00", "").strip()
        for key in ("q", "group", "type", "author", "since", "until")
    }
    args["q"] = args["q"][: query.MAX_INPUT]
    problems: list[str] = []
    filters = services.Filters()
    if args["group"]:
        group = db.session.scalar(select(Group).where(Group.slug == args["group"][:60]))
        if group is None or not permissions.can_search_group(current_user, group):
            abort(404)
        filters.group = group
    if args["type"] in services.TYPES:
        filters.type = args["type"]
    elif args["type"]:
        problems.append(_("Unknown type of result: showing every type."))
        args["type"] = ""
    if args["author"]:
        author = _person(args["author"][:120])
        if author is None:
            problems.append(
                _("No one is called “%(name)s”.", name=args["author"][:120])
            )
        else:
            filters.author_id = author.id
    filters.since = _day(args["since"], problems, _("From"))
    until = _day(args["until"], problems, _("To"))
    filters.until = until + timedelta(days=1) if until else None
    words = query.parse(args["q"])
    if filters.author_id is None and args["author"]:
        words = query.Query(())  # an unknown author matches nothing
    page = request.args.get("page", 1, type=int) or 1
    found = services.search(current_user, words, filters, page)
    return render_template(
        "search/results.html",
        args=args,
        found=found,
        problems=problems,
        empty=not query.parse(args["q"]),
        items=_present(found.hits, found.scope),
        groups=_searchable_groups(found.scope),
        types=_type_labels(),
        group=filters.group,
    )


def _person(name: str) -> User | None:
    return db.session.scalar(
        select(User)
        .where(
            User.erased_at.is_(None),
            or_(User.username == name, func.lower(User.display_name) == name.lower()),
        )
        .limit(1)
    )


def _day(value: str, problems: list[str], label: str) -> datetime | None:
    """A date typed by the person, as the start of that day in their zone (UTC)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        problems.append(_("%(field)s: give a date like 2026-03-31.", field=label))
        return None
    zone = ZoneInfo(current_user.timezone or "UTC")
    return datetime.combine(day, time(0), zone).astimezone(ZoneInfo("UTC"))


def _searchable_groups(scope) -> list:
    """The group filter's choices: groups the person reads, archived ones last."""
    return sorted(scope.groups.values(), key=lambda g: (g.is_archived, g.name))


def _type_labels() -> dict[str, str]:
    return {
        "discussions": _("Discussions"),
        "documents": _("Documents"),
        "meetings": _("Meetings"),
        "people": _("People"),
    }


def _present(hits, scope) -> list[dict]:
    """What each result shows: where it leads, its kind, group, author and time."""
    from collab.threads.services import page_of

    if not hits:
        return []
    user_ids = {h.author_id for h in hits if h.author_id} | {
        h.ref_id for h in hits if h.kind == "person"
    }
    users = {
        u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))
    }
    labels = {
        "thread": _("Discussion"),
        "post": _("Post"),
        "document": _("Document"),
        "version": _("Earlier version"),
        "meeting": _("Meeting"),
        "item": _("Agenda item"),
        "minutes": _("Minutes"),
        "decision": _("Decision"),
        "action": _("Action"),
        "person": _("Person"),
    }
    items = []
    for hit in hits:
        group = scope.groups.get(hit.group_id)
        if hit.kind == "person":
            person = users.get(hit.ref_id)
            if person is None:
                continue
            url = url_for("members.profile", username=person.username)
        elif group is None:
            continue
        else:
            url = _url(hit, group.slug, page_of)
        author = users.get(hit.author_id)
        items.append(
            {
                "hit": hit,
                "url": url,
                "label": labels[hit.kind],
                "group": group,
                "author": author if author and author.erased_at is None else None,
            }
        )
    return items


def _url(hit, slug: str, page_of) -> str:
    kind = hit.kind
    if kind == "thread":
        return url_for("threads.show", slug=slug, thread_id=hit.ref_id)
    if kind == "post":
        return url_for(
            "threads.show",
            slug=slug,
            thread_id=hit.parent_id,
            page=page_of(hit.position),
            _anchor=f"post-{hit.ref_id}",
        )
    if kind == "document":
        return url_for("documents.show", slug=slug, document_id=hit.ref_id)
    if kind == "version":
        return url_for(
            "documents.show",
            slug=slug,
            document_id=hit.ref_id,
            _anchor="versions-heading",
        )
    if kind == "meeting":
        return url_for("meetings.show", slug=slug, meeting_id=hit.ref_id)
    if kind == "minutes":
        return url_for(
            "meetings.show", slug=slug, meeting_id=hit.parent_id, _anchor="minutes"
        )
    # Agenda items, decisions and actions are shown under their item.
    item_id = hit.ref_id if kind == "item" else hit.position
    return url_for(
        "meetings.show", slug=slug, meeting_id=hit.parent_id, _anchor=f"item-{item_id}"
    )
