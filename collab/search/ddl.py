"""The engine-specific text index on ``search_entries``, kept in step by triggers so
that whatever writes an entry (the incremental index, a rebuild, a restore) also
updates the text index.

SQLite: an FTS5 table over the entries (external content: the text is stored once),
Porter stemming after Unicode folding, so "réunion" finds "Reunion" and "meetings"
finds "meeting"; prefix indexes make "wall*" cheap.
PostgreSQL: a tsvector column with a GIN index; text is folded by ``unaccent`` and
stemmed with both English and French rules (the groups write in both), titles
weighted above bodies.

The migration creates the same objects; its copy of these statements is frozen there.
"""

from sqlalchemy import DDL, event

SQLITE_CREATE = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
        title, body, scope, content='search_entries', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE TRIGGER IF NOT EXISTS search_entries_ai AFTER INSERT ON search_entries
    BEGIN
        INSERT INTO search_fts(rowid, title, body, scope)
        VALUES (new.id, new.title, new.body, new.scope);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_entries_ad AFTER DELETE ON search_entries
    BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, scope)
        VALUES ('delete', old.id, old.title, old.body, old.scope);
    END""",
    """CREATE TRIGGER IF NOT EXISTS search_entries_au
    AFTER UPDATE OF title, body, scope ON search_entries
    BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, scope)
        VALUES ('delete', old.id, old.title, old.body, old.scope);
        INSERT INTO search_fts(rowid, title, body, scope)
        VALUES (new.id, new.title, new.body, new.scope);
    END""",
)
SQLITE_DROP_TRIGGERS = (
    "DROP TRIGGER IF EXISTS search_entries_ai",
    "DROP TRIGGER IF EXISTS search_entries_ad",
    "DROP TRIGGER IF EXISTS search_entries_au",
)
SQLITE_DROP = (*SQLITE_DROP_TRIGGERS, "DROP TABLE IF EXISTS search_fts")
# For a full rebuild (index.rebuild): empty the text index at once, and later build
# it from the entries in one pass.
SQLITE_EMPTY = "INSERT INTO search_fts(search_fts) VALUES ('delete-all')"
SQLITE_REBUILD = "INSERT INTO search_fts(search_fts) VALUES ('rebuild')"

POSTGRESQL_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS search_en CASCADE",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS search_fr CASCADE",
    "CREATE TEXT SEARCH CONFIGURATION search_en (COPY = english)",
    """ALTER TEXT SEARCH CONFIGURATION search_en
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem""",
    "CREATE TEXT SEARCH CONFIGURATION search_fr (COPY = french)",
    """ALTER TEXT SEARCH CONFIGURATION search_fr
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem""",
    "ALTER TABLE search_entries ADD COLUMN tsv tsvector",
    """CREATE OR REPLACE FUNCTION search_entries_tsv() RETURNS trigger AS $$
    BEGIN
        NEW.tsv :=
            setweight(to_tsvector('search_en', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('search_en', coalesce(NEW.body, '')), 'D')
            || setweight(to_tsvector('search_fr', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('search_fr', coalesce(NEW.body, '')), 'D');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER search_entries_tsv BEFORE INSERT OR UPDATE OF title, body
        ON search_entries FOR EACH ROW EXECUTE FUNCTION search_entries_tsv()""",
    "CREATE INDEX ix_search_entries_tsv ON search_entries USING gin (tsv)",
)
POSTGRESQL_DROP = (
    "DROP FUNCTION IF EXISTS search_entries_tsv() CASCADE",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS search_en CASCADE",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS search_fr CASCADE",
)

# Objects autogenerate must not treat as unknown (they are not in the models).
UNMAPPED_TABLE_PREFIX = "search_fts"
UNMAPPED_COLUMNS = {("search_entries", "tsv")}
UNMAPPED_INDEXES = {"ix_search_entries_tsv"}


def install(table) -> None:
    """Create (and drop) the text index with the table, as ``create_all`` does in the
    tests."""
    for dialect, create, drop in (
        ("sqlite", SQLITE_CREATE, SQLITE_DROP),
        ("postgresql", POSTGRESQL_CREATE, POSTGRESQL_DROP),
    ):
        for statement in create:
            event.listen(
                table, "after_create", DDL(statement).execute_if(dialect=dialect)
            )
        for statement in drop:
            event.listen(
                table, "before_drop", DDL(statement).execute_if(dialect=dialect)
            )
