"""Each practice's language, and a full-text index of its words stemmed in that language, accents folded.

A practice gets the language it is written in (`practices.language`; those shared before are English)
and three columns the index reads: its title, organisation, and summary with evidence, each as words
stemmed in its language with their accents folded, made in Python by the store (store.practices._index).
SQLite's FTS5 index is rebuilt over those columns with no stemmer of its own; PostgreSQL's `tsvector`
is built from them by a trigger with the 'simple' configuration. Both engines so index the same words.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from store.practices._index import INDEXED, indexed_columns

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_BATCH = 1000
_SOURCE = ("title", "organisation", "summary", "evidence", "language")

_COLUMNS = ", ".join(INDEXED)
_NEW = "new.id, " + ", ".join(f"new.{column}" for column in INDEXED)
_OLD = "old.id, " + ", ".join(f"old.{column}" for column in INDEXED)
# Only published practices are in the index: a search never needs to look at the status.
SQLITE_UP = [
    f"""CREATE VIRTUAL TABLE practices_fts USING fts5(
        {_COLUMNS}, content='practices', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER practices_fts_insert AFTER INSERT ON practices WHEN new.status = 'published' BEGIN
        INSERT INTO practices_fts(rowid, {_COLUMNS}) VALUES ({_NEW});
    END""",
    f"""CREATE TRIGGER practices_fts_delete AFTER DELETE ON practices WHEN old.status = 'published' BEGIN
        INSERT INTO practices_fts(practices_fts, rowid, {_COLUMNS}) VALUES ('delete', {_OLD});
    END""",
    f"""CREATE TRIGGER practices_fts_update AFTER UPDATE OF {_COLUMNS}, status ON practices BEGIN
        INSERT INTO practices_fts(practices_fts, rowid, {_COLUMNS})
        SELECT 'delete', {_OLD} WHERE old.status = 'published';
        INSERT INTO practices_fts(rowid, {_COLUMNS}) SELECT {_NEW} WHERE new.status = 'published';
    END""",
    f"INSERT INTO practices_fts(rowid, {_COLUMNS}) SELECT id, {_COLUMNS} FROM practices WHERE status = 'published'",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS practices_fts_update",
    "DROP TRIGGER IF EXISTS practices_fts_delete",
    "DROP TRIGGER IF EXISTS practices_fts_insert",
    "DROP TABLE IF EXISTS practices_fts",
]
# PostgreSQL keeps the index's words once: a trigger builds `search_vector` from the three columns as they are
# written and empties them, so the rows the search walks are not widened by a second copy of their text. The
# vector is kept in the row uncompressed (storage MAIN): a row too long is made to fit by its texts.
POSTGRES_UP = [
    "ALTER TABLE practices ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''",
    "ALTER TABLE practices ALTER COLUMN search_vector SET STORAGE MAIN",
    """CREATE FUNCTION practices_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := setweight(to_tsvector('simple', NEW.search_title), 'A')
            || setweight(to_tsvector('simple', NEW.search_organisation), 'B')
            || setweight(to_tsvector('simple', NEW.search_body), 'C');
        NEW.search_title := '';
        NEW.search_organisation := '';
        NEW.search_body := '';
        RETURN NEW;
    END
    $$""",
    # On an update, only when the words are written (all three together, as the store writes them).
    f"""CREATE TRIGGER practices_search_vector BEFORE INSERT OR UPDATE OF {_COLUMNS} ON practices
        FOR EACH ROW EXECUTE FUNCTION practices_search_vector()""",
]
POSTGRES_INDEX = [
    "CREATE INDEX ix_practices_search_vector ON practices USING gin (search_vector) WHERE status = 'published'",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS ix_practices_search_vector",
    "DROP TRIGGER IF EXISTS practices_search_vector ON practices",
    "DROP FUNCTION IF EXISTS practices_search_vector()",
    "ALTER TABLE practices DROP COLUMN IF EXISTS search_vector",
]

# Revision 0003's index, for the way back: English stemming of the practices' own columns.
_FTS_0003 = "title, organisation, summary, evidence"
SQLITE_DOWN = [
    f"""CREATE VIRTUAL TABLE practices_fts USING fts5(
        {_FTS_0003}, content='practices', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER practices_fts_insert AFTER INSERT ON practices WHEN new.status = 'published' BEGIN
        INSERT INTO practices_fts(rowid, {_FTS_0003})
        VALUES (new.id, new.title, new.organisation, new.summary, new.evidence);
    END""",
    f"""CREATE TRIGGER practices_fts_delete AFTER DELETE ON practices WHEN old.status = 'published' BEGIN
        INSERT INTO practices_fts(practices_fts, rowid, {_FTS_0003})
        VALUES ('delete', old.id, old.title, old.organisation, old.summary, old.evidence);
    END""",
    f"""CREATE TRIGGER practices_fts_update AFTER UPDATE OF {_FTS_0003}, status ON practices BEGIN
        INSERT INTO practices_fts(practices_fts, rowid, {_FTS_0003})
        SELECT 'delete', old.id, old.title, old.organisation, old.summary, old.evidence
        WHERE old.status = 'published';
        INSERT INTO practices_fts(rowid, {_FTS_0003})
        SELECT new.id, new.title, new.organisation, new.summary, new.evidence WHERE new.status = 'published';
    END""",
    f"INSERT INTO practices_fts(rowid, {_FTS_0003}) SELECT id, {_FTS_0003} FROM practices WHERE status = 'published'",
]
POSTGRES_DOWN = [
    """ALTER TABLE practices ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(organisation, '')), 'B')
        || setweight(to_tsvector('english', coalesce(summary, '') || ' ' || coalesce(evidence, '')), 'C')
    ) STORED""",
    "CREATE INDEX ix_practices_search_vector ON practices USING gin (search_vector) WHERE status = 'published'",
]


def _fill_index_columns() -> None:
    """Write the index's columns of every practice there is, in batches of ids."""
    connection = op.get_bind()
    practices = sa.table("practices", sa.column("id"), *(sa.column(name) for name in (*_SOURCE, *INDEXED)))
    update = (
        practices.update()
        .where(practices.c.id == sa.bindparam("row_id"))
        .values({column: sa.bindparam(column) for column in INDEXED})
    )
    after = 0
    while True:
        batch = connection.execute(
            sa.select(practices.c.id, *(practices.c[name] for name in _SOURCE))
            .where(practices.c.id > after)
            .order_by(practices.c.id)
            .limit(_BATCH)
        ).all()
        if not batch:
            return
        rows: list[dict[str, Any]] = [{"row_id": row.id, **indexed_columns(dict(row._mapping))} for row in batch]
        connection.execute(update, rows)
        after = batch[-1].id


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DROP if sqlite else POSTGRES_DROP:
        op.execute(statement)
    op.add_column("practices", sa.Column("language", sa.String(length=16), nullable=False, server_default="en"))
    for column in INDEXED:
        op.add_column("practices", sa.Column(column, sa.Text(), nullable=False, server_default=""))
    if sqlite:
        _fill_index_columns()
        for statement in SQLITE_UP:
            op.execute(statement)
    else:  # the trigger first: it builds each vector as the words are written
        for statement in POSTGRES_UP:
            op.execute(statement)
        _fill_index_columns()
        for statement in POSTGRES_INDEX:
            op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DROP if sqlite else POSTGRES_DROP:
        op.execute(statement)
    # Plain DROP COLUMNs (SQLite 3.35+), as in 0005 and 0007: copying the table would break its foreign keys.
    for column in (*reversed(list(INDEXED)), "language"):
        op.drop_column("practices", column)
    for statement in SQLITE_DOWN if sqlite else POSTGRES_DOWN:
        op.execute(statement)
