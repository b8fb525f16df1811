"""All-day and multi-day meetings: a meeting held on dates, with no times.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("meetings", sa.Column("all_day", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+), as in 0005: copying the table would break the
    # foreign keys that registrations and scheduled posts hold on meetings.
    op.drop_column("meetings", "all_day")
