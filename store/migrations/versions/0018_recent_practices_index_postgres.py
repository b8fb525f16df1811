"""On PostgreSQL, an index of the newest practices' words, to find a common word's newest matches through.

A search ranks the newest 1,000 practices that hold its words. For a word many practices hold, PostgreSQL
finds them by walking the practices from the newest back, testing each: "bootcamp", in one practice of
twenty, meant testing 19,000 of them (12 ms at 100,000 practices). This index holds the words of the
published practices numbered above a floor, the newest 20,000 or so: when 1,000 matches are found above it,
they are the newest there are, found through the index's few entries (1 ms). Its floor is in its name,
`ix_practices_search_above_<floor>`; every practice published later is above it, and the bot builds it
afresh above a higher floor once too many are (store.practices.tidy). A store of no more than 20,000
practices has none (the whole index is as small), until the tidy finds it has outgrown that. SQLite is
unchanged (0017 gave it its own).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# How many of the newest practices, by number, the index starts with (store.practices.RECENT, as it was).
RECENT = 20_000
PREFIX = "ix_practices_search_above_"
_HELD = text(
    """
    SELECT c.relname FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
    WHERE i.indrelid = 'practices'::regclass AND starts_with(c.relname, :prefix)
    """
).bindparams(prefix=PREFIX)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    newest = bind.execute(text("SELECT coalesce(max(id), 0) FROM practices")).scalar_one()
    floor = int(newest) - RECENT
    if floor <= 0:
        return
    op.execute(
        f"CREATE INDEX {PREFIX}{floor} ON practices USING gin (search_vector) "
        f"WHERE status = 'published' AND id > {floor}"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for name in bind.execute(_HELD).scalars():
        op.execute(f'DROP INDEX IF EXISTS "{name}"')
