"""Practices, useful-marks, and the full-text index that ranks them.

SQLite keeps an FTS5 index (`practices_fts`, external content) of the published practices in
step with `practices` through triggers; PostgreSQL keeps a generated, weighted `tsvector` with a
GIN index over the published ones.
Either way the title weighs most, then the organisation, then the summary and evidence.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_FTS_COLUMNS = "title, organisation, summary, evidence"

_NEW = "new.id, new.title, new.organisation, new.summary, new.evidence"
_OLD = "old.id, old.title, old.organisation, old.summary, old.evidence"
# Only published practices are in the index: a search never needs to look at the status.
SQLITE_UP = [
    f"""CREATE VIRTUAL TABLE practices_fts USING fts5(
        {_FTS_COLUMNS}, content='practices', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER practices_fts_insert AFTER INSERT ON practices WHEN new.status = 'published' BEGIN
        INSERT INTO practices_fts(rowid, {_FTS_COLUMNS}) VALUES ({_NEW});
    END""",
    f"""CREATE TRIGGER practices_fts_delete AFTER DELETE ON practices WHEN old.status = 'published' BEGIN
        INSERT INTO practices_fts(practices_fts, rowid, {_FTS_COLUMNS}) VALUES ('delete', {_OLD});
    END""",
    f"""CREATE TRIGGER practices_fts_update AFTER UPDATE OF {_FTS_COLUMNS}, status ON practices BEGIN
        INSERT INTO practices_fts(practices_fts, rowid, {_FTS_COLUMNS})
        SELECT 'delete', {_OLD} WHERE old.status = 'published';
        INSERT INTO practices_fts(rowid, {_FTS_COLUMNS}) SELECT {_NEW} WHERE new.status = 'published';
    END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS practices_fts_update",
    "DROP TRIGGER IF EXISTS practices_fts_delete",
    "DROP TRIGGER IF EXISTS practices_fts_insert",
    "DROP TABLE IF EXISTS practices_fts",
]
POSTGRES_UP = [
    """ALTER TABLE practices ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', coalesce(organisation, '')), 'B')
        || setweight(to_tsvector('english', coalesce(summary, '') || ' ' || coalesce(evidence, '')), 'C')
    ) STORED""",
    "CREATE INDEX ix_practices_search_vector ON practices USING gin (search_vector) WHERE status = 'published'",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_practices_search_vector",
    "ALTER TABLE practices DROP COLUMN IF EXISTS search_vector",
]


def upgrade() -> None:
    op.create_table(
        "practices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(150), nullable=False),
        sa.Column("kind", sa.String(100), nullable=False),
        sa.Column("topic", sa.String(150), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False, server_default=""),
        sa.Column("country", sa.String(2), nullable=False, server_default=""),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False, server_default=""),
        sa.Column("link", sa.String(2000), nullable=False, server_default=""),
        sa.Column("author", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="published"),
        sa.Column("reject_reason", sa.String(1000), nullable=False, server_default=""),
        sa.Column("moderated_by", sa.String(32), nullable=False, server_default=""),
        sa.Column("card_channel", sa.String(32), nullable=True),
        sa.Column("card_ts", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_practices_author", "practices", ["author"])
    op.create_index("ix_practices_published_at", "practices", ["published_at"])
    op.create_index("ix_practices_status_created", "practices", ["status", "created_at"])
    op.create_index("ix_practices_author_created", "practices", ["author", "created_at"])
    op.create_table(
        "useful_marks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("practice_id", sa.Integer(), sa.ForeignKey("practices.id", ondelete="CASCADE"), nullable=False),
        sa.Column("slack_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("practice_id", "slack_id", name="uq_useful_marks_practice_person"),
    )
    for statement in SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else POSTGRES_DOWN:
        op.execute(statement)
    op.drop_table("useful_marks")
    for index in ("ix_practices_author_created", "ix_practices_status_created", "ix_practices_published_at"):
        op.drop_index(index, table_name="practices")
    op.drop_index("ix_practices_author", table_name="practices")
    op.drop_table("practices")
