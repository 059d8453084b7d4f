"""Pages of results, reading ?page= safely (a huge number is not a server error)."""

from flask import request

from collab.extensions import db

MAX_PAGE = 10_000


def paginate(query, per_page: int):
    page = request.args.get("page", 1, type=int) or 1
    page = min(max(page, 1), MAX_PAGE)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
