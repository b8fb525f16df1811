"""Scheduled posts: every reminder, announcement and digest is a row before it is posted.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduled_posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False, server_default=""),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(1000), nullable=False, server_default=""),
        sa.Column("claimed_by", sa.String(100), nullable=False, server_default=""),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("posted_channel", sa.String(32), nullable=True),
        sa.Column("posted_ts", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("key", name="uq_scheduled_posts_key"),
    )
    op.create_index("ix_scheduled_posts_status_due", "scheduled_posts", ["status", "due_at"])
    op.create_index("ix_scheduled_posts_meeting_id", "scheduled_posts", ["meeting_id"])


def downgrade() -> None:
    op.drop_index("ix_scheduled_posts_meeting_id", table_name="scheduled_posts")
    op.drop_index("ix_scheduled_posts_status_due", table_name="scheduled_posts")
    op.drop_table("scheduled_posts")
