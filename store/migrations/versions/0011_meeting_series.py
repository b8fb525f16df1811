"""Meetings that repeat: a series with its rule, and each meeting's place in it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_series",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("template", sa.Text(), nullable=False),
        sa.Column("announced", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_by", sa.String(32), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    # A plain column, as scheduled_posts.meeting_id: SQLite cannot add a constraint to a table that exists.
    op.add_column("meetings", sa.Column("series_id", sa.Integer(), nullable=True))
    op.add_column("meetings", sa.Column("occurrence_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("uq_meetings_series_occurrence", "meetings", ["series_id", "occurrence_at"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_meetings_series_occurrence", table_name="meetings")
    op.drop_column("meetings", "occurrence_at")
    op.drop_column("meetings", "series_id")
    op.drop_table("meeting_series")
