"""Searching: the visibility filter, the ranking and the page, in one query per
engine; snippets for the page's rows only."""

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, select, text

from collab.core.db import UTCDateTime
from collab.core.permissions import is_secretariat
from collab.extensions import db
from collab.groups.models import Group, Membership, Visibility
from collab.search import snippets
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
    groups: dict[int, object] = field(default_factory=dict)  # id → (id, slug, name…)


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
    """One query: every group (a few columns) with the person's role in it, if any."""
    rows = db.session.execute(
        select(
            Group.id,
            Group.slug,
            Group.name,
            Group.visibility,
            Group.is_archived,
            Membership.role,
            Membership.status,
        ).outerjoin(
            Membership,
            (Membership.group_id == Group.id) & (Membership.user_id == user.id),
        )
    ).all()
    scope = Scope(everywhere=is_secretariat(user))
    for row in rows:
        active = row.status == "active"
        if scope.everywhere or row.visibility == Visibility.PUBLIC or active:
            scope.groups[row.id] = row
            scope.readable.append(row.id)
        if active:
            scope.member_of.append(row.id)
        if active and row.role == "chair":
            scope.chaired.append(row.id)
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
    names = [
        k
        for k in ("readable", "chaired", "kinds")
        if k in params and f":{k}" in statement.text
    ]
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
    found = _run(query, where, params, page, scope, filters)
    if found.total == 0 and query.widens:
        # Nothing for "procurem": try its shorter beginnings ("procur" is stored).
        found = _run(query, where, params, page, scope, filters, widened=True)
    found.scope = scope
    return found


def _run(query, where, params, page, scope, filters, widened=False) -> Results:
    if db.engine.dialect.name == "sqlite":
        # The scope words already keep to what the person may see; the entries'
        # columns are read for the count only when filtering by author or date.
        by_columns = filters.author_id is not None or filters.since or filters.until
        return _sqlite(
            query,
            where,
            params,
            page,
            _fts_scope(scope, filters),
            bool(by_columns),
            widened,
        )
    return _postgresql(query, where, params, page, widened)


def _rows_to_hits(rows) -> list[Hit]:
    return [Hit(*row[:8], heading=row[8]) for row in rows]


def _page(sql: str, params: dict):
    """The page query, its time column read as the models read it."""
    statement = _expanding(text(sql), params).columns(at=UTCDateTime())
    return _rows_to_hits(db.session.execute(statement, params).all())


# Relevance on SQLite: entries whose title has every word come first, then the
# others; the latest version of a document before older ones; then the most recent.
# (FTS5's bm25 weighs each word by how rare it is in the whole index, which means
# reading every entry holding a common word: seconds at a million posts.) Up to
# RANK_LIMIT matches are sorted exactly; beyond that (a common word) each tier is
# read newest-indexed first straight off the index, as far as the page needs.
RANK_LIMIT = 500


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


def _sqlite(
    query: Query,
    where: str,
    params: dict,
    page: int,
    scope_match,
    by_columns: bool,
    widened: bool,
) -> Results:
    words = query.fts5(widened)
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
                "SELECT count(*) FROM (SELECT 1 "
                + (
                    base.format(match=":q")
                    if by_columns
                    else "FROM search_fts WHERE search_fts MATCH :q"
                )
                + f" LIMIT {COUNT_LIMIT + 1})"
            ),
            params,
        ),
        params,
    ).scalar()
    if not total:
        return Results([], 0, page, False)
    offset = (page - 1) * PER_PAGE
    exact = total <= RANK_LIMIT
    # The inner LIMITs also keep SQLite from flattening the subqueries.
    enough = RANK_LIMIT + 1 if exact else offset + PER_PAGE
    ranked = " UNION ALL ".join(
        f"SELECT * FROM (SELECT {HIT_COLUMNS}, e.boost, {tier} AS tier "
        f"{base.format(match=match)} ORDER BY search_fts.rowid DESC LIMIT {enough})"
        for tier, match in ((0, ":qt"), (1, ":q"))
    )
    order = "min(tier), boost DESC, at DESC, id DESC" if exact else "min(tier), id DESC"
    hits = _page(
        "SELECT id, kind, ref_id, parent_id, position, group_id, author_id, at, "
        f"heading FROM ({ranked}) GROUP BY id ORDER BY {order} "
        "LIMIT :limit OFFSET :offset",
        {**params, "limit": PER_PAGE, "offset": offset},
    )
    _attach(hits, query)
    return Results(hits, min(total, COUNT_LIMIT), page, total > COUNT_LIMIT)


TSQUERY = "(to_tsquery('search_en', :q) || to_tsquery('search_fr', :q))"


def _postgresql(
    query: Query, where: str, params: dict, page: int, widened: bool
) -> Results:
    params = {**params, "q": query.tsquery(widened)}
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
    if not total:
        return Results([], 0, page, False)
    hits = _page(
        f"SELECT {HIT_COLUMNS} {base} "
        f"ORDER BY ts_rank_cd(e.tsv, {TSQUERY}) * e.boost DESC, e.at DESC "
        "LIMIT :limit OFFSET :offset",
        {**params, "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE},
    )
    _attach(hits, query)
    return Results(hits, min(total, COUNT_LIMIT), page, total > COUNT_LIMIT)


def _attach(hits: list[Hit], query: Query) -> None:
    """Snippets of the bodies (one query for the page); an entry matched by its
    title alone has none."""
    if not hits:
        return
    bodies = dict(
        db.session.execute(
            text("SELECT id, body FROM search_entries WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": [h.id for h in hits]},
        ).all()
    )
    for hit in hits:
        hit.snippet = snippets.snippet(bodies.get(hit.id) or "", query)
