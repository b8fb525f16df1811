"""On SQLite, a second full-text index of the newest practices only, to rank a common word's matches among.

A search ranks the newest 1,000 practices that hold its words, with FTS5's bm25, which first counts, for
each form of each word, the practices holding it across the whole index (the words' weights). For a word
most practices hold, that count costs more than the search: at 100,000 practices, 3.6 ms for "cluster".
`practices_fts_recent` holds every published practice from some number on (the newest 20,000 or so), its
words as `practices_fts` holds them; when the newest 1,000 matches are all among those (a common word's
are), they are ranked there, the words weighed among the newest practices. A rarer word's matches are
ranked in the whole index, as before, where its count is short. A practice published joins it; the bot
takes the oldest out once it holds too many, in one go, and merges what is left (store.practices.tidy),
since FTS5 keeps a removal as a mark beside the words until then. The index keeps its own copy of the
words (it is small), so that taking a practice out needs no more than its number. PostgreSQL is unchanged.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from store.practices._index import INDEXED

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# How many of the newest practices, by number, the index starts with (store.practices.RECENT, as it was).
RECENT = 20_000
_COLUMNS = ", ".join(INDEXED)
_NEW = ", ".join(f"new.{column}" for column in INDEXED)
_HELD = "EXISTS (SELECT 1 FROM practices_fts_recent WHERE rowid = old.id)"
_OLDEST = "(SELECT rowid FROM practices_fts_recent ORDER BY rowid LIMIT 1)"
# The index holds every published practice from its oldest on (so that the newest matches it holds are the
# newest there are): a practice published, or changed, joins it when it is newer than the oldest held.
SQLITE_UP = [
    f"""CREATE VIRTUAL TABLE practices_fts_recent USING fts5(
        {_COLUMNS}, tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER practices_fts_recent_insert AFTER INSERT ON practices
        WHEN new.status = 'published' AND new.id > coalesce({_OLDEST}, 0) BEGIN
        INSERT INTO practices_fts_recent(rowid, {_COLUMNS}) VALUES (new.id, {_NEW});
    END""",
    """CREATE TRIGGER practices_fts_recent_delete AFTER DELETE ON practices BEGIN
        DELETE FROM practices_fts_recent WHERE rowid = old.id;
    END""",
    # A practice it holds that was changed: held again as it is now, while it is published.
    f"""CREATE TRIGGER practices_fts_recent_update AFTER UPDATE OF {_COLUMNS}, status ON practices
        WHEN {_HELD} BEGIN
        DELETE FROM practices_fts_recent WHERE rowid = old.id;
        INSERT INTO practices_fts_recent(rowid, {_COLUMNS}) SELECT new.id, {_NEW} WHERE new.status = 'published';
    END""",
    # One it does not hold, published now (from the queue) and newer than the oldest it holds: joins it.
    f"""CREATE TRIGGER practices_fts_recent_publish AFTER UPDATE OF {_COLUMNS}, status ON practices
        WHEN new.status = 'published' AND NOT {_HELD} AND new.id > {_OLDEST} BEGIN
        INSERT INTO practices_fts_recent(rowid, {_COLUMNS}) VALUES (new.id, {_NEW});
    END""",
    f"""INSERT INTO practices_fts_recent(rowid, {_COLUMNS})
        SELECT id, {_COLUMNS} FROM practices
        WHERE status = 'published' AND id > (SELECT coalesce(max(id), 0) FROM practices) - {RECENT}""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS practices_fts_recent_publish",
    "DROP TRIGGER IF EXISTS practices_fts_recent_update",
    "DROP TRIGGER IF EXISTS practices_fts_recent_delete",
    "DROP TRIGGER IF EXISTS practices_fts_recent_insert",
    "DROP TABLE IF EXISTS practices_fts_recent",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
