"""Each person's language: the one they chose (`/tci language es`) and Slack's locale for them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("people", sa.Column("language", sa.String(length=16), nullable=True))
    op.add_column("people", sa.Column("slack_locale", sa.String(length=16), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMNs (SQLite 3.35+), as in 0005: copying the table would break the foreign keys on people.
    op.drop_column("people", "slack_locale")
    op.drop_column("people", "language")
