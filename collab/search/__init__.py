"""Search across everything a person may see, on the database collab already uses:
SQLite FTS5 in the embedded setup, PostgreSQL full text (tsvector, GIN) in production.

``search_entries`` holds one row per searchable thing (a thread, a post, a document or
one of its older versions, a meeting, an agenda item's text or minutes, a decision, an
action, a person) with who may see it. ``index`` keeps it current inside the
transaction that changes the content; ``services.search`` filters by the searcher's
groups inside the query, so counts and pages are right.
"""
