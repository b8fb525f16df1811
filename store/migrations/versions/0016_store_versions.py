"""A counter for meetings and one for series, moved by the database whenever one is added, removed or changed.

Questions and lists keep the meetings they read between requests, and ask the store before each use whether
any meeting (or series) changed since. That was an aggregate over every row (how many, the sum of their
sequence numbers, the latest change), whose cost grew with the group's meetings. `store_versions` holds one
counter for each; triggers move it in the transaction of the change: a row added or removed, or its sequence
or time of change written with a new value (a write that leaves both as they were, as the lock a registration
takes on its meeting, moves nothing). Reading it is one primary-key lookup, whatever the number of meetings.

On PostgreSQL the counter is moved when the change commits (deferred constraint triggers): a transaction
takes the counter's row lock last, after every meeting row it changes, so that two changes never wait on
each other in opposite orders.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# The counter's name, by the table whose changes move it.
COUNTED = {"meetings": "meetings", "meeting_series": "series"}
_CHANGED = "old.sequence IS NOT new.sequence OR old.updated_at IS NOT new.updated_at"


def _sqlite_triggers(table: str, name: str) -> list[str]:
    bump = f"UPDATE store_versions SET version = version + 1 WHERE name = '{name}';"
    return [
        f"CREATE TRIGGER {table}_version_insert AFTER INSERT ON {table} BEGIN {bump} END",
        f"CREATE TRIGGER {table}_version_delete AFTER DELETE ON {table} BEGIN {bump} END",
        f"CREATE TRIGGER {table}_version_update AFTER UPDATE OF sequence, updated_at ON {table} "
        f"WHEN {_CHANGED} BEGIN {bump} END",
    ]


_POSTGRES_FUNCTION = """CREATE FUNCTION store_version_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE store_versions SET version = version + 1 WHERE name = TG_ARGV[0];
        RETURN NULL;
    END
    $$"""


def _postgres_triggers(table: str, name: str) -> list[str]:
    later = f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    moved = f"EXECUTE FUNCTION store_version_moved('{name}')"
    changed = _CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")  # SQLite's IS NOT, in PostgreSQL's words
    return [
        f"CREATE CONSTRAINT TRIGGER {table}_version_added AFTER INSERT OR DELETE {later} {moved}",
        f"CREATE CONSTRAINT TRIGGER {table}_version_update AFTER UPDATE OF sequence, updated_at {later} "
        f"WHEN ({changed}) {moved}",
    ]


def upgrade() -> None:
    versions = op.create_table(
        "store_versions",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.bulk_insert(versions, [{"name": name, "version": 0} for name in COUNTED.values()])
    if op.get_bind().dialect.name == "sqlite":
        statements = [sql for table, name in COUNTED.items() for sql in _sqlite_triggers(table, name)]
    else:
        statements = [_POSTGRES_FUNCTION] + [
            sql for table, name in COUNTED.items() for sql in _postgres_triggers(table, name)
        ]
    for statement in statements:
        op.execute(statement)


SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {table}_version_{change}" for table in COUNTED for change in ("insert", "delete", "update")
]
POSTGRES_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_version_{change} ON {table}"
        for table in COUNTED
        for change in ("added", "update")
    ),
    "DROP FUNCTION IF EXISTS store_version_moved()",
]


def downgrade() -> None:
    for statement in SQLITE_DROP if op.get_bind().dialect.name == "sqlite" else POSTGRES_DROP:
        op.execute(statement)
    op.drop_table("store_versions")
