"""The FAQ in several languages: each entry's own language, and its translations that organisers add.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("faq_entries", sa.Column("language", sa.String(length=16), nullable=True))
    op.create_table(
        "faq_translations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("faq_id", sa.Integer(), sa.ForeignKey("faq_entries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("keywords", sa.String(length=500), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(length=32), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("faq_id", "language", name="uq_faq_translations_entry_language"),
    )


def downgrade() -> None:
    op.drop_table("faq_translations")
    # A plain DROP COLUMN (SQLite 3.35+), as in 0007: copying the table would break its foreign keys.
    op.drop_column("faq_entries", "language")
