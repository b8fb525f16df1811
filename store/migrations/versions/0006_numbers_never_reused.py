"""Numbers never reused: meetings, practices, FAQ entries and scheduled posts keep their numbers for good.

SQLite gives a new row the largest rowid plus one, so the number of the newest row, once
deleted, went to the next one (an old "/practice 12" then opened someone else's practice).
Each of these tables is rebuilt with AUTOINCREMENT, which never hands out a number twice.
PostgreSQL's sequences never go back: nothing changes there.

Rebuilding a table drops the old one, and with foreign keys enforced SQLite deletes the rows
that refer to it (registrations, useful marks) as it does; those rows are set aside for the
rebuild and put back with their own ids, all in the migration's transaction. The table's
triggers (the practices' full-text index) go with the old table and are created again as
they were. The next number after the upgrade follows the largest one the table holds.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("meetings", "practices", "faq_entries", "scheduled_posts")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            _rebuild(table, autoincrement=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in reversed(TABLES):
            _rebuild(table, autoincrement=False)


def _rebuild(table: str, *, autoincrement: bool) -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    children = [
        name
        for name in inspector.get_table_names()
        if any(key["referred_table"] == table for key in inspector.get_foreign_keys(name))
    ]
    found = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,))
    triggers = [sql for sql in found.scalars() if sql]
    for child in children:
        op.execute(f'CREATE TEMP TABLE "_keep_{child}" AS SELECT * FROM "{child}"')
        op.execute(f'DELETE FROM "{child}"')
    with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass
    for sql in triggers:
        op.execute(sql)
    for child in children:
        op.execute(f'INSERT INTO "{child}" SELECT * FROM "_keep_{child}"')
        op.execute(f'DROP TABLE "_keep_{child}"')
