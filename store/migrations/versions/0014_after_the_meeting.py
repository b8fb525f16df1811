"""After the meeting: guests who came without registering, recaps, and the actions agreed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_guests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("added_by", sa.String(32), nullable=False, server_default=""),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_meeting_guests_meeting_id", "meeting_guests", ["meeting_id"])
    op.create_table(
        "recaps",
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("summary", sa.Text(), nullable=False, server_default=""),
        sa.Column("slides_url", sa.String(3000), nullable=False, server_default=""),
        sa.Column("recording_url", sa.String(3000), nullable=False, server_default=""),
        sa.Column("minutes_url", sa.String(3000), nullable=False, server_default=""),
        sa.Column("practices", sa.String(1000), nullable=False, server_default=""),
        sa.Column("posted_channel", sa.String(32), nullable=True),
        sa.Column("posted_ts", sa.String(32), nullable=True),
        sa.Column("created_by", sa.String(32), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(32), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("owner_id", sa.String(32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meetings.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_by", sa.String(32), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_actions_owner_id", "actions", ["owner_id"])
    op.create_index("ix_actions_meeting_id", "actions", ["meeting_id"])
    op.create_index("ix_actions_status_due", "actions", ["status", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_actions_status_due", table_name="actions")
    op.drop_index("ix_actions_meeting_id", table_name="actions")
    op.drop_index("ix_actions_owner_id", table_name="actions")
    op.drop_table("actions")
    op.drop_table("recaps")
    op.drop_index("ix_meeting_guests_meeting_id", table_name="meeting_guests")
    op.drop_table("meeting_guests")
