"""People's choice about meeting reminders by direct message (`/meetings reminders off|on`).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("people", sa.Column("reminders", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+): copying the table, as batch mode would, breaks the
    # foreign keys that registrations and useful marks hold on people.
    op.drop_column("people", "reminders")
