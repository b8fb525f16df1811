"""Personal settings: reminders turned off one by one, the digest by direct message, one's name in attendee lists.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("people", sa.Column("reminders_off", sa.String(100), nullable=False, server_default=""))
    op.add_column("people", sa.Column("digest_dm", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("people", sa.Column("listed", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # Plain DROP COLUMNs, as in 0005: copying the table breaks the foreign keys held on people.
    op.drop_column("people", "listed")
    op.drop_column("people", "digest_dm")
    op.drop_column("people", "reminders_off")
