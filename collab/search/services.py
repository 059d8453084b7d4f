"""Searching: the visibility filter, the ranking and the page, in one query per
engine; snippets for the page's rows only."""

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select, text

from collab.core.db import UTCDateTime
from collab.core.permissions import is_secretariat
from collab.core.text import MATCH_END, MATCH_START
from collab.extensions import db
from collab.groups.models import Group, Membership
from collab.search.entries import (
    KIND_TOKENS,
    PUBLIC,
    chairs_token,
    group_token,
)
from collab.search.query import Query

PER_PAGE = 20
MAX_PAGE = 50
# Counting every match of a common word costs as much as ranking them all; beyond
# this people narrow the search instead of paging.
COUNT_LIMIT = 1000

# The type filter: what people pick → the kinds of entries it covers.
TYPES = {
    "discussions": ("thread", "post"),
    "documents": ("document", "version"),
    "meetings": ("meeting", "item", "minutes", "decision", "action"),
    "people": ("person",),
}


@dataclass
class Scope:
    """Where a person may look: readable groups, groups they chair (drafts), or
    everywhere (the secretariat)."""

    everywhere: bool
    readable: list[int] = field(default_factory=list)
    member_of: list[int] = field(default_factory=list)
    chaired: list[int] = field(default_factory=list)
    groups: dict[int, Group] = field(default_factory=dict)


@dataclass
class Filters:
    group: Group | None = None
    type: str = ""
    author_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass
class Hit:
    id: int
    kind: str
    ref_id: int
    parent_id: int | None
    position: int | None
    group_id: int | None
    author_id: int | None
    at: datetime
    heading: str = ""
    snippet: str = ""  # marked with MATCH_START/MATCH_END, not yet escaped


@dataclass
class Results:
    hits: list[Hit]
    total: int
    page: int
    more: bool  # more matches than counted
    scope: Scope | None = None

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, math.ceil(self.total / PER_PAGE)))


def scope_of(user) -> Scope:
    """One query: every group with the person's role in it, if any."""
    rows = db.session.execute(
        select(Group, Membership.role, Membership.status).outerjoin(
            Membership,
            (Membership.group_id == Group.id) & (Membership.user_id == user.id),
        )
    ).all()
    scope = Scope(everywhere=is_secretariat(user))
    for group, role, status in rows:
        active = status == "active"
        if scope.everywhere or group.is_public or active:
            scope.groups[group.id] = group
            scope.readable.append(group.id)
        if active:
            scope.member_of.append(group.id)
        if active and role == "chair":
            scope.chaired.append(group.id)
    return scope


def _conditions(scope: Scope, filters: Filters) -> tuple[str, dict]:
    """The WHERE clauses on search_entries ``e`` every engine shares."""
    clauses, params = [], {}
    if not scope.everywhere:
        clauses.append(
            "(e.audience = 'people'"
            " OR (e.audience = 'group' AND e.group_id IN :readable)"
            " OR (e.audience = 'chairs' AND e.group_id IN :chaired))"
        )
        # An empty IN list is not valid SQL everywhere; 0 is no group's id.
        params["readable"] = scope.readable or [0]
        params["chaired"] = scope.chaired or [0]
    if filters.group is not None:
        clauses.append("e.group_id = :group_id")
        params["group_id"] = filters.group.id
    if filters.type in TYPES:
        clauses.append("e.kind IN :kinds")
        params["kinds"] = list(TYPES[filters.type])
    if filters.author_id is not None:
        clauses.append("e.author_id = :author_id")
        params["author_id"] = filters.author_id
    if filters.since is not None:
        clauses.append("e.at >= :since")
        params["since"] = filters.since
    if filters.until is not None:
        clauses.append("e.at < :until")
        params["until"] = filters.until
    return " AND ".join(clauses) or "1 = 1", params


def _expanding(statement, params):
    names = [k for k in ("readable", "chaired", "kinds") if k in params]
    return statement.bindparams(*(bindparam(n, expanding=True) for n in names))


HIT_COLUMNS = (
    "e.id, e.kind, e.ref_id, e.parent_id, e.position, e.group_id, e.author_id, e.at, "
    "e.heading"
)


def search(user, query: Query, filters: Filters, page: int = 1) -> Results:
    scope = scope_of(user)
    if not query:
        return Results([], 0, 1, False, scope)
    page = max(1, min(page, MAX_PAGE))
    where, params = _conditions(scope, filters)
    if db.engine.dialect.name == "sqlite":
        found = _sqlite(query, where, params, page, _fts_scope(scope, filters))
    else:
        found = _postgresql(query, where, params, page)
    found.scope = scope
    return found


def _rows_to_hits(rows) -> list[Hit]:
    return [Hit(*row[:8], heading=row[8]) for row in rows]


def _page(sql: str, params: dict):
    """The page query, its time column read as the models read it."""
    statement = _expanding(text(sql), params).columns(at=UTCDateTime())
    return _rows_to_hits(db.session.execute(statement, params).all())


# With more matches than COUNT_LIMIT (a common word), ranking them all would cost
# as much as reading them all: the most recently indexed RECENT matches, and the
# most recent TITLE_RECENT whose title matches, are ranked instead.
RECENT = 2000
TITLE_RECENT = 500


def _fts_scope(scope: Scope, filters: Filters) -> str:
    """The scope tokens (entries.scope_tokens) a match must carry, as FTS5 syntax."""
    parts = []
    if filters.group is not None:
        group_id = filters.group.id
        tokens = [group_token(group_id)]
        if scope.everywhere or group_id in scope.chaired:
            tokens.append(chairs_token(group_id))
        parts.append(tokens)
    elif not scope.everywhere:
        parts.append(
            [PUBLIC]
            + [group_token(i) for i in scope.member_of]
            + [chairs_token(i) for i in scope.chaired]
        )
    if filters.type in TYPES:
        parts.append([KIND_TOKENS[TYPES[filters.type][0]]])
    return "".join(f" AND scope : ({' OR '.join(tokens)})" for tokens in parts)


def _sqlite(query: Query, where: str, params: dict, page: int, scope_match) -> Results:
    words = query.fts5()
    params = {
        **params,
        "q": f"{{title body}} : ({words}){scope_match}",
        "qt": f"{{title}} : ({words}){scope_match}",
    }
    base = (
        "FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid "
        f"WHERE search_fts MATCH {{match}} AND {where}"
    )
    total = db.session.execute(
        _expanding(
            text(
                f"SELECT count(*) FROM (SELECT 1 {base.format(match=':q')} "
                f"LIMIT {COUNT_LIMIT + 1})"
            ),
            params,
        ),
        params,
    ).scalar()
    score = "bm25(search_fts, 10.0, 1.0, 0.0) * e.boost AS score"
    if total <= COUNT_LIMIT:
        # The LIMIT keeps SQLite from flattening the subquery, which would move
        # bm25() out of the full-text query it needs.
        ranked = (
            f"SELECT {HIT_COLUMNS}, {score} {base.format(match=':q')} "
            f"LIMIT {COUNT_LIMIT + 1}"
        )
    else:
        ranked = (
            f"SELECT * FROM (SELECT {HIT_COLUMNS}, {score} {base.format(match=':q')} "
            f"ORDER BY search_fts.rowid DESC LIMIT {RECENT}) UNION "
            f"SELECT * FROM (SELECT {HIT_COLUMNS}, {score} {base.format(match=':qt')} "
            f"ORDER BY search_fts.rowid DESC LIMIT {TITLE_RECENT})"
        )
    hits = _page(
        f"SELECT id, kind, ref_id, parent_id, position, group_id, author_id, at, "
        f"heading FROM ({ranked}) GROUP BY id "
        "ORDER BY min(score), at DESC LIMIT :limit OFFSET :offset",
        {**params, "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE},
    )
    if hits:
        # One lookup by rowid per hit: FTS5 seeks straight to it, where "rowid IN"
        # would walk every match.
        one = (
            "SELECT rowid, snippet(search_fts, 1, :start, :end, '…', 24) "
            "FROM search_fts WHERE search_fts MATCH :words AND rowid = :id{n}"
        )
        values = {"start": MATCH_START, "end": MATCH_END}
        values["words"] = f"{{title body}} : ({words})"
        values |= {f"id{n}": hit.id for n, hit in enumerate(hits)}
        snippets = db.session.execute(
            text(" UNION ALL ".join(one.format(n=n) for n in range(len(hits)))),
            values,
        ).all()
        _attach(hits, snippets)
    return Results(hits, min(total, COUNT_LIMIT), page, total > COUNT_LIMIT)


TSQUERY = "(to_tsquery('search_en', :q) || to_tsquery('search_fr', :q))"
HEADLINE = (
    f"StartSel={MATCH_START}, StopSel={MATCH_END}, MaxWords=30, MinWords=12, "
    'MaxFragments=2, FragmentDelimiter=" … "'
)


def _postgresql(query: Query, where: str, params: dict, page: int) -> Results:
    params = {**params, "q": query.tsquery()}
    base = f"FROM search_entries e WHERE e.tsv @@ {TSQUERY} AND {where}"
    total = db.session.execute(
        _expanding(
            text(
                f"SELECT count(*) FROM (SELECT 1 {base} LIMIT {COUNT_LIMIT + 1}) AS m"
            ),
            params,
        ),
        params,
    ).scalar()
    hits = _page(
        f"SELECT {HIT_COLUMNS} {base} "
        f"ORDER BY ts_rank_cd(e.tsv, {TSQUERY}) * e.boost DESC, e.at DESC "
        "LIMIT :limit OFFSET :offset",
        {**params, "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE},
    )
    if hits:
        snippets = db.session.execute(
            text(
                f"SELECT e.id, ts_headline('search_en', e.body, {TSQUERY}, :options) "
                "FROM search_entries e WHERE e.id IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"q": params["q"], "options": HEADLINE, "ids": [h.id for h in hits]},
        ).all()
        _attach(hits, snippets)
    return Results(hits, min(total, COUNT_LIMIT), page, total > COUNT_LIMIT)


def _attach(hits: list[Hit], snippets) -> None:
    """Snippets of the bodies; an entry matched by its title alone has none."""
    found = {row[0]: row[1] for row in snippets}
    for hit in hits:
        snippet = found.get(hit.id) or ""
        hit.snippet = snippet if MATCH_START in snippet else ""
