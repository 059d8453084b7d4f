"""Counting the SQL statements a piece of code sends, for the query-count budgets."""

from contextlib import contextmanager

from sqlalchemy import event

from collab.extensions import db


@contextmanager
def counting_queries():
    """Yields the list of statements sent inside the block (filled as they go)."""
    seen: list[str] = []

    def listener(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
